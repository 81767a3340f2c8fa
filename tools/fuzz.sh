#!/bin/sh
# fuzz.sh BUILD_DIR SECONDS TARGET... — runs each libFuzzer target of
# tests/fuzz for SECONDS on its committed seed corpus (read only: what it
# finds goes to a temporary directory, so the tree is never written), prints
# per target its final coverage and executions per second, and fails when
# any target finds a crash, a leak or a timeout (the input and the log are
# kept under BUILD_DIR/findings/; `BUILD_DIR/fuzz_<target>
# BUILD_DIR/findings/<file>` reproduces it). First it proves the harness
# can fail: the deliberately broken selftest_broken, run the same way as the
# real targets on a corpus of its committed crashing input, must be
# reported FAILED with a sanitizer report.
set -u
build=$1 seconds=$2
shift 2
fuzz=tests/fuzz
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# run_target NAME BINARY CORPUS: fuzzes BINARY for $seconds on CORPUS (read
# only), prints one line "fuzz NAME ok ..." or "fuzz NAME FAILED ...", keeps
# what it found and its log in $build/findings, leaves its log in
# $tmp/NAME.log; returns 1 on a finding.
run_target() {
    name=$1 bin=$2 corpus=$3
    mkdir -p "$tmp/$name/new"
    dict=
    [ -f "$fuzz/$name.dict" ] && dict="-dict=$fuzz/$name.dict"
    # -timeout: one input over 10 s is a finding; -rss_limit_mb bounds a
    # leak or a blow-up; the first corpus directory takes what is found
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$tmp/$name/" $dict \
        "$tmp/$name/new" "$corpus" >"$tmp/$name.log" 2>&1
    rc=$?
    if [ $rc -ne 0 ]; then
        mkdir -p "$build/findings"
        cp "$tmp/$name.log" "$build/findings/$name.log"
        kept=
        for a in "$tmp/$name"/crash-* "$tmp/$name"/leak-* "$tmp/$name"/timeout-* \
            "$tmp/$name"/oom-*; do
            [ -f "$a" ] || continue
            cp "$a" "$build/findings/$name-$(basename "$a")"
            kept="$kept $name-$(basename "$a")"
        done
        printf 'fuzz %-7s FAILED (exit %d); log in %s/findings/%s.log\n' "$name" $rc "$build" "$name"
        for k in $kept; do
            printf '  input kept; reproduce with: %s %s/findings/%s\n' "$bin" "$build" "$k"
        done
        [ -n "$kept" ] || echo "  no input was kept (see the log)"
        grep -E 'ERROR|SUMMARY|invariant|runtime error' "$tmp/$name.log" | head -n 5
        return 1
    fi
    cov=$(grep -o 'DONE *cov: [0-9]*' "$tmp/$name.log" | tail -n 1 | grep -o '[0-9]*$')
    execs=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$tmp/$name.log" | grep -o '[0-9]*$')
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$tmp/$name.log" | grep -o '[0-9]*$')
    printf 'fuzz %-7s ok  %ss  cov: %-5s exec/s: %-7s runs: %s\n' "$name" "$seconds" \
        "${cov:-?}" "${execs:-?}" "${runs:-?}"
    return 0
}

# The harness can fail: the broken parser, through run_target, must be
# reported FAILED with a sanitizer report (its findings go to a scratch
# build directory, not to $build/findings).
mkdir -p "$tmp/selftest-corpus"
cp "$fuzz/selftest/crash-overread" "$tmp/selftest-corpus/"
real_build=$build
build=$tmp/selftest-build
run_target selftest_broken "$real_build/selftest_broken" "$tmp/selftest-corpus" \
    >"$tmp/selftest.out"
src=$?
build=$real_build
if [ $src -eq 0 ] || ! grep -q '^fuzz selftest_broken FAILED' "$tmp/selftest.out"; then
    echo "fuzz selftest: selftest_broken was not reported FAILED on its crashing input:"
    cat "$tmp/selftest.out"
    exit 1
fi
if ! grep -q 'ERROR: AddressSanitizer' "$tmp/selftest_broken.log"; then
    echo "fuzz selftest: selftest_broken failed without a sanitizer report:"
    tail -n 20 "$tmp/selftest_broken.log"
    exit 1
fi
echo "fuzz selftest: the broken parser is reported FAILED with a sanitizer report, as it must"

status=0
for t in "$@"; do
    run_target "$t" "$build/fuzz_$t" "$fuzz/corpus/$t" || status=1
done
exit $status
