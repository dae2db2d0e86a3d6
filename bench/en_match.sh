#!/usr/bin/env bash
# Exposure notification matching benchmark: one phone's 14 days of observed
# RPIs against 1,000,000 diagnosis keys (bench/en_match.c), in keys per
# second against the bare HKDF-SHA256 + AES-128 work measured with OpenSSL in
# the same run.  The bar is 0.5 of that limit, the aim 0.8.
#
# Override with EN_KEYS, EN_OBSERVATIONS (default 40,320: 20 devices in range
# every 10 minutes for 14 days), EN_PLANTED, EN_SEED.  BENCH_SMOKE=1: 20,000
# keys, well under a second.  Fails when the hits are not exactly the planted
# ones, never on a timing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${BENCH_SMOKE:-0}" = 1 ]; then
    KEYS=${EN_KEYS:-20000}
else
    KEYS=${EN_KEYS:-1000000}
fi
OBS=${EN_OBSERVATIONS:-40320}
PLANTED=${EN_PLANTED:-50}
SEED=${EN_SEED:-16}
BUILD=${BUILD:-build-bench}

BIN="$BUILD/bench/bench_en_match"
[ -x "$BIN" ] || { echo "en_match: no $BIN (run make bench)" >&2; exit 1; }
"$BIN" "$KEYS" "$OBS" "$PLANTED" "$SEED"
