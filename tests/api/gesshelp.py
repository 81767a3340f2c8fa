"""Small helpers shared by the API tests (imported by conftest and the tests)."""
import json
import re
import secrets
import socket
import time
import uuid

import requests

PROBLEM_BASE = "https://gess.pe/problems/"
SECTORS = ["public", "private", "academia", "civil_society", "community", "cooperation", "media"]
TIMEOUT = 30


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def unique_email(prefix="t"):
    return f"{prefix}-{uuid.uuid4().hex[:16]}@example.org"


def strong_password():
    # 24 random url-safe characters: zxcvbn scores this 4.
    return "Gz-" + secrets.token_urlsafe(18)


def signup_body(**overrides):
    body = {
        "email": unique_email(),
        "password": strong_password(),
        "full_name": "Ana Quispe Mamani",
        "organization": "Asociación Minera del Sur",
        "sector": "civil_society",
        "country": "PE",
        "region": "Cajamarca",
        "consent": True,
    }
    for k, v in overrides.items():
        if v is DROP:
            body.pop(k, None)
        else:
            body[k] = v
    return body


class _Drop:
    def __repr__(self):
        return "DROP"


DROP = _Drop()


def check_common(r):
    """Checks every response of gessd's own must pass."""
    rid = r.headers.get("X-Request-Id")
    assert rid, f"{r.request.method} {r.request.url} -> {r.status_code} without X-Request-Id"
    if r.status_code != 204:
        assert r.headers.get("Content-Type"), (
            f"{r.request.method} {r.request.url} -> {r.status_code} without Content-Type"
        )
        # The request id travels in the header, never in the body.
        assert rid not in r.text, f"request id {rid!r} leaked into the body: {r.text[:300]}"
    else:
        assert r.content == b"", f"204 with a body: {r.content[:200]!r}"


def call(method, url, check=True, **kw):
    kw.setdefault("timeout", TIMEOUT)
    r = requests.request(method, url, **kw)
    if check:
        check_common(r)
    return r


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def assert_json(r, status):
    assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text[:500]}"
    ct = r.headers.get("Content-Type", "")
    assert ct.split(";")[0].strip() == "application/json", f"Content-Type {ct!r}"
    return r.json()


def assert_problem(r, status, slug=None):
    assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text[:500]}"
    ct = r.headers.get("Content-Type", "")
    assert ct.split(";")[0].strip() == "application/problem+json", (
        f"Content-Type {ct!r} for a {status}: {r.text[:300]}"
    )
    body = r.json()
    assert isinstance(body, dict), body
    assert body.get("status") == status, body
    assert isinstance(body.get("title"), str) and body["title"], body
    assert isinstance(body.get("type"), str) and body["type"].startswith(PROBLEM_BASE), body
    if slug is not None:
        assert body["type"] == PROBLEM_BASE + slug, body
    if "detail" in body:
        assert isinstance(body["detail"], str), body
    return body


def error_fields(body):
    errs = body.get("errors")
    assert isinstance(errs, list) and errs, f"422 without errors[]: {body}"
    for e in errs:
        assert isinstance(e, dict), body
        assert isinstance(e.get("field"), str) and e["field"], body
        assert isinstance(e.get("message"), str) and e["message"], body
    return [e["field"] for e in errs]


def parse_metrics(text):
    """Prometheus text -> list of (name, labels dict, value)."""
    out = []
    line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$')
    label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = line_re.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        labels = dict(label_re.findall(m.group(3) or ""))
        out.append((m.group(1), labels, float(m.group(4))))
    return out


def metric_sum(samples, name, **labels):
    total = 0.0
    found = False
    for n, lab, v in samples:
        if n == name and all(lab.get(k) == val for k, val in labels.items()):
            total += v
            found = True
    return total if found else None


def wait_until(pred, timeout, interval=0.1, what="condition"):
    """Polls pred until it returns something other than None/False (a
    requests.Response counts as a value even when it is falsy, e.g. a 503)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = pred()
            if last is not None and last is not False:
                return last
        except Exception as e:  # noqa: BLE001 - keep polling
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {last!r}")


def raw_http(port, data, timeout=10.0, read=True):
    """Sends raw bytes, returns what came back (b'' if the server closed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if not read:
            return b""
        chunks = []
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    break
                chunks.append(c)
                if _complete(b"".join(chunks)):
                    break
        except (ConnectionResetError, socket.timeout):
            pass
        return b"".join(chunks)
    finally:
        s.close()


def _complete(buf):
    head, sep, body = buf.partition(b"\r\n\r\n")
    if not sep:
        return False
    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    if m:
        return len(body) >= int(m.group(1))
    return False


def http_request_bytes(method, path, port, body=b"", headers=None, close=True):
    if isinstance(body, str):
        body = body.encode()
    h = {"Host": f"127.0.0.1:{port}"}
    if body or method in ("POST", "PUT", "PATCH"):
        h["Content-Type"] = "application/json"
        h["Content-Length"] = str(len(body))
    if close:
        h["Connection"] = "close"
    h.update(headers or {})
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
    return head.encode() + body


def status_of(raw):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", raw)
    return int(m.group(1)) if m else None


def json_dumps(obj):
    return json.dumps(obj, ensure_ascii=False)
