"""Checks that `eval --summary --format=json` says what the text summary
says, in the same order (tests/runtime/eval-summary-json.test):
  summary-agrees.py SUMMARY.txt RESULT.json
Each JSON section that has actions is the text's heading, in the text's
order; each action's line (`text`, and `: detail` for the timed sections)
and, below it, its detail (the other sections) are the text's lines in the
same order; each course is its `course ...` line. Prints the lines it
matched; exit 1 at the first disagreement."""
import json
import re
import sys

TITLES = {"now": "now:", "due": "due (soonest first):", "tests": "tests to order:", "consider": "to consider:",
          "monitor": "monitor and reassess:", "unspecified": "not specified by the protocol:"}
text = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
summary = json.load(open(sys.argv[2], encoding="utf-8"))["summary"]
expected = []
for key, title in TITLES.items():
    if summary[key]:
        expected.append(title)
    for a in summary[key]:
        timed = key in ("due", "monitor") and a["detail"]
        expected.append(a["text"] + (": " + a["detail"] if timed else ""))
        if a["detail"] and not timed:
            expected.append(a["detail"])
        why = (a["note"] + "; " if a["note"] else "") + a["from"] + (" [" + ", ".join(a["citations"]) + "]" if a["citations"] else "")
        expected.append("(" + why + ")")
for c in summary["courses"]:
    line = "course %s: %s" % (c["pathway"], "on the pathway" if c["onPathway"] else "off the pathway")
    if c["at"]:
        line += ", at " + ", ".join(c["at"])
    if c["exits"]:
        line += " (exit: " + ", ".join(c["exits"]) + ")"
    expected.append(line)
    nxt = ", ".join("%s = %s" % kv for kv in c["recordNext"].items())
    expected.append("record next: " + (nxt or "no change"))
# The text's lines without their indent or an alternative's number.
shown = [re.sub(r"^\s*(\d+\) )?", "", l) for l in text if l.strip() and l.strip() != "one of (the clinician chooses):"]
shown = shown[1:]  # the title line
if shown != expected:
    for i, (s, e) in enumerate(zip(shown + [""] * len(expected), expected + [""] * len(shown))):
        if s != e:
            print("line %d: text %r, json %r" % (i + 1, s, e))
            break
    sys.exit(1)
for e in expected:
    print(e)
