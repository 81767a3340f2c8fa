"""SIGTERM: stop accepting, finish what is in flight, exit 0."""
import json
import signal
import socket
import time
import uuid

import requests

import gesshelp as h


def test_sigterm_finishes_in_flight_requests(gess):
    # One hash thread and one worker so the sign-ups queue up behind each other.
    inst = gess.spawn(env={"GESS_HASH_THREADS": "1", "GESS_WORKERS": "1"})
    tag = uuid.uuid4().hex[:8]
    n = 6
    socks = []
    emails = []
    for i in range(n):
        email = f"term-{tag}-{i}@example.org"
        emails.append(email)
        data = json.dumps(h.signup_body(email=email)).encode()
        s = socket.create_connection(("127.0.0.1", inst.port), timeout=30)
        s.sendall(h.http_request_bytes("POST", "/v1/accounts", inst.port, data))
        socks.append(s)
    time.sleep(0.15)  # let gessd read them all
    t0 = time.monotonic()
    inst.proc.send_signal(signal.SIGTERM)

    # New connections during the drain are not served normally.
    time.sleep(0.05)
    try:
        r = requests.get(inst.base + "/healthz", timeout=5)
        late = r.status_code
    except requests.ConnectionError:
        late = None
    assert late in (None, 503), f"a request after SIGTERM got {late}"

    statuses = []
    for s in socks:
        buf = b""
        s.settimeout(30)
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    break
                buf += c
        except (ConnectionResetError, socket.timeout):
            pass
        s.close()
        statuses.append(h.status_of(buf))
    assert statuses == [201] * n, f"in-flight sign-ups got {statuses}"

    rc = inst.proc.wait(timeout=20)
    took = time.monotonic() - t0
    assert rc == 0, f"exit code {rc}:\n{inst.log_text()[-2000:]}"
    assert took < 10.5, f"shutdown took {took:.1f}s"
    assert gess.count("accounts", "email LIKE %s", (f"term-{tag}-%",)) == n

    # Nothing listens any more.
    try:
        socket.create_connection(("127.0.0.1", inst.port), timeout=2).close()
        refused = False
    except ConnectionRefusedError:
        refused = True
    assert refused, "the port still accepts connections after exit"
    # The log ends cleanly and has no sanitizer reports (checked at session end too).
    assert "AddressSanitizer" not in inst.log_text()


def test_sigterm_with_idle_keepalive_connection(gess):
    inst = gess.spawn(env={"GESS_SHUTDOWN_TIMEOUT_MS": "2000"})
    # A client that keeps its connection open after an answer.
    s = socket.create_connection(("127.0.0.1", inst.port), timeout=10)
    s.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{inst.port}\r\n\r\n".encode())
    buf = b""
    while not h._complete(buf):
        buf += s.recv(65536)
    assert h.status_of(buf) == 200
    t0 = time.monotonic()
    inst.proc.send_signal(signal.SIGTERM)
    rc = inst.proc.wait(timeout=15)
    took = time.monotonic() - t0
    s.close()
    assert rc == 0
    assert took < 4, f"an idle keep-alive connection held shutdown for {took:.1f}s"


def test_sigint_exits_zero(gess):
    inst = gess.spawn()
    inst.proc.send_signal(signal.SIGINT)
    assert inst.proc.wait(timeout=15) == 0
