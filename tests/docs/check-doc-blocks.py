"""Every complete code block of the documentation runs (docs/language.md,
"Code blocks in these docs", defines the convention):

* ```care            a complete file: `carepath check` must pass (exit 0),
                     and `carepath test` too when it has an `example`;
* ```care file=NAME  a part of the file NAME: the page's blocks with the
                     same NAME, in order, make one complete file, checked
                     the same way;
* ```care-fragment   a piece of a file, shown for its syntax: not run;
* ```LANG file=NAME  (json, ...) a part of the file NAME, not checked;
* ```console         `$ carepath ...` commands, each followed by the
                     output it must print (stdout, then stderr), run in a
                     folder holding the page's named files; each must exit
                     0, or N with ```console exit=N. A line `...` stands
                     for any number of lines (output left out).

A ```care block that does not start with `protocol` or `module` (after
comments) is an error: mark it care-fragment. Blocks inside a longer fence
(````markdown) are text, not blocks. docs/diagnostics/ has its own format
and test (tests/driver/diagnostics-reference.test).

Usage: check-doc-blocks.py CAREPATH (FILE.md | FOLDER)...  (a folder: its *.md)
Prints one line per problem and a summary; exit 1 on any problem."""
import os
import re
import shlex
import subprocess
import sys
import tempfile

carepath = os.path.abspath(sys.argv[1])
pages = []
for arg in sys.argv[2:]:
    pages += sorted(os.path.join(arg, f) for f in os.listdir(arg) if f.endswith(".md")) if os.path.isdir(arg) else [arg]
CONVENTION = "docs/language.md, 'Code blocks in these docs'"


def blocks(path):
    """(line, info, text) of each top-level fenced block."""
    out, fence, info, start, body = [], None, "", 0, []
    for n, line in enumerate(open(path, encoding="utf-8").read().split("\n"), 1):
        if fence is None:
            m = re.match(r"^(`{3,})(.*)$", line)
            if m:
                fence, info, start, body = m.group(1), m.group(2).strip(), n, []
        elif re.match(r"^%s\s*$" % fence, line):
            out.append((start, info, "\n".join(body) + "\n"))
            fence = None
        else:
            body.append(line)
    return out


def first_code_line(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    for line in text.split("\n"):
        line = line.split("//")[0].strip()
        if line:
            return line
    return ""


def run(args, cwd):
    p = subprocess.run([carepath] + args, cwd=cwd, capture_output=True, text=True,
                       env=dict(os.environ, NO_COLOR="1", LC_ALL="C"))
    return p.returncode, p.stdout + p.stderr


def matches(expected, got):
    """Line by line; an expected line `...` matches any lines (even none)."""
    if not expected:
        return not got
    if expected[0] == "...":
        return any(matches(expected[1:], got[i:]) for i in range(len(got) + 1))
    return bool(got) and got[0] == expected[0] and matches(expected[1:], got[1:])


problems, checked = [], 0


def problem(where, what):
    problems.append("%s: %s" % (where, what))


for page in pages:
    files, order, consoles, others = {}, [], [], set()
    for line, info, text in blocks(page):
        words = info.split()
        lang = words[0] if words else ""
        attrs = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        where = "%s:%d" % (page, line)
        if lang == "care" or "file" in attrs:
            name = attrs.get("file")
            if name is None:
                name = "block-%d.care" % line
            if lang != "care":
                others.add(name)
            if name not in files:
                files[name] = [where, ""]
                order.append(name)
            files[name][1] += text
        elif lang == "console":
            consoles.append((where, int(attrs.get("exit", "0")), text))
    with tempfile.TemporaryDirectory() as folder:
        for name in order:
            where, text = files[name]
            path = os.path.join(folder, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        for name in order:
            where, text = files[name]
            if name in others:
                continue
            checked += 1
            if not re.match(r"(protocol|module)\b", first_code_line(text)):
                problem(where, "a ```care block must be a complete file starting with 'protocol' or 'module'; "
                        "mark a piece of a file ```care-fragment (%s)" % CONVENTION)
                continue
            code, output = run(["check", name], folder)
            if code != 0:
                problem(where, "`carepath check` exits %d:\n%s" % (code, output.rstrip()))
                continue
            if re.search(r"^\s*example\b", text, re.M):
                code, output = run(["test", name], folder)
                if code != 0:
                    problem(where, "`carepath test` exits %d:\n%s" % (code, output.rstrip()))
        for where, want_code, text in consoles:
            lines = text.rstrip("\n").split("\n")
            i = 0
            while i < len(lines):
                if not lines[i].startswith("$ "):
                    problem(where, "output before any '$ carepath' command: %r" % lines[i])
                    break
                command = shlex.split(lines[i][2:])
                i += 1
                expected = []
                while i < len(lines) and not lines[i].startswith("$ "):
                    expected.append(lines[i])
                    i += 1
                checked += 1
                if not command or command[0] != "carepath":
                    problem(where, "only carepath commands run here: %s" % " ".join(command))
                    continue
                code, output = run(command[1:], folder)
                got = output.rstrip("\n").split("\n") if output.strip() else []
                while expected and not expected[-1].strip():
                    expected.pop()
                if code != want_code:
                    problem(where, "`%s` exits %d, not %d:\n%s" % (" ".join(command), code, want_code, output.rstrip()))
                elif not matches(expected, got):
                    problem(where, "`%s` prints something else; it prints:\n%s" % (" ".join(command), "\n".join(got) or "(nothing)"))

for p in problems:
    print(p)
print("%d blocks and commands checked, %d problems" % (checked, len(problems)))
sys.exit(1 if problems else 0)
