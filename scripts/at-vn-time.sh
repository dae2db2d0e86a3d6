#!/usr/bin/env bash
# Runs a command with the clock moved to HH:MM in Việt Nam today, for tests
# that must pass at any hour (libfaketime, Debian package faketime).
#
#   scripts/at-vn-time.sh HH:MM COMMAND [ARG...]
#
# The command and every process it starts (the server, psql) see the moved
# clock, which keeps running. Chromium does not run under libfaketime: the
# browser test helper reads CORDON_TEST_CLOCK_OFFSET and shifts the pages'
# Date by the same number of seconds.
set -euo pipefail

[ $# -ge 2 ] || {
    echo "usage: $0 HH:MM COMMAND [ARG...]" >&2
    exit 2
}
at=$1
shift
[[ $at =~ ^([01][0-9]|2[0-3]):[0-5][0-9]$ ]] || {
    echo "at-vn-time: $at is not HH:MM" >&2
    exit 2
}
command -v faketime >/dev/null || {
    echo "at-vn-time: faketime is not installed (scripts/deps.sh installs it)" >&2
    exit 1
}

today=$(TZ=Asia/Ho_Chi_Minh date +%F)
target=$(date -d "$today $at +0700" +%s)
offset=$((target - $(date +%s)))
echo "at-vn-time: clock moved to $today $at in Việt Nam (${offset}s)"

# Monotonic clocks stay real: timeouts and durations must not jump.
export FAKETIME_DONT_FAKE_MONOTONIC=1
export CORDON_TEST_CLOCK_OFFSET=$offset
# libfaketime reads "+N" or "-N" as an offset from now; a bare number would be a date
sign=+
[ "$offset" -lt 0 ] && sign=
exec faketime -f "${sign}${offset}s" "$@"
