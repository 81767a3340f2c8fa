#!/bin/sh
# Lints services/openapi.json with Redocly CLI (the version package-lock.json
# pins, rules from redocly.yaml: `recommended`) and fails on any error or
# warning: redocly itself exits 0 when there are only warnings, so the
# verdict comes from the totals of its JSON report. On failure the problems
# are shown again in its readable format.
set -eu
cd "$(dirname "$0")/.."
# No telemetry or update check: the machines that run this may reach the
# package registry only.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
redocly=node_modules/.bin/redocly
doc=services/openapi.json
if [ ! -x "$redocly" ]; then
    echo "lint-openapi: $redocly is missing; run npm ci (make test does)" >&2
    exit 1
fi
# stderr carries only banners (e.g. Node's end-of-life notice) when all is
# well; a failure shows everything on the second run.
report=$("$redocly" lint --format=json "$doc" 2>/dev/null) || true
totals=$(printf '%s' "$report" | node -e '
let s = "";
process.stdin.on("data", d => s += d).on("end", () => {
    try {
        const t = JSON.parse(s).totals;
        console.log(`${t.errors} errors, ${t.warnings} warnings`);
        process.exit(t.errors + t.warnings === 0 ? 0 : 1);
    } catch (e) {
        console.log("no report from redocly");
        process.exit(1);
    }
});') && {
    echo "redocly lint $doc: $totals"
    exit 0
}
echo "redocly lint $doc: $totals" >&2
"$redocly" lint "$doc" >&2 || true
exit 1
