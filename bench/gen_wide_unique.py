#!/usr/bin/env python3
"""Writes one wide `unique` table for the verifier benchmark (docs/performance.md).

    gen_wide_unique.py [N [SEED]] > wide-unique-N.care      (N = 2000, SEED = 1)

N rules over 20 integer inputs n0..n19 (each 0 .. 1000): the leaves of a
random k-d partition of the input box (a leaf is split on a random input at
a random integer cut), so the rules are pairwise disjoint and cover the box.
A leaf's condition bounds the inputs its path split, written with strict
comparisons on both sides as a spreadsheet often has them: the two halves
of a cut at 162 are `n3 < 162` and `n3 > 161` (disjoint over the integers,
not over the reals). Then 3 overlaps are planted: 3 rules have one upper
bound raised by 2 so that each reaches into exactly one neighbour (chosen so
that the 3 plants overlap no other rule and not each other); the verifier
must report exactly those 3 pairs. Deterministic for a given N and SEED.
"""
import random
import sys

INPUTS = 20
LO, HI = 0, 1000


def overlaps(a, b):
    return all(max(a[i][0], b[i][0]) <= min(a[i][1], b[i][1]) for i in range(INPUTS))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rnd = random.Random(seed)
    # Boxes of closed integer intervals [lo, hi] per input.
    leaves = [[(LO, HI)] * INPUTS]
    while len(leaves) < n:
        k = rnd.randrange(len(leaves))
        box = leaves[k]
        splittable = [i for i in range(INPUTS) if box[i][1] - box[i][0] >= 1]
        i = rnd.choice(splittable)
        lo, hi = box[i]
        cut = rnd.randint(lo + 1, hi)  # left [lo, cut-1], right [cut, hi]
        left, right = list(box), list(box)
        left[i], right[i] = (lo, cut - 1), (cut, hi)
        leaves[k] = left
        leaves.append(right)
    rnd.shuffle(leaves)

    # Plant the overlaps: raise one upper bound by 2 where exactly one other
    # leaf is then met, and keep the plants apart.
    planted = []
    touched = set()
    for k in rnd.sample(range(n), n):
        if len(planted) == 3:
            break
        if k in touched:
            continue
        box = leaves[k]
        faces = [i for i in range(INPUTS) if box[i][1] + 2 <= HI]
        if not faces:
            continue
        i = rnd.choice(faces)
        grown = list(box)
        grown[i] = (box[i][0], box[i][1] + 2)
        met = [j for j in range(n) if j != k and overlaps(grown, leaves[j])]
        if len(met) != 1 or met[0] in touched:
            continue
        if any(overlaps(grown, leaves[p]) for p, _ in planted):
            continue
        leaves[k] = grown
        planted.append((k, met[0]))
        touched.update({k, met[0]})

    out = []
    w = out.append
    w(f'// {n} rules, seed {seed}; planted overlaps: ' +
      ', '.join(f'r{min(a, b)}/r{max(a, b)}' for a, b in sorted(planted)))
    w(f'protocol wide_unique_{n} version "1.0.0" {{')
    w(f'  title "wide unique table, {n} rules over {INPUTS} integer inputs"')
    w('}')
    for i in range(INPUTS):
        w(f'input n{i} : integer in {LO} .. {HI}')
    w('table wide hit unique {')
    for r, box in enumerate(leaves):
        parts = []
        for i, (lo, hi) in enumerate(box):
            if lo > LO:
                parts.append(f'n{i} > {lo - 1}')
            if hi < HI:
                parts.append(f'n{i} < {hi + 1}')
        w(f'  rule r{r} when {" and ".join(parts) or "true"} -> do act_{r}')
    w('}')
    print('\n'.join(out))


if __name__ == '__main__':
    main()
