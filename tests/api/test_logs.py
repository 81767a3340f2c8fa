"""Every log line is one JSON object whatever a client sends, and start-up
failures are JSON lines too (DESIGN.md §5; issue 10). The whole session's
logs are checked at its end by conftest (loghelp.session_problems); these
tests aim bytes at the places that used to break a line."""
import json
import socket
import time
import uuid

import pytest

import gesshelp as h
import loghelp

FFFD = "\ufffd"


def _raw(gess, request, timeout=5):
    """Sends bytes as they are (no client library normalises them); returns
    the status line."""
    with socket.create_connection(("127.0.0.1", gess.port), timeout=timeout) as s:
        s.sendall(request)
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def _log_lines_with(gess, needle, timeout=5):
    """The main instance's request lines whose path contains needle (the log
    line is written once the answer is sent: wait for it)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = loghelp.json_lines(gess.main.log_text())
        found = [l for l in lines if l.get("msg") == "request" and needle in l.get("path", "")]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_invalid_bytes_in_path_and_headers_log_a_json_line(gess):
    tag = uuid.uuid4().hex[:8]
    status = _raw(gess, b"GET /v1/" + tag.encode() + b"/\xff\xfe/\xc0\xaf/\xed\xa0\x80/\xe2\x82 HTTP/1.1\r\n"
                  b"Host: 127.0.0.1\r\nConnection: close\r\n"
                  b"X-Request-Id: \xff\xfe\x01\"\\ abc\r\n"
                  b"User-Agent: \xc3\x28\r\n\r\n")
    assert status.startswith("HTTP/1.1 404"), status
    found = _log_lines_with(gess, tag)
    assert len(found) == 1, found
    line = found[0]
    # the path is there, each ill-formed part replaced by U+FFFD
    assert line["path"] == f"/v1/{tag}/{FFFD * 2}/{FFFD * 2}/{FFFD * 3}/{FFFD}", line
    assert line["status"] == 404
    # an id that is not short and plain is replaced by one of gessd's own
    assert line["req_id"].isalnum(), line


def test_percent_encoded_invalid_utf8_logs_a_json_line(gess):
    tag = uuid.uuid4().hex[:8]
    status = _raw(gess, f"GET /v1/editions/{tag}%ff%c3%28%00 HTTP/1.1\r\n".encode()
                  + b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert status.split(" ")[1] in ("400", "404"), status
    assert status.split(" ")[1] != "500", status
    if status.split(" ")[1] == "404":
        assert len(_log_lines_with(gess, tag)) == 1


def test_every_line_of_the_main_log_so_far_is_json(gess):
    # also checked at the end of the session; here it fails next to its cause
    h.call("GET", gess.url("/v1/\u00f1and\u00fa-\u20ac"))
    assert loghelp.non_json_lines(gess.main.log_text(),
                                  sanitize=loghelp.is_sanitize_build(gess.gessd)) == []


def _one_error_line(r):
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, f"expected one stderr line, got: {lines}"
    obj = json.loads(lines[0])
    assert isinstance(obj, dict) and obj["level"] == "error", obj
    assert isinstance(obj["ts"], str) and obj["msg"], obj
    return obj


def test_unreachable_database_is_one_json_error_line(gess):
    port = h.free_port()  # nothing listens there
    for cmd in (["serve"], ["migrate"], ["remind"]):
        r = gess.cli(cmd, db_url=f"postgresql://gess@127.0.0.1:{port}/gess", timeout=30,
                     env={"GESS_LISTEN": f"127.0.0.1:{h.free_port()}"})
        assert r.returncode == 1, (cmd, r.returncode, r.stderr)
        msg = _one_error_line(r)["msg"]
        assert "cannot connect to the database" in msg or "connect" in msg, (cmd, msg)


def test_bad_config_value_is_one_json_error_line(gess):
    r = gess.cli(["serve"], env={"GESS_WORKERS": "many\udcff"}, timeout=20)
    assert r.returncode == 2, r.stderr
    msg = _one_error_line(r)["msg"]
    assert "workers" in msg, msg


def test_cannot_listen_is_one_json_error_line(gess):
    # the main instance holds its port
    r = gess.cli(["serve"], env={"GESS_LISTEN": f"127.0.0.1:{gess.port}"}, timeout=20)
    assert r.returncode == 1, r.stderr
    assert "listen" in _one_error_line(r)["msg"]


def test_the_check_flags_what_is_not_json():
    plain = '{"level":"info"}\n[warn] Error from accept() call: Too many open files\n'
    assert loghelp.non_json_lines(plain) == [(2, "[warn] Error from accept() call: Too many open files")]
    assert [n for n, _ in loghelp.non_json_lines('[1]\n"x"\n\n{"a":1}\n')] == [1, 2, 3]
    report = ("=================================================================\n"
              "==7==ERROR: AddressSanitizer: heap-use-after-free on address 0x1\n"
              "    #0 0x55 in main x.c:3\n"
              "SUMMARY: AddressSanitizer: heap-use-after-free x.c:3 in main\n"
              "Shadow bytes around the buggy address:\n"
              "=>0x0c: fd\n"
              "==7==ABORTING\n")
    # a report is let through only in a sanitizer build, and never what follows it
    assert loghelp.non_json_lines(report + "gessd: plain\n", sanitize=True) == [(8, "gessd: plain")]
    assert len(loghelp.non_json_lines(report)) == 7
    usage = "usage: gessd serve | migrate\n       routes\n"
    assert loghelp.non_json_lines(usage + "plain\n", usage=True) == [(3, "plain")]
    assert len(loghelp.non_json_lines(usage)) == 2


def test_libevent_warnings_are_json_and_rate_limited(gess):
    """Descriptor exhaustion: every accept() fails with EMFILE and libevent,
    without a pause (issue 11 adds one), warns on each turn of the loop.
    Those warnings must arrive as JSON lines, at most one a second."""
    import resource
    import subprocess
    from conftest import clean_env

    port = h.free_port()
    log_path = f"{gess.tmp}/gessd-emfile.log"
    env = clean_env({"GESS_DATABASE_URL": gess.db_url, "GESS_LISTEN": f"127.0.0.1:{port}",
                     "GESS_WORKERS": "1", "GESS_DB_POOL_SIZE": "1"})

    def few_fds():
        resource.setrlimit(resource.RLIMIT_NOFILE, (48, 48))

    socks = []
    with open(log_path, "ab") as log:
        proc = subprocess.Popen([gess.gessd, "serve"], env=env, cwd=gess.tmp, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=log, preexec_fn=few_fds)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proc.poll() is None, open(log_path, errors="replace").read()[-2000:]
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "gessd did not listen"
                time.sleep(0.05)
        for _ in range(60):  # more than the descriptors left
            try:
                socks.append(socket.create_connection(("127.0.0.1", port), timeout=1))
            except OSError:
                break
        t0 = time.monotonic()
        time.sleep(2.2)
        for s in socks:
            s.close()
        socks = []
        proc.send_signal(15)
        assert proc.wait(20) == 0
        elapsed = time.monotonic() - t0
    finally:
        for s in socks:
            s.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with open(log_path, "rb") as f:
        lines = loghelp.json_lines(f.read().decode("utf-8"))
    accept = [l for l in lines if l.get("source") == "libevent" and "accept" in l["msg"]]
    if not accept:
        # the unit test still covers the callback (tests/unit/test_log.c)
        pytest.skip("libevent did not warn: gessd handles EMFILE before libevent does")
    # one at once, then at most one a second (and one more when serve stops)
    assert len(accept) <= elapsed + 3, accept
    assert sum(l.get("suppressed", 0) for l in accept) > 0, accept
