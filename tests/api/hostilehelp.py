"""Raw-socket helpers of test_hostile.py (issue 11: hostile connections).

Kept free of the harness's imports at module level, because the slowloris
client runs as its own process (`python3 hostilehelp.py trickle ...`), so
that its 300 sockets do not share a GIL with the test that measures
/healthz meanwhile.
"""
import errno
import json
import os
import re
import selectors
import socket
import sys
import time


# --- reading and parsing -----------------------------------------------------------------

def trickle_until_closed(s, data, interval, deadline):
    """Sends data one byte every interval seconds on s (made non-blocking) until
    the peer closes or resets it, or time.monotonic() passes deadline. Returns
    (when the peer closed, or None; the bytes it sent back meanwhile)."""
    s.setblocking(False)
    got = b""
    for i in range(len(data)):
        try:
            s.send(data[i:i + 1])
        except (BrokenPipeError, ConnectionResetError):
            return time.monotonic(), got
        try:
            c = s.recv(65536)
            if c == b"":
                return time.monotonic(), got
            got += c
        except BlockingIOError:
            pass
        except ConnectionResetError:
            return time.monotonic(), got
        if time.monotonic() > deadline:
            break
        time.sleep(interval)
    return None, got


def connect(port, host="127.0.0.1", src=None, timeout=5.0, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        # before connect, so the window is small from the handshake on
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    if src is not None:
        s.bind((src, 0))
    s.settimeout(timeout)
    s.connect((host, port))
    return s


def read_until_eof(s, timeout=10.0):
    """Everything the peer sends until it closes: (bytes, end, seconds), end being
    "eof", "rst" or "timeout" (the peer had not closed within timeout)."""
    t0 = time.monotonic()
    chunks = []
    end = "timeout"
    while True:
        left = timeout - (time.monotonic() - t0)
        if left <= 0:
            break
        s.settimeout(left)
        try:
            c = s.recv(65536)
        except socket.timeout:
            break
        except (ConnectionResetError, BrokenPipeError):
            end = "rst"
            break
        if not c:
            end = "eof"
            break
        chunks.append(c)
    return b"".join(chunks), end, time.monotonic() - t0


def wait_closed(s, timeout):
    """Seconds until the peer closes s (EOF or RST), reading and counting what it
    sends meanwhile: (seconds or None if still open after timeout, bytes received)."""
    data, end, took = read_until_eof(s, timeout)
    return (None if end == "timeout" else took), data


class Response:
    def __init__(self, status, reason, headers, body, complete, version):
        self.status = status
        self.reason = reason
        self.headers = headers  # lower-case name -> list of values
        self.body = body
        self.complete = complete
        self.version = version

    def header(self, name):
        v = self.headers.get(name.lower())
        return v[-1] if v else None

    def __repr__(self):
        return (f"<{self.version} {self.status} complete={self.complete} "
                f"headers={self.headers} body={self.body[:200]!r}>")


_STATUS = re.compile(rb"^(HTTP/1\.[01]) (\d{3})(?: ([^\r\n]*))?$")


def parse_responses(buf, closed=True):
    """The HTTP/1.x responses in buf, in order, and the bytes left after the last
    one that parsed. A response without Content-Length or chunked coding runs to
    the end of buf (when closed). complete=False for a truncated last one."""
    out = []
    rest = buf
    while rest:
        head, sep, after = rest.partition(b"\r\n\r\n")
        if not sep:
            break
        lines = head.split(b"\r\n")
        m = _STATUS.match(lines[0])
        if not m:
            break
        headers = {}
        for line in lines[1:]:
            k, _, v = line.decode("latin-1").partition(":")
            headers.setdefault(k.strip().lower(), []).append(v.strip())
        status = int(m.group(2))
        te = ",".join(headers.get("transfer-encoding", [])).lower()
        cl = headers.get("content-length")
        if status in (204, 304) or 100 <= status < 200:
            out.append(Response(status, m.group(3), headers, b"", True, m.group(1).decode()))
            rest = after
            continue
        if "chunked" in te:
            body, pos, ok = b"", 0, False
            while True:
                nl = after.find(b"\r\n", pos)
                if nl < 0:
                    break
                try:
                    size = int(after[pos:nl].split(b";")[0], 16)
                except ValueError:
                    break
                if size == 0:
                    end = after.find(b"\r\n\r\n", nl - 2 if nl >= 2 else nl)
                    if end >= 0:
                        pos, ok = end + 4, True
                    break
                if len(after) < nl + 2 + size + 2:
                    break
                body += after[nl + 2: nl + 2 + size]
                pos = nl + 2 + size + 2
            out.append(Response(status, m.group(3), headers, body, ok, m.group(1).decode()))
            rest = after[pos:] if ok else b""
            if not ok:
                break
        elif cl is not None and len(cl) == 1 and cl[0].isdigit():
            n = int(cl[0])
            body = after[:n]
            out.append(Response(status, m.group(3), headers, body, len(body) == n,
                                m.group(1).decode()))
            rest = after[n:]
            if len(body) < n:
                break
        else:
            out.append(Response(status, m.group(3), headers, after, closed, m.group(1).decode()))
            rest = b""
    return out, rest


def status_lines(buf):
    """How many HTTP/1.x status lines buf holds (anywhere: a second answer
    follows the first one's body directly)."""
    return len(re.findall(rb"HTTP/1\.[01] \d{3} ", buf))


def one_whole_answer(sent, buf, end, status=None):
    """buf (read until end) is exactly one complete response and the peer closed:
    returns it. Checks it against the document as raw_http's answers are."""
    assert end in ("eof", "rst"), f"the connection was not closed ({end}); got {buf[:300]!r}"
    resps, rest = parse_responses(buf)
    assert len(resps) == 1, f"{len(resps)} responses ({status_lines(buf)} status lines): {buf[:600]!r}"
    r = resps[0]
    assert r.complete, f"truncated answer ({len(r.body)} body bytes): {r!r}"
    assert rest == b"", f"bytes after the answer: {rest[:300]!r}"
    if status is not None:
        assert r.status == status, r
    import contract  # noqa: E402 - the harness's check, only in the test process
    contract.check_raw(sent, buf)
    return r


def contract_check(sent, buf):
    import contract  # noqa: E402
    contract.check_raw(sent, buf)


def assert_problem(r, status, slug=None):
    assert r.status == status, r
    ct = (r.header("content-type") or "").split(";")[0].strip()
    assert ct == "application/problem+json", f"Content-Type {ct!r}: {r!r}"
    body = json.loads(r.body.decode("utf-8"))
    assert body.get("status") == status, body
    assert isinstance(body.get("title"), str) and body["title"], body
    if slug is not None:
        assert body.get("type") == "https://gess.pe/problems/" + slug, body
    assert r.header("x-request-id"), r
    return body


def closes(r):
    return "close" in [t.strip().lower() for v in r.headers.get("connection", []) for t in v.split(",")]


# --- log and process ---------------------------------------------------------------------

def log_lines(text):
    out = []
    for line in text.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            out.append(obj)
    return out


def request_lines(text):
    return [l for l in log_lines(text) if l.get("msg") == "request"]


def cpu_seconds(pid):
    """utime + stime of the process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is the state (field 3): utime and stime are fields 14 and 15
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


# --- many sockets ----------------------------------------------------------------------

def open_idle(port, n, timeout=2.0, src=None):
    """n connections opened at once (non-blocking connects), held idle: those whose
    handshake completed within timeout, and the number that did not."""
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        if src is not None:
            s.bind((src, 0))
        rc = s.connect_ex(("127.0.0.1", port))
        if rc not in (0, errno.EINPROGRESS):
            s.close()
            continue
        socks.append(s)
    sel = selectors.DefaultSelector()
    pending = set()
    for s in socks:
        sel.register(s, selectors.EVENT_WRITE)
        pending.add(s)
    done = []
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(max(0.0, deadline - time.monotonic())):
            s = key.fileobj
            sel.unregister(s)
            pending.discard(s)
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                done.append(s)
            else:
                s.close()
    for s in pending:
        sel.unregister(s)
        s.close()
    sel.close()
    return done, n - len(done)


def closed_by_peer(socks):
    """How many of the (non-blocking) sockets the peer has closed (EOF or RST)."""
    n = 0
    for s in socks:
        try:
            c = s.recv(65536, socket.MSG_PEEK)
            if c == b"":
                n += 1
        except BlockingIOError:
            pass
        except OSError:
            n += 1
    return n


# --- the slowloris client (a process of its own) ---------------------------------------------

def trickle(port, n, duration, interval=1.0):
    """n connections that each send one byte of a request head per interval; one
    closed by the server is replaced at once, for duration seconds. Prints one
    JSON line "ready" when the first n are connected, then one with the results:
    closed: [seconds from connect to EOF/RST], open: [ages of those still open at
    the end], answered: how many received any byte."""
    head = (f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: trickle\r\n"
            "X-Slow: " + "a" * 200 + "\r\n").encode()
    sel = selectors.DefaultSelector()
    conns = {}  # sock -> [t0, pos, received]
    closed, answered, failed = [], 0, 0

    def open_one():
        nonlocal failed
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t0 = time.monotonic()
        s.settimeout(2.0)
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            failed += 1
            s.close()
            return
        s.setblocking(False)
        conns[s] = [t0, 0, 0]
        sel.register(s, selectors.EVENT_READ)

    def close_one(s, now):
        nonlocal answered
        t0, _, got = conns.pop(s)
        sel.unregister(s)
        s.close()
        closed.append(now - t0)
        if got:
            answered += 1

    for _ in range(n):
        open_one()
    start = time.monotonic()
    end = start + duration
    print(json.dumps({"ready": len(conns), "failed": failed}), flush=True)
    next_tick = start
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if now >= next_tick:
            for s in list(conns):
                st = conns[s]
                try:
                    s.send(head[st[1] % len(head): st[1] % len(head) + 1])
                    st[1] += 1
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    close_one(s, time.monotonic())
                    open_one()
            next_tick += interval
        for key, _ in sel.select(max(0.0, min(next_tick, end) - time.monotonic())):
            s = key.fileobj
            if s not in conns:
                continue
            try:
                c = s.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                c = b""
            if c:
                conns[s][2] += len(c)
                continue
            close_one(s, time.monotonic())
            if time.monotonic() < end - 0.5:
                open_one()
    now = time.monotonic()
    still = [now - st[0] for st in conns.values()]
    for s in list(conns):
        s.close()
    print(json.dumps({"closed": closed, "open": still, "answered": answered, "failed": failed}),
          flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "trickle":
        trickle(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.exit("usage: hostilehelp.py trickle PORT N SECONDS")
