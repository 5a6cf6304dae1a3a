#!/usr/bin/env bash
# Throughput of carepath's runtime against the independent DMN engine
# (dmn-moddle + feelin, tests/interop/bench-dmn.mjs) on the same table and
# the same patients, in one run. docs/performance.md (DMN section) records
# the figures.
#
#   bench/dmn_vs_runtime.sh [BUILD_DIR] [PATIENTS] [PROTOCOL]
#
# BUILD_DIR must hold bin carepath and interop/node_modules (run the ctest
# fixture `interop_npm_ci` once). One decision = one decision table (pathway
# or table) evaluated for one patient. carepath is timed as
# `carepath eval TABLE --patients FILE.jsonl --format=jsonl`, end to end: process
# start, table load, reading every patient line, evaluating, writing one JSON
# line per patient (best of 3 runs). The JS engine is timed in-process after
# loading (bench-dmn.mjs): no-memo is the engine's own speed; memo caches
# FEEL results per (text, referenced values).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
n=${2:-10000}
protocol=${3:-$root/protocols/anec.care}
carepath=$build/bin/carepath
[ -x "$carepath" ] || carepath=$(find "$build" -maxdepth 3 -name carepath -type f -perm -u+x | head -1)
interop=$build/interop
if [ ! -d "$interop/node_modules" ]; then
  echo "dmn_vs_runtime: $interop/node_modules missing: run 'ctest --test-dir $build -R interop_npm_ci' first" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$carepath" compile "$protocol" --no-verify -o "$work/table.json"
"$carepath" compile "$protocol" --no-verify --target dmn -o "$work/model.dmn"
# Generates the patients and checks that both engines agree on them.
node "$interop/dmn-compare.mjs" --table "$work/table.json" --dmn "$work/model.dmn" --carepath "$carepath" \
  --n "$n" --seed 7 --work "$work"
decisions_per_patient=$(grep -c '<decision ' "$work/model.dmn")

best=""
for _ in 1 2 3; do
  start=$(date +%s.%N)
  "$carepath" eval "$work/table.json" --patients "$work/patients.carepath.jsonl" --format=jsonl --allow-unverified > /dev/null
  end=$(date +%s.%N)
  t=$(echo "$end - $start" | bc -l)
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
done
cp_rate=$(echo "$n * $decisions_per_patient / $best" | bc -l)

js=$(node "$interop/bench-dmn.mjs" --mode both --min-seconds 3 "$work/model.dmn" "$work/patients.dmn.jsonl")
nomemo=$(echo "$js" | grep '^{' | grep '"no-memo"' | sed 's/.*"decisions_per_second":\([0-9.e+]*\).*/\1/')
memo=$(echo "$js" | grep '^{' | grep '"mode":"memo"' | sed 's/.*"decisions_per_second":\([0-9.e+]*\).*/\1/')

printf 'protocol %s: %d patients x %d decisions\n' "$(basename "$protocol")" "$n" "$decisions_per_patient"
printf 'carepath runtime (eval --patients, end to end, best of 3): %.0f decisions/s (%.3f s)\n' "$cp_rate" "$best"
printf 'dmn-moddle + feelin, no-memo:                             %.0f decisions/s\n' "$nomemo"
printf 'dmn-moddle + feelin, memo:                                %.0f decisions/s\n' "$memo"
printf 'ratio carepath / JS no-memo: %.1fx; carepath / JS memo: %.1fx\n' \
  "$(echo "$cp_rate / $nomemo" | bc -l)" "$(echo "$cp_rate / $memo" | bc -l)"
