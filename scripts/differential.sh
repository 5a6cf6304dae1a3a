#!/usr/bin/env bash
# The long run of the random-protocol differential test (docs/reliability.md):
#   scripts/differential.sh [PROTOCOLS [PATIENTS [SEED]]]     # default 200 x 1000 from seed 1
# Generates PROTOCOLS random protocols (seeds SEED, SEED+1, ...), runs each
# through the front end, the runtime and the verifier, and compares the IR
# evaluator with the runtime and with every verifier verdict on PATIENTS
# random patients, and the runtime's course-state flag with the verifier's
# reachable states read on the IR side (half the records on a course
# pathway in a state a course of random records produced; the summary's
# "course states" line counts them). Each disagreement is printed with the protocol's seed,
# its text (written under $CAREPATH_DIFF_OUT, default
# /tmp/carepath-differential) and the patient; `scripts/differential.sh 1
# PATIENTS SEED` replays that one protocol. Builds the binary into build/
# (or $CAREPATH_BUILD_DIR) unless CAREPATH_DIFF_NO_BUILD=1.
# Exit 0: only expected disagreements; 1: a new one; 2: a generator bug.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CAREPATH_BUILD_DIR:-$root/build}
protocols=${1:-200}
patients=${2:-1000}
seed=${3:-1}
if [[ ${CAREPATH_DIFF_NO_BUILD:-0} != 1 ]]; then
  if [[ ! -f "$build/build.ninja" ]]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  fi
  cmake --build "$build" -j 2 --target carepath_differential
fi
exec "$build/tests/differential/carepath_differential" "$protocols" "$patients" "$seed" \
  --out "${CAREPATH_DIFF_OUT:-/tmp/carepath-differential}"
