#!/usr/bin/env python3
"""A stand-in for cvc5 in tests/verify/cross-check.test: speaks the part of
SMT-LIB that `verify --cross-check` uses, reading commands from standard
input, and answers every (check-sat) with $FAKE_CVC5_ANSWER (sat, unsat or
unknown), whatever the question. The reason it gives for unknown is
$FAKE_CVC5_REASON (default: incomplete)."""
import os
import sys

answer = os.environ.get("FAKE_CVC5_ANSWER", "sat")
last = None
for line in sys.stdin:
    line = line.strip()
    if line == "(check-sat)":
        last = answer
        print(answer, flush=True)
    elif line == "(get-info :reason-unknown)":
        if last == "unknown":
            print("(:reason-unknown %s)" % os.environ.get("FAKE_CVC5_REASON", "incomplete"), flush=True)
        else:
            print('(error "Can\'t get-info :reason-unknown when the last result wasn\'t unknown!")', flush=True)
    elif line.startswith("(echo "):
        print(line[len("(echo "):-1], flush=True)
