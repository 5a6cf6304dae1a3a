#!/usr/bin/env bash
# The DMN interop test, as ctest runs it (tests/interop/CMakeLists.txt):
# compiles PROTOCOL to the JSON table and exports it to DMN, then
# dmn-compare.mjs evaluates N random patients with both and compares.
#
#   run-dmn-interop.sh CAREPATH INTEROP_DIR PROTOCOL WORK N [SED_EXPR]
#
# With SED_EXPR the exported DMN is corrupted first (sed -e SED_EXPR) and
# the test passes only if the comparison reports mismatches: proof that a
# broken export cannot pass silently. DMN_ENGINE=dmn-eval-js evaluates with
# the DMN 1.1 engine instead, on dmn11-adapter.mjs's copy of the export;
# DMN_SPREAD=K compares N patients chosen from K times N to spread over
# carepath's outcomes (dmn-compare.mjs --spread).
set -euo pipefail
carepath=$1 interop=$2 protocol=$3 work=$4 n=$5 corrupt=${6:-}
# The sanitizer stage caps the count (CAREPATH_INTEROP_MAX, tests/interop/
# CMakeLists.txt): there only carepath's memory safety is in question; the
# normal stage compares the full count.
if [[ -n ${CAREPATH_INTEROP_MAX:-} ]] && ((n > CAREPATH_INTEROP_MAX)); then n=$CAREPATH_INTEROP_MAX; fi
engine=${DMN_ENGINE:-feelin}
rm -rf "$work"
mkdir -p "$work"
"$carepath" compile "$protocol" --no-verify -o "$work/table.json"
"$carepath" compile "$protocol" --no-verify --target dmn -o "$work/model.dmn"
compare=(node "$interop/dmn-compare.mjs" --table "$work/table.json" --dmn "$work/model.dmn"
         --carepath "$carepath" --n "$n" --seed 20240607 --work "$work" --engine "$engine"
         --spread "${DMN_SPREAD:-0}")
if [ -z "$corrupt" ]; then
  exec "${compare[@]}"
fi
sed -e "$corrupt" "$work/model.dmn" > "$work/corrupt.dmn"
if cmp -s "$work/model.dmn" "$work/corrupt.dmn"; then
  echo "run-dmn-interop: the corruption '$corrupt' changed nothing in the export" >&2
  exit 1
fi
mv "$work/corrupt.dmn" "$work/model.dmn"
set +e
"${compare[@]}" > "$work/compare.out" 2>&1
rc=$?
set -e
cat "$work/compare.out"
if [ "$rc" -eq 1 ] && grep -q '^MISMATCH' "$work/compare.out"; then
  echo "run-dmn-interop: the corrupted export was caught, as it must be"
  exit 0
fi
echo "run-dmn-interop: the corrupted export was NOT reported as mismatching (exit $rc)" >&2
exit 1
