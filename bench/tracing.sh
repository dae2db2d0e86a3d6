#!/usr/bin/env bash
# Contact tracing benchmark: F1 + F2 of one case and of 10,000 cases, against
# a plain SQL self-join on the same SQLite database (bench/tracing_bench.c).
#
# Every run builds a fresh synthetic province: 2 million people, 20 million
# check-ins over 14 days (override with TRACING_PEOPLE, TRACING_CHECKINS,
# TRACING_DAYS, TRACING_CASES, TRACING_SQL_CASES, TRACING_THREADS).  `make
# bench` builds the driver optimised in build-bench/.  BENCH_SMOKE=1: 5,000
# people, 50,000 check-ins, 200 cases, about a second.  Fails when the engine
# and the self-join disagree or the counts are wrong, never on a timing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${BENCH_SMOKE:-0}" = 1 ]; then
    PEOPLE=${TRACING_PEOPLE:-5000}
    CHECKINS=${TRACING_CHECKINS:-50000}
    CASES=${TRACING_CASES:-200}
    SQL_CASES=${TRACING_SQL_CASES:-5}
else
    PEOPLE=${TRACING_PEOPLE:-2000000}
    CHECKINS=${TRACING_CHECKINS:-20000000}
    CASES=${TRACING_CASES:-10000}
    SQL_CASES=${TRACING_SQL_CASES:-20}
fi
DAYS=${TRACING_DAYS:-14}
THREADS=${TRACING_THREADS:-$(nproc)}
BUILD=${BUILD:-build-bench}
DB=${TMPDIR:-/tmp}/cordon-bench-tracing-$$.db

BIN="$BUILD/bench/bench_tracing_bench"
[ -x "$BIN" ] || { echo "tracing: no $BIN (run make bench)" >&2; exit 1; }

trap 'rm -f "$DB" "$DB-wal" "$DB-shm"' EXIT
echo "tracing: $PEOPLE people, $CHECKINS check-ins, $DAYS days, $CASES cases, $THREADS threads"
"$BIN" "$DB" "$PEOPLE" "$CHECKINS" "$DAYS" "$CASES" "$SQL_CASES" "$THREADS"
