#!/usr/bin/env bash
# The long runs of the engine comparisons (docs/interop.md, "CQL/ELM"): each
# protocol in protocols/ exported to ELM and run by cql-execution over
# PATIENTS patients spread over its outcomes, against `carepath eval`;
# zero mismatches required. CI runs the short counts (tests/elm); this is
# the issue's 10,000-patient bar, about 2 min of CPU for ANEC, 3 for
# Kawasaki, 1 for status epilepticus.
#   scripts/engines-long.sh [PATIENTS [SEED]]      # default 10000, seed 20240607
# Builds carepath and installs the pinned npm packages into build/ (or
# $CAREPATH_BUILD_DIR) first, as the test command does. Exit 0 when every
# protocol agrees, 1 on a mismatch, 2 when a tool failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CAREPATH_BUILD_DIR:-$root/build}
patients=${1:-10000}
seed=${2:-20240607}
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build" -j 2 --target carepath
[[ -d "$build/interop/node_modules/cql-execution" ]] || npm ci --prefix "$build/interop" --no-audit --no-fund
status=0
for protocol in "$root"/protocols/*.care; do
  name=$(basename "$protocol" .care)
  [[ $name == *-as-published ]] && continue  # the unrevised text, kept for `carepath diff`
  python3 "$root/tests/elm/elm-compare.py" --carepath "$build/bin/carepath" --protocol "$protocol" \
    --interop "$build/interop" --n "$patients" --seed "$seed" --work "${TMPDIR:-/tmp}/carepath-elm-$name" ||
    status=$(( $? > status ? $? : status ))
done
exit $status
