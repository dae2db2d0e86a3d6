#!/usr/bin/env bash
# Run every test suite against one build, failing fast.
#
#   scripts/test-all.sh BUILD_DIR
#
# Stages, in order (a pair joined by "|" runs side by side):
#   unit      ctest in BUILD_DIR
#   bench     every benchmark at its smoke size (fails only when one breaks)
#   api | api-pg          tests/api on SQLite | on a throwaway PostgreSQL
#   browser | browser-pg  tests/browser (Chromium) on SQLite | the pages whose
#                         work is data (tracing, quarantine, people) on PostgreSQL
#   api@00:30 | api@23:30, browser@00:30 | browser@23:30
#             date-sensitive files at those hours of Việt Nam time
#             (libfaketime; normal build only)
# A stage is skipped, with a note, only when its test directory holds no tests.
# Each stage is cut off after TEST_STAGE_TIMEOUT seconds (default 1500).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

[ $# -eq 1 ] || {
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
}
[ -d "$1" ] || {
    echo "test-all: no build directory $1 (build it first)" >&2
    exit 2
}
build=$(cd "$1" && pwd)
label=$1
stage_timeout=${TEST_STAGE_TIMEOUT:-1500}

export CORDON_BIN=$build/cordon

# Sanitizer builds: leaks and any UB report fail the run.
sanitizer=0
if grep -qs '^CORDON_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" || [[ $(basename "$build") == *asan* ]]; then
    sanitizer=1
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
    echo "test-all: sanitizer build; ASAN_OPTIONS=$ASAN_OPTIONS UBSAN_OPTIONS=$UBSAN_OPTIONS"
fi

passed=()
skipped=()

pg_dir=
cleanup() {
    if [ -n "$pg_dir" ]; then
        "$root/scripts/pg-throwaway.sh" stop "$pg_dir" >/dev/null 2>&1 || true
        rm -rf "$pg_dir"
        pg_dir=
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

summary() {
    echo "test-all: passed: ${passed[*]:-none}; skipped: ${skipped[*]:-none}"
}

# failing_tests LOG: each failed test of a node --test log with where and why,
# so the last lines of a failed run name what failed.
failing_tests() {
    awk '
        /^ *not ok / { sub(/^ */, ""); print "  " $0; yaml = 1; shown = 0; next }
        yaml && /^ *\.\.\.$/ { yaml = 0; next }
        yaml && shown < 2 && /^ *(location|error):/ {
            sub(/^ */, ""); print "      " substr($0, 1, 200); shown++
        }
    ' "$1" | tail -n 40
}

fail() {
    local stage=$1 rc=$2
    echo
    if [ -n "${logdir:-}" ] && [ -f "$logdir/$stage.log" ]; then
        echo "test-all: failed in '$stage':"
        failing_tests "$logdir/$stage.log"
    fi
    summary
    if [ "$rc" -eq 124 ]; then
        echo "test-all: FAILED at stage '$stage' (timed out after ${stage_timeout}s) ($label)"
    else
        echo "test-all: FAILED at stage '$stage' (exit $rc) ($label)"
    fi
    exit 1
}

# run_stage NAME CMD...: run with the stage time limit, fail fast.
run_stage() {
    local name=$1 rc=0
    shift
    echo
    echo "=== test-all: $name ($label) ==="
    timeout --kill-after=30 "$stage_timeout" "$@" || rc=$?
    [ "$rc" -eq 0 ] || fail "$name" "$rc"
    passed+=("$name")
}

skip_stage() {
    echo
    echo "=== test-all: $1 skipped: $2 ==="
    skipped+=("$1")
}

# Test files under a directory, sorted, one per line.
node_tests() {
    [ -d "$1" ] || return 0
    find "$1" -type f \( -name '*.test.js' -o -name '*.test.mjs' -o -name '*.test.cjs' \) \
        -not -path '*/node_modules/*' | LC_ALL=C sort
}

# --- unit -------------------------------------------------------------------
unit_sources=$(find tests/unit -type f -name '*.c' 2>/dev/null | head -n 1 || true)
registered=0
if [ -f "$build/CTestTestfile.cmake" ]; then
    registered=$(ctest --test-dir "$build" -N 2>/dev/null | sed -n 's/^Total Tests: *//p')
    registered=${registered:-0}
fi
if [ "$registered" -gt 0 ]; then
    run_stage unit ctest --test-dir "$build" --output-on-failure
elif [ -n "$unit_sources" ]; then
    echo "test-all: tests/unit has sources but $label registers no ctest tests"
    fail unit 1
else
    skip_stage unit "no unit tests in tests/unit yet"
fi

# --- bench: every benchmark at smoke size, so a broken one fails the suite ------
run_stage bench env BUILD="$build" "$root/scripts/bench.sh" --smoke

# The remaining stages drive the server binary.
need_bin() {
    [ -x "$CORDON_BIN" ] || {
        echo "test-all: $CORDON_BIN missing or not executable"
        fail "$1" 1
    }
}

# --- stages side by side -------------------------------------------------------
# Stages that share nothing (each test server has its own database and port) run
# two at a time: most of their time is spent waiting on fsync, sockets and timers,
# so two of them on two cores take little longer than one. Each writes to its own
# log, printed whole when the pair is done.
logdir=$(mktemp -d /tmp/cordon-stages.XXXXXX)
bg_names=()
bg_pids=()

# start_bg NAME CMD...: start a stage in the background.
start_bg() {
    local name=$1
    shift
    echo "=== test-all: $name ($label) started ==="
    timeout --kill-after=30 "$stage_timeout" "$@" >"$logdir/$name.log" 2>&1 &
    bg_names+=("$name")
    bg_pids+=($!)
}

show_log() {
    echo
    echo "=== test-all: $1 ($label) ==="
    cat "$logdir/$1.log"
}

# wait_bg: wait for every started stage, print its log, fail on the first that failed.
wait_bg() {
    local i rc failed= failed_rc=0
    local rcs=()
    for i in "${!bg_pids[@]}"; do
        rc=0
        wait "${bg_pids[$i]}" || rc=$?
        rcs[$i]=$rc
    done
    # Logs of stages that passed first, so a failed stage's log ends the output.
    for i in "${!bg_pids[@]}"; do
        [ "${rcs[$i]}" -eq 0 ] || continue
        show_log "${bg_names[$i]}"
        passed+=("${bg_names[$i]}")
    done
    for i in "${!bg_pids[@]}"; do
        [ "${rcs[$i]}" -ne 0 ] || continue
        show_log "${bg_names[$i]}"
        if [ -z "$failed" ]; then
            failed=${bg_names[$i]}
            failed_rc=${rcs[$i]}
        fi
    done
    bg_names=()
    bg_pids=()
    [ -z "$failed" ] || fail "$failed" "$failed_rc"
}

# --- api on SQLite and on a throwaway PostgreSQL -----------------------------------
mapfile -t api_tests < <(node_tests tests/api)
if [ "${#api_tests[@]}" -gt 0 ]; then
    need_bin api
    pg_dir=$(mktemp -d /tmp/cordon-pg.XXXXXX)
    echo
    echo "=== test-all: starting throwaway PostgreSQL ==="
    pg_url=$("$root/scripts/pg-throwaway.sh" start "$pg_dir") || fail api-pg "$?"
    start_bg api env CORDON_TEST_STORE=sqlite node --test --test-concurrency=1 "${api_tests[@]}"
    start_bg api-pg env CORDON_TEST_STORE=postgres CORDON_TEST_PG_URL="$pg_url" \
        node --test --test-concurrency=1 "${api_tests[@]}"
    wait_bg
else
    skip_stage api "no tests/api/*.test.js yet"
fi

# --- browser on SQLite, and the pages whose work is data again on PostgreSQL ---------
mapfile -t browser_tests < <(node_tests tests/browser)
pg_browser=(tracing-worklist tracing-cases tracing-policy chain-graph quarantine-checkin quarantine-orders people-registry)
if [ "${#browser_tests[@]}" -gt 0 ]; then
    need_bin browser
    start_bg browser env CORDON_TEST_STORE=sqlite node --test --test-concurrency=1 "${browser_tests[@]}"
    files=()
    for f in "${pg_browser[@]}"; do [ -f "tests/browser/$f.test.js" ] && files+=("tests/browser/$f.test.js"); done
    if [ -n "$pg_dir" ] && [ "${#files[@]}" -gt 0 ]; then
        start_bg browser-pg env CORDON_TEST_STORE=postgres CORDON_TEST_PG_URL="$pg_url" \
            node --test --test-concurrency=1 "${files[@]}"
    fi
    wait_bg
else
    skip_stage browser "no tests/browser/*.test.js yet"
fi
cleanup

# --- clock: the date-sensitive files again at 00:30 and 23:30 in Việt Nam ---------
# Pages and the server date things by the Vietnamese day; these runs catch a day
# taken from UTC or from the browser's zone (00:30 is still yesterday in UTC,
# 23:30 is an hour before a Vietnamese midnight). The two hours run side by side.
# The sanitizer build runs the same code at the same hours, so it skips them.
clock_api=(demo declarations declarations-workspace work checkins venues testing vaccine vaccine-workspace tracing tracing-cases quarantine quarantine-lifecycle access checkpoints feedback safety)
clock_browser=(platform1-pages declarations-workspace citizen-home quarantine-checkin quarantine-orders tracing-worklist tracing-cases vaccine-site-day vaccine-workspace testing-collect checkpoint-page feedback safety-map)
if [ "$sanitizer" -eq 0 ]; then
    files=()
    for f in "${clock_api[@]}"; do files+=("tests/api/$f.test.js"); done
    for at in 00:30 23:30; do
        start_bg "api@$at" "$root/scripts/at-vn-time.sh" "$at" env CORDON_TEST_STORE=sqlite \
            node --test --test-concurrency=1 "${files[@]}"
    done
    wait_bg
    files=()
    for f in "${clock_browser[@]}"; do files+=("tests/browser/$f.test.js"); done
    for at in 00:30 23:30; do
        start_bg "browser@$at" "$root/scripts/at-vn-time.sh" "$at" env CORDON_TEST_STORE=sqlite \
            node --test --test-concurrency=1 "${files[@]}"
    done
    wait_bg
else
    skip_stage clock "the sanitizer build runs the same code at the same hours"
fi
rm -rf "$logdir"

echo
summary
echo "test-all: all stages passed ($label)"
