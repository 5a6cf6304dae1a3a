#!/usr/bin/env bash
# Verifier benchmark on wide tables (docs/performance.md, "Wide tables"):
# one `unique` table over 20 integer inputs (bench/gen_wide_unique.py) and
# one `first` table over 8 inputs (bench/gen_wide_first.py), at each size.
# Prints wall and CPU time, peak memory, the result, the --stats line and
# the load average at the start of the run (the machine may be shared).
#   bench/wide_bench.sh BUILD_DIR [SIZES...]    (default 250 500 1000 2000 3700)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: wide_bench.sh BUILD_DIR [SIZES...]}
shift
sizes=("$@")
((${#sizes[@]})) || sizes=(250 500 1000 2000 3700)
carepath=$build/bin/carepath
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for shape in unique first; do
  for n in "${sizes[@]}"; do
    file=$work/wide-$shape-$n.care
    python3 "$root/bench/gen_wide_$shape.py" "$n" >"$file"
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$carepath" verify "$file" --format=json --stats \
      >"$work/out" 2>"$work/err" || true
    read -r wall user sys mem < <(tail -n 1 "$work/time")  # after "Command exited with non-zero status"
    result=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"])' "$work/out")
    printf '%-6s N=%-5s wall %7.2f s  cpu %7.2f s  peak %7.1f MiB  result %-8s load %s\n' "$shape" "$n" "$wall" \
      "$(echo "$user + $sys" | bc -l)" "$(echo "$mem / 1024" | bc -l)" "$result" "$load"
    grep '^stats:' "$work/err" | sed 's/^/    /'
  done
done
