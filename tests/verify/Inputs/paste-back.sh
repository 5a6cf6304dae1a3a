#!/usr/bin/env bash
# Pastes every counterexample `carepath verify` prints for a protocol back
# into it and runs `carepath test` on the result (tests/verify/paste-back.test).
#   paste-back.sh CAREPATH PROTOCOL WORK.care
# Prints "blocks: N", then test's output (stdout and stderr) and its exit code.
set -uo pipefail
carepath=$1 protocol=$2 work=$3
"$carepath" verify "$protocol" 2>&1 | sed -n '/^  example "/,/^  }$/p' > "$work.blocks"
echo "blocks: $(grep -c '^  example "' "$work.blocks")"
cat "$protocol" "$work.blocks" > "$work"
"$carepath" test "$work" 2>&1
echo "test exit: $?"
