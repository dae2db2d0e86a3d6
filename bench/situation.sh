#!/usr/bin/env bash
# Situation reporting: GET /api/v1/situation for the nation, a province (Hà Nội) and a commune
# (Phúc Xá), timed from the client (p50, p99 over REQUESTS calls each), against the same figures
# computed by plain SQL over the raw tables (sqlite3, its own connection) in the same run: the
# figures, which the server reads from the counts, must agree.  The synthetic nation is loaded
# without the counting triggers and counted by `cordon situation rebuild` (timed), which remakes
# them; tests/api/situation-counters.test.js checks that triggers and rebuild agree.
#
# Builds a fresh SQLite database with `cordon demo` (a week of cases in three districts of Hà Nội,
# testing, vaccination, quarantine) plus a synthetic nation: PEOPLE people and CHECKINS check-ins
# over DAYS days spread over every commune (`cordon demo --people --checkins --days --place VN`),
# then samples, cases, contacts, quarantine orders, declarations, feedback and doses at 2021
# proportions (bench/situation-nation.sql).  The default is a tenth of the nation the goal names
# (1 million people, 10 million check-ins); SITUATION_PEOPLE=10000000 SITUATION_CHECKINS=100000000
# is the whole of it.  Override with SITUATION_PEOPLE, SITUATION_CHECKINS, SITUATION_DAYS,
# SITUATION_REQUESTS, SITUATION_PLACE (a unit instead of VN: no nation SQL).  BENCH_SMOKE=1: 2,000
# people, 20,000 check-ins, 50 requests per unit, seconds.  SITUATION_DIR=path keeps the loaded
# and counted database there, and a later run with the same path reuses it (loading the whole
# nation takes most of an hour).  Fails on a setup error or when the figures differ, never on a
# timing; on a failure the server's log is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${BENCH_SMOKE:-0}" = 1 ]; then
    PEOPLE=${SITUATION_PEOPLE:-2000}
    CHECKINS=${SITUATION_CHECKINS:-20000}
    REQUESTS=${SITUATION_REQUESTS:-50}
else
    PEOPLE=${SITUATION_PEOPLE:-1000000}
    CHECKINS=${SITUATION_CHECKINS:-10000000}
    REQUESTS=${SITUATION_REQUESTS:-1000}
fi
DAYS=${SITUATION_DAYS:-14}
PLACE=${SITUATION_PLACE:-VN}
BUILD=${BUILD:-build-bench}
CORDON=${CORDON_BIN:-$BUILD/cordon}
KEEP=${SITUATION_DIR:-}
if [ -n "$KEEP" ]; then mkdir -p "$KEEP"; DIR=$KEEP; else DIR=$(mktemp -d "${TMPDIR:-/tmp}/cordon-bench-situation.XXXXXX"); fi
DB=$DIR/bench.db
PID=

[ -x "$CORDON" ] || { echo "situation: no $CORDON" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "situation: sqlite3 is needed for the SQL reference" >&2; exit 1; }

cleanup() {
    local rc=$?
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    if [ "$rc" != 0 ] && [ -s "$DIR/serve.log" ]; then echo "situation: the server's log:" >&2; tail -n 40 "$DIR/serve.log" >&2; fi
    [ -n "$KEEP" ] || rm -rf "$DIR"
}
trap cleanup EXIT

# The key that seals personal data is kept with a kept database (the demo's rows are sealed with it).
[ -z "$KEEP" ] || [ -f "$DIR/kek" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DIR/kek"
[ -z "$KEEP" ] || CORDON_KEK=$(cat "$DIR/kek")
export CORDON_KEK=${CORDON_KEK:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}

if [ -n "$KEEP" ] && [ -f "$DIR/loaded" ]; then
echo "situation: the database loaded and counted in $DIR"
"$CORDON" migrate --db "sqlite:$DB" >/dev/null # to this binary's schema
PASSWORD=$(sed -n 's/^Admin login: admin \/ //p' "$DIR/demo.out")
else
rm -f "$DB" "$DB-wal" "$DB-shm"
echo "situation: demo data plus $PEOPLE people, $CHECKINS check-ins over $DAYS days in $PLACE; $REQUESTS requests per unit"
t0=$(date +%s.%N)
"$CORDON" migrate --db "sqlite:$DB" >/dev/null
"$CORDON" demo --db "sqlite:$DB" >"$DIR/demo.out" 2>"$DIR/demo.err" || { cat "$DIR/demo.err" >&2; exit 1; }
P0=$(( $(sqlite3 "$DB" "SELECT COALESCE(MAX(id), 0) FROM persons") + 1 ))
# The synthetic nation is loaded without the counting triggers (a bulk load, not the writes the
# triggers are for); `cordon situation rebuild` below counts it and remakes them.
sqlite3 "$DB" "SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_master WHERE type = 'trigger'
    AND name LIKE 'situation_count_%'" | sqlite3 "$DB"
"$CORDON" demo --db "sqlite:$DB" --people "$PEOPLE" --checkins "$CHECKINS" --days "$DAYS" --place "$PLACE" \
    >"$DIR/demo.out" 2>"$DIR/demo.err" || { cat "$DIR/demo.err" >&2; exit 1; }
PASSWORD=$(sed -n 's/^Admin login: admin \/ //p' "$DIR/demo.out")
if [ "$PLACE" = VN ]; then
    sqlite3 "$DB" "CREATE TEMP TABLE k AS SELECT $(date +%s) AS now, $P0 AS p0, $PEOPLE AS n, $PEOPLE / 10000000.0 AS scale;" \
        ".read bench/situation-nation.sql" || exit 1
    sqlite3 "$DB" "SELECT 'rows: ' || (SELECT COUNT(*) FROM testing_samples) || ' samples, ' || (SELECT COUNT(*) FROM cases)
        || ' cases, ' || (SELECT COUNT(*) FROM tracing_contacts) || ' contacts, ' || (SELECT COUNT(*) FROM quarantine_orders)
        || ' orders, ' || (SELECT COUNT(*) FROM declarations) || ' declarations, ' || (SELECT COUNT(*) FROM vaccine_doses)
        || ' doses, ' || (SELECT COUNT(*) FROM checkins) || ' check-ins'"
fi
echo "load: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
t0=$(date +%s.%N)
"$CORDON" situation rebuild --db "sqlite:$DB" 2>/dev/null >"$DIR/rebuild.out"
echo "rebuild: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s, $(cat "$DIR/rebuild.out")"
touch "$DIR/loaded"
fi

PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
"$CORDON" serve --db "sqlite:$DB" --listen "127.0.0.1:$PORT" 2>"$DIR/serve.log" &
PID=$!
for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    kill -0 "$PID" 2>/dev/null || { cat "$DIR/serve.log" >&2; exit 1; }
    sleep 0.1
done
# Timed once the contact index is built (a server that has run for a while has it): at the
# whole nation the build reads 100 million check-ins and takes a core for minutes.
t0=$(date +%s)
until curl -fs "http://127.0.0.1:$PORT/metrics" | grep -q '^cordon_tracing_index_ready 1$'; do
    kill -0 "$PID" 2>/dev/null || { echo "situation: the server stopped" >&2; exit 1; }
    [ $(( $(date +%s) - t0 )) -lt 3600 ] || { echo "situation: the contact index was not built in an hour" >&2; exit 1; }
    sleep 1
done
echo "contact index: built in $(( $(date +%s) - t0 )) s after the server answered"

node bench/situation.js "http://127.0.0.1:$PORT" "$PASSWORD" "$REQUESTS" "$DB"
