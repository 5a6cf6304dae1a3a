#!/usr/bin/env python3
"""The FHIR interop test (docs/interop.md, "FHIR"): the protocol's FHIR R4
export evaluated with the npm `fhirpath` (tests/interop/fhir-eval.mjs)
against `carepath eval --patients` on the compiled table, for N random
patients.

    fhir-compare.py --carepath BIN --protocol FILE.care --interop DIR
                    --n N --work DIR [--seed S] [--corrupt OLD=>NEW]

Patients come from the SQL test's generator (tests/sql/sql-compare.py:
integers 1 in 3, bounds 1 in 10, up to 3 decimals; an optional input
missing 1 in 4), over the inputs the export's Library declares (type, unit,
range, members, optional). The same values go to carepath ("3.25 years")
and to FHIRPath (environment variables, numbers in the stated unit, null
for a missing value).

Compared per patient and decision (pathway or table): the tiers or rules
that apply, and every action offered (kind, name, whether it is an
alternative of a `one of`, and its amount: carepath's exact amount against
the FHIRPath double, relative tolerance 1e-9; a give's contraindications
that hold or may hold, {when, truth}, in order). Exit 0 when all agree, 1 on
a mismatch (MISMATCH lines), 2 when a tool failed, 77 when the npm packages
are not installed. With --corrupt the first OLD in the export becomes NEW
first; the run then passes only if the comparison reports a mismatch.
"""
import argparse
import importlib.util
import json
import os
import re
import sys
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("sql_compare", os.path.join(HERE, "..", "sql", "sql-compare.py"))
sqlc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sqlc)


def fail(msg, code=2):
    sqlc.fail(msg, code, "fhir-compare")


def run(cmd, **kw):
    return sqlc.run(cmd, "fhir-compare", **kw)


DOC = re.compile(r"^Value: (?:(boolean)|(string)|one of: ([\w, ]+)|(integer|decimal)(?: in ([^,;\s]+))?"
                 r"(?:, (-?[\d.]+) \.\. (-?[\d.]+))?); (optional|required)")


def input_specs(bundle):
    """The generator's input specs from the Library's parameters."""
    lib = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Library")
    specs = []
    for prm in lib.get("parameter", []):
        m = DOC.match(prm["documentation"])
        if not m:
            fail(f"cannot read the documentation of parameter {prm['name']}: {prm['documentation']}")
        boolean, string, members, kind, unit, lo, hi, opt = m.groups()
        s = {"name": prm["name"], "optional": opt == "optional"}
        if boolean:
            s["kind"] = "bool"
        elif string:
            s["kind"] = "string"
        elif members:
            s["kind"] = "enum"
            s["members"] = members.split(", ")
        else:
            s.update(kind="number", integer=kind == "integer", unit=unit or "", scale=0 if kind == "integer" else 6,
                     lo=Fraction(lo) if lo else Fraction(-1000), hi=Fraction(hi) if hi else Fraction(1000))
        specs.append(s)
    return specs


def env_line(specs, p, k):
    """The patient as FHIRPath environment variables (numbers as decimal
    text). An input with clinical codes (the IR's, `carepath check --emit=ir`;
    not the export under test) is given in two patients of three as an
    Observation in `_observations` instead, coded only with them (k % 3 ==
    0) or with the carepath code too (1): fhir-eval.mjs must find it
    through the Library's dataRequirement."""
    parts, observations = [], []
    for s in specs:
        v = p[s["name"]]
        if v is None:
            t = "null"
        elif s["kind"] == "number":
            t = sqlc.decimal_text(v)
        else:
            t = json.dumps(v)
        clinical = s.get("codings", [])
        if clinical and v is not None and k % 3 != 2:
            coding = clinical if k % 3 == 0 else [{"system": "urn:carepath:input", "code": s["name"]}] + clinical
            value = ('"valueQuantity": {"value": ' + t + "}" if s["kind"] == "number" else
                     f'"valueBoolean": {t}' if s["kind"] == "bool" else f'"valueString": {t}')
            observations.append('{"resourceType": "Observation", "status": "final", "code": {"coding": ' +
                                json.dumps(coding) + "}, " + value + "}")
            continue
        parts.append(f"{json.dumps(s['name'])}: {t}")
    if observations:
        parts.append('"_observations": [' + ", ".join(observations) + "]")
    return "{" + ", ".join(parts) + "}"


def close(js, exact):
    if exact is None or js is None:
        return exact is None and js is None
    e = Fraction(exact)
    return abs(Fraction(js) - e) <= Fraction(1, 10 ** 9) * max(1, abs(e))


def compare(cp, fh):
    problems = []
    # The population assumptions the patient violates, in order (the plan's
    # assumption extensions whose `violated` is true).
    if cp.get("assumptionsViolated", []) != fh.get("assumptionsViolated", []):
        problems.append(f"assumptions violated: carepath {cp.get('assumptionsViolated', [])}, "
                        f"fhirpath {fh.get('assumptionsViolated', [])}")
    for name, d in cp["decisions"].items():
        f = fh["decisions"].get(name)
        if f is None:
            problems.append(f"{name}: not in the export")
            continue
        if sorted(d["fired"]) != sorted(f["fired"]):
            problems.append(f"{name}: carepath fired {sorted(d['fired'])}, fhirpath {sorted(f['fired'])}")
            continue
        key = lambda a: (a["rule"], a["kind"], a["name"] if a["kind"] != "unspecified" else "", a.get("choice") is not None)
        want = sorted(d["actions"], key=lambda a: (key(a), str(a.get("amount"))))
        got = sorted(f["actions"], key=lambda a: (key(a), str(a.get("amount"))))
        if [key(a) for a in want] != [key(a) for a in got]:
            problems.append(f"{name}: carepath actions {[key(a) for a in want]}, fhirpath {[key(a) for a in got]}")
            continue
        for a, b in zip(want, got):
            if not close(b.get("amount"), a.get("amount")) or not close(b.get("amountHigh"), a.get("amountHigh")):
                problems.append(f"{name}.{a['rule']}: {a['name']} carepath {a.get('amount')}..{a.get('amountHigh')}, "
                                f"fhirpath {b.get('amount')}..{b.get('amountHigh')}")
            # The drug's contraindications that hold or may hold, in order.
            held = [(c["when"], c["truth"]) for c in b.get("contraindications", [])]
            if sqlc.contraindications_of(a) != held:
                problems.append(f"{name}.{a['rule']}: {a['name']} contraindications carepath {sqlc.contraindications_of(a)}, "
                                f"fhirpath {held}")
    for name in fh["decisions"]:
        if name not in cp["decisions"]:
            problems.append(f"{name}: in the export, not in carepath's result")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--carepath", required=True)
    ap.add_argument("--protocol", required=True)
    ap.add_argument("--interop", required=True, help="the npm project with fhirpath installed")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20240607)
    ap.add_argument("--work", required=True)
    ap.add_argument("--corrupt", default="")
    ap.add_argument("--show", type=int, default=5)
    o = ap.parse_args()
    if not os.path.exists(os.path.join(o.interop, "node_modules", "fhirpath")):
        print("fhir-compare: the npm package fhirpath is not installed (--interop DIR): skipped")
        return 77
    n = o.n
    cap = os.environ.get("CAREPATH_INTEROP_MAX")
    if cap and not o.corrupt and n > int(cap):
        n = int(cap)
    os.makedirs(o.work, exist_ok=True)
    table, export = os.path.join(o.work, "table.json"), os.path.join(o.work, "bundle.json")
    text = sqlc.compile_export("fhir-compare", o.carepath, o.protocol, ["fhir"], export, table, o.corrupt)
    bundle = json.loads(text)
    specs = input_specs(bundle)
    codings = sqlc.input_codings(sqlc.protocol_codes(o.carepath, o.protocol))
    for s in specs:
        s["codings"] = codings.get(s["name"], [])
    pats = sqlc.spread_patients(specs, n, o.seed, o.carepath, table, o.work, "fhir-compare")
    cpl, envl = os.path.join(o.work, "patients.carepath.jsonl"), os.path.join(o.work, "patients.fhir.jsonl")
    with open(cpl, "w") as f:
        for p in pats:
            f.write(sqlc.carepath_patient(specs, p) + "\n")
    with open(envl, "w") as f:
        for k, p in enumerate(pats):
            f.write(env_line(specs, p, k) + "\n")
    cp = sqlc.carepath_eval(o.carepath, table, cpl, "fhir-compare")
    for k, line in enumerate(cp):
        if "error" in line:
            fail(f"carepath refused generated patient {k + 1}: {line['error']}")
    fh = [json.loads(x) for x in run(["node", os.path.join(o.interop, "fhir-eval.mjs"), export, envl],
                                     cwd=o.interop).splitlines()]
    if len(cp) != n or len(fh) != n:
        fail(f"{len(cp)} carepath lines and {len(fh)} fhirpath lines for {n} patients")
    mismatches, fired, doses, held, violating = [], 0, 0, 0, 0
    for k, (a, b) in enumerate(zip(cp, fh)):
        violating += 1 if a.get("assumptionsViolated") else 0
        fired += sum(len(d["fired"]) for d in b["decisions"].values())
        held += sum(len(x.get("contraindications", [])) for d in b["decisions"].values() for x in d["actions"])
        doses += sum(1 for d in b["decisions"].values() for x in d["actions"] if x.get("amount") is not None)
        problems = compare(a, b)
        if problems:
            mismatches.append((k, problems))
    print(f"fhir-compare: {os.path.basename(o.protocol)}: {n} patients (seed {o.seed}), {fired} tiers/rules applied, "
          f"{doses} doses and {held} contraindications that hold or may hold compared"
          + (f", {violating} patients violating a population assumption" if "assumptionsViolated" in (fh[0] if fh else {})
             else "") + f"; {len(mismatches)} mismatches")
    return sqlc.verdict("fhir-compare", mismatches, n, o.show, o.corrupt, specs, pats)


if __name__ == "__main__":
    sys.exit(main())
