#!/bin/sh
# `make bench`: measures gessd against the ceilings of this machine, all in
# one run, and prints a table. Nothing is asserted: the targets are printed
# next to the figures. Exit 0 unless something could not run.
#
# usage: sh tests/load/bench.sh BUILD_DIR
#   BUILD_DIR holds gessd, ping and pwhash_ceiling (the Makefile builds them).
#
# Knobs (environment):
#   BENCH_DURATION            seconds measured per side of each comparison (10)
#   BENCH_ROUNDS              a. and b. alternate gessd and its ceiling in this
#                             many rounds of DURATION/ROUNDS s; the best round
#                             of each side counts (2)
#   BENCH_WARMUP              unmeasured seconds before the first round (2)
#   BENCH_THREADS             wrk threads and pgbench jobs (2)
#   BENCH_CONNECTIONS         wrk connections and pgbench clients (64)
#   BENCH_PGBENCH_CLIENTS     pgbench clients (BENCH_CONNECTIONS, as wrk)
#   BENCH_SIGNUP_CONNECTIONS  wrk connections posting sign-ups (8)
#   BENCH_ARGON2_OPSLIMIT     (2)  and BENCH_ARGON2_MEMLIMIT_KIB (65536),
#                             given to gessd and to pwhash_ceiling alike
#   BENCH_WORKERS             event loops of gessd and of ping (number of cores)
#   BENCH_PARTS               which of "a b c" to run (all)
# Only 127.0.0.1 is ever targeted. Needs wrk, pgbench, psql, curl, python3.

set -u

BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
LOAD=$ROOT/tests/load
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

DUR=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-2}
WARM=${BENCH_WARMUP:-2}
WT=${BENCH_THREADS:-2}
WC=${BENCH_CONNECTIONS:-64}
PC=${BENCH_PGBENCH_CLIENTS:-$WC}
SC=${BENCH_SIGNUP_CONNECTIONS:-8}
OPS=${BENCH_ARGON2_OPSLIMIT:-2}
MEM=${BENCH_ARGON2_MEMLIMIT_KIB:-65536}
CORES=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
WORKERS=${BENCH_WORKERS:-$CORES}
PARTS=${BENCH_PARTS:-a b c}
IDLE=604800 # token_idle_s: given to gessd and to the pgbench lookup alike

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }
want() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }

for v in DUR ROUNDS WARM WT WC PC SC OPS MEM WORKERS; do
    eval "x=\$$v"
    case $x in ''|*[!0-9]*) die "$v must be a whole number, not '$x'" ;; esac
done
[ "$ROUNDS" -ge 1 ] || ROUNDS=1
RDUR=$(( DUR / ROUNDS )); [ "$RDUR" -ge 1 ] || RDUR=1

for b in gessd ping pwhash_ceiling; do
    [ -x "$BUILD/$b" ] || die "$BUILD/$b not built (run: make bench)"
done
for t in wrk pgbench psql curl; do
    command -v "$t" >/dev/null 2>&1 || die "$t not found (run: make deps)"
done
[ -f "$ROOT/tools/pgcluster.sh" ] || die "tools/pgcluster.sh missing"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gess-bench.XXXXXX") || die "mktemp failed"
chmod 755 "$TMP" # the cluster may run as user postgres (when we are root)
PGDIR=$TMP/cluster
GESSD_PID=
PING_PID=
SIGNUP_PID=
CLUSTER=0

cleanup() {
    trap - EXIT INT TERM HUP
    for p in $SIGNUP_PID $GESSD_PID $PING_PID; do kill -TERM "$p" 2>/dev/null; done
    for p in $SIGNUP_PID $GESSD_PID $PING_PID; do wait "$p" 2>/dev/null; done
    if [ "$CLUSTER" = 1 ]; then
        # destroy = stop + delete the data, also where pgcluster.sh kept it
        # outside DIR (/var/tmp/gess-*, DIR/pg a symlink).
        sh "$ROOT/tools/pgcluster.sh" destroy "$PGDIR" >/dev/null 2>&1 ||
            sh "$ROOT/tools/pgcluster.sh" stop "$PGDIR" >/dev/null 2>&1
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---------------------------------------------------------------- helpers
free_port() {
    "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http URL PID: until URL answers 200 (10 s), or the process died.
wait_http() {
    i=0
    while [ $i -lt 100 ]; do
        kill -0 "$2" 2>/dev/null || return 1
        curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# A wrk latency ("812.00us", "4.63ms", "1.20s", "1.00m") in ms.
to_ms() {
    echo "$1" | awk '{
        v = $1; u = $1; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u);
        if (u == "us") v /= 1000; else if (u == "s") v *= 1000;
        else if (u == "m") v *= 60000; else if (u == "h") v *= 3600000;
        printf "%.2f", v }'
}
wrk_rps() { awk '/^Requests\/sec:/ { print $2; exit }' "$1" 2>/dev/null; }
wrk_p99() {
    v=$(awk '/Latency Distribution/ { d = 1 } d && $1 == "99%" { print $2; exit }' "$1" 2>/dev/null)
    [ -n "$v" ] && to_ms "$v"
}
# non-2xx/3xx answers plus socket errors, one number
wrk_errors() {
    awk '/Non-2xx or 3xx responses:/ { n += $NF }
         /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
         END { print n + 0 }' "$1" 2>/dev/null
}
pgb_tps() { awk '/^tps = / { printf "%.2f", $3; exit }' "$1" 2>/dev/null; }
pgb_failed() { awk '/number of failed transactions:/ { print $5; exit }' "$1" 2>/dev/null; }
# p99 in ms from pgbench -l logs in DIR (column 3: latency in us)
pgb_p99() {
    cat "$1"/me.* 2>/dev/null | awk '{ print $3 }' | sort -n |
        awk '{ v[NR] = $1 } END { if (NR) { i = int(NR * 0.99); if (i < 1) i = 1; printf "%.2f", v[i] / 1000 } }'
}
# best FUNC FILE... -> the FILE whose FUNC value is highest
best() {
    f=$1; shift; bf=; bv=
    for x in "$@"; do
        v=$($f "$x")
        [ -n "$v" ] || continue
        if [ -z "$bv" ] || awk -v a="$v" -v b="$bv" 'BEGIN { exit !(a + 0 > b + 0) }'; then
            bv=$v; bf=$x
        fi
    done
    echo "$bf"
}
# all FUNC FILE... -> "v1 / v2 / ..." (every round, for the record)
all() {
    f=$1; shift; out=
    for x in "$@"; do v=$($f "$x"); out="${out:+$out / }${v:-n/a}"; done
    echo "$out"
}
ratio() {
    awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
        if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'
}
# met VALUE OP TARGET -> yes/no/n/a (informative only)
met() {
    awk -v v="${1:-}" -v op="$2" -v t="$3" 'BEGIN {
        if (v == "" || v == "n/a") { print "n/a"; exit }
        if (op == ">=") print (v + 0 >= t + 0 ? "yes" : "no");
        else print (v + 0 < t + 0 ? "yes" : "no") }'
}
seq_rounds() { i=1; while [ $i -le "$ROUNDS" ]; do echo $i; i=$((i + 1)); done; }

FAILED=0
run_wrk() { # OUT ARGS...: a failed run prints n/a and makes the exit status 1
    out=$1; shift
    if ! wrk "$@" >"$out" 2>&1; then
        note "wrk $* failed:"; sed 's/^/  /' "$out" >&2; FAILED=1; return 1
    fi
}
warm() { # a short unmeasured run first (connections, caches, prepared plans)
    [ "$WARM" -gt 0 ] && wrk -t"$WT" -c"$WC" -d"${WARM}s" "$@" >/dev/null 2>&1
    return 0
}
alive() { kill -0 "$GESSD_PID" 2>/dev/null || { tail -n 20 "$TMP/gessd.log" >&2; die "gessd died during $1"; }; }

# Other work on the machine skews every figure: note the load we start with.
LOAD0=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)

# ---------------------------------------------------------------- cluster
note "starting a throwaway PostgreSQL cluster in $PGDIR"
CLUSTER=1
URL=$(sh "$ROOT/tools/pgcluster.sh" start --fast "$PGDIR" 2>"$TMP/pgcluster.err" | tail -n 1)
case $URL in
    postgresql://*|postgres://*) ;;
    *) cat "$TMP/pgcluster.err" >&2; die "tools/pgcluster.sh start did not print a database URL" ;;
esac

export GESS_DATABASE_URL="$URL"
export GESS_LOG_LEVEL=warn
export GESS_WORKERS="$WORKERS"
export GESS_ARGON2_OPSLIMIT="$OPS"
export GESS_ARGON2_MEMLIMIT_KIB="$MEM"
export GESS_TOKEN_IDLE_S="$IDLE"

note "gessd migrate"
"$BUILD/gessd" migrate >"$TMP/migrate.log" 2>&1 \
    || { cat "$TMP/migrate.log" >&2; die "gessd migrate failed"; }

GPORT=$(free_port) || die "no free port"
note "gessd serve on 127.0.0.1:$GPORT ($WORKERS workers)"
GESS_LISTEN=127.0.0.1:$GPORT "$BUILD/gessd" serve >"$TMP/gessd.log" 2>&1 &
GESSD_PID=$!
G=http://127.0.0.1:$GPORT
wait_http "$G/healthz" "$GESSD_PID" \
    || { tail -n 20 "$TMP/gessd.log" >&2; die "gessd serve did not come up"; }

WRK="-t$WT -c$WC -d${RDUR}s --latency"
A_G= A_GP= A_GE= A_GALL= A_P= A_PP= A_PE= A_PALL=
B_G= B_GP= B_GE= B_GALL= B_P= B_PP= B_PE= B_PALL= ME_SRC=
C_G= C_GP= C_OTHER= C_LAST= C_P= C_PR= C_PRE= C_PRR= C_PARAMS= C_PR0=

# ---------------------------------------------------------------- a. /healthz
if want a; then
    note "a. GET /healthz: gessd vs ping, $ROUNDS alternating round(s) of wrk $WRK"
    PPORT=$(free_port) || die "no free port"
    "$BUILD/ping" "$PPORT" "$WORKERS" >"$TMP/ping.log" 2>&1 &
    PING_PID=$!
    P=http://127.0.0.1:$PPORT
    wait_http "$P/healthz" "$PING_PID" \
        || { cat "$TMP/ping.log" >&2; die "ping did not come up"; }
    warm "$G/healthz"
    warm "$P/healthz"
    for r in $(seq_rounds); do
        run_wrk "$TMP/a_gessd.$r" $WRK "$G/healthz"
        alive a.
        run_wrk "$TMP/a_ping.$r" $WRK "$P/healthz"
    done
    kill -TERM "$PING_PID" 2>/dev/null; wait "$PING_PID" 2>/dev/null; PING_PID=
    f=$(best wrk_rps "$TMP"/a_gessd.*)
    [ -n "$f" ] && { A_G=$(wrk_rps "$f"); A_GP=$(wrk_p99 "$f"); }
    A_GE=$(cat "$TMP"/a_gessd.* | wrk_errors /dev/stdin); A_GALL=$(all wrk_rps "$TMP"/a_gessd.*)
    f=$(best wrk_rps "$TMP"/a_ping.*)
    [ -n "$f" ] && { A_P=$(wrk_rps "$f"); A_PP=$(wrk_p99 "$f"); }
    A_PE=$(cat "$TMP"/a_ping.* | wrk_errors /dev/stdin); A_PALL=$(all wrk_rps "$TMP"/a_ping.*)
fi

# ---------------------------------------------------------------- b. /v1/me
if want b; then
    note "b. GET /v1/me: gessd vs pgbench on the token lookup, $ROUNDS alternating round(s)"
    EMAIL="bench-me-$(date +%s)-$$@example.org"
    PASSWORD='Vq7!mZr2#Lp9xWt4 kettle'
    TOKEN=
    code=$(curl -sS -o "$TMP/account.json" -w '%{http_code}' --max-time 30 \
        -H 'Content-Type: application/json' -X POST "$G/v1/accounts" \
        --data "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\",\"full_name\":\"Bench Me\",\"organization\":\"Load Test\",\"sector\":\"academia\",\"consent\":true}" 2>&1)
    if [ "$code" = 201 ]; then
        code=$(curl -sS -o "$TMP/token.json" -w '%{http_code}' --max-time 30 \
            -H 'Content-Type: application/json' -X POST "$G/v1/tokens" \
            --data "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" 2>&1)
        if [ "$code" = 201 ]; then
            TOKEN=$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["token"])' <"$TMP/token.json" 2>/dev/null)
        else
            note "POST /v1/tokens answered $code: $(cat "$TMP/token.json" 2>/dev/null)"
        fi
    else
        note "POST /v1/accounts answered $code: $(cat "$TMP/account.json" 2>/dev/null)"
    fi

    # The stored hash of that token, in hex as gessd passes it ($1).
    H=
    [ -n "$TOKEN" ] && H=$(psql "$URL" -XAtq -c "SELECT encode(t.token_hash, 'hex') FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE a.email = lower('$EMAIL') ORDER BY t.created_at DESC LIMIT 1" 2>"$TMP/psql.err")
    # The statement gessd runs, taken from its source; else the copy.
    ME_SQL=$LOAD/me.sql ME_SRC=tests/load/me.sql
    if "$PY" "$LOAD/stmt.py" "$ROOT/services/core/auth.c" auth_stmt_lookup h idle \
            >"$TMP/me.sql" 2>/dev/null; then
        ME_SQL=$TMP/me.sql ME_SRC=services/core/auth.c
    else
        note "auth_stmt_lookup not found in services/core/auth.c; using tests/load/me.sql"
    fi
    # Like gessd's pooled connections: as gess_app, in UTC (server.c setup_sql).
    PGB_OPTIONS="-c role=gess_app -c TimeZone=UTC"
    rows=
    [ -n "$H" ] && rows=$(PGOPTIONS=$PGB_OPTIONS psql "$URL" -XAtq -v h="'$H'" -v idle="$IDLE" \
                              -f "$ME_SQL" 2>"$TMP/psql.err" | wc -l)
    pgb() { # ROUND SECONDS
        mkdir -p "$TMP/pgbench.$1"
        (cd "$TMP/pgbench.$1" && PGOPTIONS=$PGB_OPTIONS pgbench -n -M prepared -c "$PC" -j "$WT" -T "$2" \
            -l --log-prefix=me -D h="$H" -D idle="$IDLE" -f "$ME_SQL" "$URL") >"$TMP/b_pgbench.$1" 2>&1 \
            || { note "pgbench failed:"; sed 's/^/  /' "$TMP/b_pgbench.$1" >&2; FAILED=1; }
    }

    if [ -z "$TOKEN" ]; then
        FAILED=1
    elif [ -z "$H" ]; then
        note "could not read the token hash: $(cat "$TMP/psql.err")"; FAILED=1
    elif [ "$rows" != 1 ]; then
        note "the lookup ($ME_SRC) found ${rows:-no} rows for the token, not 1: $(cat "$TMP/psql.err")"
        FAILED=1
    else
        code=$(curl -sS -o "$TMP/me.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$G/v1/me")
        [ "$code" = 200 ] || note "GET /v1/me answered $code: $(cat "$TMP/me.json")"
        warm -H "Authorization: Bearer $TOKEN" "$G/v1/me"
        [ "$WARM" -gt 0 ] && pgb 0 "$WARM"
        for r in $(seq_rounds); do
            run_wrk "$TMP/b_gessd.$r" $WRK -H "Authorization: Bearer $TOKEN" "$G/v1/me"
            alive b.
            pgb "$r" "$RDUR"
        done
        f=$(best wrk_rps "$TMP"/b_gessd.*)
        [ -n "$f" ] && { B_G=$(wrk_rps "$f"); B_GP=$(wrk_p99 "$f"); }
        B_GE=$(cat "$TMP"/b_gessd.* | wrk_errors /dev/stdin); B_GALL=$(all wrk_rps "$TMP"/b_gessd.*)
        rm -f "$TMP/b_pgbench.0"
        f=$(best pgb_tps "$TMP"/b_pgbench.*)
        [ -n "$f" ] && { B_P=$(pgb_tps "$f"); B_PP=$(pgb_p99 "$TMP/pgbench.${f##*.}"); }
        B_PE=$(for x in "$TMP"/b_pgbench.*; do pgb_failed "$x"; done | awk '{ n += $1 } END { print n + 0 }')
        B_PALL=$(all pgb_tps "$TMP"/b_pgbench.*)
    fi
fi

# ---------------------------------------------------------------- c. sign-ups
if want c; then
    note "c. POST /v1/accounts (wrk -t$WT -c$SC -d${DUR}s) + paced /healthz probe vs pwhash_ceiling"
    # The ceiling runs half before and half after the sign-ups (gessd idle
    # meanwhile), so a drift in the machine's load favours neither side.
    HALF=$(( (DUR + 1) / 2 ))
    # The probe alone first: its p99 with no hashing going on, for contrast.
    run_wrk "$TMP/c_probe0" -t1 -c4 -d"${HALF}s" --latency -s "$LOAD/probe.lua" "$G/healthz"
    "$BUILD/pwhash_ceiling" "$OPS" "$MEM" "$HALF" >"$TMP/c_ceiling" 2>&1 \
        || { note "pwhash_ceiling failed: $(cat "$TMP/c_ceiling")"; FAILED=1; }
    wrk -t"$WT" -c"$SC" -d"${DUR}s" --latency --timeout 10s -s "$LOAD/signup.lua" \
        "$G/v1/accounts" -- "$(date +%s)-$$" >"$TMP/c_signup" 2>&1 &
    SIGNUP_PID=$!
    run_wrk "$TMP/c_probe" -t1 -c4 -d"${DUR}s" --latency -s "$LOAD/probe.lua" "$G/healthz"
    if ! wait "$SIGNUP_PID"; then
        note "wrk (sign-ups) failed:"; sed 's/^/  /' "$TMP/c_signup" >&2; FAILED=1
    fi
    SIGNUP_PID=
    alive c.
    "$BUILD/pwhash_ceiling" "$OPS" "$MEM" "$HALF" >>"$TMP/c_ceiling" 2>&1 \
        || { note "pwhash_ceiling failed: $(cat "$TMP/c_ceiling")"; FAILED=1; }

    C_G=$(sed -n 's/.*created_per_s=\([0-9.]*\).*/\1/p' "$TMP/c_signup" | head -n 1)
    C_OTHER=$(sed -n 's/.*signup created=[0-9]* other=\([0-9]*\).*/\1/p' "$TMP/c_signup" | head -n 1)
    C_LAST=$(sed -n 's/.*last_other_status=\([0-9][0-9]*\).*/\1/p' "$TMP/c_signup" | head -n 1)
    C_GP=$(wrk_p99 "$TMP/c_signup")
    C_PR0=$(wrk_p99 "$TMP/c_probe0"); C_PR=$(wrk_p99 "$TMP/c_probe"); C_PRE=$(wrk_errors "$TMP/c_probe"); C_PRR=$(wrk_rps "$TMP/c_probe")
    # total hashes over total seconds of both halves
    C_P=$(awk '/hashes_per_s=/ { for (i = 1; i <= NF; i++) { split($i, kv, "=");
                   if (kv[1] == "hashes") h += kv[2]; if (kv[1] == "seconds") t += kv[2] }; n++ }
               END { if (n == 2 && t > 0) printf "%.2f", h / t }' "$TMP/c_ceiling")
    # The Argon2id parameters gessd really used (m=KiB,t=ops,p=lanes).
    C_PARAMS=$(psql "$URL" -XAtq -c "SELECT split_part(password_hash, '\$', 4) FROM accounts WHERE email LIKE 'bench-%' ORDER BY created_at DESC LIMIT 1" 2>/dev/null)
fi

# ---------------------------------------------------------------- report
LOAD1=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)
RA=$(ratio "$A_G" "$A_P")
RB=$(ratio "$B_G" "$B_P")
RC=$(ratio "$C_G" "$C_P")
n() { [ -n "${1:-}" ] && echo "$1" || echo n/a; }
row() { printf '%-32s %10s %10s  %-15s %5s  %-7s %s\n' "$@"; }

echo
echo "gess bench: $CORES cores, $WORKERS event loops; a. and b.: wrk/pgbench -c$WC with $WT threads," \
     "best of $ROUNDS alternating ${RDUR}s round(s); c.: ${DUR}s, argon2id opslimit=$OPS memlimit=${MEM}KiB"
row "measure" "gessd" "ceiling" "ceiling by" "ratio" "target" "met"
row "--------------------------------" "----------" "----------" "---------------" "-----" "-------" "---"
if want a; then
row "a. GET /healthz req/s" "$(n "$A_G")" "$(n "$A_P")" "ping" "$RA" ">= 0.80" "$(met "$RA" ">=" 0.8)"
row "   p99 ms" "$(n "$A_GP")" "$(n "$A_PP")" "" "" "" ""
fi
if want b; then
row "b. GET /v1/me req/s" "$(n "$B_G")" "$(n "$B_P")" "pgbench" "$RB" ">= 0.70" "$(met "$RB" ">=" 0.7)"
row "   p99 ms" "$(n "$B_GP")" "$(n "$B_PP")" "" "" "" ""
fi
if want c; then
row "c. sign-ups/s" "$(n "$C_G")" "$(n "$C_P")" "pwhash_ceiling" "$RC" ">= 0.85" "$(met "$RC" ">=" 0.85)"
row "   p99 ms (-c$SC)" "$(n "$C_GP")" "" "" "" "" ""
row "   GET /healthz meanwhile p99 ms" "$(n "$C_PR")" "$(n "$C_PR0")" "same, idle" "" "< 10" "$(met "$C_PR" "<" 10)"
fi
echo
echo "load average (1 min): ${LOAD0:-n/a} at start, ${LOAD1:-n/a} at the end; the bench itself keeps ~2-3 busy," \
     "anything more means other work skewed the figures"
want a && echo "a. every round, req/s: gessd $(n "$A_GALL"); ping $(n "$A_PALL"); non-2xx + socket errors: gessd $(n "$A_GE"), ping $(n "$A_PE")"
want b && echo "b. every round, req/s: gessd $(n "$B_GALL"); pgbench $(n "$B_PALL"); non-2xx + socket errors: gessd $(n "$B_GE"), pgbench failed $(n "$B_PE")"
want b && echo "   pgbench ran the token lookup from $(n "$ME_SRC") (-M prepared -c$PC -j$WT, as gess_app)"
want c && echo "c. answers other than 201: $(n "$C_OTHER")${C_LAST:+ (last: $C_LAST)}; probe: $(n "$C_PRR") req/s, $(n "$C_PRE") errors;" \
               "stored hash parameters ${C_PARAMS:-n/a} (asked m=$MEM,t=$OPS)"
if [ -s "$TMP/gessd.log" ]; then
    echo "gessd logged $(wc -l <"$TMP/gessd.log") line(s) at warn or above; the last:"
    tail -n 5 "$TMP/gessd.log" | cut -c1-300 | sed 's/^/  /'
fi
exit $FAILED
