#!/usr/bin/env bash
# End-to-end batch throughput (docs/performance.md, "Batch"): `carepath eval
# --patients` on N random patients of bench/gen_patients.py, for ANEC and
# the 3,700-rule `first` table, from the JSON table and the compact one;
# best of 3 runs, the rate as the command prints it (standard error).
#   bench/batch_bench.sh BUILD_DIR [N]
set -euo pipefail
build=${1:?usage: batch_bench.sh BUILD_DIR [N]}
n=${2:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
carepath=$build/bin/carepath
"$carepath" compile --no-verify "$here/../protocols/anec.care" -o "$work/anec.json"
python3 "$here/gen_wide_first.py" 3700 1 > "$work/wf.care"
"$carepath" compile --no-verify "$work/wf.care" -o "$work/wf.json"
for t in anec wf; do
  "$carepath" eval "$work/$t.json" --allow-unverified --write-compact "$work/$t.ctab"
  python3 "$here/gen_patients.py" "$work/$t.json" "$n" 1 --plain > "$work/$t.jsonl"
  for table in "$work/$t.json" "$work/$t.ctab"; do
    for run in 1 2 3; do
      /usr/bin/time -f "  $(basename "$table") run $run: %e s wall, %U s user, %S s sys, %M KiB" \
        "$carepath" eval "$table" --allow-unverified --patients "$work/$t.jsonl" 2>&1 >/dev/null | sed 's/^/  /'
    done
  done
  echo "$t: $(wc -c < "$work/$t.jsonl") bytes of patients; output line sizes:" \
    "$("$carepath" eval "$work/$t.json" --allow-unverified --patients "$work/$t.jsonl" 2>/dev/null | head -100000 | wc -c) bytes per 100,000 lines"
done
