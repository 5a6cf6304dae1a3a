#!/usr/bin/env bash
# `carepath diff` benchmark (docs/performance.md): the ANEC pair and a
# synthetic pair of N = 5,000 rules (bench/gen_verify_protocol.py) with one
# edit each: a threshold moved in one rule, and no edit at all (every outcome
# identical). Prints wall time and peak memory (GNU time) and the summary.
#   bench/diff_bench.sh BUILD_DIR [N]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: diff_bench.sh BUILD_DIR [N]}
n=${2:-5000}
carepath=$build/bin/carepath
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() {  # name old new
  local rc=0
  /usr/bin/time -f '%e %M' -o "$work/time" "$carepath" diff "$2" "$3" -q --stats >"$work/out" 2>"$work/err" || rc=$?
  read -r t m < <(tail -n 1 "$work/time")
  printf '%-34s %6.2f s  peak %7.1f MiB  exit %s\n' "$1" "$t" "$(echo "$m / 1024" | bc -l)" "$rc"
  sed 's/^/    /' "$work/out"
  grep '^stats:' "$work/err" | sed 's/^/    /'
}

measure "protocols/anec (published -> ours)" "$root/protocols/anec-as-published.care" "$root/protocols/anec.care"
python3 "$root/bench/gen_verify_protocol.py" "$n" >"$work/old.care"
# One threshold moved: the first rule named d0 (of a `collect` table) now tests 300 h.
sed '0,/rule d0 when \([a-z0-9]*\) \(<=\|>=\) \([0-9]*\) h/s//rule d0 when \1 \2 300 h/' "$work/old.care" >"$work/new.care"
if cmp -s "$work/old.care" "$work/new.care"; then echo "the edit did not apply" >&2; exit 1; fi
measure "synthetic N=$n, one threshold moved" "$work/old.care" "$work/new.care"
measure "synthetic N=$n, unchanged" "$work/old.care" "$work/old.care"
