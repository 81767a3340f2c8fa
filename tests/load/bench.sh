#!/bin/sh
# `make bench`: measures gessd against the ceilings of this machine, all in
# one run, and prints a table. Nothing is asserted: the targets are printed
# next to the figures. Exit 0 unless something could not run. Parts: a.
# /healthz, b. /v1/me, c. sign-ups, d. registrations, e. the published
# schedule, f. the public pact dashboard, g. hostile connections: slowloris
# and idle connections, h. practices search, i. outbox delivery: mail, and
# (i3) webhooks, j. compressed pages and dashboard (see README.md).
#
# usage: sh tests/load/bench.sh BUILD_DIR
#   BUILD_DIR holds gessd, ping, pwhash_ceiling, slowloris, smtp_ceiling,
#   hook_sink and hook_ceiling (the Makefile builds them).
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
#   BENCH_PARTS               which of "a b c d e f g h i j" to run (all); i is the
#                             mail lane (i, and i2 with d) and the webhook lane
#                             (i3); "i3" alone runs only the webhook lane
#   BENCH_D_DURATION          d.: seconds of each gessd and pgbench run (DURATION)
#   BENCH_D_ACCOUNTS          d.: accounts with a token made in SQL (40000);
#                             each run of d. registers each at most once
#   BENCH_D_LOW_CONNECTIONS   d.: the second concurrency, after BENCH_CONNECTIONS (8)
#   BENCH_D_FSYNC             d.: fsync and full_page_writes on|off during d.
#                             (on); synchronous_commit is on during d. always
#   BENCH_G_SLOWLORIS         g.: slowloris connections held during g1 (1000)
#   BENCH_G_IDLE              g.: idle connections held during g2 (5000)
#   BENCH_H_CASES             h.: generated published cases (10000; 100000 for the note)
#   BENCH_I_MAILS             i.: outbox rows delivered, and mails the ceiling sends (10000)
#   BENCH_I_HOOKS             i3.: webhook rows delivered, and posts per ceiling run (10000)
#   BENCH_I_PERF              i3.: seconds of `perf record -g` on gessd notify while it
#                             delivers, top of the profile printed (0: none)
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
PARTS=${BENCH_PARTS:-a b c d e f g h i j}
DDUR=${BENCH_D_DURATION:-$DUR}
DACC=${BENCH_D_ACCOUNTS:-60000}
DLC=${BENCH_D_LOW_CONNECTIONS:-8}
DFSYNC=${BENCH_D_FSYNC:-on}
GN=${BENCH_G_SLOWLORIS:-1000}
GI=${BENCH_G_IDLE:-5000}
HCASES=${BENCH_H_CASES:-10000}
IMAILS=${BENCH_I_MAILS:-10000}
IHOOKS=${BENCH_I_HOOKS:-10000}
IDLE=604800 # token_idle_s: given to gessd and to the pgbench lookup alike

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }
want() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }

for v in DUR ROUNDS WARM WT WC PC SC OPS MEM WORKERS DDUR DACC DLC GN GI IMAILS IHOOKS; do
    eval "x=\$$v"
    case $x in ''|*[!0-9]*) die "$v must be a whole number, not '$x'" ;; esac
done
[ "$ROUNDS" -ge 1 ] || ROUNDS=1
[ "$DDUR" -ge 3 ] || DDUR=3
[ "$DACC" -ge 100 ] || DACC=100
[ "$GN" -ge 1 ] || GN=1
[ "$GI" -ge 1 ] || GI=1
[ "$IHOOKS" -ge 1 ] || IHOOKS=1
RDUR=$(( DUR / ROUNDS )); [ "$RDUR" -ge 1 ] || RDUR=1

for b in gessd ping pwhash_ceiling slowloris smtp_ceiling hook_sink hook_ceiling; do
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
SAMPLER_PID=
HOLD_PID=
SINK_PID=
NOTIFY_PID=
G1_PID=
G2_PID=
CLUSTER=0

cleanup() {
    trap - EXIT INT TERM HUP
    for p in $SAMPLER_PID $SIGNUP_PID $HOLD_PID $G1_PID $G2_PID $NOTIFY_PID $SINK_PID $GESSD_PID $PING_PID; do kill -TERM "$p" 2>/dev/null; done
    for p in $SAMPLER_PID $SIGNUP_PID $HOLD_PID $G1_PID $G2_PID $NOTIFY_PID $SINK_PID $GESSD_PID $PING_PID; do wait "$p" 2>/dev/null; done
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
        else if (op == "<=") print (v + 0 <= t + 0 ? "yes" : "no");
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
# part c. signs up thousands of accounts from 127.0.0.1: the per-address
# sign-up limit would turn the benchmark into a 429 benchmark
export GESS_SIGNUP_MAX_PER_ADDRESS=1000000

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
E_G= E_GP= E_GE= E_GALL= E_P= E_PP= E_PE= E_PALL= E_SIZE= E_SETUP=
E_NG= E_NGP= E_NGE= E_NP= E_NPP= E_NPE=
F_G= F_GP= F_GE= F_GALL= F_P= F_PP= F_PE= F_PALL= F_SIZE= F_SETUP= F_BUILD=
F_NG= F_NGP= F_NGE= F_NP= F_NPP= F_NPE=
G_S= G_SP= G_SE= G_SALL= G_N= G_NP= G_NE= G_NALL= G_HELD0= G_HELD1= G_HOLD= G_KEYS=
G_IG= G_IGD= G_IP= G_IPD=
I_G= I_P= I_SIZE= I_SIZE_MSG= I_NOTE= I_LAG= I_LAGP99= LAG_T0=
H_SETUP= H_GL1= H_GL2= H_GL3= H_G1= H_GP1= H_P1= H_PP1= H_N1= H_G2= H_GP2= H_P2= H_PP2= H_N2= H_G3= H_GP3= H_P3= H_PP3= H_N3=

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

# ---------------------------------------------------------------- d. registrations
# Registration throughput where it is hardest: every request takes a seat
# of the same category (one category_modes row, whose row lock each
# transaction holds from its UPDATE to its commit), then the same spread
# over 20 categories, each against pgbench running the SQL gessd runs per
# request. synchronous_commit is on (and, with BENCH_D_FSYNC=on, fsync and
# full_page_writes too, unlike the --fast cluster of the other parts), for
# gessd and pgbench alike: a commit really waits for its WAL flush.
# ---------------------------------------------------------------- i2. outbox lag under d
# With parts d and i both asked for, a `gessd notify` (default timing: a
# poll every 250 ms) delivers to an aiosmtpd sink while part d's
# registrations run, and the lag of each mail is the sink's acceptance time
# minus its outbox row's created_at (the writing transaction's start: within
# a few ms of its commit under this load). The relay is unthrottled.
lag_sink_wait() { # FILE: until the sink wrote it (10 s)
    i=0
    while [ ! -s "$1" ]; do i=$((i + 1)); [ "$i" -le 200 ] || return 1; sleep 0.05; done
}
LAG_ON=0
if want d && want i && "$PY" -c 'import aiosmtpd' 2>/dev/null; then
    LPORT=$(free_port)
    : >"$TMP/lag.tsv"
    "$PY" "$LOAD/smtp_sink.py" "$LPORT" "$TMP/sink_l.count" "$TMP/lag.tsv" >"$TMP/sink_l.log" 2>&1 &
    SINK_PID=$!
    if lag_sink_wait "$TMP/sink_l.count"; then
        LAG_T0=$(psql "$URL" -XAtq -c "SELECT now()" 2>/dev/null)
        GESS_MAIL_TRANSPORT=smtp GESS_SMTP_URL="smtp://127.0.0.1:$LPORT" GESS_SMTP_TLS=off \
            "$BUILD/gessd" notify >"$TMP/notify_l.log" 2>&1 &
        NOTIFY_PID=$!
        LAG_ON=1
    else
        note "i2. the sink did not start"
    fi
fi
if want d; then
    note "d. POST /v1/editions/SLUG/registrations: gessd vs pgbench, one hot category and 20 categories"
    case $DFSYNC in on|off) ;; *) die "BENCH_D_FSYNC must be on or off, not '$DFSYNC'" ;; esac
    psql "$URL" -XAtq -v ON_ERROR_STOP=1 >/dev/null 2>"$TMP/psql.err" <<SQL \
        || { note "could not change the durability settings: $(cat "$TMP/psql.err")"; FAILED=1; }
ALTER SYSTEM SET synchronous_commit = on;
ALTER SYSTEM SET fsync = $DFSYNC;
ALTER SYSTEM SET full_page_writes = $DFSYNC;
ALTER SYSTEM SET track_wal_io_timing = on;
SELECT pg_reload_conf();
SQL
    sleep 0.5 # the reload reaches every backend at its next command
    D_SETTINGS=$(PGOPTIONS="-c role=gess_app" psql "$URL" -XAtq -c "SELECT 'synchronous_commit=' || current_setting('synchronous_commit') || ' fsync=' || current_setting('fsync') || ' full_page_writes=' || current_setting('full_page_writes') || ' wal_sync_method=' || current_setting('wal_sync_method')" 2>/dev/null)

    # One account made through the API lends its Argon2id hash to the
    # DACC accounts made in SQL, each with one token whose hash is
    # BLAKE2b-256 of the token text, as gessd stores it.
    TMPL="bench-d-$(date +%s)-$$@example.org"
    code=$(curl -sS -o "$TMP/d_account.json" -w '%{http_code}' --max-time 30 \
        -H 'Content-Type: application/json' -X POST "$G/v1/accounts" \
        --data "{\"email\":\"$TMPL\",\"password\":\"Vq7!mZr2#Lp9xWt4 kettle\",\"full_name\":\"Bench Template\",\"organization\":\"Load Test\",\"sector\":\"academia\",\"country\":\"PE\",\"region\":\"Lima\",\"consent\":true}" 2>&1)
    [ "$code" = 201 ] || note "POST /v1/accounts answered $code: $(cat "$TMP/d_account.json" 2>/dev/null)"
    "$PY" - "$DACC" "$TMP/d_tokens" "$TMP/d_pool.tsv" <<'PYEOF' || die "could not make the token file"
import base64, hashlib, os, sys, uuid
n = int(sys.argv[1])
with open(sys.argv[2], "w") as tf, open(sys.argv[3], "w") as pf:
    for i in range(1, n + 1):
        tok = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
        h = hashlib.blake2b(tok.encode(), digest_size=32).hexdigest()
        tf.write(tok + "\n")
        pf.write("%d\t%s\tbench-d-%d@example.org\t%s\n" % (i, uuid.uuid4(), i, h))
PYEOF
    # Editions: one per measured run (each account registers once per
    # edition, so every run starts with all DACC accounts unregistered),
    # published, window open, categories hot and cat01..cat20 with room
    # for far more in-person seats than a run can take.
    D_EDITIONS="check w-g w-p g-hot-$WC p-hot-$WC g-hot-$DLC p-hot-$DLC g-20-$WC p-20-$WC g-20-$DLC p-20-$DLC
                b-hot-$WC b-hot-$DLC b-20-$WC b-20-$DLC o-hot-$WC"
    D_VALUES= k=100
    for e in $D_EDITIONS; do k=$((k + 1)); D_VALUES="${D_VALUES:+$D_VALUES, }('bench-d-$e', $k)"; done
    psql "$URL" -XAtq -v ON_ERROR_STOP=1 -v tmpl="$TMPL" >/dev/null 2>"$TMP/psql.err" <<SQL \
        || { note "could not set part d up: $(cat "$TMP/psql.err")"; FAILED=1; }
CREATE TABLE bench_pool (n integer PRIMARY KEY, account_id uuid NOT NULL, email text NOT NULL,
                         h text NOT NULL);
\copy bench_pool FROM '$TMP/d_pool.tsv'
-- verified: registering needs it (require_verified_email)
INSERT INTO accounts (id, email, password_hash, full_name, organization, sector, country,
                      region, roles, consent_at, consent_policy, email_verified_at)
SELECT p.account_id, p.email, t.password_hash, 'Bench Reg ' || p.n, t.organization, t.sector,
       t.country, t.region, t.roles, t.consent_at, t.consent_policy, now()
  FROM bench_pool p, accounts t WHERE t.email = lower(:'tmpl');
-- last_used_at ahead: as tokens used within the last minute (a login just
-- before registering), so the lookup's touch-UPDATE never fires, on both
-- sides, however long the part runs.
INSERT INTO tokens (account_id, token_hash, last_used_at, expires_at)
SELECT account_id, decode(h, 'hex'), now() + interval '1 hour', now() + interval '30 days'
  FROM bench_pool;
GRANT SELECT ON bench_pool TO gess_app;
WITH e AS (
    INSERT INTO editions (slug, number, title, starts_on, ends_on, registration_opens_at,
                          registration_closes_at, status)
    SELECT s, k, 'Bench ' || s, current_date + 60, current_date + 62, now() - interval '1 day',
           now() + interval '1 day', 'published'
      FROM (VALUES $D_VALUES) v(s, k)
    RETURNING id
), c AS (
    INSERT INTO categories (edition_id, code, name, position)
    SELECT e.id, code, 'Bench ' || code, pos
      FROM e, (SELECT 'hot', 0 UNION ALL
               SELECT 'cat' || lpad(g::text, 2, '0'), g FROM generate_series(1, 20) g) x(code, pos)
    RETURNING id
)
INSERT INTO category_modes (category_id, mode, capacity) SELECT id, 'in_person', 1000000 FROM c;
VACUUM ANALYZE accounts;
VACUUM ANALYZE tokens;
VACUUM ANALYZE bench_pool;
SQL
    HEAD=$(head -n 1 "$TMP/d_tokens")
    code=$(curl -sS -o "$TMP/d_check.json" -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $HEAD" \
        -H 'Content-Type: application/json' -X POST "$G/v1/editions/bench-d-check/registrations" \
        --data '{"category":"hot","mode":"in_person"}' 2>&1)
    [ "$code" = 201 ] || { note "POST /v1/editions/bench-d-check/registrations answered $code: $(cat "$TMP/d_check.json")"; FAILED=1; }

    # pgbench: the two statements gessd runs per request, from its source:
    # the token lookup (auth.c) then registration_create (create.c), in two
    # transactions as gessd does, prepared, as gess_app in UTC. Where gessd
    # has values of its own pgbench computes them: the token hash comes from
    # bench_pool inside the lookup (an index probe instead of gessd's
    # BLAKE2b in C), the account id from the lookup's answer (\gset), a
    # badge code from the account number (unique, instead of random), no
    # Idempotency-Key (NULL), a fixed request hash. Every transaction uses a
    # fresh account: pgbench variables live as long as the client, so a
    # per-client counter i gives account n = (i-1)*clients + client_id + 1,
    # never the same twice in a run, hence one auth lookup + one seat taken
    # + one registration inserted per transaction, exactly gessd's work.
    # (Past DACC accounts it would wrap around and get already-registered:
    # only rows created are counted, as 201s are for gessd.)
    D_RH=$(printf '%064d' 0)
    mkpgb() { # OUT CATEGORY-NAME-FOR-stmt.py
        { echo "\\set i :i + 1"
          echo "\\set n ((:i - 1) * :clients + :client_id) % :pool + 1"
          echo "\\set b :run * 100000000 + :n"
          echo "\\set k :n % 20 + 1"
          "$PY" "$LOAD/stmt.py" "$ROOT/services/core/auth.c" auth_stmt_lookup \
              "=(SELECT h FROM bench_pool WHERE n = :n)" idle | sed '$ s/;$/ \\gset/' &&
          "$PY" "$LOAD/stmt.py" "$ROOT/services/registration/create.c" registration_stmt_create \
              id slug "$2" mode answers \
              "=translate(lpad(upper(to_hex(:b::bigint)), 10, '0'), '0123456789ABCDEF', '23456789ABCDEFGH')" \
              =NULL rh
        } >"$1"
        grep -q 'FROM tokens.*\\gset$' "$1" && grep -q 'FROM registration_create(' "$1"
    }
    mkpgb "$TMP/d_hot.sql" cat || { note "auth_stmt_lookup or registration_stmt_create not found in the sources"; FAILED=1; }
    # The batched statement (issue 20), as a gessd worker sends it for B
    # requests of one edition: B token lookups (one per request, each its
    # own transaction, as gessd's), then one registration_admit with the B
    # items, accounts n0 .. n0+B-1 read from bench_pool (an index range scan
    # where gessd has the ids from its lookups), badge codes from the
    # account numbers, no keys, each item's category from its account
    # number (round-robin, as register.lua sends them). One pgbench
    # transaction is one batch.
    mkpgb_batch() { # OUT B CATEGORY-SQL-OF-n
        { echo "\\set i :i + 1"
          echo "\\set n0 (((:i - 1) * :clients + :client_id) * $2) % (:pool - $2) + 1"
          j=0
          while [ "$j" -lt "$2" ]; do
              echo "\\set n :n0 + $j"
              "$PY" "$LOAD/stmt.py" "$ROOT/services/core/auth.c" auth_stmt_lookup \
                  "=(SELECT h FROM bench_pool WHERE n = :n)" idle || return 1
              j=$((j + 1))
          done
          "$PY" "$LOAD/stmt.py" "$ROOT/services/registration/admission.c" registration_stmt_admit \
              slug \
              "=(SELECT jsonb_agg(jsonb_build_object('account', account_id, 'category', $3, 'mode', 'in_person', 'answers', '{}'::jsonb, 'badge', translate(lpad(upper(to_hex(:run::bigint * 100000000 + n)), 10, '0'), '0123456789ABCDEF', '23456789ABCDEFGH'), 'key', NULL, 'hash', :rh::text) ORDER BY n) FROM bench_pool WHERE n >= :n0 AND n < :n0 + $2)::text"
        } >"$1"
        grep -q 'FROM registration_admit(' "$1"
    }
    mkpgb "$TMP/d_20.sql" "=('cat' || lpad(:k::text, 2, '0'))" || FAILED=1

    # Wait events of the active client backends, sampled every ~0.1 s (plus
    # psql's start-up).
    sample_waits() { # OUT SECONDS
        end=$(( $(date +%s) + $2 ))
        while [ "$(date +%s)" -lt "$end" ]; do
            psql "$URL" -XAtq -F' ' -c "SELECT coalesce(wait_event_type, 'CPU') || '/' || coalesce(wait_event, '-'), count(*) FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid() GROUP BY 1" 2>/dev/null
            echo "#"
            sleep 0.1
        done >"$1"
    }
    # "CPU 41%, Lock/transactionid 30%, ... (avg 7.8 active backends over 30 samples)"
    waits() {
        [ -s "${1:-}" ] || { echo n/a; return; }
        body=$(awk '$1 == "#" { next } { c[$1] += $2; t += $2 }
                    END { for (k in c) printf "%d %s %.0f%%\n", c[k], k, 100 * c[k] / t }' "$1" |
               sort -nr | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $3 }')
        avg=$(awk '$1 == "#" { s++; next } { t += $2 }
                   END { if (s) printf "avg %.1f active backends over %d samples", t / s, s }' "$1")
        echo "${body:-no active backend seen} ($avg)"
    }
    # and the WAL flushes (pg_stat_wal, track_wal_io_timing) of the run.
    start_sampler() { # TAG: skips the first second (connections, ramp-up)
        psql "$URL" -XAtq -c "SELECT pg_stat_reset_shared('wal')" >/dev/null 2>&1
        ( sleep 1; sample_waits "$TMP/d_waits.$1" $((DDUR - 2)) ) &
        SAMPLER_PID=$!
    }
    stop_sampler() { # TAG
        [ -n "$SAMPLER_PID" ] && wait "$SAMPLER_PID" 2>/dev/null; SAMPLER_PID=
        psql "$URL" -XAtq -c "SELECT wal_sync || ' WAL flushes, ' || coalesce(round((wal_sync_time / nullif(wal_sync, 0))::numeric, 2) || ' ms each', 'no timing') FROM pg_stat_wal" >"$TMP/d_wal.$1" 2>/dev/null
    }
    d_rows() { # EDITION -> registrations created in it (all confirmed here)
        psql "$URL" -XAtq -c "SELECT count(*) FILTER (WHERE r.status = 'confirmed') || ' ' || count(*) FROM registrations r JOIN editions e ON e.id = r.edition_id WHERE e.slug = 'bench-d-$1'" 2>/dev/null
    }
    d_wrk() { # TAG CONNECTIONS CATEGORIES SECONDS [BASE-URL PID]
        base=${5:-$G}
        curl -sS --max-time 5 "$base/metrics" >"$TMP/d_m0.$1" 2>/dev/null
        c0=$(cpu_snap "${6:-}")
        wrk -t"$WT" -c"$2" -d"$4s" --latency --timeout 10s -s "$LOAD/register.lua" \
            "$base/v1/editions/bench-d-$1/registrations" -- "$TMP/d_tokens" "$3" "$WT" >"$TMP/d_$1" 2>&1 \
            || { note "wrk (registrations, $1) failed:"; sed 's/^/  /' "$TMP/d_$1" >&2; FAILED=1; }
        c1=$(cpu_snap "${6:-}")
        d_cpu "$1" "$c0" "$c1" "$(d_rows "$1" | cut -d' ' -f2)"
        curl -sS --max-time 5 "$base/metrics" >"$TMP/d_m1.$1" 2>/dev/null
        "$PY" "$LOAD/batch_stats.py" "$TMP/d_m0.$1" "$TMP/d_m1.$1" >"$TMP/d_batch.$1" 2>/dev/null
        alive "d. ($1)"
    }
    # CPU of the run, in clock ticks: gessd's process (all threads), every
    # postgres process (its pool's backends live through the run), and the
    # machine's busy total (the rest is wrk, the sampler, the system)
    cpu_snap() {
        g=$(awk '{ print $14 + $15 }' "/proc/${1:-$GESSD_PID}/stat" 2>/dev/null)
        p=$(for f in /proc/[0-9]*/stat; do read -r l <"$f" 2>/dev/null && echo "$l"; done 2>/dev/null |
            awk '$2 == "(postgres)" { t += $14 + $15 } END { print t + 0 }')
        t=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat)
        echo "${g:-0} $p $t"
    }
    d_cpu() { # TAG BEFORE AFTER ROWS -> ms of CPU per registration: gessd, postgres, all
        echo "$2 $3 $4" | awk -v hz="$(getconf CLK_TCK)" '{
            if ($7 + 0 == 0) exit
            printf "gessd %.3f, postgres %.3f, all %.3f ms CPU per registration",
                   ($4 - $1) * 1000 / hz / $7, ($5 - $2) * 1000 / hz / $7, ($6 - $3) * 1000 / hz / $7 }' >"$TMP/d_cpu.$1"
    }
    d_batch() { # TAG FIELD -> a field of batch_stats.py's line for that run
        sed -n "s/.*$2=\([^ ]*\).*/\1/p" "$TMP/d_batch.$1" 2>/dev/null | head -n 1
    }
    d_pgb() { # TAG CLIENTS SCRIPT SECONDS RUN
        mkdir -p "$TMP/d_pgbench.$1"
        (cd "$TMP/d_pgbench.$1" && PGOPTIONS="-c role=gess_app -c TimeZone=UTC" \
            pgbench -n -M prepared -c "$2" -j "$WT" -T "$4" -l --log-prefix=me \
                -D i=0 -D clients="$2" -D pool="$DACC" -D run="$5" -D idle="$IDLE" \
                -D slug="bench-d-$1" -D cat=hot -D mode=in_person -D answers='{}' -D rh="$D_RH" \
                -f "$3" "$URL") >"$TMP/d_$1" 2>&1 \
            || { note "pgbench ($1) failed:"; sed 's/^/  /' "$TMP/d_$1" >&2; FAILED=1; }
    }
    d_gessd_rate() { sed -n 's/.*created_per_s=\([0-9.]*\).*/\1/p' "$TMP/d_$1" | head -n 1; }
    d_pgb_rate() { # tps x (rows created / transactions): only new registrations count
        tps=$(pgb_tps "$TMP/d_$1")
        done_=$(awk '/actually processed:/ { split($NF, a, "/"); print a[1]; exit }' "$TMP/d_$1" 2>/dev/null)
        rows=$(d_rows "$1" | cut -d' ' -f2)
        awk -v t="${tps:-}" -v d="${done_:-}" -v r="${rows:-}" 'BEGIN {
            if (t == "" || d + 0 == 0) print ""; else printf "%.2f", t * r / d }'
    }

    warm_ok=1
    if [ "$WARM" -gt 0 ]; then
        d_wrk w-g "$WC" hot "$WARM"
        d_pgb w-p "$WC" "$TMP/d_hot.sql" "$WARM" 1
        if [ "$(d_rows w-p | cut -d' ' -f2)" = 0 ]; then
            note "pgbench created no registration in its warm-up; its output:"; sed 's/^/  /' "$TMP/d_w-p" >&2
            warm_ok=0; FAILED=1
        fi
    fi
    run=1
    for c in $WC $DLC; do
        for kind in hot 20; do
            cats=hot script=$TMP/d_hot.sql
            [ "$kind" = 20 ] && { cats=$(seq -f 'cat%02g' -s, 1 20); script=$TMP/d_20.sql; }
            note "d. $kind: wrk -c$c, then pgbench -c$c (${DDUR}s each)"
            start_sampler "g-$kind-$c"
            d_wrk "g-$kind-$c" "$c" "$cats" "$DDUR"
            stop_sampler "g-$kind-$c"
            if [ "$warm_ok" = 1 ]; then
                run=$((run + 1))
                start_sampler "p-$kind-$c"
                d_pgb "p-$kind-$c" "$c" "$script" "$DDUR" "$run"
                stop_sampler "p-$kind-$c"
                # the batched statement at the batch size gessd's run had
                # (its mean, rounded), by as many clients as such batches
                # the run's connections make at once (at most gessd's
                # database connections)
                bs=$(d_batch "g-$kind-$c" mean)
                bs=$(awk -v m="${bs:-1}" 'BEGIN { b = int(m + 0.5); if (b < 1) b = 1; if (b > 64) b = 64; print b }')
                bc=$(awk -v c="$c" -v b="$bs" -v cap="$((WORKERS * ${GESS_DB_POOL_SIZE:-4}))" \
                    'BEGIN { n = int(c / b + 0.5); if (n < 1) n = 1; if (n > cap) n = cap; print n }')
                cexpr="'hot'"; [ "$kind" = 20 ] && cexpr="'cat' || lpad((n % 20 + 1)::text, 2, '0')"
                if mkpgb_batch "$TMP/d_b-$kind-$c.sql" "$bs" "$cexpr"; then
                    run=$((run + 1))
                    eval "D_BS_${kind}_$c=$bs D_BC_${kind}_$c=$bc"
                    start_sampler "b-$kind-$c"
                    d_pgb "b-$kind-$c" "$bc" "$TMP/d_b-$kind-$c.sql" "$DDUR" "$run"
                    stop_sampler "b-$kind-$c"
                else
                    note "registration_stmt_admit not found in the sources"; FAILED=1
                fi
            fi
        done
    done

    # Today's path for comparison: a second gessd with batching off
    # (admission_batch_ms = 0), every registration its own transaction.
    OPORT=$(free_port) || die "no free port"
    GESS_ADMISSION_BATCH_MS=0 GESS_LISTEN=127.0.0.1:$OPORT "$BUILD/gessd" serve >"$TMP/gessd_o.log" 2>&1 &
    OPID=$!
    if wait_http "http://127.0.0.1:$OPORT/healthz" "$OPID"; then
        note "d. hot, one by one (admission_batch_ms = 0): wrk -c$WC (${DDUR}s)"
        start_sampler "o-hot-$WC"
        d_wrk "o-hot-$WC" "$WC" hot "$DDUR" "http://127.0.0.1:$OPORT" "$OPID"
        stop_sampler "o-hot-$WC"
    else
        note "the one-by-one gessd did not come up"; FAILED=1
    fi
    kill -TERM "$OPID" 2>/dev/null; wait "$OPID" 2>/dev/null
    D_O_hot=$(d_gessd_rate "o-hot-$WC") D_OP_hot=$(wrk_p99 "$TMP/d_o-hot-$WC")

    for c in $WC $DLC; do
        for kind in hot 20; do
            eval "D_B_${kind}_$c=\$(d_pgb_rate b-$kind-$c)"
            eval "D_BP_${kind}_$c=\$(pgb_p99 \"\$TMP/d_pgbench.b-$kind-$c\")"
            eval "D_G_${kind}_$c=\$(d_gessd_rate g-$kind-$c)"
            eval "D_GP_${kind}_$c=\$(wrk_p99 \"\$TMP/d_g-$kind-$c\")"
            eval "D_P_${kind}_$c=\$(d_pgb_rate p-$kind-$c)"
            eval "D_PP_${kind}_$c=\$(pgb_p99 \"\$TMP/d_pgbench.p-$kind-$c\")"
        done
    done
    # The invariant after all runs: no mode oversold, taken = live registrations.
    D_CHECK=$(psql "$URL" -XAtq -F' ' -c "
        SELECT count(*), count(*) FILTER (WHERE capacity IS NOT NULL AND taken > capacity),
               count(*) FILTER (WHERE taken <> live), sum(taken), sum(live)
          FROM (SELECT m.capacity, m.taken,
                       (SELECT count(*) FROM registrations r
                         WHERE r.category_id = m.category_id AND r.mode = m.mode
                           AND r.status IN ('confirmed', 'pending', 'checked_in')) AS live
                  FROM category_modes m) x" 2>&1)
    psql "$URL" -XAtq -c "ALTER SYSTEM RESET synchronous_commit" -c "ALTER SYSTEM RESET fsync" \
        -c "ALTER SYSTEM RESET full_page_writes" -c "ALTER SYSTEM RESET track_wal_io_timing" \
        -c "SELECT pg_reload_conf()" >/dev/null 2>&1
fi
if [ "$LAG_ON" = 1 ]; then
    # what part d wrote has 5 s more to arrive, then the lag of every mail
    # written since d began, from the sink's log
    sleep 5
    kill -TERM "$NOTIFY_PID" 2>/dev/null; wait "$NOTIFY_PID" 2>/dev/null; NOTIFY_PID=
    kill -TERM "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null; SINK_PID=
    I_LAG=$(psql "$URL" -XAtq -v ON_ERROR_STOP=1 -v t0="$LAG_T0" 2>"$TMP/psql.err" <<SQL
CREATE TEMP TABLE lag (message_id uuid, accepted double precision);
\copy lag FROM '$TMP/lag.tsv'
SELECT count(*) || ' mails of ' || (SELECT count(*) FROM outbox WHERE created_at >= :'t0')
       || ' written; lag p50 ' || round((percentile_cont(0.5) WITHIN GROUP (ORDER BY d) * 1000)::numeric, 1)
       || ' ms, p99 ' || round((percentile_cont(0.99) WITHIN GROUP (ORDER BY d) * 1000)::numeric, 1)
       || ' ms, max ' || round((max(d) * 1000)::numeric, 1) || ' ms'
  FROM (SELECT l.accepted - extract(epoch FROM o.created_at) AS d
          FROM lag l JOIN outbox o USING (message_id) WHERE o.created_at >= :'t0') x;
SELECT round((percentile_cont(0.99) WITHIN GROUP (ORDER BY l.accepted - extract(epoch FROM o.created_at)) * 1000)::numeric, 1)
  FROM lag l JOIN outbox o USING (message_id) WHERE o.created_at >= :'t0';
SQL
    ) || note "i2. could not read the lag: $(cat "$TMP/psql.err")"
    I_LAGP99=$(echo "$I_LAG" | tail -n 1)
    I_LAG=$(echo "$I_LAG" | head -n 1)
fi

# The data of parts e and f, made once however many parts use it (j too).
E_DATA= F_DATA=
e_data() {
    [ -z "$E_DATA" ] || return 0
    E_DATA=1
    psql "$URL" -XAtq -v ON_ERROR_STOP=1 >"$TMP/e_setup.out" 2>"$TMP/psql.err" <<'SQL' \
        || { note "could not set part e up: $(cat "$TMP/psql.err")"; FAILED=1; }
INSERT INTO editions (slug, number, title, city, starts_on, ends_on, registration_opens_at,
                      registration_closes_at, status)
VALUES ('bench-e', 90, 'GESS Bench: programa de prueba', 'Cajamarca', current_date + 60,
        current_date + 62, now() - interval '1 day', now() + interval '1 day', 'published');
INSERT INTO rooms (edition_id, name, capacity, notes)
SELECT e.id, 'Sala ' || g, 80 + 20 * g, 'Centro de Convenciones, piso ' || (g % 3 + 1)
  FROM editions e, generate_series(1, 8) g WHERE e.slug = 'bench-e';
INSERT INTO tracks (edition_id, name, color)
SELECT e.id, x.name, x.color
  FROM editions e, (VALUES ('Agua y territorio', '#1f6f5c'), ('Energía y minería', '#aa5500'),
                           ('Diálogo y conflictos', '#2255aa'), ('Desarrollo local', '#773399')) x(name, color)
 WHERE e.slug = 'bench-e';
INSERT INTO speakers (edition_id, name, organization, sector)
SELECT e.id, 'Ponente ' || g || ' Ñahui Quispe', 'Organización ' || g || ' de Cajamarca',
       (ARRAY['public', 'private', 'academia', 'civil_society', 'community'])[g % 5 + 1]
  FROM editions e, generate_series(1, 300) g WHERE e.slug = 'bench-e';
-- 19 slots of 90 min (7 a day) x 8 rooms, the first 150 of them
INSERT INTO sessions (edition_id, title, abstract, kind, track_id, room_id, starts_at, ends_at,
                      reservation_required)
SELECT e.id, 'Sesión ' || i || ': minería, agua y diálogo territorial en los Andes',
       'Experiencias de gestión social y ambiental, acuerdos con comunidades campesinas y '
       || 'seguimiento de compromisos asumidos en ediciones anteriores del congreso.',
       (ARRAY['keynote', 'panel', 'mesa_tematica', 'workshop', 'talk'])[i % 5 + 1],
       t.id, r.id, x.ts, x.ts + interval '75 minutes', i % 5 = 3
  FROM editions e CROSS JOIN generate_series(0, 149) i
 CROSS JOIN LATERAL (SELECT id FROM rooms WHERE edition_id = e.id ORDER BY name
                      OFFSET i % 8 LIMIT 1) r
 CROSS JOIN LATERAL (SELECT id FROM tracks WHERE edition_id = e.id ORDER BY name
                      OFFSET i % 4 LIMIT 1) t
 CROSS JOIN LATERAL (SELECT (e.starts_on + (i / 8) / 7)::timestamp AT TIME ZONE e.timezone
                            + interval '9 hours' + ((i / 8) % 7) * interval '90 minutes' AS ts) x
 WHERE e.slug = 'bench-e';
INSERT INTO session_speakers (session_id, speaker_id, during)
SELECT s.id, sp.id, s.during
  FROM (SELECT id, during, row_number() OVER (ORDER BY id) - 1 AS n
          FROM sessions WHERE edition_id = (SELECT id FROM editions WHERE slug = 'bench-e')) s
  JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS m
          FROM speakers WHERE edition_id = (SELECT id FROM editions WHERE slug = 'bench-e')) sp
    ON sp.m / 2 = s.n;
SELECT coalesce(problem, 'published') FROM schedule_publish('bench-e', NULL, 'Programa completo');
SELECT (SELECT count(*) FROM sessions s JOIN editions e ON e.id = s.edition_id WHERE e.slug = 'bench-e')
       || ' sessions, ' || (SELECT count(*) FROM rooms r JOIN editions e ON e.id = r.edition_id WHERE e.slug = 'bench-e')
       || ' rooms, ' || (SELECT count(*) FROM speakers p JOIN editions e ON e.id = p.edition_id WHERE e.slug = 'bench-e')
       || ' speakers';
SQL
}
f_data() {
    [ -z "$F_DATA" ] || return 0
    F_DATA=1
    psql "$URL" -XAtq -v ON_ERROR_STOP=1 >"$TMP/f_setup.out" 2>"$TMP/psql.err" <<'SQL' \
        || { note "could not set part f up: $(cat "$TMP/psql.err")"; FAILED=1; }
INSERT INTO editions (slug, number, title, city, starts_on, ends_on, registration_opens_at,
                      registration_closes_at, status)
VALUES ('bench-f', 91, 'GESS Bench: pactos', 'Moquegua', current_date - 400, current_date - 398,
        now() - interval '500 days', now() - interval '450 days', 'published');
INSERT INTO organizations (name, sector, region)
SELECT 'Organización de prueba ' || g || ' del Sur Andino',
       (ARRAY['public', 'private', 'academia', 'civil_society', 'community'])[g % 5 + 1], 'Moquegua'
  FROM generate_series(1, 100) g;
INSERT INTO pacts (edition_id, title, summary, text_url, signed_on, status)
SELECT e.id, 'Pacto ' || g || ': financiamiento, economía circular y gestión territorial',
       'Compromisos asumidos en la mesa temática ' || g || ' con las comunidades del entorno.',
       'https://gess.pe/pactos/' || g || '.pdf', current_date - 390,
       (ARRAY['signed', 'in_progress'])[g % 2 + 1]
  FROM editions e, generate_series(1, 50) g WHERE e.slug = 'bench-f';
INSERT INTO pact_parties (pact_id, organization_id, role)
SELECT p.id, o.id, r.role
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM pacts
         WHERE edition_id = (SELECT id FROM editions WHERE slug = 'bench-f')) p
  JOIN (VALUES (0, 'responsible'), (1, 'verifier')) r(k, role) ON true
  JOIN (SELECT id, row_number() OVER (ORDER BY name) AS m FROM organizations
         WHERE name LIKE 'Organización de prueba %') o ON o.m = (p.n * 2 + r.k) % 100 + 1;
INSERT INTO commitments (pact_id, title, description, responsible_organization_id, starts_on,
                         due_on, status)
SELECT pa.pact_id, 'Compromiso ' || g || ': fondo concursable para proyectos productivos',
       'Convocatoria anual con participación de las comunidades; informe público trimestral.',
       pa.organization_id, current_date - 380, current_date + (g * 37 - 100),
       (ARRAY['not_started', 'on_track', 'at_risk', 'delayed', 'done'])[g % 5 + 1]
  FROM pact_parties pa CROSS JOIN generate_series(1, 10) g
 WHERE pa.role = 'responsible'
   AND pa.pact_id IN (SELECT id FROM pacts WHERE edition_id = (SELECT id FROM editions WHERE slug = 'bench-f'));
INSERT INTO indicators (commitment_id, name, unit, baseline_value, baseline_on, target_value,
                        target_on, direction, verification)
SELECT c.id, 'Indicador ' || k, (ARRAY['proyectos', 'hectáreas', 'toneladas'])[k],
       CASE WHEN k = 3 THEN 500 ELSE 0 END, current_date - 380,
       CASE WHEN k = 3 THEN 100 ELSE 24 * k END, current_date + 365,
       CASE WHEN k = 3 THEN 'down' ELSE 'up' END, 'Actas del comité de vigilancia'
  FROM commitments c CROSS JOIN generate_series(1, 3) k
 WHERE c.pact_id IN (SELECT id FROM pacts WHERE edition_id = (SELECT id FROM editions WHERE slug = 'bench-f'));
INSERT INTO measurements (indicator_id, value, as_of, evidence, status, reported_at, reviewed_at)
SELECT i.id, i.baseline_value + (i.target_value - i.baseline_value) * m / 30.0,
       current_date - 370 + m * 15, 'Informe mensual ' || m, 'verified',
       now() - interval '1 day', now() - interval '1 day'
  FROM indicators i CROSS JOIN generate_series(1, 24) m
 WHERE i.commitment_id IN (SELECT c.id FROM commitments c JOIN pacts p ON p.id = c.pact_id
                            WHERE p.edition_id = (SELECT id FROM editions WHERE slug = 'bench-f'));
INSERT INTO milestones (commitment_id, title, due_on, done_on)
SELECT c.id, 'Hito ' || k, current_date + (k * 90 - 120),
       CASE WHEN k = 1 THEN current_date - 130 END
  FROM commitments c CROSS JOIN generate_series(1, 2) k
 WHERE c.pact_id IN (SELECT id FROM pacts WHERE edition_id = (SELECT id FROM editions WHERE slug = 'bench-f'));
\timing on
SELECT length(body) FROM followup_dashboard('bench-f');
\timing off
SELECT (SELECT count(*) FROM pacts p JOIN editions e ON e.id = p.edition_id WHERE e.slug = 'bench-f')
       || ' pacts, ' || (SELECT count(*) FROM commitments c JOIN pacts p ON p.id = c.pact_id
                          JOIN editions e ON e.id = p.edition_id WHERE e.slug = 'bench-f')
       || ' commitments, ' || (SELECT count(*) FROM measurements m JOIN indicators i ON i.id = m.indicator_id
                               JOIN commitments c ON c.id = i.commitment_id JOIN pacts p ON p.id = c.pact_id
                               JOIN editions e ON e.id = p.edition_id WHERE e.slug = 'bench-f')
       || ' verified measurements';
SQL
}

# ---------------------------------------------------------------- e. schedule
# GET /v1/editions/{slug}/schedule of a published programme (150 sessions,
# 8 rooms, 300 speakers, 2 per session) against ping serving a static body
# of the same bytes with the same headers: gessd answers from its
# per-worker cache, so the gap is routing and request bookkeeping. Then
# the same with If-None-Match (304s, no body) on both sides.
if want e; then
    note "e. GET /v1/editions/bench-e/schedule: gessd vs ping with the same body, $ROUNDS alternating round(s)"
    e_data
    E_SETUP=$(tail -n 1 "$TMP/e_setup.out" 2>/dev/null)
    ES=$G/v1/editions/bench-e/schedule
    code=$(curl -sS -D "$TMP/e_headers" -o "$TMP/e_body.json" -w '%{http_code}' --max-time 10 "$ES" 2>&1)
    ETAG=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *\(.*\)\r$/\1/p' "$TMP/e_headers" | head -n 1)
    if [ "$code" != 200 ] || [ -z "$ETAG" ]; then
        note "GET $ES answered $code (ETag '${ETAG:-}'): $(head -c 300 "$TMP/e_body.json")"; FAILED=1
    else
        E_SIZE=$(wc -c <"$TMP/e_body.json")
        PPORT=$(free_port) || die "no free port"
        "$BUILD/ping" "$PPORT" "$WORKERS" "$TMP/e_body.json" "$ETAG" >"$TMP/ping_e.log" 2>&1 &
        PING_PID=$!
        P=http://127.0.0.1:$PPORT
        wait_http "$P/healthz" "$PING_PID" \
            || { cat "$TMP/ping_e.log" >&2; die "ping did not come up"; }
        pcode=$(curl -sS -o "$TMP/e_ping_body.json" -w '%{http_code}' "$P/v1/editions/bench-e/schedule")
        cmp -s "$TMP/e_body.json" "$TMP/e_ping_body.json" || { note "ping did not serve the same body ($pcode)"; FAILED=1; }
        INM="If-None-Match: $ETAG"
        warm "$ES"
        warm "$P/v1/editions/bench-e/schedule"
        for r in $(seq_rounds); do
            run_wrk "$TMP/e_gessd.$r" $WRK "$ES"
            alive e.
            run_wrk "$TMP/e_ping.$r" $WRK "$P/v1/editions/bench-e/schedule"
        done
        for r in $(seq_rounds); do
            run_wrk "$TMP/e_gessd_inm.$r" $WRK -H "$INM" "$ES"
            alive e.
            run_wrk "$TMP/e_ping_inm.$r" $WRK -H "$INM" "$P/v1/editions/bench-e/schedule"
        done
        kill -TERM "$PING_PID" 2>/dev/null; wait "$PING_PID" 2>/dev/null; PING_PID=
        f=$(best wrk_rps "$TMP"/e_gessd.[0-9]*)
        [ -n "$f" ] && { E_G=$(wrk_rps "$f"); E_GP=$(wrk_p99 "$f"); }
        E_GE=$(cat "$TMP"/e_gessd.[0-9]* | wrk_errors /dev/stdin); E_GALL=$(all wrk_rps "$TMP"/e_gessd.[0-9]*)
        f=$(best wrk_rps "$TMP"/e_ping.[0-9]*)
        [ -n "$f" ] && { E_P=$(wrk_rps "$f"); E_PP=$(wrk_p99 "$f"); }
        E_PE=$(cat "$TMP"/e_ping.[0-9]* | wrk_errors /dev/stdin); E_PALL=$(all wrk_rps "$TMP"/e_ping.[0-9]*)
        f=$(best wrk_rps "$TMP"/e_gessd_inm.*)
        [ -n "$f" ] && { E_NG=$(wrk_rps "$f"); E_NGP=$(wrk_p99 "$f"); }
        E_NGE=$(cat "$TMP"/e_gessd_inm.* | wrk_errors /dev/stdin)
        f=$(best wrk_rps "$TMP"/e_ping_inm.*)
        [ -n "$f" ] && { E_NP=$(wrk_rps "$f"); E_NPP=$(wrk_p99 "$f"); }
        E_NPE=$(cat "$TMP"/e_ping_inm.* | wrk_errors /dev/stdin)
        # both sides must have answered 304 (wrk counts no 3xx as errors)
        code=$(curl -sS -o /dev/null -w '%{http_code}' -H "$INM" "$ES")
        [ "$code" = 304 ] || { note "GET $ES with If-None-Match answered $code, not 304"; FAILED=1; }
    fi
fi

# ---------------------------------------------------------------- f. pact dashboard
# GET /v1/editions/{slug}/pacts/dashboard for 50 pacts x 10 commitments x 3
# indicators x 24 verified measurements (2 parties per pact, 2 milestones per
# commitment), made with set-based SQL, against ping serving a
# static body of the same bytes: gessd builds it once per change
# (followup_dashboard(), one statement) and answers from its per-worker cache
# with req_reply_shared, so the ratio is HTTP work again. Also the build
# itself (one cold fill, timed in psql) and If-None-Match (304s).
if want f; then
    note "f. GET /v1/editions/bench-f/pacts/dashboard: gessd vs ping with the same body, $ROUNDS alternating round(s)"
    f_data
    F_SETUP=$(tail -n 1 "$TMP/f_setup.out" 2>/dev/null)
    F_BUILD=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$TMP/f_setup.out" | head -n 1)
    FS=$G/v1/editions/bench-f/pacts/dashboard
    code=$(curl -sS -D "$TMP/f_headers" -o "$TMP/f_body.json" -w '%{http_code}' --max-time 30 "$FS" 2>&1)
    ETAG=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *\(.*\)\r$/\1/p' "$TMP/f_headers" | head -n 1)
    if [ "$code" != 200 ] || [ -z "$ETAG" ]; then
        note "GET $FS answered $code (ETag '${ETAG:-}'): $(head -c 300 "$TMP/f_body.json")"; FAILED=1
    else
        F_SIZE=$(wc -c <"$TMP/f_body.json")
        PPORT=$(free_port) || die "no free port"
        "$BUILD/ping" "$PPORT" "$WORKERS" "$TMP/f_body.json" "$ETAG" >"$TMP/ping_f.log" 2>&1 &
        PING_PID=$!
        P=http://127.0.0.1:$PPORT
        PF=$P/v1/editions/bench-f/pacts/dashboard
        wait_http "$P/healthz" "$PING_PID" \
            || { cat "$TMP/ping_f.log" >&2; die "ping did not come up"; }
        pcode=$(curl -sS -o "$TMP/f_ping_body.json" -w '%{http_code}' "$PF")
        cmp -s "$TMP/f_body.json" "$TMP/f_ping_body.json" || { note "ping did not serve the same body ($pcode)"; FAILED=1; }
        INM="If-None-Match: $ETAG"
        warm "$FS"
        warm "$PF"
        for r in $(seq_rounds); do
            run_wrk "$TMP/f_gessd.$r" $WRK "$FS"
            alive f.
            run_wrk "$TMP/f_ping.$r" $WRK "$PF"
        done
        for r in $(seq_rounds); do
            run_wrk "$TMP/f_gessd_inm.$r" $WRK -H "$INM" "$FS"
            alive f.
            run_wrk "$TMP/f_ping_inm.$r" $WRK -H "$INM" "$PF"
        done
        kill -TERM "$PING_PID" 2>/dev/null; wait "$PING_PID" 2>/dev/null; PING_PID=
        f=$(best wrk_rps "$TMP"/f_gessd.[0-9]*)
        [ -n "$f" ] && { F_G=$(wrk_rps "$f"); F_GP=$(wrk_p99 "$f"); }
        F_GE=$(cat "$TMP"/f_gessd.[0-9]* | wrk_errors /dev/stdin); F_GALL=$(all wrk_rps "$TMP"/f_gessd.[0-9]*)
        f=$(best wrk_rps "$TMP"/f_ping.[0-9]*)
        [ -n "$f" ] && { F_P=$(wrk_rps "$f"); F_PP=$(wrk_p99 "$f"); }
        F_PE=$(cat "$TMP"/f_ping.[0-9]* | wrk_errors /dev/stdin); F_PALL=$(all wrk_rps "$TMP"/f_ping.[0-9]*)
        f=$(best wrk_rps "$TMP"/f_gessd_inm.*)
        [ -n "$f" ] && { F_NG=$(wrk_rps "$f"); F_NGP=$(wrk_p99 "$f"); }
        F_NGE=$(cat "$TMP"/f_gessd_inm.* | wrk_errors /dev/stdin)
        f=$(best wrk_rps "$TMP"/f_ping_inm.*)
        [ -n "$f" ] && { F_NP=$(wrk_rps "$f"); F_NPP=$(wrk_p99 "$f"); }
        F_NPE=$(cat "$TMP"/f_ping_inm.* | wrk_errors /dev/stdin)
        code=$(curl -sS -o /dev/null -w '%{http_code}' -H "$INM" "$FS")
        [ "$code" = 304 ] || { note "GET $FS with If-None-Match answered $code, not 304"; FAILED=1; }
    fi
fi

# ---------------------------------------------------------------- g. hostile connections
# g1. /healthz (wrk as in a.) on a gessd of its own, with BENCH_G_SLOWLORIS
# connections held by build/slowloris (partial head, then one header byte a
# second, reopened whenever gessd closes them, e.g. at its header deadline)
# vs none, alternating: none, held x ROUNDS, none. Everything comes from
# 127.0.0.1, so that gessd runs with its caps (max_connections, per address)
# above what part g opens: the cap per address would otherwise refuse all but
# 512 of them, and wrk's connections too.
# g2. RSS per idle connection: VmRSS of a gessd of its own (deadlines and
# caps high, so that nothing is closed or refused) and of ping, each before
# and while BENCH_G_IDLE idle connections (connected, nothing sent) are held
# and accepted, divided by their number.
# gessd, ping and slowloris run with the soft descriptor limit raised to the
# hard one. A key this gessd does not know (an older build) is left out and
# named under the table: "not supported by this build".
if want g; then
    note "g. hostile connections: /healthz with $GN slowloris connections held vs none; RSS per idle connection ($GI held), gessd vs ping"
    NOFILE=$(ulimit -Hn)
    [ "$NOFILE" = unlimited ] && NOFILE=1048576
    [ "$NOFILE" -ge $((GI + 200)) ] ||
        note "g. the hard descriptor limit ($NOFILE) is below $GI idle connections + 200: expect fewer held"
    GCAP=$((GI + GN + 1000)) # max_connections and max_connections_per_address during g
    G_KEYS=
    # g_key KEY VALUE: empty when this gessd takes KEY = VALUE, else why not
    g_key() {
        printf '%s = %s\n' "$1" "$2" >"$TMP/g_key.conf"
        # an empty database URL: serve stops right after reading its configuration
        GESS_DATABASE_URL= timeout 10 "$BUILD/gessd" --config "$TMP/g_key.conf" serve \
            >/dev/null 2>"$TMP/g_key.err"
        if grep -q "unknown key '$1'" "$TMP/g_key.err"; then
            echo "not supported by this build"
        elif grep -q "config: $1:" "$TMP/g_key.err"; then
            sed -n 's/.*"msg":"\([^"]*\)".*/\1/p' "$TMP/g_key.err" | head -n 1
        fi
    }
    # g_env KEY=VALUE...: G_ENV becomes GESS_KEY=VALUE for those this gessd takes
    g_env() {
        G_ENV=
        for kv in "$@"; do
            k=${kv%%=*} v=${kv#*=}
            why=$(g_key "$k" "$v")
            if [ -z "$why" ]; then
                G_ENV="$G_ENV GESS_$(echo "$k" | tr '[:lower:]' '[:upper:]')=$v"
            else
                case "; $G_KEYS" in *"; $k: "*) ;; *) G_KEYS="${G_KEYS:+$G_KEYS; }$k: $why" ;; esac
            fi
        done
    }
    # g_gessd TAG KEY=VALUE...: a gessd of its own; sets G_PID and GU
    g_gessd() {
        tag=$1; shift
        g_env "$@"
        port=$(free_port) || die "no free port"
        # shellcheck disable=SC2086 # G_ENV: words without spaces
        (ulimit -n "$NOFILE" 2>/dev/null; exec env $G_ENV GESS_LISTEN="127.0.0.1:$port" "$BUILD/gessd" serve) \
            >"$TMP/gessd_$tag.log" 2>&1 &
        G_PID=$!
        GU=http://127.0.0.1:$port
        wait_http "$GU/healthz" "$G_PID" \
            || { tail -n 20 "$TMP/gessd_$tag.log" >&2; die "gessd ($tag) did not come up"; }
    }
    g_stop() { # PID
        [ -n "${1:-}" ] || return 0
        kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null
    }
    # g_hold OUT PORT N MODE: build/slowloris in the background; sets HOLD_PID
    g_hold() {
        # its own bound (s) outlasts the part; the trap ends it sooner if need be
        (ulimit -n "$NOFILE" 2>/dev/null; exec "$BUILD/slowloris" "$2" "$3" $((2 * DUR + WARM + 120)) "$4") >"$1" 2>&1 &
        HOLD_PID=$!
    }
    g_field() { # FILE NAME: NAME=... of slowloris's last line
        tail -n 1 "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p"
    }
    # g_wait_held FILE N: until slowloris holds N (15 s)
    g_wait_held() {
        i=0
        while [ $i -lt 75 ]; do
            [ "$(g_field "$1" held)" = "$2" ] && return 0
            kill -0 "$HOLD_PID" 2>/dev/null || return 1
            sleep 0.2; i=$((i + 1))
        done
        return 1
    }
    nfds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
    rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
    # g_wait_fds PID N: until PID has N descriptors open (15 s): connected is
    # not accepted yet
    g_wait_fds() {
        i=0
        while [ $i -lt 75 ]; do
            [ "$(nfds "$1")" -ge "$2" ] && return 0
            sleep 0.2; i=$((i + 1))
        done
        return 1
    }
    g_stop_hold() { # SIGTERM makes slowloris print its last line
        g_stop "$HOLD_PID"; HOLD_PID=
    }

    # g1.
    g_gessd g1 max_connections=$GCAP max_connections_per_address=$GCAP
    G1_PID=$G_PID
    warm "$GU/healthz"
    gwrk() { run_wrk "$TMP/g_$1.$2" $WRK "$GU/healthz"; kill -0 "$G1_PID" 2>/dev/null ||
        { tail -n 20 "$TMP/gessd_g1.log" >&2; die "gessd died during g."; }; }
    half=$(( (ROUNDS + 1) / 2 ))
    r=1; while [ $r -le $half ]; do gwrk none $r; r=$((r + 1)); done
    sleep 1 # wrk's connections closed on both sides
    f0=$(nfds "$G1_PID")
    g_hold "$TMP/g_slowloris" "${GU##*:}" "$GN" trickle
    if g_wait_held "$TMP/g_slowloris" "$GN"; then
        g_wait_fds "$G1_PID" $((f0 + GN)) ||
            note "g. gessd did not accept all $GN slowloris connections in 15 s (descriptors: $f0 before, $(nfds "$G1_PID") now)"
        G_HELD0=$(g_field "$TMP/g_slowloris" held)
        for r in $(seq_rounds); do gwrk held "$r"; done
        G_HELD1=$(g_field "$TMP/g_slowloris" held)
        curl -sS --max-time 5 "$GU/metrics" 2>/dev/null |
            grep -E '^gess_(connections_(open|refused_total|closed_total)|fd_limit|max_connections|accept_paused_total)' \
            >"$TMP/g_metrics"
    else
        note "g. slowloris did not hold $GN connections in 15 s: $(tail -n 1 "$TMP/g_slowloris")"; FAILED=1
    fi
    g_stop_hold
    G_HOLD=$(tail -n 1 "$TMP/g_slowloris")
    r=$((half + 1)); while [ $r -le "$ROUNDS" ]; do gwrk none $r; r=$((r + 1)); done
    [ "$ROUNDS" -ge 2 ] || gwrk none 2 # held rounds have a none round on each side
    g_stop "$G1_PID"; G1_PID=
    f=$(best wrk_rps "$TMP"/g_held.*)
    [ -n "$f" ] && { G_S=$(wrk_rps "$f"); G_SP=$(wrk_p99 "$f"); }
    G_SE=$(cat "$TMP"/g_held.* 2>/dev/null | wrk_errors /dev/stdin); G_SALL=$(all wrk_rps "$TMP"/g_held.*)
    f=$(best wrk_rps "$TMP"/g_none.*)
    [ -n "$f" ] && { G_N=$(wrk_rps "$f"); G_NP=$(wrk_p99 "$f"); }
    G_NE=$(cat "$TMP"/g_none.* | wrk_errors /dev/stdin); G_NALL=$(all wrk_rps "$TMP"/g_none.*)

    # g2. RSS_PID LABEL PORT: before/after GI idle connections; sets G_R0 G_R1 G_RH G_RF
    g_rss() {
        warm "http://127.0.0.1:$3/healthz"
        sleep 0.5
        G_R0=$(rss_kb "$1"); f0=$(nfds "$1")
        g_hold "$TMP/g_idle_$2" "$3" "$GI" idle
        g_wait_held "$TMP/g_idle_$2" "$GI" || note "g. slowloris did not hold $GI idle connections to $2 in 15 s: $(tail -n 1 "$TMP/g_idle_$2")"
        g_wait_fds "$1" $((f0 + GI)) || note "g. $2 did not accept all $GI idle connections in 15 s ($(( $(nfds "$1") - f0 )))"
        sleep 1
        G_R1=$(rss_kb "$1"); G_RF=$(( $(nfds "$1") - f0 )); G_RH=$(g_field "$TMP/g_idle_$2" held)
        g_stop_hold
    }
    per_conn() { awk -v a="${1:-}" -v b="${2:-}" -v n="$3" 'BEGIN {
        if (a == "" || b == "") print ""; else printf "%.2f", (b - a) / n }'; }
    g_gessd g2 header_timeout_ms=600000 keepalive_timeout_ms=600000 \
        max_connections=$GCAP max_connections_per_address=$GCAP
    G2_PID=$G_PID
    g_rss "$G2_PID" gessd "${GU##*:}"
    G_IG=$(per_conn "$G_R0" "$G_R1" "$GI")
    G_IGD="VmRSS ${G_R0:-n/a} -> ${G_R1:-n/a} kB with ${G_RH:-n/a} held, $G_RF accepted"
    kill -0 "$G2_PID" 2>/dev/null || { tail -n 20 "$TMP/gessd_g2.log" >&2; die "gessd died during g."; }
    g_stop "$G2_PID"; G2_PID=
    PPORT=$(free_port) || die "no free port"
    (ulimit -n "$NOFILE" 2>/dev/null; exec "$BUILD/ping" "$PPORT" "$WORKERS") >"$TMP/ping_g.log" 2>&1 &
    PING_PID=$!
    wait_http "http://127.0.0.1:$PPORT/healthz" "$PING_PID" \
        || { cat "$TMP/ping_g.log" >&2; die "ping did not come up"; }
    g_rss "$PING_PID" ping "$PPORT"
    G_IP=$(per_conn "$G_R0" "$G_R1" "$GI")
    G_IPD="VmRSS ${G_R0:-n/a} -> ${G_R1:-n/a} kB with ${G_RH:-n/a} held, $G_RF accepted"
    g_stop "$PING_PID"; PING_PID=
fi

# ---------------------------------------------------------------- report
RA=$(ratio "$A_G" "$A_P")
RB=$(ratio "$B_G" "$B_P")
RC=$(ratio "$C_G" "$C_P")
RE=$(ratio "$E_G" "$E_P")
# ---------------------------------------------------------------- h. practices search
# GET /v1/practices over BENCH_H_CASES generated published cases (~400
# words each, from a vocabulary of Spanish words of the seed documents):
# h1. a term in ~5 % of them, h2. a rare term (~0.1 %), h3. a facet-only
# filter (one theme of twelve), each with its facets, vs pgbench running the
# same SQL (practices_list, the statement gessd prepares) at the same
# concurrency. p95 from wrk (a Lua done()) and from pgbench's -l log.
if want h; then
    note "h. GET /v1/practices over $HCASES generated cases: gessd vs pgbench on practices_list()"
    # as the owner, as part f: ANALYZE needs it (without statistics the
    # planner may scan every case rather than use the GIN indexes)
    psql "$URL" -XAtq -v ON_ERROR_STOP=1 -v n="$HCASES" \
        >"$TMP/h_setup.out" 2>"$TMP/psql.err" <<'SQL' \
        || { note "could not set part h up: $(cat "$TMP/psql.err")"; FAILED=1; }
WITH v AS (SELECT string_to_array(
    'agua gestión territorial comunidades campesinas minería diálogo multiactor mesa técnica '
    'financiamiento economía circular residuos reciclaje obras por impuestos municipalidad '
    'proyecto inversión pública privada empresa responsabilidad social monitoreo participativo '
    'ambiental calidad del aire suelo cuenca riego reservorio bofedales pastos alpacas '
    'bionegocios turismo sostenible artesanía conservación bosque biodiversidad cierre de '
    'mina operación exploración construcción acuerdos compromisos vigilancia ciudadana '
    'capacitación mujeres jóvenes escuelas salud nutrición infraestructura caminos energía '
    'solar telecomunicaciones gobierno regional provincial distrital fondo social fideicomiso '
    'convenio asociación productores cooperativa café cacao quinua papa nativa mercado '
    'certificación orgánica exportación cadena valor emprendimiento innovación tecnología '
    'conocimiento aprendizaje comunidad práctica lección resultado desafío contexto factores '
    'habilitantes replicabilidad escalamiento evaluación indicador línea base meta avance '
    'informe transparencia rendición cuentas confianza conflicto prevención consulta previa '
    'licencia social relaciones comunitarias sostenibilidad desarrollo local territorio', ' ') AS w)
INSERT INTO practices (status, published, published_at)
SELECT 'published',
       jsonb_build_object(
           'title', 'Experiencia ' || g || ': ' || w[1 + g % 40] || ' y ' || w[1 + g % 97],
           'summary', 'Resumen de la experiencia ' || g || ' en ' || w[1 + g % 53] || '.',
           'context', CASE WHEN g % 20 = 0 THEN 'Piscigranja hidrobiológica. ' ELSE '' END
                      || CASE WHEN g % 1000 = 7 THEN 'Manejo de vicuñas. ' ELSE '' END
                      || (SELECT string_agg(w[1 + ((g * 7919 + k * 104729) % cardinality(w))], ' ')
                            FROM generate_series(1, 400) k),
           'kind', CASE WHEN g % 5 = 0 THEN 'lesson' ELSE 'practice' END,
           'themes', jsonb_build_array((ARRAY['financiamiento', 'economia_circular',
               'gestion_territorial', 'dialogo_multiactor', 'monitoreo_participativo',
               'obras_por_impuestos', 'bionegocios', 'turismo_sostenible', 'agua', 'conservacion',
               'gestion_del_conocimiento', 'relaciones_comunitarias'])[1 + g % 12]),
           'sectors', jsonb_build_array((ARRAY['public', 'private', 'community'])[1 + g % 3]),
           'territories', jsonb_build_array(lpad((1 + g % 25)::text, 2, '0') || '0101'),
           'sdgs', jsonb_build_array(1 + g % 17),
           'stage', (ARRAY['exploration', 'construction', 'operation', 'closure'])[1 + g % 4]),
       now() - make_interval(mins => g)
  FROM v, generate_series(1, :n) g;
VACUUM ANALYZE practices;
SELECT count(*) || ' published cases, '
       || (SELECT count(*) FROM practice_words) || ' surface words, '
       || (SELECT count(*) FROM practices WHERE status = 'published'
              AND search_unaccent @@ to_tsquery('spanish', 'hidrobiolog')) || ' with hidrobiológica, '
       || (SELECT count(*) FROM practices WHERE status = 'published'
              AND search_unaccent @@ to_tsquery('spanish', 'vicun')) || ' with vicuñas'
  FROM practices WHERE status = 'published';
SQL
    H_SETUP=$(tail -n 1 "$TMP/h_setup.out" 2>/dev/null)
    cat >"$TMP/h_p95.lua" <<'LUA'
done = function(summary, latency, requests)
    io.write(string.format("p95_us %d\n", latency:percentile(95)))
end
LUA
    # name, query string, the same SQL
    for h in "1 q=hidrobiologica hidrobiologica {}" "2 q=vicu%C3%B1as vicuñas {}" \
             "3 theme=bionegocios - {\"theme\":[\"bionegocios\"]}"; do
        set -- $h
        k=$1; qs=$2; q=$3; f=$4
        if [ "$q" = - ]; then qsql=NULL; else qsql="'$q'"; fi
        echo "SELECT status, problem, body FROM practices_list($qsql, '$f', NULL, NULL, 50);" \
            >"$TMP/h$k.sql"
        HU="$G/v1/practices?$qs"
        code=$(curl -sS -o "$TMP/h$k.json" -w '%{http_code}' --max-time 30 "$HU")
        [ "$code" = 200 ] || { note "GET $HU answered $code: $(head -c 300 "$TMP/h$k.json")"; FAILED=1; continue; }
        eval "H_N$k=\$(\"\$PY\" -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"total\"])' \"\$TMP/h\$k.json\")"
        warm "$HU"
        run_wrk "$TMP/h_gessd.$k" $WRK --timeout 30s -s "$TMP/h_p95.lua" "$HU"
        alive h.
        mkdir -p "$TMP/h_pgbench.$k"
        (cd "$TMP/h_pgbench.$k" && PGOPTIONS="-c role=gess_app -c TimeZone=UTC" pgbench -n -M prepared \
            -c "$PC" -j "$WT" -T "$RDUR" -l --log-prefix=h -f "$TMP/h$k.sql" "$URL") \
            >"$TMP/h_pgb.$k" 2>&1 || { note "pgbench failed:"; sed 's/^/  /' "$TMP/h_pgb.$k" >&2; FAILED=1; }
        # the same request with as many in flight as there are cores: the
        # latency of one search on an unsaturated server (at -c$WC, p95 is
        # mostly the queue of 64 requests on $CORES cores)
        run_wrk "$TMP/h_gessd_low.$k" -t1 -c"$CORES" -d"${RDUR}s" --latency --timeout 30s -s "$TMP/h_p95.lua" "$HU"
        eval "H_GL$k=\$(awk '/^p95_us/ { printf \"%.2f\", \$2 / 1000 }' \"\$TMP/h_gessd_low.\$k\")"
        eval "H_G$k=\$(wrk_rps \"\$TMP/h_gessd.\$k\")"
        eval "H_GP$k=\$(awk '/^p95_us/ { printf \"%.2f\", \$2 / 1000 }' \"\$TMP/h_gessd.\$k\")"
        eval "H_P$k=\$(pgb_tps \"\$TMP/h_pgb.\$k\")"
        eval "H_PP$k=\$(cat \"\$TMP/h_pgbench.\$k\"/h.* 2>/dev/null | awk '{ print \$3 }' | sort -n |
            awk '{ v[NR] = \$1 } END { if (NR) { i = int(NR * 0.95); if (i < 1) i = 1; printf \"%.2f\", v[i] / 1000 } }')"
    done
fi

# ---------------------------------------------------------------- i. outbox delivery
# BENCH_I_MAILS outbox rows (written in SQL, as a burst of registrations
# writes them) delivered by one `gessd notify` to a local aiosmtpd sink
# (tests/load/smtp_sink.py), timed from its start to the last row sent,
# vs smtp_ceiling sending as many similar mails to the same kind of sink
# over one reused connection. The sink (Python) is the same on both sides.
# sink_wait FILE N: until the sink counted N (120 s), then true
# (the sink writes the file anew per message: a read may find it empty)
sink_wait() {
    i=0
    while :; do
        c=$(cat "$1" 2>/dev/null)
        case $c in ''|*[!0-9]*) c=-1 ;; esac
        [ "$c" -ge "$2" ] && return 0
        i=$((i + 1)); [ "$i" -le 2400 ] || return 1; sleep 0.05
    done
}
if want i; then
    note "i. $IMAILS outbox mails: gessd notify vs smtp_ceiling, both to an aiosmtpd sink"
    if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
        note "i. skipped: python3-aiosmtpd is missing (make deps)"; I_NOTE="aiosmtpd missing"
    else
        SPORT=$(free_port)
        "$PY" "$LOAD/smtp_sink.py" "$SPORT" "$TMP/sink_p.count" >"$TMP/sink_p.log" 2>&1 &
        SINK_PID=$!
        sink_wait "$TMP/sink_p.count" 0 || note "i. the sink did not start"
        # the ceiling sends the very message notify sends (text, HTML and the
        # edition's .ics): one row rendered by notify into a maildir first
        psql "$URL" -XAtq -v ON_ERROR_STOP=1 >/dev/null 2>"$TMP/psql.err" <<'SQL' \
            || note "i. no sample row: $(cat "$TMP/psql.err")"
INSERT INTO outbox (kind, payload, to_email)
SELECT 'registration_created',
       jsonb_build_object('registration_id', gen_random_uuid(), 'status', 'confirmed',
                          'status_is', jsonb_build_object('confirmed', true),
                          'badge_code', 'ABCDEFGHJK', 'mode', 'in_person',
                          'mode_is', jsonb_build_object('in_person', true),
                          'category', jsonb_build_object('code', 'general', 'name', 'General'),
                          'edition', jsonb_build_object('slug', 'gess-2026', 'title', 'GESS 2026',
                              'starts_on', '2026-08-13', 'ends_on', '2026-08-15',
                              'timezone', 'America/Lima', 'city', 'Cajamarca',
                              'venue', 'Centro de Convenciones')),
       'sample@bench.test';
SQL
        mkdir -p "$TMP/sample"
        GESS_MAIL_TRANSPORT=maildir GESS_MAIL_DIR="$TMP/sample" "$BUILD/gessd" notify \
            >"$TMP/notify_sample.log" 2>&1 &
        NOTIFY_PID=$!
        i=0
        while [ -z "$(ls "$TMP/sample/new" 2>/dev/null)" ] && [ "$i" -lt 200 ]; do
            i=$((i + 1)); sleep 0.05
        done
        kill -TERM "$NOTIFY_PID" 2>/dev/null; wait "$NOTIFY_PID" 2>/dev/null; NOTIFY_PID=
        SAMPLE=$(ls "$TMP/sample/new"/* 2>/dev/null | head -n 1)
        if [ -n "$SAMPLE" ]; then
            I_SIZE_MSG=$(wc -c <"$SAMPLE" | tr -d ' ')
            out=$("$BUILD/smtp_ceiling" "smtp://127.0.0.1:$SPORT" "$IMAILS" "@$SAMPLE" 2>"$TMP/smtp_ceiling.err")
        else
            note "i. notify wrote no sample message; the ceiling sends 1,500-byte bodies"
            out=$("$BUILD/smtp_ceiling" "smtp://127.0.0.1:$SPORT" "$IMAILS" 1500 2>"$TMP/smtp_ceiling.err")
        fi
        I_P=$(echo "$out" | awk '/^mails_per_s/ { print $2 }')
        kill -TERM "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null; SINK_PID=
        SPORT=$(free_port)
        "$PY" "$LOAD/smtp_sink.py" "$SPORT" "$TMP/sink_g.count" >"$TMP/sink_g.log" 2>&1 &
        SINK_PID=$!
        sink_wait "$TMP/sink_g.count" 0 || note "i. the sink did not start"
        psql "$URL" -XAtq -v ON_ERROR_STOP=1 -v n="$IMAILS" >/dev/null 2>"$TMP/psql.err" <<'SQL' \
            || { note "could not set part i up: $(cat "$TMP/psql.err")"; FAILED=1; }
UPDATE outbox SET status = 'sent', sent_at = now() WHERE status = 'pending';
INSERT INTO outbox (kind, payload, to_email)
SELECT 'registration_created',
       jsonb_build_object('registration_id', gen_random_uuid(), 'status', 'confirmed',
                          'badge_code', 'ABCDEFGHJK', 'mode', 'in_person',
                          'category', jsonb_build_object('code', 'general', 'name', 'General'),
                          'edition', jsonb_build_object('slug', 'gess-2026', 'title', 'GESS 2026',
                              'starts_on', '2026-08-13', 'ends_on', '2026-08-15',
                              'timezone', 'America/Lima', 'city', 'Cajamarca',
                              'venue', 'Centro de Convenciones')),
       'b' || g || '@bench.test'
  FROM generate_series(1, :n) g;
SQL
        t0=$(date +%s.%N)
        GESS_MAIL_TRANSPORT=smtp GESS_SMTP_URL="smtp://127.0.0.1:$SPORT" GESS_SMTP_TLS=off \
            "$BUILD/gessd" notify >"$TMP/notify.log" 2>&1 &
        NOTIFY_PID=$!
        if sink_wait "$TMP/sink_g.count" "$IMAILS"; then
            t1=$(date +%s.%N)
            I_G=$(awk -v n="$IMAILS" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", n / (b - a) }')
        else
            note "i. gessd notify did not deliver $IMAILS mails in 120 s"; FAILED=1
            tail -n 5 "$TMP/notify.log" >&2
        fi
        I_SIZE=$(psql "$URL" -XAtq -c "SELECT count(*) FILTER (WHERE status = 'sent') || ' sent, '
            || count(*) FILTER (WHERE status <> 'sent') || ' not' FROM outbox" 2>/dev/null)
        kill -TERM "$NOTIFY_PID" 2>/dev/null; wait "$NOTIFY_PID" 2>/dev/null; NOTIFY_PID=
        kill -TERM "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null; SINK_PID=
    fi
fi

# ---------------------------------------------------------------- i3. webhook delivery
# BENCH_I_HOOKS webhook outbox rows (registration.created, written in SQL
# with webhook_body() as the triggers write them) for one endpoint (made in
# SQL, a 32-byte secret) pointing at hook_sink (tests/load/hook_sink.c, a
# bare evhttp receiver answering 204 at once and checking each signature),
# delivered by one `gessd notify` (GESS_WEBHOOK_ALLOW_PRIVATE=true: the sink
# is on loopback; mail to a maildir, none is pending), timed from its start
# until no row is pending (SQL, polled every 50 ms once the sink counted
# them all). Two runs: i3a with webhook_per_endpoint raised to
# webhook_concurrency (32), so one endpoint may have all 32 in flight, and
# i3b with the default per-endpoint cap (4). Then hook_ceiling
# (tests/load/hook_ceiling.c) posts as many to the same sink, with the body
# notify sent (webhook_deliveries.request_body) and the same headers, signed
# per message: libcurl's multi interface with 32 transfers in flight (vs
# i3a), 4 (vs i3b) and 1 (curl_easy_perform on one keep-alive connection);
# best of BENCH_ROUNDS runs each.
I3_P32= I3_P4= I3_P1= I3_NOTE= I3_HDRS= I3_BODY= I3_PERF= I3_CONNS=
I3_G_a= I3_SINK_a= I3_ROWS_a= I3_LOG_a= I3_BAD_a= I3_LOAD_a=
I3_G_b= I3_SINK_b= I3_ROWS_b= I3_LOG_b= I3_BAD_b= I3_LOAD_b=
I3_CONC=${GESS_WEBHOOK_CONCURRENCY:-32}
# hook_count: the sink's "requests N bad B first T0 last T1 bytes S" line
hook_count() { curl -fsS --max-time 2 "http://127.0.0.1:$HPORT/${1:-count}" 2>/dev/null; }
hook_field() { echo "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'; }
# i3_notify TAG PER_ENDPOINT PERF_SECONDS: BENCH_I_HOOKS rows written and
# delivered by one gessd notify; sets I3_G_TAG, I3_SINK_TAG, I3_ROWS_TAG,
# I3_LOG_TAG, I3_BAD_TAG, I3_LOAD_TAG
i3_notify() {
    tag=$1
    from=$(psql "$URL" -XAtq -v ON_ERROR_STOP=1 -v n="$IHOOKS" -v id="$HID" 2>"$TMP/psql.err" <<'SQL'
UPDATE outbox SET status = 'sent', sent_at = now() WHERE status = 'pending';
SELECT coalesce(max(id), 0) AS from_id FROM outbox \gset
INSERT INTO outbox (kind, channel, webhook_id, payload)
SELECT 'registration.created', 'webhook', :'id',
       webhook_body('registration.created',
                    jsonb_build_object('id', gen_random_uuid(), 'edition', 'gess-2028',
                                       'account_id', gen_random_uuid(), 'category', 'general',
                                       'mode', 'in_person', 'status', 'confirmed'))
  FROM generate_series(1, :n);
ANALYZE outbox;
SELECT :from_id;
SQL
)
    if [ -z "$from" ]; then
        note "i3$tag. could not write the rows: $(cat "$TMP/psql.err")"; FAILED=1; return 1
    fi
    pending() { psql "$URL" -XAtq -c "SELECT count(*) FROM outbox WHERE webhook_id = '$HID' AND status = 'pending'" 2>/dev/null; }
    hook_count reset >/dev/null
    mkdir -p "$TMP/i3_mail"
    t0=$(date +%s.%N)
    GESS_WEBHOOK_ALLOW_PRIVATE=true GESS_WEBHOOK_PER_ENDPOINT=$2 \
        GESS_MAIL_TRANSPORT=maildir GESS_MAIL_DIR="$TMP/i3_mail" \
        "$BUILD/gessd" notify >"$TMP/notify_h$tag.log" 2>&1 &
    NOTIFY_PID=$!
    PERF_PID=
    if [ "$3" -gt 0 ] && command -v perf >/dev/null 2>&1; then
        sleep 0.3 # past start-up: the profile of the lane at work
        perf record -g -o "$TMP/i3.perf" -p "$NOTIFY_PID" -- sleep "$3" >"$TMP/i3_perf.log" 2>&1 &
        PERF_PID=$!
    fi
    ok=0 i=0 end=$(( $(date +%s) + 300 ))
    while [ "$(date +%s)" -lt "$end" ]; do
        kill -0 "$NOTIFY_PID" 2>/dev/null || break
        c=$(hook_field "$(hook_count)" requests)
        [ "${c:-0}" -ge "$IHOOKS" ] && [ "$(pending)" = 0 ] && { ok=1; break; }
        # every 20th poll asks the database too (retries: the sink may never reach N)
        [ $((i % 20)) = 19 ] && [ "$(pending)" = 0 ] && { ok=1; break; }
        i=$((i + 1)); sleep 0.05
    done
    t1=$(date +%s.%N)
    eval "I3_LOAD_$tag=\$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
    if [ "$ok" = 1 ]; then
        eval "I3_G_$tag=\$(awk -v n=\"\$IHOOKS\" -v a=\"\$t0\" -v b=\"\$t1\" 'BEGIN { printf \"%.1f\", n / (b - a) }')"
    else
        note "i3$tag. gessd notify left $(pending) of $IHOOKS webhook rows pending"; FAILED=1
        tail -n 5 "$TMP/notify_h$tag.log" >&2
    fi
    sc=$(hook_count reset)
    eval "I3_BAD_$tag=\$(hook_field \"\$sc\" bad)"
    eval "I3_SINK_$tag=\$(echo \"\$sc\" | awk -v a=\"\$t0\" '{ n = \$2; f = \$6; l = \$8;
        if (n > 1 && l > f) printf \"%d received, %.1f/s first to last, last %.2f s after the start\", n, (n - 1) / (l - f), l - a;
        else printf \"%d received\", n }')"
    [ -n "$PERF_PID" ] && wait "$PERF_PID" 2>/dev/null
    kill -TERM "$NOTIFY_PID" 2>/dev/null; wait "$NOTIFY_PID" 2>/dev/null; NOTIFY_PID=
    if [ -n "$PERF_PID" ] && [ -s "$TMP/i3.perf" ]; then
        perf report -i "$TMP/i3.perf" --no-children --stdio --sort dso,sym 2>/dev/null |
            grep -E '^ +[0-9.]+%' | head -n 25 >"$TMP/i3_perf.top"
        I3_PERF=$TMP/i3_perf.top
    fi
    eval "I3_ROWS_$tag=\$(psql \"\$URL\" -XAtq -c \"SELECT count(*) FILTER (WHERE status = 'sent') || ' sent, '
        || count(*) FILTER (WHERE status = 'dead') || ' dead, '
        || count(*) FILTER (WHERE status = 'pending') || ' pending, most attempts '
        || coalesce(max(attempts), 0) FROM outbox WHERE webhook_id = '\$HID' AND id > \$from\" 2>/dev/null)"
    eval "I3_LOG_$tag=\$(psql \"\$URL\" -XAtq -c \"SELECT count(*) || ' rows (' || count(*) FILTER (WHERE response_status BETWEEN 200 AND 299)
        || ' 2xx, ' || count(*) FILTER (WHERE error IS NOT NULL) || ' with an error) for ' || count(DISTINCT outbox_id)
        || ' outbox rows' FROM webhook_deliveries WHERE webhook_id = '\$HID' AND outbox_id > \$from\" 2>/dev/null)"
}
if want i || want i3; then
    note "i3. $IHOOKS webhook deliveries: gessd notify vs hook_ceiling, both to hook_sink"
    KEY=$("$PY" -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')
    HPORT=$(free_port)
    "$BUILD/hook_sink" "$HPORT" "whsec_$KEY" >"$TMP/hook_sink.out" 2>&1 &
    SINK_PID=$!
    wait_http "http://127.0.0.1:$HPORT/count" "$SINK_PID" \
        || { cat "$TMP/hook_sink.out" >&2; die "hook_sink did not come up"; }
    HURL=http://127.0.0.1:$HPORT/hooks/gess
    HID=$(psql "$URL" -XAtq -v ON_ERROR_STOP=1 -v key="$KEY" -v url="$HURL" 2>"$TMP/psql.err" <<'SQL'
INSERT INTO webhooks (url, events, description, secret)
VALUES (:'url', ARRAY['registration.created'], 'bench part i3', decode(:'key', 'base64'))
RETURNING id;
SQL
)
    if [ -z "$HID" ]; then
        note "could not set part i3 up: $(cat "$TMP/psql.err")"; FAILED=1; I3_NOTE="no endpoint"
    else
        case ${BENCH_I_PERF:-0} in ''|*[!0-9]*) perf_s=0 ;; *) perf_s=${BENCH_I_PERF:-0} ;; esac
        note "i3a. gessd notify, webhook_per_endpoint $I3_CONC"
        i3_notify a "$I3_CONC" "$perf_s"
        I3_HDRS=$(psql "$URL" -XAtq -c "SELECT string_agg(k, ', ' ORDER BY k) FROM (SELECT jsonb_object_keys(request_headers) k
            FROM (SELECT request_headers FROM webhook_deliveries WHERE webhook_id = '$HID' LIMIT 1) d) x" 2>/dev/null)
        body=$(psql "$URL" -XAtq -c "SELECT request_body FROM webhook_deliveries WHERE webhook_id = '$HID' AND request_body <> '' LIMIT 1" 2>/dev/null)
        note "i3b. gessd notify, webhook_per_endpoint 4 (the default)"
        i3_notify b 4 0
        if [ -n "$body" ]; then
            printf '%s' "$body" >"$TMP/i3_body.json"
            BODYARG=@$TMP/i3_body.json
            I3_BODY="notify's own body ($(wc -c <"$TMP/i3_body.json" | tr -d ' ') bytes, from webhook_deliveries)"
        else
            BODYARG=
            I3_BODY="hook_ceiling's own registration.created body (none in webhook_deliveries)"
        fi
        note "i3. hook_ceiling: 32, 4 and 1 in flight"
        for c in 32 4 1; do
            for r in $(seq_rounds); do
                "$BUILD/hook_ceiling" "$HURL" "$IHOOKS" "$c" "whsec_$KEY" ${BODYARG:+"$BODYARG"} \
                    >"$TMP/i3_ceiling.$c.$r" 2>&1 || note "i3. hook_ceiling -c$c: $(cat "$TMP/i3_ceiling.$c.$r")"
                sc=$(hook_count reset)
                b=$(hook_field "$sc" bad)
                [ "${b:-0}" = 0 ] || note "i3. the sink found $b bad signatures from hook_ceiling -c$c"
            done
            v=$(cat "$TMP"/i3_ceiling.$c.* | awk '/^posts_per_s/ && $6 == 0 && $2 + 0 > m { m = $2 + 0 } END { if (m) print m }')
            eval "I3_P$c=\$v"
        done
        I3_CONNS=$(cat "$TMP"/i3_ceiling.32.* | awk '/^posts_per_s/ { print $10; exit }')
    fi
    kill -TERM "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null; SINK_PID=
fi

# ---------------------------------------------------------------- j. compression
# GET /editions/bench-e/programme (the page of part e's 150 sessions) and
# /editions/bench-f/pacts (the page of part f's pacts), plain and gzipped
# (Accept-Encoding: gzip; gessd compresses each answer, since pages are
# built per request), and the JSON dashboard of part f gzipped (compressed
# once per cache entry), each against ping serving the very bytes gessd
# sent (the gzip bytes for a gzip run: wrk never decodes). Sizes plain and
# gzipped, and zlib level 1 against 6 on the same bodies (python3's zlib,
# the same C library: size and ms per compression), which is why
# GZIP_LEVEL is 1. Printed, not asserted.
J_ROWS=
if want j; then
    note "j. compressed pages and dashboard: gessd vs ping with the same bytes, $ROUNDS alternating round(s)"
    e_data
    f_data
    AEH="Accept-Encoding: gzip"
    # j_one TAG PATH ACCEPT-ENCODING|- ACCEPT: one gessd vs ping comparison, figures in J_<TAG>_*
    j_one() {
        tag=$1 path=$2 ae=$3 acc="Accept: $4"
        hdr=; [ "$ae" = - ] || hdr=$ae
        code=$(curl -sS -o "$TMP/j_$tag.body" -D "$TMP/j_$tag.headers" -w '%{http_code}' --max-time 60 \
            ${hdr:+-H "$hdr"} -H "$acc" "$G$path" 2>&1)
        if [ "$code" != 200 ]; then
            note "j. GET $path answered $code: $(head -c 300 "$TMP/j_$tag.body")"; FAILED=1; return 1
        fi
        if [ -n "$hdr" ] && ! grep -qi '^content-encoding: *gzip' "$TMP/j_$tag.headers"; then
            note "j. GET $path with $hdr was not gzipped"; FAILED=1; return 1
        fi
        eval "J_${tag}_SIZE=$(wc -c <"$TMP/j_$tag.body")"
        PPORT=$(free_port) || die "no free port"
        "$BUILD/ping" "$PPORT" "$WORKERS" "$TMP/j_$tag.body" >"$TMP/ping_j.log" 2>&1 &
        PING_PID=$!
        P=http://127.0.0.1:$PPORT
        wait_http "$P/healthz" "$PING_PID" || { cat "$TMP/ping_j.log" >&2; die "ping did not come up"; }
        curl -sS -o "$TMP/j_$tag.ping" "$P$path"
        cmp -s "$TMP/j_$tag.body" "$TMP/j_$tag.ping" || { note "j. ping did not serve the same bytes"; FAILED=1; }
        warm ${hdr:+-H "$hdr"} -H "$acc" "$G$path"
        warm "$P$path"
        for r in $(seq_rounds); do
            run_wrk "$TMP/j_${tag}_gessd.$r" $WRK ${hdr:+-H "$hdr"} -H "$acc" "$G$path"
            alive j.
            run_wrk "$TMP/j_${tag}_ping.$r" $WRK "$P$path"
        done
        kill -TERM "$PING_PID" 2>/dev/null; wait "$PING_PID" 2>/dev/null; PING_PID=
        f=$(best wrk_rps "$TMP"/j_${tag}_gessd.*)
        [ -n "$f" ] && eval "J_${tag}_G=$(wrk_rps "$f") J_${tag}_GP=$(wrk_p99 "$f")"
        f=$(best wrk_rps "$TMP"/j_${tag}_ping.*)
        [ -n "$f" ] && eval "J_${tag}_P=$(wrk_rps "$f") J_${tag}_PP=$(wrk_p99 "$f")"
        eval "J_${tag}_E=$(cat "$TMP"/j_${tag}_gessd.* | wrk_errors /dev/stdin)"
        return 0
    }
    j_one prog /editions/bench-e/programme - text/html
    j_one progz /editions/bench-e/programme "$AEH" text/html
    j_one pacts /editions/bench-f/pacts - text/html
    j_one pactsz /editions/bench-f/pacts "$AEH" text/html
    j_one dashz /v1/editions/bench-f/pacts/dashboard "$AEH" application/json
    # the plain dashboard's size, and the gzip bodies decompress to the plain ones
    curl -sS -o "$TMP/j_dash.body" --max-time 60 "$G/v1/editions/bench-f/pacts/dashboard"
    J_dash_SIZE=$(wc -c <"$TMP/j_dash.body")
    for t in prog pacts dash; do
        [ -s "$TMP/j_${t}z.body" ] || continue
        "$PY" -c 'import gzip,sys; sys.exit(gzip.decompress(open(sys.argv[1],"rb").read()) != open(sys.argv[2],"rb").read())' \
            "$TMP/j_${t}z.body" "$TMP/j_$t.body" || { note "j. $t: the gzip answer does not decompress to the plain one"; FAILED=1; }
    done
    # zlib level 1 vs 6 on the same plain bodies
    J_LEVELS=$("$PY" - "$TMP/j_prog.body" "$TMP/j_pacts.body" "$TMP/j_dash.body" <<'PY' 2>/dev/null
import sys, time, zlib
for name, path in zip(("programme", "pacts page", "dashboard"), sys.argv[1:]):
    try:
        data = open(path, "rb").read()
    except OSError:
        continue
    out = []
    for level in (1, 6):
        n, t0 = 0, time.perf_counter()
        while True:
            c = zlib.compressobj(level, zlib.DEFLATED, 31)
            z = c.compress(data) + c.flush()
            n += 1
            if time.perf_counter() - t0 > 0.5 and n >= 3:
                break
        ms = (time.perf_counter() - t0) * 1000 / n
        out.append(f"level {level} {len(z)} B {ms:.2f} ms")
    print(f"   {name} ({len(data)} B): " + ", ".join(out))
PY
)
    J_ROWS=1
fi

# the load as the last part (i3 now) ended, not as the report header was reached
LOAD1=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)
RN=$(ratio "$E_NG" "$E_NP")
RF=$(ratio "${F_G:-}" "${F_P:-}")
RFN=$(ratio "${F_NG:-}" "${F_NP:-}")
RG=$(ratio "${G_S:-}" "${G_N:-}")
RGI=$(ratio "${G_IG:-}" "${G_IP:-}")
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
if want d; then
    for kind in hot 20; do
        for c in $WC $DLC; do
            eval "g=\${D_G_${kind}_$c:-} gp=\${D_GP_${kind}_$c:-} p=\${D_P_${kind}_$c:-} pp=\${D_PP_${kind}_$c:-}"
            eval "b=\${D_B_${kind}_$c:-} bp=\${D_BP_${kind}_$c:-} bs=\${D_BS_${kind}_$c:-} bc=\${D_BC_${kind}_$c:-}"
            r=$(ratio "$g" "$b")
            if [ "$kind" = hot ]; then lbl="d1. 1 hot category reg/s -c$c"; else lbl="d2. 20 categories reg/s -c$c"; fi
            row "$lbl" "$(n "$g")" "$(n "$b")" "pgbench, batches of $(n "$bs") x$(n "$bc")" "$r" ">= 0.70" "$(met "$r" ">=" 0.7)"
            if [ "$c" = "$WC" ]; then
                row "   p99 ms" "$(n "$gp")" "$(n "$bp")" "" "" "< 50" "$(met "$gp" "<" 50)"
            else
                row "   p99 ms" "$(n "$gp")" "$(n "$bp")" "" "" "" ""
            fi
            row "   vs per-row SQL reg/s" "$(n "$g")" "$(n "$p")" "pgbench, registration_create" "$(ratio "$g" "$p")" "" ""
            row "   per-row SQL p99 ms" "" "$(n "$pp")" "" "" "" ""
        done
        if [ "$kind" = hot ]; then
            eval "g=\${D_G_hot_$WC:-}"
            row "   hot reg/s -c$WC, absolute" "$(n "$g")" "" "" "" ">= 2000" "$(met "$g" ">=" 2000)"
            row "   hot -c$WC, one by one (batch_ms 0)" "$(n "${D_O_hot:-}")" "" "gessd, batched" "$(ratio "$g" "${D_O_hot:-}")" "" ""
            row "   one by one p99 ms" "$(n "${D_OP_hot:-}")" "" "" "" "" ""
            # a request's wait for its batch: under the window plus two commits
            wp=$(d_batch "g-hot-$WC" wait_p99_ms)
            fl=$(sed -n 's/.*, \([0-9.]*\) ms each.*/\1/p' "$TMP/d_wal.g-hot-$WC" 2>/dev/null)
            bound=$(awk -v w="${GESS_ADMISSION_BATCH_MS:-2}" -v f="${fl:-}" 'BEGIN { if (f == "") print ""; else printf "%.2f", w + 2 * f }')
            row "   batch wait p99 ms -c$WC" "$(n "$wp")" "" "" "" "< $(n "$bound")" "$(met "$wp" "<" "${bound:-}")"
        fi
    done
fi
if want e; then
row "e. GET schedule req/s" "$(n "$E_G")" "$(n "$E_P")" "ping, same body" "$RE" ">= 0.60" "$(met "$RE" ">=" 0.6)"
row "   p99 ms" "$(n "$E_GP")" "$(n "$E_PP")" "" "" "" ""
row "   If-None-Match (304) req/s" "$(n "$E_NG")" "$(n "$E_NP")" "ping, 304" "$RN" "" ""
row "   p99 ms" "$(n "$E_NGP")" "$(n "$E_NPP")" "" "" "" ""
fi
if want f; then
row "f. GET pacts dashboard req/s" "$(n "${F_G:-}")" "$(n "${F_P:-}")" "ping, same body" "$RF" ">= 0.50" "$(met "$RF" ">=" 0.5)"
row "   p99 ms" "$(n "${F_GP:-}")" "$(n "${F_PP:-}")" "" "" "" ""
row "   If-None-Match (304) req/s" "$(n "${F_NG:-}")" "$(n "${F_NP:-}")" "ping, 304" "$RFN" "" ""
row "   p99 ms" "$(n "${F_NGP:-}")" "$(n "${F_NPP:-}")" "" "" "" ""
fi
if want j && [ -n "$J_ROWS" ]; then
    for t in prog progz pacts pactsz dashz; do
        eval "g=\${J_${t}_G:-} gp=\${J_${t}_GP:-} p=\${J_${t}_P:-} pp=\${J_${t}_PP:-} sz=\${J_${t}_SIZE:-}"
        case $t in
            prog) lbl="j. programme page req/s" ;; progz) lbl="   programme page gzip req/s" ;;
            pacts) lbl="   pacts page req/s" ;; pactsz) lbl="   pacts page gzip req/s" ;;
            *) lbl="   dashboard JSON gzip req/s" ;;
        esac
        r=$(ratio "$g" "$p")
        row "$lbl" "$(n "$g")" "$(n "$p")" "ping, same bytes" "$r" ">= 0.60" "$(met "$r" ">=" 0.6)"
        row "   p99 ms; $(n "$sz") B" "$(n "$gp")" "$(n "$pp")" "" "" "" ""
    done
fi
if want g; then
row "g1. /healthz req/s, $GN held" "$(n "${G_S:-}")" "$(n "${G_N:-}")" "gessd, 0 held" "$RG" ">= 0.80" "$(met "$RG" ">=" 0.8)"
row "   p99 ms" "$(n "${G_SP:-}")" "$(n "${G_NP:-}")" "" "" "" ""
row "g2. RSS KiB/idle conn, $GI held" "$(n "${G_IG:-}")" "$(n "${G_IP:-}")" "ping" "$RGI" "<= 1.60" "$(met "$RGI" "<=" 1.6)"
fi
if want h; then
    for k in 1 2 3; do
        eval "g=\${H_G$k:-} gp=\${H_GP$k:-} p=\${H_P$k:-} pp=\${H_PP$k:-}"
        # no request answered within wrk's timeout: no latency was measured
        case $g in ""|0|0.0|0.00) gp= ;; esac
        r=$(ratio "$g" "$p")
        case $k in 1) lbl="h1. q ~5 % of cases req/s" ;; 2) lbl="h2. q rare term req/s" ;; *) lbl="h3. facet-only filter req/s" ;; esac
        row "$lbl" "$(n "$g")" "$(n "$p")" "pgbench" "$r" ">= 0.70" "$(met "$r" ">=" 0.7)"
        row "   p95 ms" "$(n "$gp")" "$(n "$pp")" "" "" "< 50" "$(met "$gp" "<" 50)"
        eval "gl=\${H_GL$k:-}"
        row "   p95 ms at -c$CORES" "$(n "$gl")" "" "" "" "< 50" "$(met "$gl" "<" 50)"
    done
fi
if want i; then
    RI=$(ratio "$I_G" "$I_P")
    row "i. outbox mails/s" "$(n "$I_G")" "$(n "$I_P")" "smtp_ceiling" "$RI" ">= 0.80" "$(met "$RI" ">=" 0.8)"
    if [ "$LAG_ON" = 1 ]; then
        row "i2. outbox lag p99 ms during d" "$(n "${I_LAGP99:-}")" "" "" "" "< 1000" "$(met "${I_LAGP99:-}" "<" 1000)"
    fi
fi
if want i || want i3; then
    R32=$(ratio "$I3_G_a" "$I3_P32")
    R4=$(ratio "$I3_G_b" "$I3_P4")
    R1=$(ratio "$I3_G_b" "$I3_P1")
    row "i3a. webhooks/s, $I3_CONC/endpoint" "$(n "$I3_G_a")" "$(n "$I3_P32")" "hook_ceiling 32" "$R32" ">= 0.80" "$(met "$R32" ">=" 0.8)"
    row "i3b. webhooks/s, 4/endpoint" "$(n "$I3_G_b")" "$(n "$I3_P4")" "hook_ceiling 4" "$R4" "" ""
    row "   i3b vs 1 connection" "" "$(n "$I3_P1")" "hook_ceiling 1" "$R1" "" ""
fi
echo
echo "load average (1 min): ${LOAD0:-n/a} at start, ${LOAD1:-n/a} at the end; the bench itself keeps ~2-3 busy," \
     "anything more means other work skewed the figures"
want a && echo "a. every round, req/s: gessd $(n "$A_GALL"); ping $(n "$A_PALL"); non-2xx + socket errors: gessd $(n "$A_GE"), ping $(n "$A_PE")"
want b && echo "b. every round, req/s: gessd $(n "$B_GALL"); pgbench $(n "$B_PALL"); non-2xx + socket errors: gessd $(n "$B_GE"), pgbench failed $(n "$B_PE")"
want b && echo "   pgbench ran the token lookup from $(n "$ME_SRC") (-M prepared -c$PC -j$WT, as gess_app)"
want c && echo "c. answers other than 201: $(n "$C_OTHER")${C_LAST:+ (last: $C_LAST)}; probe: $(n "$C_PRR") req/s, $(n "$C_PRE") errors;" \
               "stored hash parameters ${C_PARAMS:-n/a} (asked m=$MEM,t=$OPS)"
if want d; then
    echo "d. $(n "$D_SETTINGS") during d.; gessd: $WORKERS workers x db_pool_size ${GESS_DB_POOL_SIZE:-4 (default)} connections," \
         "admission_batch_ms ${GESS_ADMISSION_BATCH_MS:-2 (default)}, admission_batch_max ${GESS_ADMISSION_BATCH_MAX:-64 (default)};" \
         "pgbench per-row: the lookup + registration_create from services/ (-M prepared -j$WT, as gess_app), fresh account per transaction;" \
         "pgbench batched: B lookups + one registration_admit of B fresh accounts per transaction, B = the gessd run's mean batch size"
    for t in g-hot-$WC g-hot-$DLC g-20-$WC g-20-$DLC o-hot-$WC; do
        [ -s "$TMP/d_batch.$t" ] && echo "   batches $t: $(cat "$TMP/d_batch.$t")"
        [ -s "$TMP/d_cpu.$t" ] && echo "     $(cat "$TMP/d_cpu.$t")"
    done
    for c in $WC $DLC; do
        for kind in hot 20; do
            f=$TMP/d_g-$kind-$c
            [ -f "$f" ] || continue
            o=$(sed -n 's/.*register created=\([0-9]*\) other=\([0-9]*\) exhausted=\([0-9]\) last_other_status=\([^ ]*\).*/201s \1, other answers \2 (last \4), tokens ran out: \3/p' "$f" | head -n 1)
            e=$(wrk_errors "$f")
            pf=$TMP/d_p-$kind-$c
            pr=$(d_rows "p-$kind-$c"); pt=$(awk '/actually processed:/ { split($NF, a, "/"); print a[1]; exit }' "$pf" 2>/dev/null)
            pfail=$(pgb_failed "$pf")
            echo "   $kind -c$c: gessd $(n "$o"), non-2xx + socket errors $(n "$e"), rows $(d_rows "g-$kind-$c" | cut -d' ' -f2);" \
                 "pgbench transactions $(n "$pt"), rows $(echo "$pr" | cut -d' ' -f2), failed $(n "$pfail")"
            fb=$(sed -n 's/^register first_other_body=//p' "$f" | head -n 1)
            [ -n "$fb" ] && echo "      first other answer: $fb"
        done
    done
    echo "   wait events of active backends (share of samples):"
    for t in g-hot-$WC b-hot-$WC p-hot-$WC o-hot-$WC g-20-$WC b-20-$WC p-20-$WC g-hot-$DLC b-hot-$DLC p-hot-$DLC; do
        [ -f "$TMP/d_waits.$t" ] && echo "     $t: $(waits "$TMP/d_waits.$t"); $(cat "$TMP/d_wal.$t" 2>/dev/null)"
    done
    set -- $D_CHECK
    if [ $# -eq 5 ]; then
        v=ok; [ "$2" = 0 ] && [ "$3" = 0 ] && [ "$4" = "$5" ] || v=VIOLATED
        echo "   invariant: $1 category_modes rows, $2 with taken > capacity, $3 with taken <> live registrations;" \
             "seats taken $4, live registrations $5: $v"
    else
        echo "   invariant: could not check: $D_CHECK"; FAILED=1
    fi
fi
want e && echo "e. $(n "$E_SETUP"), body $(n "$E_SIZE") bytes; every round, req/s: gessd $(n "$E_GALL"); ping $(n "$E_PALL");" \
               "non-2xx/3xx + socket errors: gessd $(n "$E_GE") / $(n "$E_NGE") (304 runs), ping $(n "$E_PE") / $(n "$E_NPE")"
want f && echo "f. $(n "${F_SETUP:-}"), body $(n "${F_SIZE:-}") bytes, built by followup_dashboard() in $(n "${F_BUILD:-}") ms (a cache fill);" \
               "every round, req/s: gessd $(n "${F_GALL:-}"); ping $(n "${F_PALL:-}");" \
               "non-2xx/3xx + socket errors: gessd $(n "${F_GE:-}") / $(n "${F_NGE:-}") (304 runs), ping $(n "${F_PE:-}") / $(n "${F_NPE:-}")"
if want g; then
    hf() { echo "${G_HOLD:-}" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
    echo "g1. slowloris (partial head, then one header byte a second; reopened when closed): $(n "${G_HELD0:-}") held as the" \
         "held rounds began, $(n "${G_HELD1:-}") as they ended, fewest $(n "$(hf min_held)"), time-weighted mean $(n "$(hf mean_held)") once all were first held (it ran $(n "$(hf t)") s);" \
         "$(n "$(hf reconnects)") reconnects (closed by gessd, reopened), $(n "$(hf answered)") answered, $(n "$(hf connect_errors)") connect errors"
    echo "    every round, req/s: with slowloris $(n "${G_SALL:-}"); none $(n "${G_NALL:-}");" \
         "non-2xx + socket errors: with slowloris $(n "${G_SE:-}"), none $(n "${G_NE:-}")"
    if [ -s "$TMP/g_metrics" ]; then
        echo "    gessd /metrics after the held rounds: $(tr '\n' ' ' <"$TMP/g_metrics" | sed 's/ $//')"
    else
        echo "    gessd /metrics after the held rounds: no connection figures (gess_connections_*) in this build"
    fi
    echo "g2. idle connections: gessd $(n "${G_IGD:-}"); ping $(n "${G_IPD:-}")"
    echo "g. config keys: ${G_KEYS:-all taken by this gessd}"
    for t in g1 g2; do
        [ -s "$TMP/gessd_$t.log" ] && echo "g. gessd ($t) logged $(wc -l <"$TMP/gessd_$t.log") line(s) at warn or above; the last:" &&
            tail -n 3 "$TMP/gessd_$t.log" | cut -c1-300 | sed 's/^/  /'
    done
fi
[ "$LAG_ON" = 1 ] && echo "i2. during part d, one gessd notify (poll 250 ms) to an unthrottled sink: $(n "${I_LAG:-}")"
want i && echo "i. $IMAILS rows (registration_created: text, HTML and the .ics) by one gessd notify (mail_lanes ${GESS_MAIL_LANES:-2}: as many SMTP connections), timed from its start" \
               "to the sink's last; outbox after: $(n "$I_SIZE")${I_NOTE:+; $I_NOTE}; ceiling: smtp_ceiling, one connection, sending notify's own message ($(n "${I_SIZE_MSG:-}") bytes) as many times"
if want i || want i3; then
    echo "i3. $IHOOKS webhook rows (registration.created) for one endpoint per run, by one gessd notify" \
         "(webhook_concurrency $I3_CONC), timed from its start until none was pending${I3_NOTE:+; $I3_NOTE}"
    for t in a b; do
        eval "rows=\${I3_ROWS_$t:-} sink=\${I3_SINK_$t:-} bad=\${I3_BAD_$t:-} log=\${I3_LOG_$t:-} la=\${I3_LOAD_$t:-}"
        echo "    i3$t: outbox after: $(n "$rows"); hook_sink: $(n "$sink"); bad signatures or headers: $(n "$bad")"
        echo "         delivery log (webhook_deliveries): $(n "$log"); load average after: $(n "$la")"
    done
    echo "    headers notify logged: $(n "$I3_HDRS")"
    echo "    ceiling: hook_ceiling, $IHOOKS signed posts per run, best of $ROUNDS, with $(n "$I3_BODY");" \
         "libcurl multi at 32 and 4 in flight (connections opened at 32: $(n "${I3_CONNS:-}")), curl_easy on one connection at 1"
    if [ -n "$I3_PERF" ] && [ -s "$I3_PERF" ]; then
        echo "    perf of i3a (${BENCH_I_PERF} s of gessd notify, self time, dso and symbol):"
        sed 's/^ */      /' "$I3_PERF"
    fi
    for t in a b; do
        [ -s "$TMP/notify_h$t.log" ] && echo "    gessd notify (i3$t) logged $(wc -l <"$TMP/notify_h$t.log") line(s) at warn or above; the last:" &&
            tail -n 3 "$TMP/notify_h$t.log" | cut -c1-300 | sed 's/^/      /'
    done
fi
if want j && [ -n "$J_ROWS" ]; then
    echo "j. sizes plain -> gzip: programme page $(n "${J_prog_SIZE:-}") -> $(n "${J_progz_SIZE:-}") B;" \
         "pacts page $(n "${J_pacts_SIZE:-}") -> $(n "${J_pactsz_SIZE:-}") B; dashboard $(n "${J_dash_SIZE:-}") -> $(n "${J_dashz_SIZE:-}") B;" \
         "non-2xx + socket errors (gessd): $(n "${J_prog_E:-}") $(n "${J_progz_E:-}") $(n "${J_pacts_E:-}") $(n "${J_pactsz_E:-}") $(n "${J_dashz_E:-}")"
    echo "   zlib level 1 vs 6 (python3's zlib, one compression):"
    [ -n "${J_LEVELS:-}" ] && echo "$J_LEVELS"
fi
want h && echo "h. $(n "$H_SETUP"); matches: h1 $(n "$H_N1"), h2 $(n "$H_N2"), h3 $(n "$H_N3");" \
               "pgbench ran practices_list() with the same arguments (-M prepared -c$PC -j$WT, as gess_app)"
if [ -s "$TMP/gessd.log" ]; then
    echo "gessd logged $(wc -l <"$TMP/gessd.log") line(s) at warn or above; the last:"
    tail -n 5 "$TMP/gessd.log" | cut -c1-300 | sed 's/^/  /'
fi
exit $FAILED
