#!/usr/bin/env bash
# Durable check-ins per second at national load (issue 13), on SQLite and on PostgreSQL with
# fsync on, against references measured in the same run.
#
# For each engine: a fresh database, `cordon serve` with the limits on anonymous check-ins
# raised out of the way, VENUES approved venues with signed poster codes
# (bench/checkins-setup.js), then wrk posting distinct anonymous check-ins over CONNECTIONS
# keep-alive connections from PHONES distinct phones (bench/checkins.lua).  Then:
#   - nginx answering a static 200 to the same requests (127.0.0.1 only, foreground, a
#     temporary prefix, killed at the end): the ratio to a bare HTTP server;
#   - on PostgreSQL, pgbench inserting single rows into the same checkins table, one
#     transaction each, over as many connections: the ratio to the engine's own insert rate.
# Prints check-ins per second, p50, p99, the ratios, the rows stored against the 2xx answers,
# non-2xx answers and the server's memory (RSS when the load starts and ends, and its peak).
#
# Fails on a setup error or a wrong count (rows stored != 2xx answers), never on a timing.
#
#   bench/checkins.sh                    uses $BUILD/cordon (BUILD defaults to build-bench)
#   CHECKINS_SECONDS=60 bench/checkins.sh   a longer run (memory over time)
#   CHECKINS_ENGINES=sqlite bench/checkins.sh
#   CHECKINS_PRELOAD=5000000 bench/checkins.sh   the table holds that many check-ins (of a tenth
#                                       as many synthetic people, `cordon demo --people`) before
#                                       the load: index pages no longer all fit in memory
#   BENCH_SMOKE=1: 3 seconds each, 8 connections, 10 venues
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
bin=${CORDON_BIN:-${BUILD:-build-bench}/cordon}
case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac
if [ "${BENCH_SMOKE:-0}" = 1 ]; then
    secs=${CHECKINS_SECONDS:-3}
    conns=${CHECKINS_CONNECTIONS:-8}
    venues=${CHECKINS_VENUES:-10}
    ref_secs=1
else
    secs=${CHECKINS_SECONDS:-15}
    conns=${CHECKINS_CONNECTIONS:-64}
    venues=${CHECKINS_VENUES:-100}
    ref_secs=5
fi
phones=${CHECKINS_PHONES:-10000}
threads=${CHECKINS_THREADS:-8}
engines=${CHECKINS_ENGINES:-sqlite postgres}
wrk_threads=2

die() {
    echo "bench/checkins.sh: $*" >&2
    exit 1
}

[ -x "$bin" ] || die "$bin not found (run make bench)"
for tool in wrk nginx node; do
    command -v "$tool" >/dev/null || die "$tool not found (run scripts/deps.sh)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cordon-bench-checkins.XXXXXX")
chmod 755 "$tmp"
server_pid=
nginx_pid=
pg_dir=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true; fi
    if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true; fi
    if [ -n "$pg_dir" ]; then "$root/scripts/pg-throwaway.sh" stop "$pg_dir" >/dev/null 2>&1 || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

export CORDON_KEK
CORDON_KEK=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
admin_password="Bench-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')"

checkin_rows() {
    "$bin" db stats --db "$1" | node -e 'let s = ""; process.stdin.on("data", (d) => { s += d; })
        .on("end", () => console.log(JSON.parse(s).tables.checkins.rows))'
}
kv() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
proc_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
# CPU time the process has used (user + system), in clock ticks: fields 14 and 15 of its stat,
# counted after the command name's closing parenthesis
proc_ticks() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }' || echo 0; }

# wrk against URL with the check-in script; "key value" lines into $2.
load() {
    local url=$1 out=$2 tag=$3 list=${4:-$tmp/venues.txt}
    local active=$((secs - 1))
    [ "$active" -ge 1 ] || active=1
    timeout $((secs + 30)) wrk -t "$wrk_threads" -c "$conns" -d "${secs}s" --timeout 10s --latency \
        -s "$root/bench/checkins.lua" "$url" -- "$list" "$active" "$phones" "$tag" >"$out.wrk" 2>"$out.err" ||
        die "wrk failed: $(cat "$out.err")"
    grep -E '^[a-z0-9_]+ [0-9.]+$' "$out.wrk" >"$out"
    echo "active_s $active" >>"$out"
    [ -n "$(kv ok "$out")" ] || die "wrk printed no counts: $(cat "$out.wrk" "$out.err")"
}

nginx_rate=
nginx_ref() {
    local port
    port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    mkdir -p "$tmp/nginx/logs"
    cat >"$tmp/nginx/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 2;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_buffer_size 64k;
    client_body_temp_path $tmp/nginx/body;
    server {
        listen 127.0.0.1:$port;
        location / { return 200 '{"ok":true}'; }
    }
}
CONF
    nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" &
    nginx_pid=$!
    for _ in $(seq 50); do
        (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
    done
    local saved=$secs
    secs=$ref_secs
    # the same requests, with a signature of the same shape (nginx reads no body)
    printf 'ABCDEFGH k1.%086d\n' 0 >"$tmp/nginx/venues.txt"
    load "http://127.0.0.1:$port" "$tmp/nginx.kv" nginx "$tmp/nginx/venues.txt"
    secs=$saved
    kill "$nginx_pid"
    wait "$nginx_pid" 2>/dev/null || true
    nginx_pid=
    nginx_rate=$(awk -v ok="$(kv ok "$tmp/nginx.kv")" -v s="$(kv active_s "$tmp/nginx.kv")" 'BEGIN { printf "%.0f", ok / s }')
    echo "nginx static 200 (${ref_secs}s, $conns connections):  $nginx_rate requests/s"
}

run_engine() {
    local engine=$1 url
    if [ "$engine" = sqlite ]; then
        url="sqlite:$tmp/bench.db"
    else
        pg_dir="$tmp/pg"
        mkdir -p "$pg_dir"
        chmod 755 "$pg_dir"
        url=$(PG_DURABLE=1 "$root/scripts/pg-throwaway.sh" start "$pg_dir" 2>"$tmp/pg-start.log") ||
            die "could not start PostgreSQL: $(cat "$tmp/pg-start.log")"
    fi
    "$bin" migrate --db "$url" >"$tmp/migrate.log" 2>&1 || die "migrate failed: $(tail -5 "$tmp/migrate.log")"
    preload=${CHECKINS_PRELOAD:-0}
    if [ "$preload" -gt 0 ]; then
        echo "$engine: preloading $preload check-ins of $((preload / 10)) people (cordon demo)"
        "$bin" demo --db "$url" --people $((preload / 10)) --checkins "$preload" >"$tmp/demo.log" 2>&1 ||
            die "demo failed: $(tail -5 "$tmp/demo.log")"
    fi
    printf '%s\n' "$admin_password" | "$bin" user add --db "$url" --username bench.admin --role national_admin \
        --unit VN --name 'Quản trị Đo' --password-stdin >/dev/null 2>"$tmp/user.log" ||
        die "user add failed: $(cat "$tmp/user.log")"

    : >"$tmp/serve.log" # exists before the server opens it: the loop below reads it at once
    CORDON_CHECKIN_PHONE_LIMIT=100000 CORDON_CHECKIN_VENUE_LIMIT=1000000 CORDON_MAX_CONNECTIONS_PER_IP=0 \
        "$bin" serve --db "$url" --listen 127.0.0.1:0 --threads "$threads" 2>"$tmp/serve.log" &
    server_pid=$!
    local port=
    for _ in $(seq 100); do
        port=$(sed -n 's|^cordon: listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$tmp/serve.log")
        [ -n "$port" ] && break
        kill -0 "$server_pid" 2>/dev/null || die "cordon serve exited: $(tail -5 "$tmp/serve.log")"
        sleep 0.1
    done
    [ -n "$port" ] || die "cordon serve did not start: $(tail -5 "$tmp/serve.log")"
    node "$root/bench/checkins-setup.js" "http://127.0.0.1:$port" bench.admin "$admin_password" "$venues" \
        >"$tmp/venues.txt" || die "venue setup failed"

    local before rss0 rss1 hwm sampler ticks0 ticks1
    before=$(checkin_rows "$url")
    rss0=$(proc_kb "$server_pid" VmRSS)
    ticks0=$(proc_ticks "$server_pid")
    # the server's RSS every second of the load: flat, or growing?
    (while kill -0 "$server_pid" 2>/dev/null; do proc_kb "$server_pid" VmRSS; sleep 1; done) >"$tmp/rss.txt" &
    sampler=$!
    load "http://127.0.0.1:$port" "$tmp/$engine.kv" "$engine$$"
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    rss1=$(proc_kb "$server_pid" VmRSS)
    hwm=$(proc_kb "$server_pid" VmHWM)
    ticks1=$(proc_ticks "$server_pid")
    # the contact index holds every check-in (issue 11's live index): growth that is data, not a leak
    local index_kb
    index_kb=$(curl -fs "http://127.0.0.1:$port/metrics" | awk '$1 == "cordon_tracing_index_bytes" { printf "%d", $2 / 1024 }')
    local rss_series
    # first, then about every tenth of the load, then last (MiB)
    rss_series=$(awk '{ v[++n] = $1 } END { step = int((n + 9) / 10)
        for (i = 1; i <= n; i += step) printf "%.1f ", v[i] / 1024; if ((n - 1) % step) printf "%.1f", v[n] / 1024 }' \
        "$tmp/rss.txt")
    kill "$server_pid"
    wait "$server_pid" || die "cordon serve did not stop cleanly: $(tail -5 "$tmp/serve.log")"
    server_pid=
    local stored ok bad batches
    stored=$(($(checkin_rows "$url") - before))
    ok=$(kv ok "$tmp/$engine.kv")
    bad=$(kv bad "$tmp/$engine.kv")
    batches=$(sed -n 's/.*msg="check-in writer stopped" batches=\([0-9]*\) checkins=\([0-9]*\) largest_batch=\([0-9]*\).*/\1 \2 \3/p' "$tmp/serve.log")

    local pgb_rate=
    if [ "$engine" = postgres ]; then
        cat >"$tmp/pgbench.sql" <<'SQL'
\set person random(1, 10000)
\set n random(1, 1000000000000)
INSERT INTO checkins (client_id, venue_id, person_id, checked_in_at, method, province_code, district_code,
 commune_code) VALUES ('pgbench-' || :client_id || '-' || :n, 1, :person, 1700000000, 'poster', '01', '001', '00001')
 ON CONFLICT (client_id, person_id) DO NOTHING;
SQL
        timeout $((ref_secs + 30)) pgbench -n -M prepared -c "$conns" -j "$wrk_threads" -T "$ref_secs" \
            -f "$tmp/pgbench.sql" "$url" >"$tmp/pgbench.out" 2>&1 || die "pgbench failed: $(tail -5 "$tmp/pgbench.out")"
        pgb_rate=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$tmp/pgbench.out" | head -1)
        [ -n "$pgb_rate" ] || die "pgbench printed no rate: $(cat "$tmp/pgbench.out")"
        "$root/scripts/pg-throwaway.sh" stop "$pg_dir" >/dev/null 2>&1 || true
        pg_dir=
    fi

    awk -v e="$engine" -v ok="$ok" -v bad="$bad" -v s="$(kv active_s "$tmp/$engine.kv")" \
        -v p50="$(kv p50_ms "$tmp/$engine.kv")" -v p99="$(kv p99_ms "$tmp/$engine.kv")" \
        -v mx="$(kv max_ms "$tmp/$engine.kv")" -v sockerr="$(kv socket_errors "$tmp/$engine.kv")" \
        -v ng="$nginx_rate" -v pgb="$pgb_rate" -v stored="$stored" -v conns="$conns" -v secs="$secs" \
        -v rss0="$(mib "$rss0")" -v rss1="$(mib "$rss1")" -v hwm="$(mib "$hwm")" -v batches="$batches" \
        -v series="$rss_series" -v index_mib="$(mib "${index_kb:-0}")" \
        -v cpu_s="$(awk -v a="$ticks0" -v b="$ticks1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }')" 'BEGIN {
        rate = ok / s
        printf "%s: %.0f durable check-ins/s (%d in %.0f s, %d connections), p50 %.2f ms, p99 %.2f ms, max %.1f ms\n",
               e, rate, ok, s, conns, p50, p99, mx
        printf "%s: ratio to nginx %.3f", e, rate / ng
        if (pgb != "") printf ", to pgbench single-row inserts (%.0f/s) %.2f", pgb, rate / pgb
        printf "\n"
        split(batches, b, " ")
        if (b[1] > 0) printf "%s: %d commits, %.1f check-ins per commit on average, largest %d\n", e, b[1], b[2] / b[1], b[3]
        printf "%s: rows stored %d, 2xx answers %d, non-2xx %d, socket errors %d\n", e, stored, ok, bad, sockerr
        # steadier than the rate on a shared machine: what each check-in cost the server
        if (ok > 0) printf "%s: server CPU %.1f s over the load, %.1f us per check-in\n", e, cpu_s, cpu_s * 1e6 / ok
        printf "%s: server RSS %s MiB before the load, %s MiB after it (of which the contact index, every check-in in memory: %s MiB), peak of the process %s MiB\n", e, rss0, rss1, index_mib, hwm
        if (series != "") printf "%s: RSS during the load, MiB, about every tenth of it: %s\n", e, series
    }'
    [ "$stored" = "$ok" ] || die "$engine: rows stored ($stored) != 2xx answers ($ok)"
}

nginx_ref
for engine in $engines; do
    if [ "$engine" = postgres ] && ! command -v pgbench >/dev/null; then
        die "pgbench not found (run scripts/deps.sh)"
    fi
    run_engine "$engine"
done
