#!/usr/bin/env python3
"""Random patients for a compiled table, one JSON object per line (JSONL).

    bench/gen_patients.py TABLE.json N [SEED] [--bad RATE] [--plain] > patients.jsonl

Reads the table's inputs (docs/tables.md) and writes N patients (fixed
SEED: the same file every run) for `carepath eval TABLE --patients`: about
a third of the numbers on or next to a range end, the rest uniform;
quantities mostly as "NUMBER UNIT" strings in the input's display unit,
some as {"value", "unit"} objects or in another accepted unit, which the
patient reader's general path reads; optional inputs sometimes left out or
null. With --bad RATE, that share of patients carries one wrong value
(out of range, an unknown member or unit, a string for a bool), so the
batch's error lines are exercised too. With --plain every quantity is a
"NUMBER UNIT" string in its display unit (what an export from a database
looks like: every line on the reader's fast path). docs/performance.md ("Batch") uses
it for the throughput figures, tests/runtime/batch-*.test for checks.
"""
import json
import random
import sys
from fractions import Fraction


def decimal(f, places=6):
    """f as a decimal string: exact when it has one, else rounded."""
    neg = f < 0
    f = abs(f)
    scaled = f * 10**places
    if scaled.denominator != 1:
        scaled = Fraction(round(scaled))
    n = int(scaled)
    whole, frac = divmod(n, 10**places)
    s = str(whole)
    if frac:
        s += "." + str(frac).rjust(places, "0").rstrip("0")
    return ("-" if neg and n else "") + s


PLAIN = False


def number(inp, rng):
    rng_ = inp.get("range") or {}
    lo = Fraction(rng_["lo"]) if rng_.get("lo") is not None else Fraction(0)
    hi = Fraction(rng_["hi"]) if rng_.get("hi") is not None else lo + 1000
    units = inp.get("acceptedUnits") or []
    display = (inp.get("displayUnit") or {}).get("name")
    unit = next((u for u in units if u["name"] == display), None)
    if unit and len(units) > 1 and not PLAIN and rng.random() < 0.1:
        unit = rng.choice(units)
    factor = Fraction(unit["factor"]) if unit else Fraction(1)
    offset = Fraction(unit["offset"]) if unit else Fraction(0)
    # In the unit written: the range's ends, a hair inside them, or uniform.
    wlo, whi = (lo - offset) / factor, (hi - offset) / factor
    r = rng.random()
    if inp.get("integer"):
        c = [lo, hi, lo + 1, hi - 1][rng.randrange(4)] if r < 0.3 else lo + (hi - lo) * Fraction(rng.randrange(1001), 1000)
        c = Fraction(int(c)) if c >= 0 else Fraction(-int(-c))
        c = min(max(c, lo if lo.denominator == 1 else Fraction(int(lo) + 1)), hi)
        w = (c - offset) / factor
        if decimal(w, 9) != decimal(w, 12):  # no short decimal in this unit: the canonical one
            unit = next((u for u in units if Fraction(u["factor"]) == 1 and Fraction(u["offset"]) == 0), None)
            w = c
    elif r < 0.3:
        w = [wlo, whi, wlo + Fraction(1, 100), whi - Fraction(1, 100)][rng.randrange(4)]
        w = min(max(w, wlo), whi)
        if decimal(w) != decimal(w, 12):
            w = wlo + (whi - wlo) / 2
    else:
        w = wlo + (whi - wlo) * Fraction(rng.randrange(100001), 100000)
        w = Fraction(round(w * 100), 100)
        w = min(max(w, Fraction(int(wlo * 100) + 1, 100) if w < wlo else w), whi)
    text = decimal(w)
    if not unit:
        return json.loads(text) if rng.random() < 0.8 else text
    if not PLAIN and rng.random() < 0.1:
        return {"value": json.loads(text), "unit": unit["name"]}
    return text + " " + unit["name"]


def value(inp, rng):
    t = inp["type"]
    if t == "bool":
        return rng.random() < 0.5
    if t == "enum":
        return rng.choice(inp["members"])
    if t == "string":
        return rng.choice(["EU", "US", "a b", "x"])
    return number(inp, rng)


def wrong(inp, rng):
    t = inp["type"]
    if t == "bool":
        return "yes"
    if t == "enum":
        return "no-such-member"
    if t == "string":
        return 42
    units = inp.get("acceptedUnits") or []
    return "1e9 " + units[0]["name"] if units and rng.random() < 0.5 else ("12 furlongs" if units else 1e9)


def main(argv):
    global PLAIN
    args = [a for a in argv[1:]]
    bad = 0.0
    if "--plain" in args:
        PLAIN = True
        args.remove("--plain")
    if "--bad" in args:
        k = args.index("--bad")
        bad = float(args[k + 1])
        del args[k : k + 2]
    if len(args) not in (2, 3):
        sys.exit(__doc__)
    table = json.load(open(args[0], encoding="utf-8"))
    n, seed = int(args[1]), int(args[2]) if len(args) == 3 else 1
    rng = random.Random(seed)
    inputs = table["inputs"]
    out = sys.stdout
    for _ in range(n):
        p = {}
        for inp in inputs:
            if inp.get("optional") and rng.random() < 0.15:
                if rng.random() < 0.5:
                    p[inp["name"]] = None
                continue
            p[inp["name"]] = value(inp, rng)
        if bad and rng.random() < bad and inputs:
            inp = rng.choice(inputs)
            p[inp["name"]] = wrong(inp, rng)
        out.write(json.dumps(p, separators=(",", ":"), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv)
