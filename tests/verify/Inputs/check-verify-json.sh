#!/usr/bin/env bash
# Runs `carepath verify --format=json` on a protocol and validates the object
# against docs/schema/carepath-verify.schema.json (tests/interop/validate-schema.mjs):
# one shape whatever happens (docs/verifier.md, "Output formats").
#   check-verify-json.sh CAREPATH INTEROP_DIR SCHEMA PROTOCOL OUT.json EXPECTED_RESULT [VERIFY_FLAGS...]
set -euo pipefail
carepath=$1 interop=$2 schema=$3 protocol=$4 out=$5 expected=$6
shift 6
mkdir -p "$(dirname "$out")"
status=0
"$carepath" verify "$protocol" --format=json "$@" >"$out" || status=$?
# 0 verified, 1 failed or not verified, 3 inconclusive; 2 (usage) and 4 (a bug) are failures here.
if [[ $status -ne 0 && $status -ne 1 && $status -ne 3 ]]; then
  echo "carepath verify exited $status" >&2
  exit 1
fi
node "$interop/validate-schema.mjs" "$schema" "$out"
# The result is the one expected for this protocol (the schema alone would accept any).
grep -q "^  \"result\": \"$expected\"," "$out" || { echo "result is not '$expected':" >&2; grep '"result"' "$out" >&2; exit 1; }
