"""Body and header limits, malformed bodies, wrong JSON types."""
import json

import pytest
import requests

import gesshelp as h

MiB = 1024 * 1024


def _signup_bytes(email, pad):
    body = h.signup_body(email=email)
    body["full_name"] = "N" * pad
    return json.dumps(body).encode()


def test_body_over_limit_is_413(gess):
    email = h.unique_email("big")
    data = _signup_bytes(email, 2 * MiB)
    assert len(data) > 2 * MiB
    before = gess.count("accounts")
    raw = h.raw_http(gess.port, h.http_request_bytes("POST", "/v1/accounts", gess.port, data))
    assert h.status_of(raw) == 413, raw[:300]
    assert gess.count("accounts") == before
    assert gess.count("accounts", "email = %s", (email,)) == 0
    # The server is fine afterwards.
    assert gess.req("GET", "/healthz").status_code == 200


def test_body_over_limit_with_requests(gess):
    email = h.unique_email("big")
    data = _signup_bytes(email, 2 * MiB)
    try:
        r = requests.post(gess.url("/v1/accounts"), data=data,
                          headers={"Content-Type": "application/json"}, timeout=30)
        assert r.status_code == 413, r.text[:300]
    except requests.ConnectionError:
        # The server may close while the client is still sending; then the
        # client never sees the 413, but nothing may be written either.
        pass
    assert gess.count("accounts", "email = %s", (email,)) == 0


def test_chunked_body_over_limit(gess):
    email = h.unique_email("chunk")
    data = _signup_bytes(email, 2 * MiB)
    head = (f"POST /v1/accounts HTTP/1.1\r\nHost: 127.0.0.1:{gess.port}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
            "Connection: close\r\n\r\n").encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + 65536]), data[i:i + 65536])
                      for i in range(0, len(data), 65536)) + b"0\r\n\r\n"
    raw = h.raw_http(gess.port, head + chunks)
    st = h.status_of(raw)
    assert st is None or st == 413, raw[:300]
    assert gess.count("accounts", "email = %s", (email,)) == 0
    assert gess.req("GET", "/healthz").status_code == 200


def test_body_under_limit_reaches_validation(gess):
    # 900 KiB is under max_body_bytes: gessd itself answers (422: name too long).
    email = h.unique_email("mid")
    data = _signup_bytes(email, 900 * 1024)
    r = gess.req("POST", "/v1/accounts", data=data, headers={"Content-Type": "application/json"})
    p = h.assert_problem(r, 422, "validation-failed")
    assert h.error_fields(p) == ["full_name"]
    assert gess.count("accounts", "email = %s", (email,)) == 0


def test_oversized_header(gess):
    # Over max_header_bytes, one header or many: 431 problem+json, refused as the
    # head arrives (test_hostile.py has the raw-socket cases).
    try:
        r = requests.get(gess.url("/healthz"), headers={"X-Big": "a" * (64 * 1024)}, timeout=30)
        h.assert_problem(r, 431, "headers-too-large")
    except requests.ConnectionError:
        pass  # the client was still sending when the answer and the close came
    try:
        hdrs = {f"X-H{i}": "b" * 1000 for i in range(64)}
        r = requests.get(gess.url("/healthz"), headers=hdrs, timeout=30)
        h.assert_problem(r, 431, "headers-too-large")
    except requests.ConnectionError:
        pass
    assert gess.req("GET", "/healthz").status_code == 200


MALFORMED = [
    ("truncated", b'{"email": "a@example.org", "password": '),
    ("not-json", b"email=a@example.org&password=x"),
    ("trailing-garbage", b'{"email": "a@example.org"} xyz'),
    ("single-quotes", b"{'email': 'a@example.org'}"),
    ("empty", b""),
    ("invalid-utf8", None),
    ("invalid-utf8-key", b'{"em\xc3\x28il": "a@example.org"}'),
    ("invalid-utf8-in-value", b'{"email": "a@example.org\xff"}'),
]


@pytest.mark.parametrize("path", ["/v1/accounts", "/v1/tokens"])
@pytest.mark.parametrize("data", [m[1] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_body(gess, path, data):
    email = h.unique_email("bad")
    if data is None:
        body = json.dumps(h.signup_body(email=email)).encode()
        data = body.replace(b"Ana Quispe Mamani", b"Ana \xff\xfe Quispe")
        assert b"\xff" in data
    before_acc = gess.count("accounts")
    before_tok = gess.count("tokens")
    r = gess.req("POST", path, data=data, headers={"Content-Type": "application/json"})
    h.assert_problem(r, 400, "malformed-body")
    assert gess.count("accounts") == before_acc
    assert gess.count("tokens") == before_tok
    assert gess.count("accounts", "email = %s", (email,)) == 0


WRONG_SHAPES = [
    ("array", []),
    ("string", "hello"),
    ("number", 42),
    ("null", None),
    ("true", True),
]


@pytest.mark.parametrize("path", ["/v1/accounts", "/v1/tokens"])
@pytest.mark.parametrize("value", [w[1] for w in WRONG_SHAPES], ids=[w[0] for w in WRONG_SHAPES])
def test_wrong_json_type_is_422(gess, path, value):
    before = gess.count("accounts")
    r = gess.req("POST", path, data=json.dumps(value).encode(),
                 headers={"Content-Type": "application/json"})
    h.assert_problem(r, 422, "validation-failed")
    assert gess.count("accounts") == before


def test_deeply_nested_json(gess):
    data = b'{"email":' + b"[" * 100000 + b"]" * 100000 + b"}"
    r = gess.req("POST", "/v1/accounts", data=data, headers={"Content-Type": "application/json"})
    # deeper than jansson's nesting limit: not JSON it parses, so 400
    h.assert_problem(r, 400, "malformed-body")
    assert gess.req("GET", "/healthz").status_code == 200
