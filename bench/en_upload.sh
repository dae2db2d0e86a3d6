#!/usr/bin/env bash
# Does an upload of 10,000 exposure keys a minute slow the check-in path?  Check-ins per
# second and their p50/p99 alone and while phones upload keys at that rate through the whole
# verification flow (bench/en_upload.js, a real server on SQLite).  EN_UPLOAD_SECONDS (15),
# EN_UPLOAD_CONNECTIONS (16); BENCH_SMOKE=1: 2 seconds, 4 connections.  Fails on a refused
# request or a wrong key count, never on a timing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${BENCH_SMOKE:-0}" = 1 ]; then
    secs=${EN_UPLOAD_SECONDS:-2}
    conns=${EN_UPLOAD_CONNECTIONS:-4}
else
    secs=${EN_UPLOAD_SECONDS:-15}
    conns=${EN_UPLOAD_CONNECTIONS:-16}
fi
export CORDON_BIN=${CORDON_BIN:-${BUILD:-build-bench}/cordon}
[ -x "$CORDON_BIN" ] || { echo "en_upload: no $CORDON_BIN (run make bench)" >&2; exit 1; }
echo "en_upload: $secs s each, $conns connections"
node bench/en_upload.js "$secs" "$conns"
