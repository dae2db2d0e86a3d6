#!/usr/bin/env bash
# Lab result import benchmark: 100,000 tube results covering 1,000,000 people in pools of 10,
# with propagation, against plain INSERTs measured in the same run. Prints figures; never fails
# on a timing.
#   BUILD=build-bench (the CMake build directory; `make bench` makes it optimised)
#   BENCH_DB=sqlite:/tmp/... or postgres://... (default: a fresh SQLite file, removed after)
#   BENCH_TUBES=100000 BENCH_POOL=10
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-bench}
TUBES=${BENCH_TUBES:-100000}
POOL=${BENCH_POOL:-10}
BIN="$BUILD/bench/bench_results_import"
[ -x "$BIN" ] || { echo "results_import: no $BIN (run make bench)"; exit 1; }
DIR=""
DB=${BENCH_DB:-}
if [ -z "$DB" ]; then
    DIR=$(mktemp -d)
    DB="sqlite:$DIR/bench.db"
    trap 'rm -rf "$DIR"' EXIT
fi
echo "results_import: $TUBES tubes x $POOL people, store ${DB%%:*}"
"$BIN" "$DB" "$TUBES" "$POOL"
