#!/usr/bin/env bash
# Issue 14's four verifier targets, measured as whole processes:
#   unique 2,000 rules (bench/gen_wide_unique.py), first 3,700 rules
#   (bench/gen_wide_first.py), synthetic 5,000 rules
#   (bench/gen_verify_protocol.py) and protocols/anec.care.
# Each input runs RUNS times, the inputs interleaved so that a burst of
# load on the machine spreads over all of them; prints the median wall
# time, the median CPU time (user + sys) and the peak resident set.
#   bench/targets_bench.sh BUILD_DIR [RUNS] [glibc]
# With a third argument `glibc`, every run is made twice, once with the
# linked allocator and once with glibc's malloc put first (LD_PRELOAD of
# libc.so.6), alternating, to measure what the allocator gives.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: targets_bench.sh BUILD_DIR [RUNS] [glibc]}
runs=${2:-11}
compare=${3:-}
carepath=$build/bin/carepath
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 "$root/bench/gen_wide_unique.py" 2000 >"$work/unique-2000.care"
python3 "$root/bench/gen_wide_first.py" 3700 >"$work/first-3700.care"
python3 "$root/bench/gen_verify_protocol.py" 5000 >"$work/synthetic-5000.care"
cp "$root/protocols/anec.care" "$work/anec.care"
inputs=(unique-2000 first-3700 synthetic-5000 anec)
variants=(linked)
[[ $compare == glibc ]] && variants+=(glibc)
libc=$(ldd "$carepath" | awk '/libc\.so\.6/ {print $3}')

for _ in $(seq "$runs"); do
  for input in "${inputs[@]}"; do
    for variant in "${variants[@]}"; do
      preload=
      [[ $variant == glibc ]] && preload=$libc
      # verify exits 1 when it refutes a property (unique-2000 has three
      # planted overlaps); the time is what is measured.
      LD_PRELOAD=$preload /usr/bin/time -f '%e %U %S %M' -o "$work/t" \
        "$carepath" verify "$work/$input.care" --format=json >/dev/null 2>&1 || true
      tail -n 1 "$work/t" >>"$work/$input.$variant"  # after "Command exited with ..."
    done
  done
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-16s %-7s %9s %9s %9s\n' input malloc 'wall s' 'cpu s' 'peak MiB'
for input in "${inputs[@]}"; do
  for variant in "${variants[@]}"; do
    f=$work/$input.$variant
    wall=$(awk '{print $1}' "$f" | median)
    cpu=$(awk '{print $2 + $3}' "$f" | median)
    mem=$(awk '{print $4}' "$f" | sort -n | tail -1)
    printf '%-16s %-7s %9.3f %9.3f %9.1f\n' "$input" "$variant" "$wall" "$cpu" "$(echo "$mem / 1024" | bc -l)"
  done
done
echo "($runs runs each; load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
