#!/usr/bin/env bash
# Contact tracing benchmark: F1 + F2 of one case and of 10,000 cases, against
# a plain SQL self-join on the same SQLite database (bench/tracing_bench.c).
#
# Every run builds a fresh synthetic province: 2 million people, 20 million
# check-ins over 14 days (override with TRACING_PEOPLE, TRACING_CHECKINS,
# TRACING_DAYS, TRACING_CASES, TRACING_SQL_CASES, TRACING_THREADS).  `make
# bench` builds the driver optimised in build-bench/.
set -euo pipefail
cd "$(dirname "$0")/.."

PEOPLE=${TRACING_PEOPLE:-2000000}
CHECKINS=${TRACING_CHECKINS:-20000000}
DAYS=${TRACING_DAYS:-14}
CASES=${TRACING_CASES:-10000}
SQL_CASES=${TRACING_SQL_CASES:-20}
THREADS=${TRACING_THREADS:-$(nproc)}
BUILD=${BUILD:-build-bench}
DB=${TMPDIR:-/tmp}/cordon-bench-tracing-$$.db

BIN="$BUILD/bench/bench_tracing_bench"
[ -x "$BIN" ] || { echo "tracing: no $BIN (run make bench)"; exit 1; }

trap 'rm -f "$DB" "$DB-wal" "$DB-shm"' EXIT
echo "tracing: $PEOPLE people, $CHECKINS check-ins, $DAYS days, $CASES cases, $THREADS threads"
"$BIN" "$DB" "$PEOPLE" "$CHECKINS" "$DAYS" "$CASES" "$SQL_CASES" "$THREADS"
