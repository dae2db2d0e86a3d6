#!/usr/bin/env bash
# Run the libFuzzer targets of tests/fuzz, one after the other.
#
#   scripts/fuzz.sh [--seconds N] [--smoke] [TARGET...]
#
# Builds build-fuzz/ (clang, -DCORDON_FUZZ=ON) when needed.  For each target
# (all of tests/fuzz/*.c by default): replays tests/fuzz/regressions/TARGET/,
# then fuzzes for N seconds (default $FUZZ_SECONDS, else 600) on a copy of
# tests/fuzz/corpus/TARGET in a temporary directory, so the committed corpus
# never grows (with tests/fuzz/TARGET.dict, when there is one).  Fails if any target crashes, leaks, runs out of memory or
# hangs; the input that did it is kept in build-fuzz/crashes/TARGET/ (fix the
# bug, then add the input to tests/fuzz/regressions/TARGET/).
#
# --smoke is the run of make test: a fixed seed and at most 50,000 inputs per
# target (60 s at most), so every machine replays the same inputs and a suite
# that passed here passes on any clone.  Open-ended search is make fuzz.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${FUZZ_SECONDS:-600}
smoke=()
build=${FUZZ_BUILD:-build-fuzz}

usage() {
    echo "usage: $0 [--seconds N] [--smoke] [TARGET...]" >&2
    echo "targets: $(cd tests/fuzz && ls -- *.c | sed 's/\.c$//' | tr '\n' ' ')" >&2
    exit 2
}

targets=()
while [ $# -gt 0 ]; do
    case $1 in
    --seconds)
        [ $# -ge 2 ] || usage
        seconds=$2
        shift 2
        ;;
    --seconds=*)
        seconds=${1#--seconds=}
        shift
        ;;
    --smoke)
        seconds=60
        smoke=(-seed=1 -runs=50000)
        shift
        ;;
    -h | --help) usage ;;
    -*) usage ;;
    *)
        [ -f "tests/fuzz/$1.c" ] || {
            echo "fuzz: no target $1" >&2
            usage
        }
        targets+=("$1")
        shift
        ;;
    esac
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || usage
if [ "${#targets[@]}" -eq 0 ]; then
    mapfile -t targets < <(cd tests/fuzz && ls -- *.c | sed 's/\.c$//' | LC_ALL=C sort)
fi

# --- build ------------------------------------------------------------------
command -v clang >/dev/null || {
    echo "fuzz: clang is missing (make deps installs it)" >&2
    exit 1
}
if [ ! -f "$build/CMakeCache.txt" ]; then
    CC=clang cmake -S . -B "$build" -DCORDON_FUZZ=ON >/dev/null
fi
echo "fuzz: building ${targets[*]} in $build"
if ! cmake --build "$build" -j"${JOBS:-2}" --target "${targets[@]/#/fuzz_}" >"$build/fuzz-build.log" 2>&1; then
    grep -v '^\[' "$build/fuzz-build.log" | tail -n 40 >&2
    echo "fuzz: build failed (log: $build/fuzz-build.log)" >&2
    exit 1
fi

# Leaks and any undefined behaviour fail the run, as in the sanitizer build.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}

work=$(mktemp -d /tmp/cordon-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Per input: 10 s is a hang, 2 GiB is a blow-up.
limits=(-timeout=10 -rss_limit_mb=2048)
failed=()

# fail TARGET LOG WHAT: report, keep the inputs that did it.
fail() {
    local t=$1 log=$2 what=$3 keep="$root/$build/crashes/$1"
    echo "fuzz: $t: FAILED ($what); last lines of the log:"
    tail -n 40 "$log" | sed 's/^/    /'
    mkdir -p "$keep"
    local f
    for f in "$work/$t/"crash-* "$work/$t/"leak-* "$work/$t/"timeout-* "$work/$t/"oom-*; do
        [ -e "$f" ] || continue
        cp "$f" "$keep/"
        echo "fuzz: $t: input kept in $build/crashes/$t/$(basename "$f")"
    done
    failed+=("$t")
}

# progress TARGET LOG WHAT: one line from libFuzzer's latest status line,
# "#RUNS KIND cov: EDGES ft: F corp: N/SIZE lim: L exec/s: E rss: R".
progress() {
    local last runs eps cov corp
    last=$(grep -aE '^#[0-9]+' "$2" | tail -n 1)
    runs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")
    eps=$(sed -nE 's/.* exec\/s: ([0-9]+).*/\1/p' <<<"$last")
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
    corp=$(sed -nE 's/.* corp: ([0-9]+)\/.*/\1/p' <<<"$last")
    echo "fuzz: $1: $3, ${runs:-0} runs, ${eps:-?} execs/s, coverage ${cov:-?} edges, corpus ${corp:-?}"
}

for t in "${targets[@]}"; do
    bin="$root/$build/tests/fuzz/fuzz_$t"
    mkdir -p "$work/$t/corpus"
    log="$work/$t/log"

    # Regressions first: each must now pass.
    regs=()
    if [ -d "tests/fuzz/regressions/$t" ]; then
        mapfile -t regs < <(find "tests/fuzz/regressions/$t" -type f | LC_ALL=C sort)
    fi
    if [ "${#regs[@]}" -gt 0 ]; then
        if ! "$bin" "${limits[@]}" "${regs[@]}" >"$log" 2>&1; then
            fail "$t" "$log" "a regression input fails again"
            continue
        fi
        echo "fuzz: $t: ${#regs[@]} regression inputs pass"
    fi

    [ -d "tests/fuzz/corpus/$t" ] && cp -r "tests/fuzz/corpus/$t/." "$work/$t/corpus/"
    seeds=$(find "$work/$t/corpus" -type f | wc -l)
    dict=()
    [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="$root/tests/fuzz/$t.dict")
    if [ "${#smoke[@]}" -gt 0 ]; then
        echo "fuzz: $t: 50,000 inputs (seed 1) from $seeds seeds"
    else
        echo "fuzz: $t: ${seconds}s from $seeds seeds"
    fi
    rc=0
    (cd "$work/$t" && exec timeout --kill-after=30 $((seconds + 120)) "$bin" "${limits[@]}" "${dict[@]}" "${smoke[@]}" \
        -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/$t/" corpus >"$log" 2>&1) &
    pid=$!
    elapsed=0
    while kill -0 "$pid" 2>/dev/null; do
        sleep 1
        elapsed=$((elapsed + 1))
        if [ $((elapsed % 60)) -eq 0 ]; then
            progress "$t" "$log" "${elapsed}s"
        fi
    done
    wait "$pid" || rc=$?
    if [ "$rc" -ne 0 ]; then
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
            fail "$t" "$log" "did not stop"
        else
            fail "$t" "$log" "exit $rc"
        fi
        continue
    fi
    progress "$t" "$log" "ok"
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: FAILED: ${failed[*]}"
    exit 1
fi
if [ "${#smoke[@]}" -gt 0 ]; then
    echo "fuzz: all ${#targets[@]} targets ran their smoke inputs without a finding"
else
    echo "fuzz: all ${#targets[@]} targets ran ${seconds}s each without a finding"
fi
