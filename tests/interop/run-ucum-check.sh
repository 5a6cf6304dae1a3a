#!/usr/bin/env bash
# The UCUM check, as ctest runs it (tests/interop/CMakeLists.txt): compiles
# PROTOCOL to the JSON table, then ucum-check.mjs compares its units with
# @lhncbc/ucum-lhc (after validating the table against its JSON Schema).
#
#   run-ucum-check.sh CAREPATH INTEROP_DIR PROTOCOL WORK [SED_EXPR]
#
# With SED_EXPR the table is corrupted first (sed -e SED_EXPR) and the test
# passes only if the check reports mismatches: proof that a wrong factor
# cannot pass silently.
set -euo pipefail
carepath=$1 interop=$2 protocol=$3 work=$4 corrupt=${5:-}
rm -rf "$work"
mkdir -p "$work"
"$carepath" compile "$protocol" --no-verify -o "$work/table.json"
if [ -z "$corrupt" ]; then
  # The table's unit fields (offset, ucum, substance) against the schema too.
  node "$interop/validate-schema.mjs" "$(dirname "$0")/../../docs/schema/carepath-table.schema.json" "$work/table.json"
  exec node "$interop/ucum-check.mjs" "$work/table.json"
fi
sed -e "$corrupt" "$work/table.json" > "$work/corrupt.json"
if cmp -s "$work/table.json" "$work/corrupt.json"; then
  echo "run-ucum-check: the corruption '$corrupt' changed nothing in the table" >&2
  exit 1
fi
set +e
node "$interop/ucum-check.mjs" "$work/corrupt.json" > "$work/check.out" 2>&1
rc=$?
set -e
cat "$work/check.out"
if [ "$rc" -eq 1 ] && grep -q '^MISMATCH' "$work/check.out"; then
  echo "run-ucum-check: the corrupted table was caught, as it must be"
  exit 0
fi
echo "run-ucum-check: the corrupted table was NOT reported (exit $rc)" >&2
exit 1
