#!/usr/bin/env bash
# Runs `carepath verify --format=sarif` on a protocol and validates the log
# against the SARIF 2.1.0 schema (tests/interop/validate-sarif.mjs).
#   check-sarif.sh CAREPATH INTEROP_DIR PROTOCOL OUT.sarif
set -euo pipefail
carepath=$1 interop=$2 protocol=$3 out=$4
mkdir -p "$(dirname "$out")"
status=0
"$carepath" verify "$protocol" --format=sarif >"$out" || status=$?
# 0 verified, 1 refuted, 3 inconclusive: all produce a SARIF log; 2 and 4 do not.
if [[ $status -ne 0 && $status -ne 1 && $status -ne 3 ]]; then
  echo "carepath verify exited $status" >&2
  exit 1
fi
node "$interop/validate-sarif.mjs" "$out"
