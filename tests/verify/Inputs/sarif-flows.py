"""Reads a carepath SARIF log on stdin and prints each result's code flow,
one step a line (tests/verify/sarif-course.test):
  result RULEID
  step LINE:COL MESSAGE
  state NAME=VALUE ...   (the step's record, docs/verifier.md "Counterexample courses")
and, for a result with a course in its properties, "course N records"."""
import json
import sys

run = json.load(sys.stdin)["runs"][0]
for r in run["results"]:
    print("result", r["ruleId"])
    for flow in r.get("codeFlows", []):
        for thread in flow["threadFlows"]:
            for step in thread["locations"]:
                loc = step["location"]
                reg = loc["physicalLocation"]["region"]
                print("step %s:%s %s" % (reg["startLine"], reg["startColumn"], loc["message"]["text"]))
                if "state" in step:
                    print("state", " ".join("%s=%s" % (k, v["text"]) for k, v in step["state"].items()))
    if "course" in r.get("properties", {}):
        print("course", len(r["properties"]["course"]), "records")
