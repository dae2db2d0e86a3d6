#!/usr/bin/env bash
# Run every executable bench/*.sh in name order, against the build in $BUILD
# (default build-bench; its cordon and bench/bench_* drivers).
#
#   scripts/bench.sh            full sizes: figures and ratios (make bench)
#   scripts/bench.sh --smoke    every benchmark at a size that runs in seconds
#                               (BENCH_SMOKE=1), so a broken one fails the tests;
#                               bench/connections.js (by hand otherwise) too
#
# A benchmark fails on a setup error, a wrong count or a crash, never on a
# timing.  All of them run; the exit status is 1 when any failed.
set -euo pipefail

cd "$(dirname "$0")/.."

case "${1:-}" in
--smoke) export BENCH_SMOKE=1 ;;
"") ;;
*)
    echo "usage: $0 [--smoke]" >&2
    exit 2
    ;;
esac
export BUILD=${BUILD:-build-bench}
export CORDON_BIN=${CORDON_BIN:-$BUILD/cordon}

shopt -s nullglob
found=0
failed=()
for b in bench/*.sh; do
    [ -x "$b" ] || continue
    found=1
    echo "=== bench: $b ==="
    "$b" || failed+=("$b")
done
# bench/connections.js runs by hand at full size (10,000 connections); at smoke size here.
if [ "${BENCH_SMOKE:-0}" = 1 ] && [ -f bench/connections.js ]; then
    echo "=== bench: bench/connections.js ==="
    node bench/connections.js || failed+=(bench/connections.js)
fi

if [ "$found" -eq 0 ]; then
    echo "bench: no benchmarks yet (bench/*.sh)"
fi
if [ "${#failed[@]}" -gt 0 ]; then
    echo "bench: FAILED: ${failed[*]}" >&2
    exit 1
fi
