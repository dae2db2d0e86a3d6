#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests, from Debian's packages.
#
#   scripts/pg-throwaway.sh start DIR   initdb in DIR/data, start on a free
#                                       127.0.0.1 port, print the URL
#   scripts/pg-throwaway.sh stop DIR    stop it (fast shutdown)
#
# start prints only the URL on stdout (postgres://cordon@127.0.0.1:PORT/postgres)
# and also writes it to DIR/url; progress goes to stderr. Role "cordon" is a
# superuser so tests may CREATE DATABASE. Authentication is trust, reachable
# only over 127.0.0.1 and a unix socket inside DIR. Durability is off (fsync),
# unless PG_DURABLE=1 (benchmarks: fsync, synchronous_commit, full_page_writes on).
# As root, the server runs as the system user "cordontest" (created if
# missing), since PostgreSQL refuses to run as root.
set -euo pipefail

PG_USER=cordontest

log() { echo "pg-throwaway: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}

usage() {
    echo "usage: $0 start|stop DIR" >&2
    exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$2

# Newest installed major version unless PG_BINDIR says otherwise.
find_bindir() {
    if [ -n "${PG_BINDIR:-}" ]; then
        echo "$PG_BINDIR"
        return
    fi
    local d
    d=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
        die "no PostgreSQL server found in /usr/lib/postgresql (run scripts/deps.sh)"
    fi
    echo "$d"
}

# Run a command as the user owning the cluster.
as_owner() {
    local owner=$1
    shift
    if [ "$(id -un)" = "$owner" ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u "$owner" -- "$@"
    else
        su -s /bin/sh "$owner" -c "$(printf '%q ' "$@")"
    fi
}

port_in_use() {
    local port=$1
    if command -v ss >/dev/null 2>&1; then
        [ -n "$(ss -Htln "sport = :$port" 2>/dev/null)" ] && return 0
    fi
    # Something answering on the port means it is taken.
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

pick_port() {
    local port _
    for _ in $(seq 1 200); do
        port=$((20000 + RANDOM % 30000))
        if ! port_in_use "$port"; then
            echo "$port"
            return
        fi
    done
    die "no free port found on 127.0.0.1"
}

do_start() {
    local bindir owner data url port attempt
    bindir=$(find_bindir)

    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    data=$dir/data

    if [ -f "$dir/url" ] && [ -f "$data/postmaster.pid" ] &&
        as_owner "$(stat -c %U "$data")" "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        log "already running"
        cat "$dir/url"
        return
    fi
    [ -e "$data" ] && die "$data exists but no server runs there; use a fresh DIR"

    # A unix socket path is limited to 107 bytes.
    [ ${#dir} -le 90 ] || die "DIR path too long for a unix socket: $dir"

    owner=$(id -un)
    if [ "$(id -u)" -eq 0 ]; then
        owner=$PG_USER
        if ! id "$PG_USER" >/dev/null 2>&1; then
            log "creating system user $PG_USER"
            useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_USER"
        fi
        chown -R "$PG_USER:" "$dir"
        as_owner "$owner" test -w "$dir" ||
            die "$PG_USER cannot reach $dir; put DIR under a world-searchable path such as /tmp"
    fi

    log "initdb in $data ($bindir)"
    as_owner "$owner" env LC_ALL=C.UTF-8 "$bindir/initdb" -D "$data" -U postgres \
        --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync --no-instructions >"$dir/initdb.log" 2>&1 ||
        {
            cat "$dir/initdb.log" >&2
            die "initdb failed"
        }

    cat >"$data/pg_hba.conf" <<'HBA'
# Throwaway test server: trust, loopback and local socket only.
local   all             all                     trust
host    all             all     127.0.0.1/32    trust
local   replication     all                     trust
host    replication     all     127.0.0.1/32    trust
HBA
    echo "include 'throwaway.conf'" >>"$data/postgresql.conf"
    chown "$owner:" "$data/pg_hba.conf"

    for attempt in 1 2 3 4 5; do
        port=$(pick_port)
        durable=off
        if [ "${PG_DURABLE:-0}" = 1 ]; then
            durable=on
        fi
        cat >"$data/throwaway.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
unix_socket_permissions = 0700
fsync = $durable
synchronous_commit = $durable
full_page_writes = $durable
max_connections = 200
log_min_messages = warning
CONF
        chown "$owner:" "$data/throwaway.conf"
        log "starting on 127.0.0.1:$port"
        if as_owner "$owner" "$bindir/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 start >/dev/null 2>&1; then
            break
        fi
        # Most likely the port was taken between the check and the bind.
        log "start failed (attempt $attempt); see $dir/postgres.log"
        as_owner "$owner" "$bindir/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
        port=
    done
    [ -n "$port" ] || {
        tail -n 20 "$dir/postgres.log" >&2 || true
        die "could not start PostgreSQL"
    }

    local _
    for _ in $(seq 1 60); do
        "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres && break
        sleep 0.5
    done
    "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres || die "server did not become ready"

    "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
        -c "CREATE ROLE cordon SUPERUSER LOGIN" >&2 || die "could not create role cordon"

    url="postgres://cordon@127.0.0.1:$port/postgres"
    echo "$url" >"$dir/url"
    chown "$owner:" "$dir/url"
    log "ready: $url"
    echo "$url"
}

do_stop() {
    local bindir data
    bindir=$(find_bindir)
    data=$dir/data
    local owner
    if [ ! -f "$data/postmaster.pid" ]; then
        log "not running in $dir"
        return 0
    fi
    owner=$(stat -c %U "$data")
    if ! as_owner "$owner" "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        log "not running in $dir (stale pid file)"
        return 0
    fi
    as_owner "$owner" "$bindir/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null ||
        die "pg_ctl stop failed"
    log "stopped"
}

case "$cmd" in
start) do_start ;;
stop) do_stop ;;
*) usage ;;
esac
