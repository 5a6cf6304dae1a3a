"""The diagnostics reference (docs/diagnostics/CODE.md, format in
docs/diagnostics.md) against the catalogue and the compiler:

* every code the catalogue can report (`carepath explain --format=json`)
  has an entry, and every entry is such a code;
* every entry has its heading, an explanation, `## Example` and `## Fix`;
* the example really produces its code: its files are written to a fresh
  folder, its `$ carepath ...` commands run there, and the last one, run
  again with --format=json, reports a diagnostic with the entry's code;
  every other line of the console block appears in the text output;
* the fix (when the entry has fixed files) does not: the same commands on
  the example's files overlaid with the fix's report no such diagnostic.

Usage: check-reference.py CAREPATH DOCS_DIAGNOSTICS_DIR [CODE...]
Prints one line per problem and "N passed, M failed"; exit 1 on any."""
import concurrent.futures
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

carepath, folder = os.path.abspath(sys.argv[1]), sys.argv[2]
only = set(sys.argv[3:])
FORMAT = "docs/diagnostics.md, 'The diagnostics reference'"


def expand(text):
    """\\x{HH} is the byte HH, \\repeat{N}{TEXT} is TEXT N times."""
    text = re.sub(r"\\repeat\{(\d+)\}\{([^}]*)\}", lambda m: m.group(2) * int(m.group(1)), text)
    out = bytearray()
    for i, part in enumerate(re.split(r"\\x\{([0-9A-Fa-f]{2})\}", text)):
        out += bytes([int(part, 16)]) if i % 2 else part.encode("utf-8")
    return bytes(out)


def parse(path):
    """(heading, {section: [(info, text)]}, {section: prose})."""
    lines = open(path, encoding="utf-8").read().split("\n")
    sections, prose, section = {"": []}, {"": ""}, ""
    block, info = None, None
    for line in lines[1:]:
        if block is not None:
            if line.startswith("```"):
                sections[section].append((info, "\n".join(block) + "\n"))
                block = None
            else:
                block.append(line)
        elif line.startswith("```"):
            block, info = [], line[3:].strip()
        elif line.startswith("## "):
            section = line[3:].strip()
            sections.setdefault(section, [])
            prose.setdefault(section, "")
        else:
            prose[section] += line + "\n"
    return lines[0], sections, prose


def files_of(blocks):
    files = {}
    for info, text in blocks:
        words = info.split()
        if not words or words[0] == "console":
            continue
        name = next((w[5:] for w in words if w.startswith("file=")), "example.care" if words[0] == "care" else None)
        if name is None:
            raise ValueError("a ```%s block needs file=NAME" % words[0])
        files[name] = text
    return files


def run_commands(commands, files, work):
    for name, text in files.items():
        path = os.path.join(work, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(expand(text))
    results = []
    for i, argv in enumerate(commands):
        last = i == len(commands) - 1
        for extra in ([[], ["--format=json"]] if last else [[]]):
            p = subprocess.run([carepath] + argv + extra, cwd=work, capture_output=True, timeout=300,
                               env=dict(os.environ, NO_COLOR="1"))
            results.append(p)
    return results[-2], results[-1]  # the last command as text, then as JSON


def codes_in(json_run):
    try:
        doc = json.loads(json_run.stdout)
    except ValueError:
        return None
    return [d["code"] for d in doc.get("diagnostics", [])]


def check(code, path):
    problems = []
    heading, sections, prose = parse(path)
    m = re.match(r"^# `([a-z0-9-]+)`: (\S.*)$", heading)
    if not m or m.group(1) != code:
        return ["the first line must be '# `%s`: SUMMARY' (%s)" % (code, FORMAT)]
    if not prose[""].strip():
        problems.append("no explanation between the heading and '## Example'")
    for needed in ("Example", "Fix"):
        if needed not in sections:
            problems.append("no '## %s' section (%s)" % (needed, FORMAT))
    if problems:
        return problems
    if not prose["Fix"].strip():
        problems.append("'## Fix' says nothing")
    consoles = [t for i, t in sections["Example"] if i.split()[:1] == ["console"]]
    if not consoles:
        if not re.search(r"^No example: \S", prose["Example"], re.M):
            problems.append("'## Example' has no ```console block (nor a 'No example: REASON' line)")
        return problems
    lines = consoles[0].rstrip("\n").split("\n")
    commands = [shlex.split(l[len("$ carepath "):]) for l in lines if l.startswith("$ carepath ")]
    expected = [l for l in lines if not l.startswith("$ ") and l.strip()]
    if not commands:
        return problems + ["the console block runs no '$ carepath ...' command"]
    try:
        example, fix = files_of(sections["Example"]), files_of(sections["Fix"])
    except ValueError as e:
        return problems + [str(e)]
    with tempfile.TemporaryDirectory() as work:
        text, as_json = run_commands(commands, example, work)
        output = (text.stdout + text.stderr).decode("utf-8", "replace").split("\n")
        codes = codes_in(as_json)
        if codes is None:
            problems.append("the example's last command printed no JSON with --format=json")
        elif code not in codes:
            problems.append("the example does not produce '%s' (it produces: %s)" % (code, ", ".join(codes) or "nothing"))
        for line in expected:
            if line.rstrip() not in [o.rstrip() for o in output]:
                problems.append("the example's output has no line '%s'" % line)
    if fix:
        with tempfile.TemporaryDirectory() as work:
            text, as_json = run_commands(commands, {**example, **fix}, work)
            codes = codes_in(as_json)
            if codes is None or code in codes:
                problems.append("the fix still produces '%s'" % code)
    return problems


listing = json.loads(subprocess.run([carepath, "explain", "--format=json"], capture_output=True, check=True).stdout)
codes = [c["code"] for c in listing["codes"]]
entries = sorted(f[:-3] for f in os.listdir(folder) if f.endswith(".md") and f != "README.md")
failed = passed = 0
for code in codes:
    if code not in entries:
        print("%s/%s.md: missing: the diagnostic code '%s' (compiler/basic/diags/*.def) has no entry in the "
              "diagnostics reference; write one (%s)" % (folder, code, code, FORMAT))
        failed += 1
for code in entries:
    if code not in codes:
        print("%s/%s.md: no diagnostic has the code '%s'; remove the entry or correct its name" % (folder, code, code))
        failed += 1
# The entries are independent and their time is spent in carepath: two at
# a time (the machine's cores), reported in the order of the entries.
todo = [code for code in entries if code in codes and (not only or code in only)]
with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
    results = pool.map(lambda code: check(code, os.path.join(folder, code + ".md")), todo)
    for code, problems in zip(todo, results):
        for p in problems:
            print("%s/%s.md: %s" % (folder, code, p))
        failed += bool(problems)
        passed += not problems
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
