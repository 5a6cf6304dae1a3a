#!/usr/bin/env python3
"""Writes a synthetic protocol for the verifier benchmark (docs/performance.md).

    gen_verify_protocol.py N > synth-N.care

N rules over 30 inputs (age, weight, 8 durations, 10 booleans, 10 enums),
in blocks of 100: two `unique` tables of 25 rules slicing a duration input
(disjoint: the interval sweep should discard every pair), one `first` table
of 20 rules with overlapping windows, one `collect` table of 24 rules (every
sixth gives a weight-based methylprednisolone dose), and one pathway of 3
tiers with `after` ordering (tiers count as rules here), plus 2 `verify`
assertions per block. Deterministic: the same N gives the same file.
"""
import random
import sys


def main():
    n = int(sys.argv[1])
    rnd = random.Random(n)
    out = []
    w = out.append
    w(f'protocol synth_{n} version "1.0.0" {{')
    w(f'  title "synthetic verifier benchmark, {n} rules"')
    w('  population age < 18 years')
    w('  dosing weight = weight')
    w('}')
    w('use stdlib.units')
    w('use stdlib.drugs.{methylprednisolone}')
    w('input age : duration in 0 years .. 120 years')
    w('input weight : mass in 2 kg .. 150 kg')
    for i in range(8):
        w(f'input t{i} : duration in 0 h .. 720 h')
    for i in range(10):
        w(f'input b{i} : bool')
    for i in range(10):
        w(f'input e{i} : enum {{ lo{i}, mid{i}, hi{i} }}')

    def cond(avoid=None):
        # Distinct inputs per rule, so that no condition contradicts itself.
        pool = [f't{i}' for i in range(8)] + [f'b{i}' for i in range(10)] + [f'e{i}' for i in range(10)]
        pool = [v for v in pool if v != avoid]
        parts = []
        for v in rnd.sample(pool, rnd.randint(1, 3)):
            if v[0] == 'b':
                parts.append(('' if rnd.random() < 0.6 else 'not ') + v)
            elif v[0] == 'e':
                parts.append(f'{v} {rnd.choice(["==", "!="])} {rnd.choice(["lo", "mid", "hi"])}{v[1:]}')
            else:
                parts.append(f'{v} {rnd.choice(["<=", ">="])} {rnd.randrange(24, 700)} h')
        return ' and '.join(parts)

    rules = 0
    block = 0
    while rules < n:
        k = block
        for u in range(2):
            axis = (k + u) % 8
            w(f'table u{k}_{u} hit unique {{')
            for r in range(25):
                lo, hi = r * 28, (r + 1) * 28
                extra = f' and b{(r + u) % 10}' if r % 3 == 0 else ''
                w(f'  rule s{r} when t{axis} >= {lo} h and t{axis} < {hi} h{extra} -> do act_{k}_{u}_{r}')
            w('}')
        w(f'table f{k} hit first {{')
        for r in range(20):
            w(f'  rule w{r} when t{k % 8} <= {(r + 1) * 30} h and {cond(avoid=f"t{k % 8}")} -> order test_{k}_{r}')
        w('}')
        w(f'table c{k} hit collect {{')
        for r in range(24):
            if r % 6 == 0:
                w(f'  rule d{r} when {cond()} -> give methylprednisolone dose 30 mg/kg * weight per day max 1 g per day for 3 days .. 5 days')
            else:
                w(f'  rule m{r} when {cond()} -> monitor sign_{k}_{r}')
        w('}')
        e = k % 10
        w(f'pathway p{k} for b{k % 10} {{')
        w(f'  tier a when e{e} == lo{e} failed when e{e} != lo{e} {{ do first_{k} }}')
        w(f'  tier b after a when e{e} == mid{e} failed when e{e} == hi{e} {{ do second_{k} }}')
        w(f'  tier c after b when e{e} == hi{e} {{ do third_{k} }}')
        w('}')
        w('verify {')
        w(f'  never p{k}.a and p{k}.c')
        w(f'  always not c{k}.d0 or weight >= 2 kg')
        w('}')
        rules += 100
        block += 1
    print('\n'.join(out))


if __name__ == '__main__':
    main()
