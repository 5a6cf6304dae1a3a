#!/usr/bin/env bash
# The sanitizer suite: builds carepath with AddressSanitizer and
# UndefinedBehaviorSanitizer (GCC, CAREPATH_SANITIZE=ON) into build-asan/ (or
# $CAREPATH_SANITIZE_BUILD_DIR) and runs the ctest suite there but the tests
# labelled "engines" (engines we did not write: the DMN, SQL, LSP-client and
# browser tests, cvc5's cross-check; the normal stage runs them) or "docs"
# (the docs' code blocks, whose commands the lit tests run too): the unit
# tests, every lit test, the C API, conformance and install tests, so every
# command the lit suite runs is checked for memory errors, leaks and
# undefined behaviour. Any report fails the run. scripts/test.sh runs it
# after the normal tests; docs/reliability.md. CAREPATH_SANITIZE_ALL=1 runs
# the engine tests too.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CAREPATH_SANITIZE_BUILD_DIR:-$root/build-asan}
# -O1 -g1 (line tables: stack traces keep file and line): half the compile
# time of -O2 -g under the sanitizers (docs/reliability.md, "CI time").
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DCAREPATH_SANITIZE=ON -DCAREPATH_BUILD_BENCH=OFF
cmake --build "$build" -j "$(nproc)"
# halt_on_error: a UBSan report is a failure, not a warning.
# malloc_context_size=5: an allocation's stack kept to 5 frames (30 by
# default): a quarter less time in the allocation-heavy commands (verify on
# ANEC makes 1.9 million allocations); every error is still found, and its
# report still has the whole stack of the faulting access. Rerun with a
# larger value for the allocating call's full stack.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1:malloc_context_size=5}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$build"
if [[ ${CAREPATH_SANITIZE_ALL:-0} == 1 ]]; then
  ctest --output-on-failure -j "$(nproc)"
else
  ctest --output-on-failure -j "$(nproc)" --label-exclude 'engines|docs'
fi
