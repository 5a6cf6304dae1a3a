#!/usr/bin/env bash
# Verifier benchmark: synthetic protocols with N rules (N = 100, 500, 1000,
# 5000) and the ANEC protocol. Prints wall time and peak memory per run
# (GNU time), for docs/performance.md.
#   bench/verify_bench.sh BUILD_DIR [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: verify_bench.sh BUILD_DIR [RUNS]}
runs=${2:-5}
carepath=$build/bin/carepath
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() {  # name file
  local name=$1 file=$2 times=() mem=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$work/time" "$carepath" verify "$file" --format=json >"$work/out" 2>/dev/null || true
    read -r t m <"$work/time"
    times+=("$t")
    ((m > mem)) && mem=$m
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  local result
  result=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"])' "$work/out")
  printf '%-22s median %6.2f s  peak %7.1f MiB  (%s runs, result %s)\n' "$name" "$median" "$(echo "$mem / 1024" | bc -l)" "$runs" "$result"
}

measure "protocols/anec.care" "$root/protocols/anec.care"
for n in 100 500 1000 5000; do
  python3 "$root/bench/gen_verify_protocol.py" "$n" >"$work/synth-$n.care"
  measure "synthetic N=$n" "$work/synth-$n.care"
  "$carepath" verify "$work/synth-$n.care" --format=json --stats 2>&1 >/dev/null | sed 's/^/    /'
done
