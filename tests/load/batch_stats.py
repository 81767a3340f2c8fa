"""What gessd's batches did between two /metrics snapshots (bench part d).

usage: python3 tests/load/batch_stats.py BEFORE AFTER [KIND]

Prints one line: batches, requests in them, their mean size, and the
p50 / p99 of gess_batch_wait_seconds and gess_batch_statement_seconds in
ms, linearly interpolated inside their buckets:
  batches=N requests=N mean=F wait_p50_ms=F wait_p99_ms=F stmt_p50_ms=F stmt_p99_ms=F
A snapshot without the metrics (an older gessd, batching off) counts as zero.
"""
import re
import sys

LINE = re.compile(r'^(\w+)\{([^}]*)\}\s+(\S+)$')


def read(path, kind):
    out = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LINE.match(line.strip())
            if not m:
                continue
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
            if labels.get("kind") != kind:
                continue
            out[(m.group(1), labels.get("le"))] = float(m.group(3))
    return out


def buckets(before, after, name):
    """[(upper bound, count in the bucket)] of the delta, +Inf last."""
    rows = []
    for (metric, le), v in after.items():
        if metric == name + "_bucket" and le is not None:
            rows.append((float("inf") if le == "+Inf" else float(le),
                         v - before.get((metric, le), 0.0)))
    rows.sort()
    out, prev = [], 0.0
    for le, cum in rows:
        out.append((le, cum - prev))
        prev = cum
    return out


def quantile(bs, q):
    total = sum(n for _, n in bs)
    if total <= 0:
        return None
    want, seen, lo = q * total, 0.0, 0.0
    for le, n in bs:
        if n > 0 and seen + n >= want:
            if le == float("inf"):
                return lo
            return lo + (le - lo) * (want - seen) / n
        seen += n
        if le != float("inf"):
            lo = le
    return lo


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    kind = sys.argv[3] if len(sys.argv) > 3 else "registration"
    before, after = read(sys.argv[1], kind), read(sys.argv[2], kind)

    def delta(name):
        return after.get((name, None), 0.0) - before.get((name, None), 0.0)

    n, items = delta("gess_batch_size_count"), delta("gess_batch_size_sum")

    def fmt(v, scale=1.0):
        return "n/a" if v is None else "%.2f" % (v * scale)

    print("batches=%d requests=%d mean=%s wait_p50_ms=%s wait_p99_ms=%s"
          " stmt_p50_ms=%s stmt_p99_ms=%s" % (
              n, items, fmt(items / n if n else None),
              fmt(quantile(buckets(before, after, "gess_batch_wait_seconds"), 0.5), 1000),
              fmt(quantile(buckets(before, after, "gess_batch_wait_seconds"), 0.99), 1000),
              fmt(quantile(buckets(before, after, "gess_batch_statement_seconds"), 0.5), 1000),
              fmt(quantile(buckets(before, after, "gess_batch_statement_seconds"), 0.99), 1000)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
