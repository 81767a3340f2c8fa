#!/bin/sh
# `make run`: serve gess in the foreground.
#
#   sh tools/run.sh BIN        (BIN = build/gessd)
#
# Uses GESS_DATABASE_URL when it is set; otherwise starts (creating on first
# use) a private PostgreSQL cluster under ./var with tools/pgcluster.sh.
# Migrates, loads the demo data on first start (`gessd demo --if-empty`: only
# into a database without editions of its own), prints where to connect and
# how to create the first admin, then serves until Ctrl-C, which stops gessd
# and then the cluster it started. `gessd notify` runs beside serve and
# writes every mail into the maildir var/mail (new/ holds one file per mail),
# so nothing leaves the machine; GESS_MAIL_TRANSPORT=smtp and GESS_SMTP_URL
# send for real instead.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 BIN" >&2; exit 2; }
bin=$1
[ -x "$bin" ] || { echo "run.sh: $bin is not an executable (run make first)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)

own_cluster=0
cluster_dir=var
if [ -z "${GESS_DATABASE_URL:-}" ]; then
    mkdir -p "$cluster_dir"
    GESS_DATABASE_URL=$(sh "$here/pgcluster.sh" start "$cluster_dir")
    own_cluster=1
fi
export GESS_DATABASE_URL

gessd_pid=
notify_pid=
stopping=0
cleanup() {
    [ "$stopping" = 0 ] || return 0
    stopping=1
    trap '' INT TERM
    if [ -n "$notify_pid" ] && kill -0 "$notify_pid" 2>/dev/null; then
        echo "run.sh: stopping gessd notify" >&2
        kill -TERM "$notify_pid" 2>/dev/null || true
        wait "$notify_pid" 2>/dev/null || true
    fi
    if [ -n "$gessd_pid" ] && kill -0 "$gessd_pid" 2>/dev/null; then
        echo "run.sh: stopping gessd" >&2
        kill -TERM "$gessd_pid" 2>/dev/null || true
        wait "$gessd_pid" 2>/dev/null || true
    fi
    if [ "$own_cluster" = 1 ]; then
        echo "run.sh: stopping PostgreSQL" >&2
        sh "$here/pgcluster.sh" stop "$cluster_dir" || true
    fi
}
on_signal() { cleanup; exit 0; }
trap on_signal INT TERM HUP

if ! "$bin" migrate; then
    echo "run.sh: migrate failed" >&2
    cleanup
    exit 1
fi

# The demo (GESS 2026 and its three pacts, GESS 2028): idempotent, and
# skipped when the database has editions the demo did not make.
demo_note=
if demo_out=$("$bin" demo --if-empty); then
    printf '%s\n' "$demo_out"
    case $demo_out in
    *"not loaded"*) ;;
    *) demo_note=yes ;;
    esac
else
    printf '%s\n' "$demo_out"
    echo "run.sh: loading the demo data failed; serving anyway" >&2
fi

listen=${GESS_LISTEN:-127.0.0.1:8080}
demo_lines=
if [ -n "$demo_note" ]; then
    demo_lines="  Demo data (GESS 2026, its three pacts, GESS 2028), public, no login needed:

    http://$listen/v1/editions/gess-2026/pacts/dashboard
    http://$listen/v1/editions

"
fi
abs_bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
# development mail: into a maildir unless the caller chose otherwise
export GESS_MAIL_TRANSPORT="${GESS_MAIL_TRANSPORT:-maildir}"
export GESS_MAIL_DIR="${GESS_MAIL_DIR:-$(pwd)/var/mail}"
export GESS_PUBLIC_URL="${GESS_PUBLIC_URL:-http://$listen}"
mail_dir=$GESS_MAIL_DIR
cat >&2 <<EOF

  gess is starting on http://$listen
  (set GESS_LISTEN to change the address; config/gess.conf is read if present)

  Database: $GESS_DATABASE_URL

${demo_lines}  Create the first admin (in another terminal; the password is read from stdin,
  or leave stdin empty to get a generated one):

    export GESS_DATABASE_URL='$GESS_DATABASE_URL'
    printf 'a long passphrase' | $abs_bin admin create --email you@example.org --name "Your Name"

  Then log in:

    curl -s http://$listen/v1/tokens -H 'Content-Type: application/json' \\
         -d '{"email":"you@example.org","password":"a long passphrase"}'

  Mail: gessd notify delivers the outbox (transport $GESS_MAIL_TRANSPORT); in a maildir, every mail is a
  file in $mail_dir/new/ (read one with: cat $mail_dir/new/*).

  Press Ctrl-C to stop gessd$( [ "$own_cluster" = 1 ] && echo " and the database" ).

EOF

"$bin" serve &
gessd_pid=$!
"$bin" notify &
notify_pid=$!
rc=0
wait "$gessd_pid" || rc=$?
# Reached when gessd exits by itself (a trapped signal exits in on_signal).
if [ "$stopping" = 0 ]; then
    gessd_pid=
    cleanup
    exit "$rc"
fi
exit 0
