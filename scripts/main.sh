#!/usr/bin/env bash
# The README's main command: install dependencies, build, then run the whole
# job on the ANEC protocol — check, test the worked examples, verify with Z3,
# compile to a decision table, and evaluate a sample patient with an
# explanation. Stops at the first step that fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CAREPATH_BUILD_DIR:-$root/build}
bash "$root/scripts/deps.sh"
bash "$root/scripts/build.sh" >/dev/null
carepath="$build/bin/carepath"
protocol="$root/protocols/anec.care"
table="$build/anec.table.json"
patient="$root/protocols/examples/typical-3yo-14kg.json"

bold="" plain=""
if [[ -t 1 && -z ${NO_COLOR:-} ]]; then bold=$'\033[1m' plain=$'\033[0m'; fi
step() { printf '\n%s== %s%s\n$ %s\n' "$bold" "$1" "$plain" "${*:2}"; "${@:2}"; }
step "Check: parse, names, types and units" "$carepath" check "$protocol"
echo "ok: no errors"
step "Test: run the worked examples" "$carepath" test "$protocol"
step "Verify: prove the protocol's properties with Z3" "$carepath" verify "$protocol"
step "Compile: the decision table downstream tools load" "$carepath" compile "$protocol" -o "$table"
echo "wrote $table ($(wc -c <"$table") bytes)"
step "Evaluate a sample patient on the compiled table" "$carepath" eval "$table" "$patient" --explain
