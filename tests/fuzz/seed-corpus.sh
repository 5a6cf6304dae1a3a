#!/usr/bin/env bash
# Writes the seed corpus of one fuzz target into OUTDIR from the files
# already in the repository (nothing here is committed):
#   seed-corpus.sh frontend|verifier|table|patient OUTDIR [CAREPATH_BINARY]
# `table` compiles the protocols with CAREPATH_BINARY (--no-verify) to get
# real tables to mutate.
set -euo pipefail
target=$1 out=$2 carepath=${3:-}
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
copy() { cp "$1" "$out/$(echo "$1" | sed "s|^$root/||; s|/|_|g")"; }
case "$target" in
  frontend)
    find "$root/tests" "$root/protocols" "$root/stdlib" -name '*.care' -not -path '*/fuzz/*' -print0 |
      while IFS= read -r -d '' f; do copy "$f"; done ;;
  verifier)
    # Small protocols only (the target skips inputs above 4 KiB).
    find "$root/tests" "$root/protocols" -name '*.care' -size -4k -print0 |
      while IFS= read -r -d '' f; do copy "$f"; done ;;
  table)
    [[ -x "$carepath" ]] || { echo "seed-corpus.sh: table seeds need the carepath binary" >&2; exit 2; }
    # Inputs fuzz_table crashed on (a number beyond a double escaped the
    # loader as nlohmann's out_of_range); tests/bad-input/table-number-overflow.test.
    printf '%s' '5e8395' > "$out/crash-number-overflow-1.json"
    printf '%s' '{"a": 1e999999}' > "$out/crash-number-overflow-2.json"
    for f in "$root"/protocols/*.care; do
      "$carepath" compile --no-verify "$f" -o "$out/$(basename "$f" .care).table.json" >/dev/null 2>&1 || true
    done
    for f in $(find "$root/tests" -name '*.care' -size -4k); do
      "$carepath" compile --no-verify "$f" -o "$out/$(echo "${f#$root/}" | tr / _).table.json" >/dev/null 2>&1 || true
    done ;;
  patient)
    find "$root/protocols" "$root/tests" -name '*.json' -path '*examples*' -print0 |
      while IFS= read -r -d '' f; do copy "$f"; done
    # The fuzz target's own inputs (tests/fuzz/FuzzPatient.cpp), written every way the format allows.
    printf '%s' '{"age": "3 years", "weight": {"value": 14.5, "unit": "kg"}, "ratio": "0.001 mg/kg", "count": 2, "fever": true, "consciousness": "coma"}' > "$out/inline-1.json"
    printf '%s' '{"age": {"value": 1.5e1, "unit": "h"}, "weight": "14350 g", "ratio": {"value": 0, "unit": "mg/kg"}, "count": 0, "fever": false, "consciousness": "alert"}' > "$out/inline-2.json"
    printf '%s' '{"age": "-1 years", "weight": "3 mL", "ratio": 7, "count": 2.5, "fever": "yes", "consciousness": "asleep", "extra": 1}' > "$out/inline-3.json"
    # The same numbers beyond a double as the table crash inputs (the reader
    # reported them in nlohmann's words); tests/bad-input/patient-huge-exponent.test.
    printf '%s' '5e8395' > "$out/number-overflow-1.json"
    printf '%s' '{"age": {"value": 1e999999, "unit": "h"}}' > "$out/number-overflow-2.json" ;;
  *) echo "seed-corpus.sh: unknown target '$target' (frontend, verifier, table, patient)" >&2; exit 2 ;;
esac
