#!/usr/bin/env bash
# Lab result import benchmark: 100,000 tube results covering 1,000,000 people in pools of 10,
# with propagation, against plain INSERTs measured in the same run. Prints figures; never fails
# on a timing.
#   BUILD=build (the CMake build directory with libcordon_lib.a)
#   BENCH_DB=sqlite:/tmp/... or postgres://... (default: a fresh SQLite file, removed after)
#   BENCH_TUBES=100000 BENCH_POOL=10
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
TUBES=${BENCH_TUBES:-100000}
POOL=${BENCH_POOL:-10}
[ -f "$BUILD/libcordon_lib.a" ] || { echo "results_import: build first (no $BUILD/libcordon_lib.a)"; exit 1; }
BIN="$BUILD/bench_results_import"
PKGS="libmicrohttpd jansson sqlite3 libpq libsodium libqrencode cairo libzip zlib libxml-2.0"
if [ ! -x "$BIN" ] || [ bench/results_import.c -nt "$BIN" ] || [ "$BUILD/libcordon_lib.a" -nt "$BIN" ]; then
    cc -std=c17 -O2 -D_GNU_SOURCE -Isrc bench/results_import.c "$BUILD/libcordon_lib.a" \
        $(pkg-config --cflags --libs $PKGS) -lpthread -lm -o "$BIN"
fi
DIR=""
DB=${BENCH_DB:-}
if [ -z "$DB" ]; then
    DIR=$(mktemp -d)
    DB="sqlite:$DIR/bench.db"
    trap 'rm -rf "$DIR"' EXIT
fi
echo "results_import: $TUBES tubes x $POOL people, store ${DB%%:*}"
"$BIN" "$DB" "$TUBES" "$POOL"
