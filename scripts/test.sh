#!/usr/bin/env bash
# The README's test command: install dependencies, build, run every test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CAREPATH_BUILD_DIR:-$root/build}
bash "$root/scripts/deps.sh"
bash "$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure -j "$(nproc)"

# Second stage: the same ctest suite (unit tests and every lit test, the
# bad-input corpus and the mutation test included) built with ASan + UBSan
# (scripts/sanitize.sh, build-asan/), but the engine interop tests. The measured
# times are in docs/reliability.md. CAREPATH_SKIP_SANITIZE=1 skips it for a
# quick local run; CI never sets it.
if [[ ${CAREPATH_SKIP_SANITIZE:-0} != 1 ]]; then
  bash "$root/scripts/sanitize.sh"
fi
