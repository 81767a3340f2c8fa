#!/bin/sh
# A private PostgreSQL 15 cluster for development and tests.
#
#   tools/pgcluster.sh start [--fast] DIR   create (if needed) and start; prints the URL
#   tools/pgcluster.sh stop [--immediate] DIR
#                                           fast shutdown (no-op when not running);
#                                           --immediate: pg_ctl -m immediate, a crash
#                                           as clients see it (tests of outages)
#   tools/pgcluster.sh url DIR              prints the URL of the cluster in DIR
#   tools/pgcluster.sh destroy DIR          stop and delete the cluster's data
#
# The only thing written to stdout is the database URL,
#   postgresql://gess:PASSWORD@127.0.0.1:PORT/gess
# everything else goes to stderr.
#
# Layout: DIR/pg is the data directory, DIR/password the password of the
# superuser `gess` (mode 0600), DIR/port the port (reused on the next start
# when it is still free). The server listens on 127.0.0.1 only, with its
# unix socket and its log (postgres.log) beside the data directory.
#
# As root, initdb and postgres run as the user `postgres` (runuser). When that
# user cannot write DIR (e.g. a clone under /root), the data lives in
# /var/tmp/gess-<cksum of DIR>/ and DIR/pg is a symlink to it.
#
# --fast (tests only): fsync, synchronous_commit and full_page_writes off.
# It is applied when the cluster is created.
set -eu

say() { printf '%s\n' "pgcluster: $*" >&2; }
die() { say "$*"; exit 1; }

usage() {
    echo "usage: $0 start [--fast] DIR | stop [--immediate] DIR | url DIR | destroy DIR" >&2
    exit 2
}

[ $# -ge 1 ] || usage
cmd=$1; shift
fast=0
mode=fast
dir=
for a in "$@"; do
    case $a in
        --fast) [ "$cmd" = start ] || usage; fast=1 ;;
        --immediate) [ "$cmd" = stop ] || usage; mode=immediate ;;
        -*) usage ;;
        *) [ -z "$dir" ] || usage; dir=$a ;;
    esac
done
[ -n "$dir" ] || usage
case $cmd in start|stop|url|destroy) ;; *) usage ;; esac

# --- PostgreSQL binaries ---------------------------------------------------
bindir=
if command -v pg_config >/dev/null 2>&1; then
    b=$(pg_config --bindir 2>/dev/null || true)
    if [ -n "$b" ] && [ -x "$b/initdb" ] && [ -x "$b/pg_ctl" ]; then bindir=$b; fi
fi
if [ -z "$bindir" ] && [ -x /usr/lib/postgresql/15/bin/initdb ]; then
    bindir=/usr/lib/postgresql/15/bin
fi
[ -n "$bindir" ] || die "PostgreSQL server binaries not found (install postgresql-15)"

# --- who runs the server ---------------------------------------------------
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root but there is no user 'postgres'"
    command -v runuser >/dev/null 2>&1 || die "running as root but runuser is missing"
    as_pg() { (cd / && runuser -u postgres -- "$@"); }
else
    as_pg() { "$@"; }
fi

# --- paths -----------------------------------------------------------------
case $cmd in
    start) mkdir -p "$dir" ;;
    *) [ -d "$dir" ] || die "no such directory: $dir" ;;
esac
dir=$(cd "$dir" && pwd -P)
pgdata=$dir/pg
pwfile=$dir/password
portfile=$dir/port

# The directory that holds the data directory, the socket and the log.
# When DIR/pg is a symlink, that is the directory the link points into.
rundir_of_existing() {
    if [ -L "$pgdata" ]; then
        t=$(readlink "$pgdata")
        dirname "$t"
    else
        echo "$dir"
    fi
}

pg_can_write() {
    if [ "$(id -u)" = 0 ]; then
        (cd / && runuser -u postgres -- test -w "$1" -a -x "$1") 2>/dev/null
    else
        test -w "$1" -a -x "$1"
    fi
}

port_free() {
    python3 - "$1" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# Like PostgreSQL itself: connections in TIME_WAIT do not make the port busy.
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
}

pick_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
        return
    fi
    # No python: a pseudo-random port; pg_ctl fails loudly if it is taken.
    echo $(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000 ))
}

url() {
    [ -f "$pwfile" ] || die "no cluster in $dir (missing $pwfile)"
    [ -f "$portfile" ] || die "no cluster in $dir (missing $portfile)"
    printf 'postgresql://gess:%s@127.0.0.1:%s/gess\n' "$(cat "$pwfile")" "$(cat "$portfile")"
}

# The real data directory (user postgres may not be able to follow DIR/pg).
realdata() {
    if [ -L "$pgdata" ]; then readlink "$pgdata"; else echo "$pgdata"; fi
}

running() {
    [ -f "$pgdata/PG_VERSION" ] || return 1
    as_pg "$bindir/pg_ctl" -D "$(realdata)" status >/dev/null 2>&1
}

stop() {
    if [ ! -e "$pgdata/PG_VERSION" ]; then
        say "no cluster in $dir"
        return 0
    fi
    if running; then
        as_pg "$bindir/pg_ctl" -D "$(realdata)" -m "$mode" -w -t 60 stop >&2
    else
        say "not running"
    fi
}

create() {
    # A dangling symlink (e.g. /var/tmp was cleaned): start afresh.
    if [ -L "$pgdata" ] && [ ! -e "$pgdata" ]; then
        say "data directory $(readlink "$pgdata") is gone; creating a new cluster"
        rm -f "$pgdata" "$pwfile" "$portfile"
    fi
    if [ -e "$pgdata" ]; then
        die "$pgdata exists but holds no cluster; remove it first"
    fi
    if pg_can_write "$dir"; then
        rundir=$dir
    else
        sum=$(printf '%s' "$dir" | cksum | cut -d' ' -f1)
        rundir=/var/tmp/gess-$sum
        say "user postgres cannot write $dir; keeping the data in $rundir"
        if [ -e "$rundir/pg" ]; then rm -rf "$rundir/pg"; fi
        mkdir -p "$rundir"
        if [ "$(id -u)" = 0 ]; then chown postgres: "$rundir"; fi
        chmod 0700 "$rundir"
        ln -s "$rundir/pg" "$pgdata"
    fi
    data=$rundir/pg

    umask 077
    pw=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    printf '%s\n' "$pw" > "$pwfile"
    chmod 0600 "$pwfile"
    # initdb reads the password as user postgres: hand it a private copy.
    tmppw=$rundir/.initdb-pw.$$
    printf '%s\n' "$pw" > "$tmppw"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$tmppw"; fi

    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then loc=C.UTF-8; else loc=C; fi
    say "initdb in $data (locale $loc)"
    if ! as_pg "$bindir/initdb" -D "$data" -U gess --auth=scram-sha-256 \
            --pwfile="$tmppw" -E UTF8 --locale="$loc" >"$rundir/initdb.log" 2>&1; then
        rm -f "$tmppw"
        cat "$rundir/initdb.log" >&2
        die "initdb failed"
    fi
    rm -f "$tmppw"

    {
        echo
        echo "# --- tools/pgcluster.sh ---"
        echo "listen_addresses = '127.0.0.1'"
        echo "unix_socket_directories = '$rundir'"
        echo "max_connections = 200"
        if [ "$fast" = 1 ]; then
            echo "# --fast: a throwaway test cluster; never for real data"
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
        fi
    } | as_pg sh -c "cat >> '$data/postgresql.conf'"
}

start() {
    if [ ! -e "$pgdata/PG_VERSION" ]; then
        create
    elif [ "$fast" = 1 ]; then
        say "note: --fast only applies when the cluster is created"
    fi
    [ -f "$pwfile" ] || die "missing $pwfile"
    rundir=$(rundir_of_existing)

    if running; then
        say "already running"
        [ -f "$portfile" ] || die "running but $portfile is missing"
        url
        return 0
    fi

    port=
    if [ -f "$portfile" ]; then
        port=$(cat "$portfile")
        if ! port_free "$port"; then
            say "port $port is taken; picking another"
            port=
        fi
    fi
    [ -n "$port" ] || port=$(pick_port)
    echo "$port" > "$portfile"

    log=$rundir/postgres.log
    say "starting PostgreSQL on 127.0.0.1:$port (log: $log)"
    if ! as_pg "$bindir/pg_ctl" -D "$(realdata)" -l "$log" -w -t 60 \
            -o "-p $port -k '$rundir'" start >&2; then
        tail -n 20 "$log" >&2 || true
        die "PostgreSQL did not start"
    fi

    export PGPASSWORD
    PGPASSWORD=$(cat "$pwfile")
    exists=$("$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U gess -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'gess'") || die "cannot connect to the new cluster"
    if [ "$exists" != 1 ]; then
        say "creating database gess"
        "$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U gess -d postgres \
            -c "CREATE DATABASE gess OWNER gess" >&2 || die "CREATE DATABASE failed"
    fi
    url
}

destroy() {
    stop
    if [ -L "$pgdata" ]; then
        target=$(readlink "$pgdata")
        tdir=$(dirname "$target")
        case $tdir in
            /var/tmp/gess-*) rm -rf "$tdir" ;;
            *) rm -rf "$target" ;;
        esac
        rm -f "$pgdata"
    else
        rm -rf "$pgdata" "$dir/postgres.log" "$dir/initdb.log"
    fi
    rm -f "$pwfile" "$portfile"
}

case $cmd in
    start) start ;;
    stop) stop ;;
    url) url ;;
    destroy) destroy ;;
esac
