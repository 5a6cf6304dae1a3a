#!/usr/bin/env python3
"""The SQL interop test (docs/interop.md, "SQL"): the protocol's SQL export,
run by SQLite (libsqlite3, through Python's sqlite3 module) or by a private
PostgreSQL server this script starts and stops, against
`carepath eval --patients` on the compiled table, for N random patients.

    sql-compare.py --carepath BIN --protocol FILE.care --engine sqlite|postgres
                   --n N --work DIR [--seed S] [--corrupt OLD=>NEW] [--spread]

Patients are generated from the columns the view's header documents (type,
unit, range, members, optional): integers 1 in 3 (so that thresholds such
as `age < 18 years` are met exactly), bounds 1 in 10, up to 3 decimals
otherwise; an optional input is NULL 1 in 4. The same values go to the
database (in the column's unit) and to carepath ("3.25 years"). With
--spread they are spread over the protocol's outcomes (spread_patients:
status epilepticus's phases are minutes wide, which uniform onsets
rarely meet).

Compared per patient: in_population, the population assumptions the
patient violates (for a protocol with some), each decision's fired rules
and violation, every dose (exact, canonical units) and every typed output.
Exit 0 when all agree, 1 on a mismatch (MISMATCH lines), 2 when a tool
failed, 77 when the engine is not installed. With --corrupt the first
OLD in the exported SQL becomes NEW first; the run then passes only if
the comparison reports a mismatch (a broken export cannot pass).
"""
import argparse
import csv
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from fractions import Fraction

SKIP = 77


def fail(msg, code=2, tool="sql-compare"):
    print(f"{tool}: {msg}", file=sys.stderr)
    sys.exit(code)


def run(cmd, tool="sql-compare", **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        fail(f"{' '.join(cmd[:3])}... exited {r.returncode}:\n{r.stderr[-3000:]}", tool=tool)
    return r.stdout


def carepath_eval(carepath, table, path, tool="sql-compare"):
    """`carepath eval --patients PATH` on the compiled table, one parsed line
    per patient. Exit 1 because generated patients violate a population
    assumption is not a failure here (random ages and weights are often no
    child's under stdlib.growth's bands), nor because an unverified table
    offers them a contraindicated drug, nor because a random course state
    is one no course produces (docs/cli.md, "carepath eval"): the
    decisions are defined all the same, and every engine is compared on
    them (the contraindications too). Any other error is."""
    r = subprocess.run([carepath, "eval", table, "--patients", path, "--format=jsonl", "--allow-unverified"],
                       capture_output=True, text=True)
    errors = [line for line in r.stderr.splitlines() if "error:" in line]
    only_assumptions = r.returncode == 1 and errors and all(
        "[assumption-violated]" in e or "[contraindicated]" in e or "[course-state-unreachable]" in e for e in errors)
    if r.returncode != 0 and not only_assumptions:
        fail(f"{carepath} eval... exited {r.returncode}:\n{r.stderr[-3000:]}", tool=tool)
    return [json.loads(x) for x in r.stdout.splitlines()]


def compile_export(tool, carepath, protocol, target, export, table, corrupt=""):
    """The protocol compiled to `table` and exported (`compile --target
    TARGET...`, a list) to `export`; with `corrupt` ("OLD=>NEW") the export's
    first OLD is replaced and written back (none: exit 1, the corruption
    tests nothing). The comparisons of every export share this (SQL, FHIR,
    ELM). Returns the export's text."""
    run([carepath, "compile", protocol, "--no-verify", "-o", table], tool)
    run([carepath, "compile", protocol, "--no-verify", "--target", *target, "-o", export], tool)
    text = open(export).read()
    if corrupt:
        old, new = corrupt.split("=>", 1)
        if old not in text:
            fail(f"the corruption '{corrupt}' changed nothing in the export", 1, tool)
        text = text.replace(old, new, 1)
        with open(export, "w") as f:
            f.write(text)
    return text


# ------------------------------------------------------------------ the view's header

def parse_header(sql):
    """Inputs and output columns, from the comment block the export writes."""
    inputs, outputs, section = [], {}, None
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        if line.startswith("-- Reads table"):
            section = "in"
            continue
        if line.startswith("-- View"):
            section = "out"
            continue
        m = re.match(r"^--   (\w+): (.*)$", line)
        if not m:
            continue
        name, desc = m.groups()
        if section == "in":
            inputs.append(parse_input(name, desc))
        elif section == "out":
            outputs[name] = desc
    return inputs, outputs


def parse_input(name, desc):
    spec = {"name": name, "optional": "optional (NULL: missing)" in desc}
    if desc.startswith("bool") or desc.startswith("BOOLEAN"):
        spec["kind"] = "bool"
    elif desc.startswith("text, one of "):
        spec["kind"] = "enum"
        spec["members"] = desc[len("text, one of "):].split("; ")[0].split(", ")
    elif desc.startswith("text"):
        spec["kind"] = "string"
    else:
        m = re.match(r"^(integer|number)(?: in (\S+))?( \(canonical unit\))?, at most (\d+) decimal places"
                     r"(?:, (-?[\d.]+) \.\. (-?[\d.]+))?", desc)
        if not m:
            fail(f"cannot read the header line of input {name}: {desc}")
        kind, unit, canonical, scale, lo, hi = m.groups()
        spec.update(kind="number", integer=kind == "integer", unit=unit or "", canonical=bool(canonical),
                    scale=int(scale), lo=Fraction(lo) if lo else Fraction(-1000), hi=Fraction(hi) if hi else Fraction(1000))
    return spec


# ------------------------------------------------------------------ patients

def decimal_text(f):
    """An exact decimal Fraction as text."""
    sign = "-" if f < 0 else ""
    f = abs(f)
    whole, frac = divmod(f.numerator, f.denominator)
    if frac == 0:
        return f"{sign}{whole}"
    digits = ""
    rest = Fraction(frac, f.denominator)
    while rest and len(digits) < 30:
        rest *= 10
        d = int(rest)
        digits += str(d)
        rest -= d
    return f"{sign}{whole}.{digits}"


def number(rng, spec):
    lo, hi = spec["lo"], spec["hi"]
    r = rng.random()
    if r < 0.05:
        v = lo
    elif r < 0.10:
        v = hi
    else:
        places = 0 if spec["integer"] or r < 0.40 else rng.randint(1, min(3, spec["scale"]))
        q = 10 ** places
        first, last = -((-lo.numerator * q) // lo.denominator), (hi.numerator * q) // hi.denominator
        v = Fraction(rng.randint(first, last), q) if first <= last else lo
    if spec["integer"] and v.denominator != 1:
        v = Fraction(int(v))
    return v


def patients(inputs, n, seed):
    rng = random.Random(seed)
    out = []
    for k in range(n):
        p = {}
        for s in inputs:
            if s["optional"] and rng.random() < 0.25:
                p[s["name"]] = None
            elif s["kind"] == "bool":
                p[s["name"]] = rng.random() < 0.5
            elif s["kind"] == "enum":
                p[s["name"]] = rng.choice(s["members"])
            elif s["kind"] == "string":
                p[s["name"]] = rng.choice(["EU", "US", "other", "x y"])
            else:
                p[s["name"]] = number(rng, s)
        out.append(p)
    return out


def spread_patients(inputs, n, seed, carepath, table, work, tool, pool=20):
    """n patients that spread over the protocol's outcomes: `pool` times n
    random patients (patients()), each evaluated by carepath, grouped by
    what carepath decided for them (in the population or not, and per
    decision the tiers or rules that apply and the actions offered), then
    taken from each group in turn. Uniform patients mostly miss a narrow
    population (ANEC: 1 in 28 reaches a tier, 1 in 80 a dose), so a few
    hundred of them compare almost no doses; these compare every outcome the
    pool reached. Only which patients are compared depends on carepath; what
    the other engine must say about each one does not. Deterministic for a
    seed. The engine comparisons that run slow engines use it (FHIR, ELM)."""
    pool_patients = patients(inputs, n * pool, seed)
    path = os.path.join(work, "pool.carepath.jsonl")
    with open(path, "w") as f:
        for p in pool_patients:
            f.write(carepath_patient(inputs, p) + "\n")
    groups = {}
    for k, r in enumerate(carepath_eval(carepath, table, path, tool)):
        if "error" in r:
            fail(f"carepath refused generated patient {k + 1}: {r['error']}", tool=tool)
        outcome = json.dumps([r["inPopulation"], r.get("assumptionsViolated", []), sorted(
            (name, sorted(d["fired"]), sorted((a["rule"], a["kind"], a.get("name", ""), contraindications_of(a))
                                              for a in d["actions"]))
            for name, d in r["decisions"].items())])
        groups.setdefault(outcome, []).append(k)
    chosen, depth = [], 0
    while len(chosen) < n:
        for members in groups.values():
            if depth < len(members) and len(chosen) < n:
                chosen.append(members[depth])
        depth += 1
    return [pool_patients[k] for k in sorted(chosen)]


def contraindications_of(action):
    """A batch line's action's contraindications that hold or may hold,
    [(when, truth)] in the drug's order ([] for a table without any)."""
    return [(c["when"], c["truth"]) for c in action.get("contraindications", [])]


def table_contraindications(table):
    """The compiled table's contraindications in its order (drugs, then each
    drug's): [(drug, when, note, citations)]: carepath's list, which the
    exports' positions and views are checked against."""
    with open(table) as f:
        doc = json.load(f)
    return [(d["name"], c["when"], c["note"], c["citations"]) for d in doc["drugs"] for c in d.get("contraindications", [])]


def table_assumptions(table):
    """The compiled table's population assumptions in its order: [(name,
    when, citations)]: carepath's list, which the assumptions view is
    checked against."""
    with open(table) as f:
        doc = json.load(f)
    return [(a["name"], a["when"], a["citations"]) for a in doc.get("assumptions", [])]


def carepath_patient(inputs, p):
    j = {}
    for s in inputs:
        v = p[s["name"]]
        if v is None:
            continue
        if s["kind"] == "number":
            j[s["name"]] = f"{decimal_text(v)} {s['unit']}" if s["unit"] else decimal_text(v)
        else:
            j[s["name"]] = v
    return json.dumps(j)


# ------------------------------------------------------------------ engines

def sqlite_rows(inputs, pats, sql, work):
    import sqlite3
    path = os.path.join(work, "patients.sqlite")
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    types = {"bool": "INTEGER", "enum": "TEXT", "string": "TEXT", "number": "NUMERIC"}
    cols = ", ".join(f'"{s["name"]}" {types[s["kind"]]}' for s in inputs)
    db.execute(f"CREATE TABLE patients (patient_id INTEGER PRIMARY KEY, {cols})")
    # Decimal text, as a CSV import gives it: NUMERIC affinity stores it as
    # INTEGER or REAL.
    def cell(s, v):
        if v is None:
            return None
        if s["kind"] == "bool":
            return 1 if v else 0
        if s["kind"] == "number":
            return decimal_text(v)
        return v
    rows = [[k + 1] + [cell(s, p[s["name"]]) for s in inputs] for k, p in enumerate(pats)]
    db.executemany(f"INSERT INTO patients VALUES ({', '.join('?' * (len(inputs) + 1))})", rows)
    db.commit()
    db.executescript(sql)
    t0 = time.perf_counter()
    cur = db.execute(f'SELECT * FROM "{view_name(sql)}" ORDER BY patient_id')
    names = [d[0] for d in cur.description]
    result = [dict(zip(names, r)) for r in cur.fetchall()]
    elapsed = time.perf_counter() - t0
    views = {}
    for key, name in (("codes", codes_view(sql)), ("contraindications", contraindications_view(sql)),
                      ("assumptions", assumptions_view(sql))):
        if name:
            cur = db.execute(f'SELECT * FROM "{name}" ORDER BY position')
            views[key] = [dict(zip([d[0] for d in cur.description], r)) for r in cur.fetchall()]
    db.close()
    return result, elapsed, views


CODE_LINE = re.compile(r'^\s*code (\w+) ([\w.]+)(?: \([\w.]+\))? = (?:unspecified "((?:[^"\\]|\\.)*)"|(\S+) '
                       r'"((?:[^"\\]|\\.)*)"(?: "((?:[^"\\]|\\.)*)")?)')


def protocol_codes(carepath, protocol):
    """The protocol's terminology codes as the IR holds them (`carepath
    check --emit=ir`, docs/semantics.md), in declaration order: [{target,
    name, system, code, display, unspecified}]. What the exports' codes are
    checked against: the IR, not an export."""
    out = []
    text = run([carepath, "check", "--emit=ir", protocol], "codes")
    unq = lambda v: None if v is None else json.loads('"' + v + '"')
    for line in text.splitlines():
        m = CODE_LINE.match(line)
        if m:
            target, name, why, system, code, display = m.groups()
            out.append({"target": target, "name": name, "system": system, "code": unq(code),
                        "display": unq(display) if display is not None else ("" if code is not None else None),
                        "unspecified": unq(why)})
    return out


def input_codings(codes):
    """input -> its clinical codings [{system, code}] (protocol_codes): what
    the FHIR and ELM comparisons code some patients' Observations with,
    taken from the IR, not from the export under test."""
    out = {}
    for c in codes:
        if c["target"] == "input" and c["code"] is not None:
            out.setdefault(c["name"], []).append({"system": c["system"], "code": c["code"]})
    return out


def view_name(sql):
    m = re.search(r'^CREATE VIEW "([^"]+)"', sql, re.M)
    return m.group(1)


def codes_view(sql):
    """The terminology codes view (VIEW__codes), or None when the protocol
    declares no code."""
    m = re.search(r'^CREATE VIEW "([^"]+__codes)"', sql, re.M)
    return m.group(1) if m else None


def contraindications_view(sql):
    """The contraindications view (VIEW__contraindications), or None when no
    drug has one."""
    m = re.search(r'^CREATE VIEW "([^"]+__contraindications)"', sql, re.M)
    return m.group(1) if m else None


def assumptions_view(sql):
    """The population assumptions view (VIEW__assumptions), or None when the
    protocol has none."""
    m = re.search(r'^CREATE VIEW "([^"]+__assumptions)"', sql, re.M)
    return m.group(1) if m else None


def check_assumptions(want, rows):
    """The assumptions view's rows against the table's (table_assumptions),
    in order: position, name, condition, citations. Returns the problems."""
    if rows is None:
        return [] if not want else [f"the table has {len(want)} assumptions, the export no view"]
    problems = [] if len(rows) == len(want) else [f"the view has {len(rows)} rows, the table {len(want)} assumptions"]
    for k, (row, (name, when, cites)) in enumerate(zip(rows, want)):
        got = (str(row["position"]), row["name"], row["condition"], row["citations"])
        if got != (str(k + 1), name, when, ",".join(cites)):
            problems.append(f"assumption {k + 1}: the view has {got}, the table {(k + 1, name, when, cites)}")
    return problems


def check_contraindications(want, rows):
    """The contraindications view's rows against the table's
    (table_contraindications), in order. Returns the problems."""
    if rows is None:
        return [] if not want else [f"the table has {len(want)} contraindications, the export no view"]
    problems = [] if len(rows) == len(want) else [f"the view has {len(rows)} rows, the table {len(want)} contraindications"]
    for k, (row, (drug, when, note, cites)) in enumerate(zip(rows, want)):
        got = (str(row["position"]), row["drug"], row["condition"], row["note"], row["citations"])
        if got != (str(k + 1), drug, when, note, ",".join(cites)):
            problems.append(f"contraindication {k + 1}: the view has {got}, the table {(k + 1, drug, when, note, cites)}")
    return problems


def check_codes(want, codes):
    """The codes view's rows against the protocol's codes (protocol_codes),
    in declaration order: every column equal. Returns the problems."""
    if codes is None:
        return [] if not want else [f"the table has {len(want)} codes, the export no codes view"]
    problems = []
    if len(codes) != len(want):
        problems.append(f"the codes view has {len(codes)} rows, the table {len(want)} codes")
    for k, (row, c) in enumerate(zip(codes, want)):
        for col in ("target", "name", "system", "code", "display", "unspecified"):
            if c[col] != row[col] or str(row["position"]) != str(k + 1):
                problems.append(f"code {k + 1} ({c['target']} {c['name']}): {col} is {row[col]!r} in the view, "
                                f"{c[col]!r} in the protocol")
    return problems


def pg_bin():
    for d in [os.environ.get("PG_BIN", ""), "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin"]:
        if d and os.path.exists(os.path.join(d, "initdb")):
            return d
    d = shutil.which("initdb")
    return os.path.dirname(d) if d else None


def postgres_rows(inputs, pats, sql, work):
    bindir = pg_bin()
    if not bindir or not shutil.which("psql"):
        print("sql-compare: PostgreSQL (initdb, psql) is not installed: skipped")
        sys.exit(SKIP)
    # initdb refuses to run as root: as root, the server runs as `postgres`,
    # in a folder of its own under /tmp (every parent traversable).
    as_user, server = [], work
    if os.geteuid() == 0:
        import tempfile
        as_user = ["runuser", "-u", "postgres", "--"]
        server = tempfile.mkdtemp(prefix="carepath-pg-")
        os.chmod(server, 0o777)
    data, sock = os.path.join(server, "pgdata"), os.path.join(server, "pgsock")
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(sock, exist_ok=True)
    os.chmod(sock, 0o777)
    run(as_user + [f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "carepath", "--no-sync", "-E", "UTF8"])
    port = str(40000 + os.getpid() % 20000)
    run(as_user + [f"{bindir}/pg_ctl", "-D", data, "-w", "-l", os.path.join(server, "pg.log"), "-o",
                   f"-k {sock} -c listen_addresses='' -p {port} -c fsync=off", "start"])
    try:
        psql = ["psql", "-h", sock, "-p", port, "-U", "carepath", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q"]
        types = {"bool": "BOOLEAN", "enum": "TEXT", "string": "TEXT", "number": "NUMERIC"}
        cols = ", ".join(f'"{s["name"]}" {types[s["kind"]]}' for s in inputs)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        for k, p in enumerate(pats):
            row = [k + 1]
            for s in inputs:
                v = p[s["name"]]
                row.append("" if v is None else ("true" if v is True else "false" if v is False else
                                                 decimal_text(v) if s["kind"] == "number" else v))
            w.writerow(row)
        load = (f"CREATE TABLE patients (patient_id INTEGER PRIMARY KEY, {cols});\n"
                f"\\copy patients FROM STDIN WITH (FORMAT csv)\n{buf.getvalue()}\\.\n")
        subprocess.run(psql, input=load, text=True, check=True, capture_output=True)
        run(psql, input=sql)
        t0 = time.perf_counter()
        out = run(psql + ["-c", f'COPY (SELECT * FROM "{view_name(sql)}" ORDER BY patient_id) TO STDOUT WITH (FORMAT csv, HEADER, FORCE_QUOTE *)'])
        elapsed = time.perf_counter() - t0
        views = {key: run(psql + ["-c", f'COPY (SELECT * FROM "{name}" ORDER BY position) '
                                        f'TO STDOUT WITH (FORMAT csv, HEADER, FORCE_QUOTE *)'])
                 for key, name in (("codes", codes_view(sql)), ("contraindications", contraindications_view(sql)),
                                   ("assumptions", assumptions_view(sql)))
                 if name}
    finally:
        subprocess.run(as_user + [f"{bindir}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"], capture_output=True)
        if server != work:
            shutil.rmtree(server, ignore_errors=True)
    return csv_rows(out), elapsed, {key: csv_rows(text) for key, text in views.items()}


def csv_rows(out):
    # FORCE_QUOTE: "" is an empty string, an unquoted empty cell is NULL.
    lines = out.splitlines()
    names = next(csv.reader([lines[0]]))
    return [dict(zip(names, split_csv(line))) for line in lines[1:]]


def duckdb_rows(inputs, pats, sql, work, interop):
    runner = os.path.join(interop or "", "duckdb-run.mjs")
    if not interop or not os.path.exists(os.path.join(interop, "node_modules", "@duckdb", "node-api")):
        print("sql-compare: @duckdb/node-api is not installed (--interop DIR): skipped")
        sys.exit(SKIP)
    types = {"bool": "BOOLEAN", "enum": "VARCHAR", "string": "VARCHAR", "number": "DECIMAL(18, 6)"}
    setup = os.path.join(work, "setup.sql")
    with open(setup, "w") as f:
        cols = ", ".join(f'"{s["name"]}" {types[s["kind"]]}' for s in inputs)
        f.write(f"CREATE TABLE patients (patient_id INTEGER PRIMARY KEY, {cols});\n")
    csvpath, viewpath, outpath = (os.path.join(work, x) for x in ("patients.csv", "view.duckdb.sql", "out.csv"))
    with open(csvpath, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["patient_id"] + [s["name"] for s in inputs])
        for k, p in enumerate(pats):
            w.writerow([k + 1] + ["" if p[s["name"]] is None else
                                  ("true" if p[s["name"]] is True else "false" if p[s["name"]] is False else
                                   decimal_text(p[s["name"]]) if s["kind"] == "number" else p[s["name"]])
                                  for s in inputs])
    with open(viewpath, "w") as f:
        f.write(sql)
    elapsed = float(run(["node", runner, setup, csvpath, viewpath, outpath], cwd=interop).strip().splitlines()[-1])
    with open(outpath) as f:
        lines = f.read().splitlines()
    names = next(csv.reader([lines[0]]))
    # The codes, contraindications and assumptions views are created in
    # DuckDB (the file runs whole), not read.
    return [dict(zip(names, split_csv(line))) for line in lines[1:]], elapsed, None


def split_csv(line):
    """CSV cells with NULL (an unquoted empty cell) told from '' (quoted)."""
    cells, k = [], 0
    while True:
        if k < len(line) and line[k] == '"':
            k += 1
            v = ""
            while True:
                j = line.index('"', k)
                v += line[k:j]
                if j + 1 < len(line) and line[j + 1] == '"':
                    v += '"'
                    k = j + 2
                    continue
                k = j + 1
                break
            cells.append(v)
        else:
            j = line.find(",", k)
            j = len(line) if j < 0 else j
            cells.append(line[k:j] if j > k else None)
            k = j
        if k >= len(line):
            return cells
        k += 1  # the comma


# ------------------------------------------------------------------ comparison

def as_bool(v):
    if v is None:
        return None
    if isinstance(v, (bool, int)):
        return bool(v)
    return {"t": True, "true": True, "1": True, "f": False, "false": False, "0": False}[str(v)]


def as_fraction(v):
    if v is None:
        return None
    if isinstance(v, float):
        fail(f"an exact value came back as a float ({v!r})")
    return Fraction(str(v))


def dose_columns(outputs):
    """(decision, rule, drug, low|high) -> the view's columns, from the header."""
    doses = {}
    for col, desc in outputs.items():
        m = re.match(r"^amount of (\w+) by (\w+)\.(\w+)( \(high end\))?", desc)
        if m:
            doses.setdefault((m.group(2), m.group(3), m.group(1), "high" if m.group(4) else "low"), []).append(col)
    return doses


def contraindication_columns(outputs):
    """(decision, rule, drug) -> the view's contraindications column."""
    cols = {}
    for col, desc in outputs.items():
        m = re.match(r"^contraindications of (\w+) by (\w+)\.(\w+) ", desc)
        if m:
            cols[(m.group(2), m.group(3), m.group(1))] = col
    return cols


def expected(line, outputs, doses, contra=None):
    """The view's columns as carepath's batch line gives them; a
    contraindications column ("K:true,K:unknown", K the table's position,
    contra: (drug, when) -> K) is NULL unless its give is offered."""
    exp = {"in_population": line["inPopulation"]}
    if "assumptionsViolated" in line:
        exp["assumptions_violated"] = ",".join(line["assumptionsViolated"])
    for dname, d in line["decisions"].items():
        exp[dname] = set(d["fired"])
        exp[dname + "__violation"] = d["violation"]
        for a in d["actions"]:
            for col in doses.get((dname, a["rule"], a["name"], "low"), []):
                exp[col] = a["amount"]
            for col in doses.get((dname, a["rule"], a["name"], "high"), []):
                exp[col] = a.get("amountHigh")
            col = (contra or {}).get("columns", {}).get((dname, a["rule"], a["name"]))
            if col:
                exp[col] = ",".join(f"{contra['positions'][(a['name'], w)]}:{t}" for w, t in contraindications_of(a))
        for oname, o in d.get("outputs", {}).items():
            exp[f"{dname}__{oname}"] = o["value"]
    return exp


def compare(row, exp, outputs):
    problems = []
    if row.get("carepath_error") is not None:
        problems.append(f"carepath_error {row['carepath_error']!r}")
    if as_bool(row["in_population"]) != exp["in_population"]:
        problems.append(f"in_population: sql {row['in_population']!r}, carepath {exp['in_population']}")
    for col, desc in outputs.items():
        got = row[col]
        if desc.startswith("tiers") or desc.startswith("rules"):
            g = set(got.split(",")) if got else set()
            if g != exp.get(col, set()):
                problems.append(f"{col}: sql {sorted(g)}, carepath {sorted(exp.get(col, set()))}")
        elif desc.startswith("hit-policy violation"):
            if as_bool(got) != bool(exp.get(col)):
                problems.append(f"{col}: sql {got!r}, carepath {exp.get(col)}")
        elif desc.startswith("contraindications of") or desc.startswith("population assumptions"):
            if got != exp.get(col):
                problems.append(f"{col}: sql {got!r}, carepath {exp.get(col)!r}")
        elif desc.startswith("amount of"):
            e = exp.get(col)
            if as_fraction(got) != (None if e is None else Fraction(e)):
                problems.append(f"{col}: sql {got!r}, carepath {e!r}")
        else:  # an output: bools, exact numbers ("1000/3"), member names
            e = exp.get(col)
            if e is None:
                ok = got is None
            elif isinstance(e, bool):
                ok = as_bool(got) == e
            elif re.fullmatch(r"-?\d+(/\d+)?", e) and got is not None and re.fullmatch(r"-?\d+(\.\d+)?", str(got)):
                ok = Fraction(str(got)) == Fraction(e)
            else:
                ok = got == e
            if not ok:
                problems.append(f"{col}: sql {got!r}, carepath {e!r}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--carepath", required=True)
    ap.add_argument("--protocol", required=True)
    ap.add_argument("--engine", choices=["sqlite", "postgres", "duckdb"], required=True)
    ap.add_argument("--interop", default="", help="the npm project with @duckdb/node-api (duckdb)")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20240607)
    ap.add_argument("--work", required=True)
    ap.add_argument("--corrupt", default="")
    ap.add_argument("--show", type=int, default=5)
    ap.add_argument("--spread", action="store_true",
                    help="patients spread over the protocol's outcomes (spread_patients), not uniform")
    o = ap.parse_args()
    os.makedirs(o.work, exist_ok=True)
    table = os.path.join(o.work, "table.json")
    view = os.path.join(o.work, "view.sql")
    dialect = {"sqlite": "sqlite", "postgres": "postgres", "duckdb": "standard"}[o.engine]
    sql = compile_export("sql-compare", o.carepath, o.protocol, ["sql", "--dialect", dialect], view, table, o.corrupt)
    inputs, outputs = parse_header(sql)
    pats = (spread_patients(inputs, o.n, o.seed, o.carepath, table, o.work, "sql-compare") if o.spread
            else patients(inputs, o.n, o.seed))
    jsonl = os.path.join(o.work, "patients.jsonl")
    with open(jsonl, "w") as f:
        for p in pats:
            f.write(carepath_patient(inputs, p) + "\n")
    t0 = time.perf_counter()
    lines = carepath_eval(o.carepath, table, jsonl)
    cp_time = time.perf_counter() - t0
    if len(lines) != o.n:
        fail(f"carepath eval gave {len(lines)} lines for {o.n} patients")
    for k, line in enumerate(lines):
        if "error" in line:
            fail(f"carepath refused generated patient {k + 1}: {line['error']}: {carepath_patient(inputs, pats[k])}")
    if o.engine == "duckdb":
        rows, sql_time, views = duckdb_rows(inputs, pats, sql, o.work, o.interop)
    else:
        rows, sql_time, views = (sqlite_rows if o.engine == "sqlite" else postgres_rows)(inputs, pats, sql, o.work)
    if len(rows) != o.n:
        fail(f"the view gave {len(rows)} rows for {o.n} patients")
    mismatches, ndoses, doses = [], 0, dose_columns(outputs)
    contras = table_contraindications(table)
    contra = {"columns": contraindication_columns(outputs),
              "positions": {(drug, when): k + 1 for k, (drug, when, _, _) in enumerate(contras)}}
    nheld, nviolating = 0, 0
    if o.engine != "duckdb":
        problems = check_codes(protocol_codes(o.carepath, o.protocol), views.get("codes"))
        if problems:
            mismatches.append((0, ["codes view: " + p for p in problems]))
        problems = check_contraindications(contras, views.get("contraindications"))
        if problems:
            mismatches.append((0, ["contraindications view: " + p for p in problems]))
        problems = check_assumptions(table_assumptions(table), views.get("assumptions"))
        if problems:
            mismatches.append((0, ["assumptions view: " + p for p in problems]))
    for k, (row, line) in enumerate(zip(rows, lines)):
        exp = expected(line, outputs, doses, contra)
        ndoses += sum(1 for c, d in outputs.items() if d.startswith("amount of") and row[c] is not None)
        nheld += sum(len(contraindications_of(a)) for d in line["decisions"].values() for a in d["actions"])
        nviolating += 1 if line.get("assumptionsViolated") else 0
        problems = compare(row, exp, outputs)
        if problems:
            mismatches.append((k, problems))
    print(f"sql-compare: {o.engine}, {os.path.basename(o.protocol)}: {o.n} patients (seed {o.seed}), "
          f"{len(outputs)} columns, {ndoses} doses and {nheld} contraindications that hold or may hold compared"
          + (f", {nviolating} patients violating a population assumption" if "assumptions_violated" in outputs else "")
          + f"; {len(mismatches)} mismatches")
    print(f"sql-compare: throughput {o.engine} view {o.n / max(sql_time, 1e-9):,.0f} patients/s (query), "
          f"carepath eval {o.n / max(cp_time, 1e-9):,.0f} patients/s (process)")
    return verdict("sql-compare", mismatches, o.n, o.show, o.corrupt, inputs, pats)


def verdict(tool, mismatches, n, show, corrupt, inputs, pats):
    """Prints the first mismatches and returns the exit status: 0 when the
    export agrees, or when a corrupted export (`corrupt`) was caught."""
    if mismatches:
        print(f"MISMATCH: {len(mismatches)} of {n} patients disagree; first {min(show, len(mismatches))}:")
        for k, problems in mismatches[:show]:
            print(f"  patient {k + 1} {carepath_patient(inputs, pats[k])}")
            for pr in problems:
                print(f"    {pr}")
    if corrupt:
        if mismatches:
            print(f"{tool}: the corrupted export was caught, as it must be")
            return 0
        print(f"{tool}: the corrupted export was NOT reported as mismatching", file=sys.stderr)
        return 1
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
