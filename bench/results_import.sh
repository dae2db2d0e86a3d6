#!/usr/bin/env bash
# Lab result import benchmark: 100,000 tube results covering 1,000,000 people in pools of 10,
# with propagation, against plain INSERTs measured in the same run. Prints figures; never fails
# on a timing, fails when setup breaks or a count is wrong.
#   BUILD=build-bench (the CMake build directory; `make bench` makes it optimised)
#   BENCH_DB=sqlite:/tmp/... or postgres://... (default: a fresh SQLite file, removed after)
#   BENCH_TUBES=100000 BENCH_POOL=10
#   BENCH_SMOKE=1: 300 tubes, well under a second
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-bench}
if [ "${BENCH_SMOKE:-0}" = 1 ]; then
    TUBES=${BENCH_TUBES:-300}
else
    TUBES=${BENCH_TUBES:-100000}
fi
POOL=${BENCH_POOL:-10}
BIN="$BUILD/bench/bench_results_import"
[ -x "$BIN" ] || { echo "results_import: no $BIN (run make bench)" >&2; exit 1; }
DIR=""
DB=${BENCH_DB:-}
if [ -z "$DB" ]; then
    DIR=$(mktemp -d)
    DB="sqlite:$DIR/bench.db"
    trap 'rm -rf "$DIR"' EXIT
fi
echo "results_import: $TUBES tubes x $POOL people, store ${DB%%:*}"
"$BIN" "$DB" "$TUBES" "$POOL"
