#!/usr/bin/env python3
"""Cross-checks the suite's expected results against the IR reference
evaluator (compiler/ir/Evaluator), an implementation independent of the
runtime that produced them: every case that evaluates without an error
becomes an `example` block (the patient as `given`s; for every rule of
every table, `expect t.r` or `expect not t.r`; each dose; each output with
a single value), appended to a copy of its protocol, and `carepath test`
runs them all (on the IR evaluator, and again on the compiled table).

A case whose expected result lists `courseStatesUnreachable` or
`jointCourseStatesUnreachable` (a record in a course state, or pathways
read together in a joint state, that no course produces) becomes an
example too, in a copy of its own: `carepath test` fails such an example
by design (`course-state-unreachable`, judged by the verifier's search of
the reachable states on the IR side, not by the table's lookup), so each
of them must fail with exactly that error, once for each pathway and each
set of pathways its expected result lists, and nothing else; every other
case must pass, so none of them is flagged.

  crosscheck.py CAREPATH TABLE_DIR WORK_DIR [CASES.json...]

Needs the Python binding (for the tables' inputs and rules). Exit 1 when
an example fails.
"""
import json
import os
import re
import subprocess
import sys
from fractions import Fraction

import carepath

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import conformance  # noqa: E402


def decimal(q: Fraction):
    """The exact decimal of q, or None when it has none (1/3)."""
    den, twos, fives = q.denominator, 0, 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return None
    places = max(twos, fives)
    text = str(q.numerator * 10 ** places // q.denominator)
    if places == 0:
        return text
    sign = "-" if text.startswith("-") else ""
    text = text.lstrip("-").rjust(places + 1, "0")
    return sign + (text[:-places] + "." + text[-places:]).rstrip("0").rstrip(".")


def given(table, name, value):
    kind = table.input(name).kind
    if kind == "bool":
        return name if value else "not " + name
    if kind == "string":
        return f"{name} = {json.dumps(value)}"
    if isinstance(value, dict):
        return f"{name} = {value['value']} {value['unit']}"
    return f"{name} = {value}"


def example(table, case):
    exp = case["expect"]
    lines = [f"example {json.dumps('conformance: ' + case['name'])} {{"]
    gv = [given(table, k, v) for k, v in case["patient"].items() if v is not None]
    lines.append("  given " + ", ".join(gv))
    if not exp["inPopulation"]:
        lines.append("  expect outside population")
        return lines + ["}"], 0
    skipped = 0
    for d in table.tables:
        if d.pathway:
            continue
        for r in d.rules:
            where = f"{d.name}.{r.name}"
            lines.append(f"  expect {where}" if where in exp["fired"] else f"  expect not {where}")
    bases = {a.source + a.name: a.basis for a in table.evaluate(json.dumps(case["patient"])).actions}
    for a in exp["actions"]:
        if "unit" not in a:
            continue
        basis = bases[a["from"] + a["name"]]
        if "amount" in a:
            text = decimal(Fraction(a["amount"]))
            amount = None if text is None else f"{text} {a['unit']}"
        else:
            lo, hi = decimal(Fraction(a["low"])), decimal(Fraction(a["high"]))
            amount = None if lo is None or hi is None else f"{lo} {a['unit']} .. {hi} {a['unit']}"
        if amount is None:
            skipped += 1  # no decimal literal for it (14000/3): README.md's spot checks
            continue
        lines.append(f"  expect {a['name']} dose == {amount} {basis}".rstrip())
    for key, o in exp["outputs"].items():
        v = o["value"]
        if v is None or v == "missing" or "(exactly" in v:
            skipped += 1
            continue
        lines.append(f"  expect {key} == {v}")
    return lines + ["}"], skipped


# `carepath test`'s error for an example in a course state no course
# produces (docs/diagnostics/course-state-unreachable.md).
# A joint state names its pathways ("of pathways 'care' and 'watch'").
UNREACHABLE = re.compile(r": error: example '(.*)' is in (?:joint )?course state \(.*\) of pathways? ('.*'), which no "
                         r"course from a fresh patient produces: .* \[course-state-unreachable\]$")


def unreachable_verdict(run, expected):
    """Whether `carepath test` failed the examples `expected` (example name ->
    the pathways and sets of pathways its case lists, each a tuple of names)
    with course-state-unreachable exactly, and with nothing else: "" or what
    differs."""
    got = {}
    for line in (run.stdout + run.stderr).splitlines():
        if ": error: " not in line:
            continue
        m = UNREACHABLE.search(line)
        if not m:
            return "another error: " + line
        got.setdefault(m.group(1), []).append(tuple(re.findall(r"'([^']+)'", m.group(2))))
    if {k: sorted(v) for k, v in got.items()} != {k: sorted(v) for k, v in expected.items()}:
        return f"expected course-state-unreachable for {expected}, got {got}"
    if f"0 passed, {len(expected)} failed" not in run.stdout:
        return "not every example failed"
    return ""


def write_examples(path, text, blocks):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n" + "\n\n".join(blocks) + "\n")


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    binary, tables, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    failed = False
    for path in conformance.case_files(sys.argv[4:]):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        table = conformance.load_table(carepath, tables, doc)
        with open(os.path.join(HERE, "protocols", doc["protocol"]), encoding="utf-8") as f:
            text = f.read()
        blocks, examples, skipped, outside = [], 0, 0, 0
        flagged, flaggedBlocks = {}, []  # example name -> its expected pathways; their blocks
        for case in doc["cases"]:
            if "error" in case["expect"]:
                continue
            if case["expect"].get("assumptionsViolated"):
                # `carepath test` fails an example outside the protocol's
                # assumptions by design (docs/language.md, "assume").
                outside += 1
                continue
            lines, s = example(table, case)
            skipped += s
            expect = case["expect"]
            if expect.get("courseStatesUnreachable") or expect.get("jointCourseStatesUnreachable"):
                # Decided all the same at run time, and failed by `test` by
                # design: in a file of its own, where it must fail so.
                flagged["conformance: " + case["name"]] = (
                    [(name,) for name in expect.get("courseStatesUnreachable", [])]
                    + [tuple(names) for names in expect.get("jointCourseStatesUnreachable", [])])
                flaggedBlocks.append("\n".join(lines))
                continue
            blocks.append("\n".join(lines))
            examples += 1
        out = os.path.join(work, doc["protocol"])
        write_examples(out, text, blocks)
        # The protocol's directory on the module path: `use` resolves as there.
        run = subprocess.run([binary, "test", out], capture_output=True, text=True)
        print(f"{doc['protocol']}: {examples} cases as examples ({skipped} values without a literal skipped"
              + (f", {outside} outside an assumption left out" if outside else "") + "): "
              + (run.stdout.strip().splitlines() or ["?"])[-1])
        if run.returncode != 0:
            failed = True
            print(run.stdout + run.stderr)
        if flagged:
            out = os.path.join(work, "unreachable", doc["protocol"])
            write_examples(out, text, flaggedBlocks)
            run = subprocess.run([binary, "test", out], capture_output=True, text=True)
            verdict = unreachable_verdict(run, flagged)
            print(f"{doc['protocol']}: {len(flagged)} cases in a course state no course produces as examples: "
                  + ("each fails with course-state-unreachable for its pathways only" if not verdict else verdict))
            if verdict:
                failed = True
                print(run.stdout + run.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
