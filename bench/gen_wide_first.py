#!/usr/bin/env python3
"""Writes one wide `first` table for the verifier benchmark (docs/performance.md).

    gen_wide_first.py [N [SEED]] > wide-first-N.care      (N = 3700, SEED = 1)

N rules over 8 inputs: 6 numeric with clinical-looking cut points (age,
temperature and systolic pressure as quantities, heart rate, respiratory
rate and SpO2 as integers) and 2 enums (AVPU, care setting). The rules are
the leaves of a decision tree written as a first-match table: each level
tests one more input (4 to 6 conditions per rule, one per input), either in
disjoint bands (`hr in 100 ..< 130`) or the first-match idiom of rising
thresholds (`hr < 100`, then `hr < 130`, ...: each rule also matches the
patients of the earlier ones and keeps only its own band). Some bands of a
node at depth 4 or 5 get no rules and a fallback rule for the whole node
follows its children (specific before general). No rule is dead or
shadowed: each keeps its own band at every level. The tree is written
depth first and cut at N rules. Deterministic for a given N and SEED.
"""
import random
import sys

# name, declaration, cut points (in the unit written), unit suffix
NUMERIC = [
    ('age', 'duration in 0 years .. 120 years', [1, 2, 5, 12, 16, 18, 40, 65, 80], ' years'),
    ('temp', 'temperature in 30 degC .. 44 degC', [35, 36, 37.5, 38, 38.5, 39, 40, 41], ' degC'),
    ('sbp', 'pressure in 40 mmHg .. 260 mmHg', [70, 80, 90, 100, 110, 140, 160, 180, 220], ' mmHg'),
    ('hr', 'integer in 20 .. 250', [40, 50, 60, 100, 110, 130, 150, 180], ''),
    ('rr', 'integer in 4 .. 80', [8, 12, 20, 21, 25, 30, 40], ''),
    ('spo2', 'integer in 50 .. 100', [85, 88, 90, 92, 94, 96], ''),
]
ENUMS = [
    ('avpu', ['alert', 'voice', 'pain', 'unresponsive']),
    ('setting', ['clinic', 'ed', 'ward', 'icu']),
]


def fmt(x):
    return str(x) if isinstance(x, int) or x != int(x) else str(int(x))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3700
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rnd = random.Random(seed)
    names = [v[0] for v in NUMERIC] + [e[0] for e in ENUMS]
    rules = []  # (conditions, kind) in table order

    def bands(var, disjoint):
        """The conditions of one node's children, in order."""
        num = [v for v in NUMERIC if v[0] == var]
        if num:
            _, _, cuts, unit = num[0]
            cs = sorted(rnd.sample(cuts, rnd.randint(3, 6)))
            if disjoint:
                out = [f'{var} < {fmt(cs[0])}{unit}']
                out += [f'{var} in {fmt(a)}{unit} ..< {fmt(b)}{unit}' for a, b in zip(cs, cs[1:])]
            else:  # rising thresholds: each band keeps [previous, this)
                out = [f'{var} < {fmt(c)}{unit}' for c in cs]
            return out + [f'{var} >= {fmt(cs[-1])}{unit}']
        members = [e for e in ENUMS if e[0] == var][0][1]
        ms = list(members)
        rnd.shuffle(ms)
        if disjoint:
            return [f'{var} == {m}' for m in ms]
        # first-match idiom: one member, then everything but the last (its own: the middle ones), then the last
        return [f'{var} == {ms[0]}', f'{var} != {ms[-1]}', f'{var} == {ms[-1]}']

    def node(path, used):
        if len(rules) >= n:
            return
        depth = len(path)
        if depth >= 6 or (depth >= 4 and rnd.random() < 0.45):
            rules.append(list(path))
            return
        var = rnd.choice([v for v in names if v not in used])
        fallback = depth >= 4 and rnd.random() < 0.5
        children = bands(var, disjoint=fallback or rnd.random() < 0.5)
        skip = set()
        if fallback:  # leave bands out: the fallback rule's own patients
            skip = set(rnd.sample(range(len(children)), rnd.randint(1, max(1, len(children) // 2))))
        for k, c in enumerate(children):
            if k not in skip:
                node(path + [c], used | {var})
        if fallback and len(rules) < n:
            rules.append(list(path))

    # One tree: a second one would cover the same patients as the first and
    # so be shadowed by it.
    node([], set())
    if len(rules) < n:
        sys.exit(f'gen_wide_first.py: the tree has only {len(rules)} rules for N = {n}; try another SEED')

    out = []
    w = out.append
    w(f'// {n} rules, seed {seed}')
    w(f'protocol wide_first_{n} version "1.0.0" {{')
    w(f'  title "wide first-match table, {n} rules over 8 inputs"')
    w('}')
    w('use stdlib.units')
    for name, decl, _, _ in NUMERIC:
        w(f'input {name} : {decl}')
    for name, members in ENUMS:
        w(f'input {name} : enum {{ {", ".join(members)} }}')
    w('table triage hit first {')
    for r, conds in enumerate(rules):
        w(f'  rule r{r} when {" and ".join(conds)} -> do act_{r}')
    w('}')
    print('\n'.join(out))


if __name__ == '__main__':
    main()
