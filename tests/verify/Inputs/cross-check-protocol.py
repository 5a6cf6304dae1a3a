"""One protocol verified with and without `--cross-check` (the ctests
cross_check_NAME, tests/CMakeLists.txt): cvc5 must change nothing. The same
exit code and the same status for every property, and every proved or
refuted property agreed on by cvc5 (a table-overlap result of a table with
fewer than two rules asks no solver anything).

Usage: cross-check-protocol.py CAREPATH PROTOCOL.care"""
import json
import subprocess
import sys
import time

carepath, protocol = sys.argv[1], sys.argv[2]


def verify(*extra):
    start = time.monotonic()
    p = subprocess.run([carepath, "verify", protocol, "--format=json", *extra], capture_output=True, timeout=600)
    return p.returncode, json.loads(p.stdout), time.monotonic() - start


plain_code, plain, plain_s = verify()
code, checked, checked_s = verify("--cross-check")
problems = []
if code != plain_code:
    problems.append("exit code %d with --cross-check, %d without" % (code, plain_code))
statuses = lambda report: [(p["kind"], p["status"], p["message"]) for p in report.get("properties", [])]
if statuses(checked) != statuses(plain):
    problems.append("the properties differ with --cross-check:\n  %s\nwithout:\n  %s" % (statuses(checked), statuses(plain)))
for p in checked.get("properties", []):
    if p["status"] not in ("proved", "refuted"):
        continue
    cc = p.get("crossCheck")
    if cc is None and p["kind"] == "table-overlap":
        continue
    if cc is None or cc["result"] != "agreed":
        problems.append("%s '%s': cross-check %s" % (p["kind"], p["message"], json.dumps(cc)))
for line in problems:
    print("%s: %s" % (protocol, line))
print("%s: %d queries to cvc5; %.1f s with --cross-check, %.1f s without" % (
    protocol, checked.get("crossCheck", {}).get("queries", 0), checked_s, plain_s))
sys.exit(1 if problems else 0)
