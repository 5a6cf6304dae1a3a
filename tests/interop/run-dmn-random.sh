#!/usr/bin/env bash
# The DMN interop test over random protocols (tests/differential's
# generator: optional inputs, counting, `if`, `known`, comparisons between
# inputs, numeric defines, every hit policy): for each seed, the protocol
# is printed and run-dmn-interop.sh compares its DMN export, evaluated by
# dmn-moddle + feelin, with carepath on N patients.
#
#   run-dmn-random.sh GENERATOR CAREPATH INTEROP_DIR WORK N SEED...
set -euo pipefail
generator=$1 carepath=$2 interop=$3 work=$4 n=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
for seed in "$@"; do
  "$generator" --print "$seed" > "$work/random-$seed.care"
  echo "seed $seed:"
  bash "$here/run-dmn-interop.sh" "$carepath" "$interop" "$work/random-$seed.care" "$work/$seed" "$n"
done
