#!/usr/bin/env python3
"""The conformance suite's Python runner (conformance/README.md), over the
Python binding (bindings/python).

  conformance.py check TABLE_DIR [CASES.json...]     exit 1 on a mismatch
  conformance.py generate TABLE_DIR [CASES.json...]  (re)write "expect"

TABLE_DIR holds PROTOCOL.table.json for each protocols/PROTOCOL.care
(`carepath compile`, with --force for a case file that allows unverified
tables). `generate` records the reference runtime's results: review every
change by hand before committing it (README.md, "Updating").
"""
import json
import os
import sys
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))


def case_files(args):
    if args:
        return args
    folder = os.path.join(HERE, "cases")
    return [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.endswith(".json")]


def table_path(table_dir, doc):
    return os.path.join(table_dir, doc["protocol"][:-len(".care")] + ".table.json")


def patient_text(case):
    return case["patientText"] if "patientText" in case else json.dumps(case["patient"])


def observe(carepath, table, case):
    """What the implementation does with the case's patient, in the suite's
    form: the result or the error."""
    try:
        r = table.evaluate(patient_text(case))
    except carepath.CarepathError as e:
        return {"error": e.code,
                "problems": [{"input": d.input, "problem": d.problem} for d in e.details]}
    actions = []
    for a in r.actions:
        entry = {"from": a.source, "kind": a.kind, "name": a.name}
        if a.low is not None:
            if a.low == a.high:
                entry["amount"] = str(a.low)
            else:
                entry["low"], entry["high"] = str(a.low), str(a.high)
            entry["unit"] = a.unit
        if a.choice is not None:  # an alternative of a `one of`
            entry["choice"], entry["option"] = a.choice, a.option
        if a.codes:  # its terminology codes, only when it has some
            entry["codes"] = [f"{c.system}|{c.code}" for c in a.codes]
        if a.contraindications:  # its drug's that hold or may hold, only when some do
            entry["contraindications"] = [{"when": c.when, "truth": c.truth} for c in a.contraindications]
        actions.append(entry)
    outputs = {key: {"value": o.value, "from": [[rule, v] for rule, v in o.values]}
               for key, o in sorted(r.outputs.items())}
    out = {"inPopulation": r.in_population, "fired": r.fired, "undecided": r.undecided,
           "actions": actions, "outputs": outputs}
    if r.assumptions_violated:  # only when some are: the key is absent otherwise
        out["assumptionsViolated"] = r.assumptions_violated
    if r.course:  # course pathways only: where the patient is next
        out["course"] = [{"pathway": c.pathway, "next": c.next, "exits": list(c.exits)} for c in r.course]
    if r.course_states_unreachable:  # only when some are: the pathways whose state no course produces
        out["courseStatesUnreachable"] = r.course_states_unreachable
    if r.joint_course_states_unreachable:  # likewise the sets of pathways read together
        out["jointCourseStatesUnreachable"] = r.joint_course_states_unreachable
    return out


def _amount(text):
    # "14000/3", "420", "4666.5": exact either way.
    return Fraction(text)


def same(expected, observed):
    """Equal, with amounts compared as exact numbers (so "0.5" == "1/2")."""
    if isinstance(expected, dict) and isinstance(observed, dict):
        if expected.keys() != observed.keys():
            return False
        for k in expected:
            if k == "problems":
                # One detail per problem, in no promised order.
                key = lambda d: (d.get("input", ""), d.get("problem", ""))
                if sorted(expected[k], key=key) != sorted(observed[k], key=key):
                    return False
            elif k in ("amount", "low", "high"):
                if _amount(expected[k]) != _amount(observed[k]):
                    return False
            elif not same(expected[k], observed[k]):
                return False
        return True
    if isinstance(expected, list) and isinstance(observed, list):
        return len(expected) == len(observed) and all(same(e, o) for e, o in zip(expected, observed))
    return expected == observed


def load_table(carepath, table_dir, doc):
    return carepath.load(table_path(table_dir, doc), allow_unverified=doc.get("allowUnverified", False))


def run(mode, table_dir, files, out=sys.stdout):
    import carepath
    failures = total = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        if doc.get("allowUnverified"):
            # Refused without the flag: the runtime's check, not the caller's.
            try:
                carepath.load(table_path(table_dir, doc))
                print(f"FAIL: {path}: an unverified table was loaded without allowUnverified", file=out)
                failures += 1
            except carepath.UnverifiedTableError:
                pass
        table = load_table(carepath, table_dir, doc)
        for case in doc["cases"]:
            total += 1
            got = observe(carepath, table, case)
            if mode == "generate":
                case["expect"] = got
            elif not same(case["expect"], got):
                failures += 1
                print(f"FAIL: {os.path.basename(path)}: {case['name']}\n  expected {json.dumps(case['expect'])}"
                      f"\n  got      {json.dumps(got)}", file=out)
        if mode == "generate":
            with open(path, "w", encoding="utf-8") as f:
                json.dump(doc, f, indent=2, ensure_ascii=False)
                f.write("\n")
    print(f"{total - failures} passed, {failures} failed", file=out)
    return failures


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("check", "generate"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(1 if run(sys.argv[1], sys.argv[2], case_files(sys.argv[3:])) else 0)
