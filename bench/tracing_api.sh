#!/usr/bin/env bash
# Contact tracing through the API: POST /api/v1/tracing/runs against a running
# `cordon serve` whose live contact index holds every check-in, timed from the
# client (HTTP, sign-in check, the trace, the run queued durably; its contacts
# and orders are written behind the answer by the server's run writer, timed
# too), against a plain SQL self-join of the same cases on its own connection,
# in the same run.
#
# Builds a fresh SQLite database (bench/tracing_api.c load): 2 million people,
# 20 million check-ins over 14 days, then ONE + BATCH confirmed cases.  Starts
# the server, waits for its index (built in the background), then
# bench/tracing_api.js times ONE one-case calls (p50, p99; then the same cases
# again) and BATCH cases in requests of 500, two in flight, each phase
# followed by the time the run writer takes to catch up; the
# reference traces SQL_CASES of the one-case calls' cases with one statement
# each (bench/tracing_api.c sql) and must find the same F1 and F2.  Override
# with TRACING_PEOPLE, TRACING_CHECKINS, TRACING_DAYS, TRACING_ONE,
# TRACING_BATCH, TRACING_SQL_CASES.  BENCH_SMOKE=1: 2,000 people, 20,000
# check-ins, 20 + 100 cases, seconds.  Fails on a setup error or when the
# counts differ, never on a timing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${BENCH_SMOKE:-0}" = 1 ]; then
    PEOPLE=${TRACING_PEOPLE:-2000}
    CHECKINS=${TRACING_CHECKINS:-20000}
    ONE=${TRACING_ONE:-20}
    BATCH=${TRACING_BATCH:-100}
    SQL_CASES=${TRACING_SQL_CASES:-10}
else
    PEOPLE=${TRACING_PEOPLE:-2000000}
    CHECKINS=${TRACING_CHECKINS:-20000000}
    ONE=${TRACING_ONE:-1000}
    BATCH=${TRACING_BATCH:-10000}
    SQL_CASES=${TRACING_SQL_CASES:-20}
fi
DAYS=${TRACING_DAYS:-14}
BUILD=${BUILD:-build-bench}
CORDON=${CORDON_BIN:-$BUILD/cordon}
DRIVER="$BUILD/bench/bench_tracing_api"
DIR=$(mktemp -d "${TMPDIR:-/tmp}/cordon-bench-tracing-api.XXXXXX")
DB=$DIR/bench.db
PID=

[ -x "$DRIVER" ] || { echo "tracing_api: no $DRIVER (run make bench)" >&2; exit 1; }
[ -x "$CORDON" ] || { echo "tracing_api: no $CORDON" >&2; exit 1; }

cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$DIR"
}
trap cleanup EXIT

echo "tracing_api: $PEOPLE people, $CHECKINS check-ins, $DAYS days; $ONE one-case calls, $BATCH cases in batches"
t0=$(date +%s.%N)
read -r _ FIRST _ < <("$DRIVER" load "$DB" "$PEOPLE" "$CHECKINS" "$DAYS" $((ONE + BATCH)))
echo "load: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s (first case $FIRST)"

PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
export CORDON_KEK=${CORDON_KEK:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
"$CORDON" serve --db "sqlite:$DB" --listen "127.0.0.1:$PORT" 2>"$DIR/serve.log" &
PID=$!
for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    kill -0 "$PID" 2>/dev/null || { cat "$DIR/serve.log" >&2; exit 1; }
    sleep 0.1
done

node bench/tracing_api.js "http://127.0.0.1:$PORT" "$FIRST" "$ONE" "$BATCH" "$DIR/counts" "$SQL_CASES" "$PID" \
    | tee "$DIR/api.out"
kill "$PID"
wait "$PID" || true
PID=
# Inside the server's run writer, for the first run of each one-case call: its trace (index) and its write.
split() {
    grep 'msg="run written"' "$DIR/serve.log" | head -n "$ONE" | grep -o "$1_ms=[0-9.]*" | cut -d= -f2 | sort -g |
        awk '{ v[NR] = $1 } END { if (NR) printf "%.3f", v[int(NR / 2) + 1]; else print "?" }'
}
rc=0
"$DRIVER" sql "$DB" "$DIR/counts" | tee "$DIR/sql.out" || rc=$?
get() { awk -v k="$1" '$1 == k { print $2 }' "$DIR/api.out" "$DIR/sql.out"; }
echo "one case through the API: p50 $(get api_one_p50_ms) ms, p99 $(get api_one_p99_ms) ms (first run);" \
    "again p50 $(get api_again_p50_ms) ms, p99 $(get api_again_p99_ms) ms; mean F1 $(get api_mean_f1), F2 $(get api_mean_f2)"
echo "  written behind the answers by the run writer: first runs $(get api_one_written_s) s after the first call," \
    "$(get api_one_write_ms) ms a run (p50: trace $(split trace) ms, write $(split write) ms); repeated runs" \
    "$(get api_again_written_s) s, $(get api_again_write_ms) ms a run"
echo "SQL self-join, one case: p50 $(get sql_p50_ms) ms, p99 $(get sql_p99_ms) ms" \
    "(same F1 and F2 on $(get sql_agree) of $(get sql_cases) cases)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }'; }
echo "ratio one case (p50): the self-join takes $(ratio "$(get sql_p50_ms)" "$(get api_one_p50_ms)")x the time of a first" \
    "API run, $(ratio "$(get sql_p50_ms)" "$(get api_again_p50_ms)")x that of a repeated one," \
    "$(ratio "$(get sql_p50_ms)" "$(split trace)")x that of the trace inside the server"
echo "$BATCH cases through the API: $(get api_batch_s) s; the self-join, estimated from its mean:" \
    "$(awk -v m="$(get sql_mean_ms)" -v n="$BATCH" 'BEGIN { printf "%.1f", m * n / 1000 }') s"
echo "  written behind the answers: all $(get api_batch_written_s) s after the first request, $(get api_batch_write_ms) ms a run"
echo "index memory: $(awk -v b="$(get index_bytes)" 'BEGIN { printf "%.1f", b / 1e6 }') MB; server RSS $(get server_rss_mb) MB, peak $(get server_peak_mb) MB"
if [ "$rc" -ne 0 ]; then
    echo "tracing_api: the API and the self-join disagree" >&2
    exit 1
fi
