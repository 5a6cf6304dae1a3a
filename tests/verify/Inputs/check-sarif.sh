#!/usr/bin/env bash
# Runs `carepath COMMAND --format=sarif` on a protocol and validates the log
# against the SARIF 2.1.0 schema (tests/interop/validate-sarif.mjs).
#   check-sarif.sh CAREPATH INTEROP_DIR PROTOCOL OUT.sarif [COMMAND [ARGS...]]
# COMMAND is verify by default.
set -euo pipefail
carepath=$1 interop=$2 protocol=$3 out=$4
shift 4
command=(verify)
if [[ $# -gt 0 ]]; then command=("$@"); fi
mkdir -p "$(dirname "$out")"
status=0
"$carepath" "${command[@]}" "$protocol" --format=sarif >"$out" || status=$?
# 0 clean, 1 findings (or a run that could not start), 3 inconclusive: all
# produce a SARIF log; 2 (usage) does not, and 4 is a bug.
if [[ $status -ne 0 && $status -ne 1 && $status -ne 3 ]]; then
  echo "carepath ${command[*]} exited $status" >&2
  exit 1
fi
node "$interop/validate-sarif.mjs" "$out"
