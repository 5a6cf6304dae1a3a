#!/usr/bin/env bash
# An export's terminology codes against the protocol's, as ctest runs it
# (tests/interop and tests/fhir CMakeLists.txt): the codes the IR holds
# (`check --emit=ir`, read by tests/sql/sql-compare.py's protocol_codes),
# the export (`compile --target dmn|fhir`), then tests/interop/codes-check.mjs
# (dmn-moddle or fhirpath.js reads the codes back).
#
#   run-codes-check.sh CAREPATH INTEROP_DIR PROTOCOL WORK dmn|fhir [SED_EXPR]
#
# With SED_EXPR the export is corrupted first (sed -e SED_EXPR) and the test
# passes only if the check reports a difference.
set -euo pipefail
carepath=$1 interop=$2 protocol=$3 work=$4 target=$5 corrupt=${6:-}
rm -rf "$work"
mkdir -p "$work"
here=$(cd "$(dirname "$0")" && pwd)
python3 -c 'import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("sqlc", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
json.dump(m.protocol_codes(sys.argv[2], sys.argv[3]), sys.stdout)' "$here/../sql/sql-compare.py" "$carepath" "$protocol" > "$work/codes.json"
"$carepath" compile "$protocol" --no-verify --target "$target" -o "$work/export"
if [ -z "$corrupt" ]; then
  cd "$interop" && exec node codes-check.mjs "$work/codes.json" "--$target" "$work/export"
fi
sed -e "$corrupt" "$work/export" > "$work/corrupt"
if cmp -s "$work/export" "$work/corrupt"; then
  echo "run-codes-check: the corruption '$corrupt' changed nothing in the export" >&2
  exit 1
fi
set +e
(cd "$interop" && node codes-check.mjs "$work/codes.json" "--$target" "$work/corrupt") > "$work/check.out" 2>&1
rc=$?
set -e
cat "$work/check.out"
# Caught: exit 1 with the differences listed (a crash exits 1 too).
if [ "$rc" -eq 1 ] && grep -q '^codes-check: [0-9]* differences' "$work/check.out"; then
  echo "run-codes-check: the corrupted export was caught, as it must be"
  exit 0
fi
echo "run-codes-check: the corrupted export was NOT caught (exit $rc)" >&2
exit 1
