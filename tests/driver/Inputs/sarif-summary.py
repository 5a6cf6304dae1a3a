"""Reads a carepath SARIF log on stdin and prints what the lit tests pin,
one fact a line: the run's executionSuccessful and exitCode, then each
toolExecutionNotification ("notification CODE LEVEL") and each result
("result RULEID LEVEL"). Fails (exit 1) unless the log is SARIF 2.1.0 with
one run and every result's ruleIndex names a rule with its ruleId."""
import json
import sys

log = json.load(sys.stdin)
assert log["version"] == "2.1.0", log.get("version")
assert len(log["runs"]) == 1
run = log["runs"][0]
rules = run["tool"]["driver"]["rules"]
assert run["tool"]["driver"]["name"] == "carepath"
inv = run["invocations"]
assert len(inv) == 1
print("executionSuccessful", str(inv[0]["executionSuccessful"]).lower())
print("exitCode", inv[0]["exitCode"])
for n in inv[0].get("toolExecutionNotifications", []):
    print("notification", n["descriptor"]["id"], n["level"])
for r in run["results"]:
    assert rules[r["ruleIndex"]]["id"] == r["ruleId"], r
    print("result", r["ruleId"], r.get("level", "warning"))
