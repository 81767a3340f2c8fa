#!/bin/sh
# fuzz.sh BUILD_DIR SECONDS TARGET... — runs each libFuzzer target of
# tests/fuzz for SECONDS on its committed seed corpus (read only: what it
# finds goes to a temporary directory, so the tree is never written), prints
# per target its final coverage and executions per second, and fails when
# any target finds a crash, a leak or a timeout (the input is kept under
# BUILD_DIR/findings/). First it proves the harness can fail: the
# deliberately broken selftest_broken must crash on its committed input.
set -u
build=$1 seconds=$2
shift 2
fuzz=tests/fuzz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0

# The harness can fail: a sanitizer report on the known crashing input.
if "$build/selftest_broken" "$fuzz/selftest/crash-overread" >"$tmp/selftest.log" 2>&1; then
    echo "fuzz selftest: selftest_broken did not fail on its crashing input"
    exit 1
fi
if ! grep -q 'ERROR: AddressSanitizer' "$tmp/selftest.log"; then
    echo "fuzz selftest: selftest_broken failed without a sanitizer report:"
    tail -n 20 "$tmp/selftest.log"
    exit 1
fi
echo "fuzz selftest: the broken parser fails with a sanitizer report, as it must"

for t in "$@"; do
    mkdir -p "$tmp/$t/new"
    dict=
    [ -f "$fuzz/$t.dict" ] && dict="-dict=$fuzz/$t.dict"
    # -timeout: one input over 10 s is a finding; -rss_limit_mb bounds a
    # leak or a blow-up; the first corpus directory takes what is found
    "$build/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$tmp/$t/" $dict \
        "$tmp/$t/new" "$fuzz/corpus/$t" >"$tmp/$t.log" 2>&1
    rc=$?
    cov=$(grep -o 'DONE *cov: [0-9]*' "$tmp/$t.log" | tail -n 1 | grep -o '[0-9]*$')
    execs=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$tmp/$t.log" | grep -o '[0-9]*$')
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$tmp/$t.log" | grep -o '[0-9]*$')
    if [ $rc -ne 0 ]; then
        status=1
        mkdir -p "$build/findings"
        for a in "$tmp/$t"/crash-* "$tmp/$t"/leak-* "$tmp/$t"/timeout-* "$tmp/$t"/oom-*; do
            [ -f "$a" ] && cp "$a" "$build/findings/${t}-$(basename "$a")"
        done
        printf 'fuzz %-7s FAILED (exit %d); input kept in %s/findings/\n' "$t" $rc "$build"
        grep -E 'ERROR|SUMMARY|invariant|runtime error' "$tmp/$t.log" | head -n 5
        continue
    fi
    printf 'fuzz %-7s ok  %ss  cov: %-5s exec/s: %-7s runs: %s\n' "$t" "$seconds" \
        "${cov:-?}" "${execs:-?}" "${runs:-?}"
done
exit $status
