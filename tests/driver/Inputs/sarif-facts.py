"""Reads a carepath SARIF log on stdin and prints, one a line, what the lit
tests pin about code scanning (docs/cli.md, "SARIF"):
  rule ID short=... help=yes|no helpUri=...
  result RULEID KIND LEVEL BASE:URI:LINE:COL fp=FINGERPRINT [fix] [flow]
  notification CODE LEVEL
  base NAME URI
Fails (exit 1) unless every result is located, its kind and level agree
(SARIF 3.27.9: only "fail" has a level other than "none"), it has a
fingerprint, and every rule has the descriptions and help GitHub requires."""
import json
import sys

log = json.load(sys.stdin)
run = log["runs"][0]
assert len(log["runs"]) == 1
for rule in run["tool"]["driver"]["rules"]:
    for key in ("shortDescription", "fullDescription", "help", "helpUri"):
        assert key in rule, (rule["id"], key)
    print("rule", rule["id"], "short=" + rule["shortDescription"]["text"], "help=" + ("yes" if rule["help"]["markdown"] else "no"),
          "helpUri=" + rule["helpUri"])
for name, base in run.get("originalUriBaseIds", {}).items():
    print("base", name, base.get("uri", "-"))
for r in run["results"]:
    kind, level = r.get("kind", "fail"), r.get("level", "warning")
    assert (kind == "fail") == (level != "none"), r
    assert r["locations"], r
    pl = r["locations"][0]["physicalLocation"]
    a, reg = pl["artifactLocation"], pl.get("region", {})
    fp = r["partialFingerprints"]["carepath/v1"]
    print("result", r["ruleId"], kind, level,
          "%s:%s:%s:%s" % (a.get("uriBaseId", "-"), a["uri"], reg.get("startLine"), reg.get("startColumn")),
          "fp=" + fp, *(["fix"] if "fixes" in r else []), *(["flow"] if "codeFlows" in r else []))
for n in run["invocations"][0].get("toolExecutionNotifications", []):
    print("notification", n["descriptor"]["id"], n["level"])
