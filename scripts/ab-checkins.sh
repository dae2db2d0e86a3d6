#!/usr/bin/env bash
# Compares two cordon binaries on the check-in benchmark, run by turns.
#
#   scripts/ab-checkins.sh OLD_BIN NEW_BIN [ROUNDS]
#
# On a shared 2-core machine the same binary's rate swings by some 15% from one
# run to the next, more than most changes move it. This runs bench/checkins.sh
# ROUNDS times (default 4) for each binary, OLD then NEW then OLD..., so both
# meet the same spells of load, and prints each run's rate, ratio to nginx and
# server CPU per check-in, then the median of NEW/OLD over the pairs of each:
# the rate, the rate against nginx (each run's own nginx figure taken out), and
# the server's CPU time per check-in, which swings least.
#
# The benchmark's own settings apply: CHECKINS_ENGINES (default here: sqlite),
# CHECKINS_SECONDS (default 15), and the rest (see bench/checkins.sh).
set -euo pipefail

cd "$(dirname "$0")/.."

usage() {
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
}
case "${1:-}" in
-h | --help)
    usage
    exit 0
    ;;
esac
[ $# -ge 2 ] && [ $# -le 3 ] || {
    usage >&2
    exit 2
}
old=$1 new=$2 rounds=${3:-4}
for b in "$old" "$new"; do
    [ -x "$b" ] || {
        echo "ab-checkins: $b is not an executable" >&2
        exit 2
    }
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || {
    echo "ab-checkins: ROUNDS must be a positive number" >&2
    exit 2
}
export CHECKINS_ENGINES=${CHECKINS_ENGINES:-sqlite}
engine=${CHECKINS_ENGINES%% *}

results=$(mktemp)
trap 'rm -f "$results"' EXIT

# one run: "rate ratio_to_nginx server_cpu_us_per_checkin" of the first engine
one_run() {
    CORDON_BIN=$(realpath "$1") bench/checkins.sh 2>&1 | awk -v e="$engine" '
        $1 == e":" && $3 == "durable" { rate = $2 }
        $1 == e":" && $2 == "ratio" { ratio = $5; sub(/,$/, "", ratio) }
        $1 == e":" && $2 == "server" && $3 == "CPU" { cpu = $9 }
        END { if (rate == "" || ratio == "" || cpu == "") exit 1; print rate, ratio, cpu }'
}

for i in $(seq "$rounds"); do
    for which in old new; do
        bin=$old
        [ "$which" = new ] && bin=$new
        echo "ab-checkins: round $i of $rounds, $which ($bin)..." >&2
        got=$(one_run "$bin") || {
            echo "ab-checkins: bench/checkins.sh failed for $bin" >&2
            exit 1
        }
        echo "$i $which $got" | tee -a "$results"
    done
done

awk -v n="$rounds" '
    { rate[$1, $2] = $3; ratio[$1, $2] = $4; cpu[$1, $2] = $5 }
    function median(a, k,   i, j, t) {
        for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
        return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    END {
        for (i = 1; i <= n; i++) {
            r[i] = rate[i, "new"] / rate[i, "old"]; q[i] = ratio[i, "new"] / ratio[i, "old"]
            c[i] = cpu[i, "new"] / cpu[i, "old"]
        }
        printf "new/old over %d pairs, median: rate %.3f, rate against nginx %.3f, server CPU per check-in %.3f\n",
            n, median(r, n), median(q, n), median(c, n)
    }' "$results"
