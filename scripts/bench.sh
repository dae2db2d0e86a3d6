#!/usr/bin/env bash
# Run every executable bench/*.sh in name order. Benchmarks print figures and
# ratios; they are not tests and are not part of CI.
set -euo pipefail

cd "$(dirname "$0")/.."

shopt -s nullglob
found=0
for b in bench/*.sh; do
    [ -x "$b" ] || continue
    found=1
    echo "=== bench: $b ==="
    "$b"
done

if [ "$found" -eq 0 ]; then
    echo "bench: no benchmarks yet (bench/*.sh)"
fi
