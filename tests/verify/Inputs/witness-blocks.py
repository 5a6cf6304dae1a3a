"""Prints the example blocks of every witness `carepath verify --format=json`
gives (a proved kind restricted to the reachable course states,
docs/verifier.md "Course properties"): the course's records, then the
witness, one block each, then "witnesses: N" on standard error
(tests/verify/paste-back.test pastes them back)."""
import json
import sys

report = json.load(open(sys.argv[1]))
count = 0
for prop in report["properties"]:
    if "witness" not in prop:
        continue
    count += 1
    for step in prop.get("course", []):
        print("\n".join(step["example"]))
    print("\n".join(prop["witness"]["example"]))
print("witnesses: %d" % count, file=sys.stderr)
