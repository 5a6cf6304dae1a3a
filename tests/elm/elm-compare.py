#!/usr/bin/env python3
"""The CQL/ELM interop test (docs/interop.md, "CQL/ELM"): the protocol's ELM
export run by the npm `cql-execution` over FHIR R4 patient bundles read by
`cql-exec-fhir` (elm-eval.mjs), against `carepath eval --patients` on the
compiled table, for N random patients.

    elm-compare.py --carepath BIN --protocol FILE.care --interop DIR
                   --n N --work DIR [--seed S] [--corrupt OLD=>NEW] [--invalid]

Patients come from the SQL test's generator (tests/sql/sql-compare.py:
integers 1 in 3, bounds 1 in 10, up to 3 decimals; an optional input
missing 1 in 4), spread over the protocol's outcomes (spread_patients),
over the inputs the library's definitions declare (their
`carepath` annotation: type, stated unit and UCUM code, range, places,
members, optional). The same values go to carepath ("3.25 kg") and, as one
Observation per input coded in urn:carepath:input (valueQuantity in the
stated unit, valueBoolean, valueString; none for a missing value), into
one FHIR Bundle per patient. An input with clinical codes (the IR's codes,
`carepath check --emit=ir`: the protocol's `code input` declarations) is coded in one
patient of three with only those (a record coded in LOINC alone), in one
with both, in one with the carepath code only: the library must read all
three.

Compared per patient: the library's "carepath input error" is null (carepath
accepted every patient), "in population", per pathway and table the tiers
or rules that apply, every action offered (kind, name, alternative or not)
with its amount compared exactly (the engine's number read as the decimal
it prints, against carepath's exact fraction) and a give's contraindications
that hold or may hold (its drug's definitions true or null, in order),
every typed output (exactly), and the population assumptions the patient
violates (the `assumption NAME violated` definitions that are true, in
order; none may be null). Exit 0 when all agree, 1 on a mismatch (MISMATCH lines), 2 when
a tool failed, 77 when the npm packages are not installed. With --corrupt
the first OLD in the export becomes NEW first; the run then passes only
if the comparison reports a mismatch. With --invalid, invalid patients
instead (faulty()): the library must refuse each, and carepath the same
ones (check_invalid).
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("sql_compare", os.path.join(HERE, "..", "sql", "sql-compare.py"))
sqlc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sqlc)

UCUM = "http://unitsofmeasure.org"
SYSTEM = "urn:carepath:input"


def fail(msg, code=2):
    sqlc.fail(msg, code, "elm-compare")


def run(cmd, **kw):
    return sqlc.run(cmd, "elm-compare", **kw)


def definitions(elm):
    """(name, annotation) for every definition the export annotates."""
    out = []
    for d in elm["library"]["statements"]["def"]:
        for a in d.get("annotation", []):
            for t in a.get("t", []):
                if t.get("name") == "carepath":
                    out.append((d["name"], json.loads(t["value"])))
    return out


def input_specs(defs):
    specs = []
    for name, info in defs:
        if info["role"] != "input":
            continue
        s = {"name": info["input"], "optional": info["optional"], "value": info["value"]}
        t = info["type"]
        if t == "boolean":
            s["kind"] = "bool"
        elif t == "string":
            s["kind"] = "string"
        elif t == "enum":
            s.update(kind="enum", members=info["members"])
        else:
            bound = Fraction(info.get("bound", 1000))
            s.update(kind="number", integer=t == "integer", unit=info["unit"], ucum=info["ucum"], scale=info["places"],
                     lo=Fraction(info["lo"]) if "lo" in info else -bound,
                     hi=Fraction(info["hi"]) if "hi" in info else bound, ranged="hi" in info)
        specs.append(s)
    return specs


def observation_code(s, k):
    """An input's Observation.code: for an input with clinical codes,
    patient k's Observation carries only them (k % 3 == 0: a record coded in
    LOINC alone), both (1), or only the carepath code (2); otherwise the
    carepath code."""
    own = {"system": SYSTEM, "code": s["name"]}
    clinical = s.get("codings", [])
    if not clinical:
        return [own]
    return [clinical, [own] + clinical, [own]][k % 3]


def bundle(specs, p, k):
    """The patient as a FHIR Bundle, as JSON text (numbers as their exact
    decimal text)."""
    pid = f"p{k + 1}"
    entries = [json.dumps({"resource": {"resourceType": "Patient", "id": pid}})]
    for s in specs:
        v = p[s["name"]]
        if v is None:
            continue
        obs = {"resourceType": "Observation", "id": f"{pid}-{s['name']}", "status": "final",
               "code": {"coding": observation_code(s, k)}, "subject": {"reference": f"Patient/{pid}"}}
        if s["kind"] == "number":
            obs["valueQuantity"] = {"value": "@NUMBER@", "unit": s["unit"] or "1", "system": UCUM, "code": s["ucum"]}
            text = json.dumps({"resource": obs}).replace('"@NUMBER@"', sqlc.decimal_text(v))
        else:
            obs["valueBoolean" if s["kind"] == "bool" else "valueString"] = v
            text = json.dumps({"resource": obs})
        entries.append(text)
    return '{"resourceType": "Bundle", "type": "collection", "entry": [' + ", ".join(entries) + "]}"


def exact(v):
    """A number the engine printed, as the decimal it reads as."""
    return None if v is None else Fraction(v)


def engine_result(defs, line):
    """carepath's batch line shape, from the definitions' values."""
    decisions = {}
    infos = dict(defs)
    for name, info in defs:
        if info["role"] in ("fires", "decision"):
            decisions.setdefault(info["decision"], {"fired": [], "actions": [], "outputs": {}})
    for name, info in defs:
        role = info["role"]
        if role == "fires" and line[name] is True:
            decisions[info["decision"]]["fired"].append(info["item"])
        elif role == "action" and line[name] is True:
            item = {"rule": info["rule"], "kind": info["kind"], "name": info["name"], "choice": info["choice"] or None}
            if "amount" in info:
                item["amount"] = exact(line[info["amount"]])
            if "amountHigh" in info:
                item["amountHigh"] = exact(line[info["amountHigh"]])
            # Its drug's contraindication definitions that are true or null.
            item["contraindications"] = [(infos.get(c, {}).get("when", c), "true" if line[c] is True else "unknown")
                                         for c in info.get("contraindications", []) if line[c] is not False]
            decisions[info["decision"]]["actions"].append(item)
        elif role == "output":
            decisions[info["decision"]]["outputs"][info["output"]] = (info["type"], line[name])
    return decisions


def same_number(a, b):
    if a is None or b is None:
        return a is None and b is None
    return Fraction(a) == Fraction(b)


def compare(cp, defs, line):
    problems = []
    err = next((line[n] for n, i in defs if i["role"] == "input-error"), None)
    if err is not None:
        problems.append(f"the library refused the patient: {err}")
    pop = next((line[n] for n, i in defs if i["role"] == "population"), None)
    if bool(pop) != cp["inPopulation"]:
        problems.append(f"in population: elm {pop}, carepath {cp['inPopulation']}")
    # The population assumptions: each definition true or false, the true
    # ones in the protocol's order carepath's assumptionsViolated.
    assumed = [(n, i["assumption"]) for n, i in defs if i["role"] == "assumption"]
    if any(line[n] not in (True, False) for n, _ in assumed):
        problems.append(f"an assumption definition is neither true nor false: {[line[n] for n, _ in assumed]}")
    violated = [a for n, a in assumed if line[n] is True]
    if violated != cp.get("assumptionsViolated", []):
        problems.append(f"assumptions violated: carepath {cp.get('assumptionsViolated', [])}, elm {violated}")
    got = engine_result(defs, line)
    for name, d in cp["decisions"].items():
        g = got.get(name)
        if g is None:
            problems.append(f"{name}: not in the export")
            continue
        if sorted(d["fired"]) != sorted(g["fired"]):
            problems.append(f"{name}: carepath fired {sorted(d['fired'])}, elm {sorted(g['fired'])}")
            continue
        key = lambda a: (a["rule"], a["kind"], a["name"] if a["kind"] != "unspecified" else "", a.get("choice") is not None)
        want = sorted(d["actions"], key=lambda a: (key(a), str(a.get("amount"))))
        have = sorted(g["actions"], key=lambda a: (key(a), str(a.get("amount"))))
        if [key(a) for a in want] != [key(a) for a in have]:
            problems.append(f"{name}: carepath actions {[key(a) for a in want]}, elm {[key(a) for a in have]}")
            continue
        for a, b in zip(want, have):
            if not same_number(a.get("amount"), b.get("amount")) or not same_number(a.get("amountHigh"), b.get("amountHigh")):
                problems.append(f"{name}.{a['rule']}: {a['name']} carepath {a.get('amount')}..{a.get('amountHigh')}, "
                                f"elm {b.get('amount')}..{b.get('amountHigh')}")
            if sqlc.contraindications_of(a) != b["contraindications"]:
                problems.append(f"{name}.{a['rule']}: {a['name']} contraindications carepath {sqlc.contraindications_of(a)}, "
                                f"elm {b['contraindications']}")
        for oname, o in d.get("outputs", {}).items():
            if oname not in g["outputs"]:
                if o.get("list") is not None and o.get("value") is None and not g["outputs"]:
                    continue  # a list output: no definition (the fired rules say it)
                problems.append(f"{name}.{oname}: not in the export")
                continue
            typ, v = g["outputs"][oname]
            e = o["value"]
            ok = same_number(e, v) if typ in ("integer", "decimal") else e == v
            if not ok:
                problems.append(f"{name}.{oname}: carepath {e!r}, elm {v!r}")
    for name in got:
        if name not in cp["decisions"]:
            problems.append(f"{name}: in the export, not in carepath's result")
    return problems


def faulty(specs, pats):
    """Invalid patients: for each input, each fault that applies to it, put
    into one of `pats` in turn: a required input missing, a number outside
    its range, a text that is not one of an enum's members, a number with
    one decimal place more than the library reads exactly. Returns (patient,
    what, carepath_refuses): carepath refuses all but the last, which only
    the library refuses (it cannot compute with it exactly; docs/interop.md,
    "CQL/ELM")."""
    out = []
    for s in specs:
        faults = []
        if not s["optional"]:
            faults.append((None, "missing", True))
        if s["kind"] == "number":
            step = Fraction(1, 10 ** s["scale"])
            if s["ranged"]:
                faults.append((s["hi"] + step, "above its range", True))
            middle = Fraction(int((s["lo"] + s["hi"]) / 2))
            if s["integer"]:
                faults.append((middle + Fraction(1, 2), "not an integer", True))
            else:
                faults.append((middle + step / 10, f"with {s['scale'] + 1} decimal places", False))
        elif s["kind"] == "enum":
            faults.append(("not_a_member", "not one of its members", True))
        for value, what, refused in faults:
            p = dict(pats[len(out) % len(pats)])
            p[s["name"]] = value
            out.append((p, f"input {s['name']} {what}", refused))
    return out


def check_invalid(o, specs, defs, export, table, pats):
    """--invalid: the library's "carepath input error" names every faulty
    patient, and carepath refuses the same ones (faulty())."""
    cases = faulty(specs, pats)
    cpl, bundles = os.path.join(o.work, "invalid.carepath.jsonl"), os.path.join(o.work, "invalid.ndjson")
    with open(cpl, "w") as f:
        for p, _, _ in cases:
            f.write(sqlc.carepath_patient(specs, p) + "\n")
    with open(bundles, "w") as f:
        for k, (p, _, _) in enumerate(cases):
            f.write(bundle(specs, p, k) + "\n")
    r = subprocess.run([o.carepath, "eval", table, "--patients", cpl, "--format=jsonl", "--allow-unverified"],
                       capture_output=True, text=True)
    cp = [json.loads(x) for x in r.stdout.splitlines()]
    el = [json.loads(x, parse_float=Fraction)
          for x in run(["node", os.path.join(HERE, "elm-eval.mjs"), o.interop, export, bundles]).splitlines()]
    if len(cp) != len(cases) or len(el) != len(cases):
        fail(f"{len(cp)} carepath lines and {len(el)} cql-execution lines for {len(cases)} invalid patients")
    err_def = next(n for n, i in defs if i["role"] == "input-error")
    wrong = []
    for k, ((p, what, refused), a, b) in enumerate(zip(cases, cp, el)):
        said = b[err_def]
        if said is None:
            wrong.append(f"  patient {k + 1} ({what}): the library did not refuse it")
        elif ("error" in a) != refused:
            wrong.append(f"  patient {k + 1} ({what}): carepath {'refused' if 'error' in a else 'accepted'} it")
    print(f"elm-compare: {os.path.basename(o.protocol)}: {len(cases)} invalid patients, "
          f"{sum(1 for c in cases if c[2])} refused by both, {sum(1 for c in cases if not c[2])} by the library only; "
          f"{len(wrong)} wrong")
    for w in wrong[:o.show]:
        print(w)
    if o.corrupt:
        if wrong:
            print("elm-compare: the corrupted export was caught, as it must be")
            return 0
        print("elm-compare: the corrupted export was NOT caught", file=sys.stderr)
        return 1
    return 1 if wrong else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--carepath", required=True)
    ap.add_argument("--protocol", required=True)
    ap.add_argument("--interop", required=True, help="the npm project with cql-execution and cql-exec-fhir installed")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20240607)
    ap.add_argument("--work", required=True)
    ap.add_argument("--corrupt", default="")
    ap.add_argument("--show", type=int, default=5)
    ap.add_argument("--invalid", action="store_true",
                    help="feed invalid patients instead: both must refuse them (faulty())")
    o = ap.parse_args()
    for pkg in ("cql-execution", "cql-exec-fhir"):
        if not os.path.exists(os.path.join(o.interop, "node_modules", pkg)):
            print(f"elm-compare: the npm package {pkg} is not installed (--interop DIR): skipped")
            return 77
    n = o.n
    cap = os.environ.get("CAREPATH_INTEROP_MAX")
    if cap and not o.corrupt and n > int(cap):
        n = int(cap)
    os.makedirs(o.work, exist_ok=True)
    table, export = os.path.join(o.work, "table.json"), os.path.join(o.work, "library.json")
    text = sqlc.compile_export("elm-compare", o.carepath, o.protocol, ["elm"], export, table, o.corrupt)
    defs = definitions(json.loads(text))
    specs = input_specs(defs)
    codings = sqlc.input_codings(sqlc.protocol_codes(o.carepath, o.protocol))
    for s in specs:
        s["codings"] = codings.get(s["name"], [])
    pats = sqlc.spread_patients(specs, n, o.seed, o.carepath, table, o.work, "elm-compare")
    if o.invalid:
        return check_invalid(o, specs, defs, export, table, pats)
    cpl, bundles = os.path.join(o.work, "patients.carepath.jsonl"), os.path.join(o.work, "bundles.ndjson")
    with open(cpl, "w") as f:
        for p in pats:
            f.write(sqlc.carepath_patient(specs, p) + "\n")
    with open(bundles, "w") as f:
        for k, p in enumerate(pats):
            f.write(bundle(specs, p, k) + "\n")
    cp = sqlc.carepath_eval(o.carepath, table, cpl, "elm-compare")
    for k, line in enumerate(cp):
        if "error" in line:
            fail(f"carepath refused generated patient {k + 1}: {line['error']}")
    t0 = time.perf_counter()
    out = run(["node", os.path.join(HERE, "elm-eval.mjs"), o.interop, export, bundles])
    elapsed = time.perf_counter() - t0
    # Numbers exactly as the engine printed them.
    el = [json.loads(x, parse_float=Fraction) for x in out.splitlines()]
    if len(cp) != n or len(el) != n:
        fail(f"{len(cp)} carepath lines and {len(el)} cql-execution lines for {n} patients")
    mismatches, fired, doses, held, violating = [], 0, 0, 0, 0
    for k, (a, b) in enumerate(zip(cp, el)):
        violating += 1 if a.get("assumptionsViolated") else 0
        held += sum(len(sqlc.contraindications_of(x)) for d in a["decisions"].values() for x in d["actions"])
        fired += sum(1 for name, i in defs if i["role"] == "fires" and b[name] is True)
        doses += sum(1 for name, i in defs if i["role"] == "action" and b[name] is True and "amount" in i)
        problems = compare(a, defs, b)
        if problems:
            mismatches.append((k, problems))
    print(f"elm-compare: {os.path.basename(o.protocol)}: {n} patients (seed {o.seed}), {len(defs)} definitions, "
          f"{fired} tiers/rules applied, {doses} doses and {held} contraindications that hold or may hold compared"
          + (f", {violating} patients violating a population assumption" if any(i["role"] == "assumption" for _, i in defs)
             else "") + "; "
          f"{len(mismatches)} mismatches; "
          f"cql-execution {n / max(elapsed, 1e-9):,.0f} patients/s (process)")
    return sqlc.verdict("elm-compare", mismatches, n, o.show, o.corrupt, specs, pats)


if __name__ == "__main__":
    sys.exit(main())
