"""Every line gessd writes to stderr is one JSON object (DESIGN.md §5), from
the first (start-up errors) to the last, whatever bytes a client sent.

conftest.py calls session_problems() at the end of the session over every
log file of the session's gessd processes (the main instance, the spawned
ones) and the stderr of every `gess.cli()` run; tests may call
non_json_lines() on any captured stderr.

Two things on stderr are not log lines and are let through, each only in
its own bounded block so that neither can hide a non-JSON line next to it:
- in SANITIZE=1 builds, a sanitizer report (AddressSanitizer, LeakSanitizer,
  UBSan), from its first line to its end; conftest fails the session on
  those separately. In other builds nothing is exempt.
- in a command's stderr, its usage text: `usage: gessd ...` and the
  indented lines that continue it (written for a person at a terminal when
  the command line is wrong, before any configuration exists).
"""
import glob
import json
import os
import re

# First line of a sanitizer report: ASan's rule of '=' or its "==PID==ERROR:"
# line, LeakSanitizer's, or UBSan's "file:line:col: runtime error:".
_SAN_START = re.compile(r"^(={20,}$|==\d+==\s*(ERROR|WARNING): \w*Sanitizer|\S+:\d+:\d+: runtime error: )")
# ... its SUMMARY line; ASan's shadow-byte map and "==PID==ABORTING" come after it.
_SAN_SUMMARY = re.compile(r"^SUMMARY: \w*Sanitizer")
_SAN_TAIL = re.compile(r"^(Shadow byte|\s|=>|==\d+==|$)")
_USAGE = re.compile(r"^usage: gessd\b")


def is_sanitize_build(gessd):
    """True when the binary was built with SANITIZE=1 (it links ASan's runtime)."""
    try:
        with open(gessd, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


def non_json_lines(text, sanitize=False, usage=False):
    """The lines of text that are not one JSON object: [(line number, line)].
    sanitize: let sanitizer reports through; usage: let a usage text through."""
    bad = []
    state = None  # None, "report", "tail" (after a report's SUMMARY) or "usage"
    lines = text.splitlines()
    for no, line in enumerate(lines, 1):
        if state == "report":
            if _SAN_SUMMARY.match(line):
                state = "tail"
            continue
        if state == "tail":
            if _SAN_TAIL.match(line) and not line.lstrip().startswith("{"):
                continue
            state = None
        if state == "usage":
            if line[:1] in (" ", "\t") and line.strip():
                continue
            state = None
        # LeakSanitizer starts its report with an empty line
        if sanitize and (_SAN_START.match(line) or
                         (line == "" and no < len(lines) and _SAN_START.match(lines[no]))):
            state = "report"
            continue
        if usage and _USAGE.match(line):
            state = "usage"
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            bad.append((no, line))
    return bad


def json_lines(text):
    """The JSON objects of text, one per line; fails on a line that is not one."""
    bad = non_json_lines(text)
    assert not bad, "log lines that are not JSON objects:\n" + "\n".join(
        f"  {no}: {line[:300]!r}" for no, line in bad[:20])
    return [json.loads(line) for line in text.splitlines()]


def session_problems(gess):
    """Every non-JSON line of the session: the log files in gess.tmp and the
    stderr of the commands gess.cli() ran (gess.cli_runs)."""
    sanitize = is_sanitize_build(gess.gessd)
    found = []
    for path in sorted(glob.glob(os.path.join(gess.tmp, "*.log"))):
        with open(path, "rb") as f:
            raw = f.read()
        # bytes that are not UTF-8 make the line invalid; show them as U+FFFD
        for no, line in non_json_lines(raw.decode("utf-8", "replace"), sanitize=sanitize):
            found.append(f"{os.path.basename(path)}:{no}: {line[:300]!r}")
    for argv, stderr in getattr(gess, "cli_runs", []):
        for no, line in non_json_lines(stderr, sanitize=sanitize, usage=True):
            found.append(f"gessd {' '.join(argv)} (stderr line {no}): {line[:300]!r}")
    return found


def error_messages(stderr):
    """The msg of each line of a command's stderr, which must all be JSON
    log lines of level error (what a failing start-up or command writes)."""
    lines = json_lines(stderr)
    assert all(l.get("level") == "error" for l in lines), lines
    return [l["msg"] for l in lines]
