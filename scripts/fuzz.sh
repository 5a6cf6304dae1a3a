#!/usr/bin/env bash
# Builds one libFuzzer target with clang-14 (ASan + UBSan) and runs it for
# SECONDS on its seed corpus (made from tests/, protocols/, stdlib/):
#   scripts/fuzz.sh frontend|verifier|table|patient SECONDS [extra libFuzzer flags]
# Build: $CAREPATH_FUZZ_BUILD_DIR (default build-fuzz/). The corpus grows in
# build-fuzz/corpus/TARGET across runs; crashes are written to
# build-fuzz/artifacts/TARGET/ (replay one: build-fuzz/tests/fuzz/fuzz_TARGET FILE).
# One process, one worker: the CI machine has two cores. docs/reliability.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${1:?usage: scripts/fuzz.sh frontend|verifier|table|patient SECONDS}
seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS}
shift 2
build=${CAREPATH_FUZZ_BUILD_DIR:-$root/build-fuzz}

case "$target" in
  frontend) limits=(-max_len=32768 -timeout=10) ;;   # the ANEC protocol is 25 KiB
  verifier) limits=(-max_len=4096 -timeout=30) ;;    # small protocols, 200 ms per property
  table)    limits=(-max_len=131072 -timeout=10) ;;  # the ANEC table is about 60 KiB
  patient)  limits=(-max_len=4096 -timeout=5) ;;
  *) echo "fuzz.sh: unknown target '$target' (frontend, verifier, table, patient)" >&2; exit 2 ;;
esac

if [[ ! -f "$build/build.ninja" ]]; then
  CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCAREPATH_FUZZ=ON -DCAREPATH_BUILD_TESTS=OFF -DCAREPATH_BUILD_BENCH=OFF
fi
# The table seeds are compiled by carepath: $CAREPATH_BIN if given (any
# build), else the fuzz build's own.
carepath=${CAREPATH_BIN:-$build/bin/carepath}
targets=("fuzz_$target")
[[ $target == table && -z ${CAREPATH_BIN:-} ]] && targets+=(carepath)
# CAREPATH_FUZZ_NO_BUILD=1 runs the target as already built.
[[ ${CAREPATH_FUZZ_NO_BUILD:-0} == 1 ]] || cmake --build "$build" -j 2 --target "${targets[@]}"

corpus=$build/corpus/$target seeds=$build/seeds/$target artifacts=$build/artifacts/$target
rm -rf "$seeds" && mkdir -p "$corpus" "$artifacts"
bash "$root/tests/fuzz/seed-corpus.sh" "$target" "$seeds" "$carepath"

# Leaks in the ANTLR runtime's static caches are not ours; everything else
# (overflows, use-after-free, UB) stops the run.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec "$build/tests/fuzz/fuzz_$target" "$corpus" "$seeds" -max_total_time="$seconds" -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 "${limits[@]}" "$@"
