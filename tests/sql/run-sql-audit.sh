#!/usr/bin/env bash
# `carepath audit` on a cohort table in SQLite or PostgreSQL (docs/cli.md,
# "audit"): loads tests/sql/fixtures/anec-cohort.csv into the engine
# (PostgreSQL: a private server initdb'd in WORK on a unix socket, started
# and stopped here), audits it with protocols/anec.care and checks the
# counts and deviations. Exit 77 when the engine's binaries are missing.
#
#   run-sql-audit.sh sqlite|postgres CAREPATH PROTOCOL COHORT.csv WORK
set -euo pipefail
engine=$1 carepath=$2 protocol=$3 cohort=$4 work=$5
rm -rf "$work"
mkdir -p "$work"
check() {
  # $1: the audit's text output. Six rows: one invalid (weight 500 kg), one
  # outside the population (30 years), three given first-line therapy.
  grep -q "6 patient(s), 1 invalid, 4 in the population" "$1"
  grep -q "tier immunotherapy.first_line: 3" "$1"
  grep -q "rule diagnostics.laboratory: 3" "$1"
  grep -q "2 deviation(s) from the protocol" "$1"
  grep -q "patient p2: methylprednisolone: a different amount (protocol: 420; got: 1000)" "$1"
  grep -q "patient p3: ivig: not given (protocol: 80000; got: NULL)" "$1"
}
columns=$(head -1 "$cohort")
case $engine in
  sqlite)
    command -v sqlite3 >/dev/null || { echo "sqlite3 is not installed: skipped"; exit 77; }
    sqlite3 "$work/cohort.sqlite" ".import --csv $cohort cohort"
    set +e
    "$carepath" audit "$protocol" --sqlite "$work/cohort.sqlite" --table cohort > "$work/audit.txt"
    rc=$?
    "$carepath" audit "$protocol" --sqlite "$work/cohort.sqlite" --table cohort --format=json > "$work/audit.json"
    set -e
    cat "$work/audit.txt"
    [ "$rc" -eq 1 ] || { echo "run-sql-audit: expected exit 1 (deviations), got $rc" >&2; exit 1; }
    check "$work/audit.txt"
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['deviationCount']==2 and d['invalid']==1, d" "$work/audit.json"
    # A table that is not there: a located error, exit 1.
    set +e
    "$carepath" audit "$protocol" --sqlite "$work/cohort.sqlite" --table nosuch > "$work/missing.txt" 2>&1
    rc=$?
    set -e
    [ "$rc" -eq 1 ] && grep -q "cannot read table 'nosuch'" "$work/missing.txt"
    ;;
  postgres)
    bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ] || ! command -v psql >/dev/null; then
      echo "PostgreSQL is not installed: skipped"; exit 77
    fi
    as=() server=$work
    # initdb refuses to run as root: the server then runs as `postgres`, in
    # a folder of its own under /tmp (every parent traversable).
    if [ "$(id -u)" -eq 0 ]; then
      as=(runuser -u postgres --)
      server=$(mktemp -d /tmp/carepath-pg-XXXXXX)
      chmod 777 "$server"
    fi
    "${as[@]}" "$bin/initdb" -D "$server/data" -A trust -U carepath --no-sync -E UTF8 > "$work/initdb.log"
    port=$((40000 + $$ % 20000))
    "${as[@]}" "$bin/pg_ctl" -D "$server/data" -w -l "$server/pg.log" \
      -o "-k $server -c listen_addresses='' -p $port -c fsync=off" start > /dev/null
    trap '"${as[@]}" "$bin/pg_ctl" -D "$server/data" -m fast -w stop > /dev/null; [ "$server" = "$work" ] || rm -rf "$server"' EXIT
    conn="host=$server port=$port user=carepath dbname=postgres"
    cols=$(echo "$columns" | sed 's/,/ TEXT, /g; s/$/ TEXT/')
    psql "$conn" -X -q -v ON_ERROR_STOP=1 -c "CREATE TABLE cohort ($cols)" \
      -c "\\copy cohort FROM '$cohort' WITH (FORMAT csv, HEADER)"
    set +e
    "$carepath" audit "$protocol" --postgres "$conn" --table cohort > "$work/audit.txt"
    rc=$?
    set -e
    cat "$work/audit.txt"
    [ "$rc" -eq 1 ] || { echo "run-sql-audit: expected exit 1 (deviations), got $rc" >&2; exit 1; }
    check "$work/audit.txt"
    ;;
esac
echo "run-sql-audit: $engine audit as expected"
