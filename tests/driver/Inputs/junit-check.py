"""Reads JUnit XML on stdin; fails unless it parses and the counts of every
testsuite and of the testsuites element agree with its testcases."""
import sys
import xml.etree.ElementTree as ET

root = ET.fromstring(sys.stdin.read())
assert root.tag == "testsuites", root.tag
totals = [0, 0, 0]
for suite in root.findall("testsuite"):
    cases = suite.findall("testcase")
    failures = sum(1 for c in cases if c.find("failure") is not None)
    errors = sum(1 for c in cases if c.find("error") is not None)
    assert int(suite.get("tests")) == len(cases), suite.get("name")
    assert int(suite.get("failures")) == failures, suite.get("name")
    assert int(suite.get("errors")) == errors, suite.get("name")
    totals = [totals[0] + len(cases), totals[1] + failures, totals[2] + errors]
assert [int(root.get(k)) for k in ("tests", "failures", "errors")] == totals, totals
print("junit ok")
