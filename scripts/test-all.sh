#!/usr/bin/env bash
# Run every test suite against one build, failing fast.
#
#   scripts/test-all.sh BUILD_DIR
#
# Stages: unit (ctest in BUILD_DIR) first; then, two at a time, the longest first:
#   api, browser          tests/api and tests/browser (Chromium) on SQLite
#   api-pg, browser-pg    tests/api and the pages whose work is data (tracing,
#                         quarantine, people) on a throwaway PostgreSQL
#   bench                 every benchmark at its smoke size (fails only when one breaks)
#   api@00:30, api@23:30, browser@00:30, browser@23:30
#             date-sensitive files at those hours of Việt Nam time
#             (libfaketime; not on a sanitizer build)
# TEST_ENGINES (default "sqlite postgres") chooses the engines; make test runs
# PostgreSQL on the sanitizer build only. TEST_SLOTS (default 2) stages at once.
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

# The remaining stages drive the server binary.
[ -x "$CORDON_BIN" ] || {
    echo "test-all: $CORDON_BIN missing or not executable"
    fail server 1
}

# --- the stages after unit, two at a time ---------------------------------------
# Stages share nothing (each test server has its own database and port) and spend
# much of their time waiting on fsync, sockets and timers, so they run two at a
# time, the longest first: when one ends the next starts. Each writes to its own
# log, printed whole when it ends; after a failure no new stage starts and the
# running ones are stopped, so the failed stage's log ends the output.
logdir=$(mktemp -d /tmp/cordon-stages.XXXXXX)
q_names=()
q_cmds=()

# enqueue NAME CMD...: a stage to run when a slot is free.
enqueue() {
    local name=$1
    shift
    q_names+=("$name")
    q_cmds+=("$(printf '%q ' "$@")")
}

show_log() {
    echo
    echo "=== test-all: $1 ($label) ==="
    cat "$logdir/$1.log"
}

run_queue() {
    local slots=${TEST_SLOTS:-2} next=0 pid rc name failed= failed_rc=0
    local -A running=()
    while :; do
        while [ -z "$failed" ] && [ "$next" -lt "${#q_names[@]}" ] && [ "${#running[@]}" -lt "$slots" ]; do
            name=${q_names[$next]}
            echo "=== test-all: $name ($label) started ==="
            eval "timeout --kill-after=30 $stage_timeout ${q_cmds[$next]}" >"$logdir/$name.log" 2>&1 &
            running[$!]=$name
            next=$((next + 1))
        done
        [ "${#running[@]}" -gt 0 ] || break
        rc=0
        wait -n -p pid "${!running[@]}" || rc=$?
        name=${running[$pid]}
        unset "running[$pid]"
        if [ "$rc" -eq 0 ]; then
            show_log "$name"
            passed+=("$name")
        elif [ -z "$failed" ]; then
            failed=$name
            failed_rc=$rc
            for pid in "${!running[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
        fi
    done
    if [ -n "$failed" ]; then
        show_log "$failed"
        fail "$failed" "$failed_rc"
    fi
}

# Which engines the API and browser suites run on: make test runs PostgreSQL on the
# sanitizer build only (the same code, its memory checked), SQLite on both.
engines=${TEST_ENGINES:-sqlite postgres}
on_pg=0
[[ " $engines " == *" postgres "* ]] && on_pg=1
on_sqlite=0
[[ " $engines " == *" sqlite "* ]] && on_sqlite=1

mapfile -t api_tests < <(node_tests tests/api)
mapfile -t browser_tests < <(node_tests tests/browser)
# The pages whose work is data, again on PostgreSQL.
pg_browser=(tracing-worklist tracing-cases tracing-policy runs-behind chain-graph quarantine-checkin quarantine-orders people-registry)
[ "${#api_tests[@]}" -gt 0 ] || skip_stage api "no tests/api/*.test.js yet"
[ "${#browser_tests[@]}" -gt 0 ] || skip_stage browser "no tests/browser/*.test.js yet"

pg_url=
if [ "$on_pg" -eq 1 ] && [ "${#api_tests[@]}" -gt 0 ]; then
    pg_dir=$(mktemp -d /tmp/cordon-pg.XXXXXX)
    echo
    echo "=== test-all: starting throwaway PostgreSQL ==="
    pg_url=$("$root/scripts/pg-throwaway.sh" start "$pg_dir") || fail api-pg "$?"
fi

# In the order they are started: the longest first.
if [ -n "$pg_url" ]; then
    enqueue api-pg env CORDON_TEST_STORE=postgres CORDON_TEST_PG_URL="$pg_url" \
        node --test --test-concurrency=1 "${api_tests[@]}"
fi
if [ "$on_sqlite" -eq 1 ]; then
    [ "${#browser_tests[@]}" -eq 0 ] ||
        enqueue browser env CORDON_TEST_STORE=sqlite node --test --test-concurrency=1 "${browser_tests[@]}"
    [ "${#api_tests[@]}" -eq 0 ] ||
        enqueue api env CORDON_TEST_STORE=sqlite node --test --test-concurrency=1 "${api_tests[@]}"
fi
# Every benchmark at smoke size, so a broken one fails the suite.
enqueue bench env BUILD="$build" "$root/scripts/bench.sh" --smoke

# --- clock: the date-sensitive files again at 00:30 and 23:30 in Việt Nam ---------
# Pages and the server date things by the Vietnamese day; these runs catch a day
# taken from UTC or from the browser's zone (00:30 is still yesterday in UTC,
# 23:30 is an hour before a Vietnamese midnight). The sanitizer build runs the same
# code at the same hours, so it skips them.
clock_api=(demo declarations declarations-workspace work checkins venues testing vaccine vaccine-workspace tracing tracing-cases quarantine quarantine-lifecycle access checkpoints feedback safety)
clock_browser=(platform1-pages declarations-workspace citizen-home quarantine-checkin quarantine-orders tracing-worklist tracing-cases vaccine-site-day vaccine-workspace testing-collect checkpoint-page feedback safety-map)
if [ "$sanitizer" -eq 0 ] && [ "$on_sqlite" -eq 1 ]; then
    files=()
    for f in "${clock_browser[@]}"; do files+=("tests/browser/$f.test.js"); done
    for at in 00:30 23:30; do
        enqueue "browser@$at" "$root/scripts/at-vn-time.sh" "$at" env CORDON_TEST_STORE=sqlite \
            node --test --test-concurrency=1 "${files[@]}"
    done
    files=()
    for f in "${clock_api[@]}"; do files+=("tests/api/$f.test.js"); done
    for at in 00:30 23:30; do
        enqueue "api@$at" "$root/scripts/at-vn-time.sh" "$at" env CORDON_TEST_STORE=sqlite \
            node --test --test-concurrency=1 "${files[@]}"
    done
elif [ "$sanitizer" -eq 1 ]; then
    skip_stage clock "the sanitizer build runs the same code at the same hours"
fi
if [ -n "$pg_url" ] && [ "${#browser_tests[@]}" -gt 0 ]; then
    files=()
    for f in "${pg_browser[@]}"; do [ -f "tests/browser/$f.test.js" ] && files+=("tests/browser/$f.test.js"); done
    [ "${#files[@]}" -eq 0 ] ||
        enqueue browser-pg env CORDON_TEST_STORE=postgres CORDON_TEST_PG_URL="$pg_url" \
            node --test --test-concurrency=1 "${files[@]}"
fi

run_queue
cleanup
rm -rf "$logdir"

echo
summary
echo "test-all: all stages passed ($label)"
