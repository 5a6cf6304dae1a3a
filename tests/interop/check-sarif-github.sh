#!/usr/bin/env bash
# Runs `carepath ARGS... --format=sarif` and validates the log twice: against
# the SARIF 2.1.0 schema (validate-sarif.mjs) and with the SARIF Multitool's
# SARIF and GitHub rules (validate-sarif-github.mjs).
#   check-sarif-github.sh CAREPATH INTEROP_DIR OUT.sarif ARGS...
set -euo pipefail
carepath=$1 interop=$2 out=$3
shift 3
mkdir -p "$(dirname "$out")"
status=0
"$carepath" "$@" --format=sarif >"$out" || status=$?
# 0 clean, 1 findings (or a run that could not start), 3 inconclusive: all
# write a SARIF log; 2 (usage) does not, and 4 is a bug.
if [[ $status -ne 0 && $status -ne 1 && $status -ne 3 ]]; then
  echo "carepath $* exited $status" >&2
  exit 1
fi
node "$interop/validate-sarif.mjs" "$out"
node "$interop/validate-sarif-github.mjs" "$out"
