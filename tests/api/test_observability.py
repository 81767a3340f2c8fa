"""/healthz, /readyz, /metrics, request ids and the JSON request log."""
import json
import time
import uuid

import gesshelp as h


def test_healthz(gess):
    r = gess.req("GET", "/healthz")
    assert h.assert_json(r, 200) == {"status": "ok"}


def test_readyz(gess):
    r = gess.req("GET", "/readyz")
    assert h.assert_json(r, 200) == {"status": "ready"}


def test_metrics_shape(gess):
    # Make sure there is something to count.
    for _ in range(3):
        gess.req("GET", "/healthz")
    gess.req("GET", "/nope-404")
    r = gess.req("GET", "/metrics")
    assert r.status_code == 200
    ct = r.headers.get("Content-Type", "")
    assert ct.startswith("text/plain") and "version=0.0.4" in ct, ct
    s = h.parse_metrics(r.text)
    names = {n for n, _, _ in s}
    for needed in ("gess_http_requests_total", "gess_http_request_duration_seconds_bucket",
                   "gess_http_request_duration_seconds_sum",
                   "gess_http_request_duration_seconds_count", "gess_db_pool_connections",
                   "gess_db_pool_waiting", "gess_hash_queue_depth"):
        assert needed in names, f"{needed} missing from /metrics"
    assert "# TYPE gess_http_requests_total counter" in r.text
    assert "# TYPE gess_http_request_duration_seconds histogram" in r.text
    for n, lab, _ in s:
        if n == "gess_http_requests_total":
            assert {"route", "method", "status"} <= set(lab), lab
    hz = h.metric_sum(s, "gess_http_requests_total", route="/healthz", method="GET", status="200")
    assert hz is not None and hz >= 3
    # Unknown paths do not each get their own label value.
    assert not any(lab.get("route") == "/nope-404" for n, lab, _ in s), "raw path used as a label"
    # Histogram buckets are cumulative and end in +Inf == _count.
    buckets = [(lab, v) for n, lab, v in s if n == "gess_http_request_duration_seconds_bucket"]
    assert any(lab.get("le") == "+Inf" for lab, _ in buckets)
    states = {lab.get("state") for n, lab, _ in s if n == "gess_db_pool_connections"}
    assert {"in_use", "idle"} <= states, states
    idle = h.metric_sum(s, "gess_db_pool_connections", state="idle")
    in_use = h.metric_sum(s, "gess_db_pool_connections", state="in_use")
    assert idle + in_use >= 1, "no database connection at all"

    # The counter grows.
    gess.req("GET", "/healthz")
    s2 = h.parse_metrics(gess.req("GET", "/metrics").text)
    hz2 = h.metric_sum(s2, "gess_http_requests_total", route="/healthz", method="GET", status="200")
    assert hz2 >= hz + 1


def test_request_id(gess):
    r1 = gess.req("GET", "/healthz")
    r2 = gess.req("GET", "/healthz")
    id1, id2 = r1.headers["X-Request-Id"], r2.headers["X-Request-Id"]
    assert id1 and id2 and id1 != id2
    # A sane client id is echoed.
    mine = "test-" + uuid.uuid4().hex
    r = gess.req("GET", "/v1/me", headers={"X-Request-Id": mine})
    assert r.headers["X-Request-Id"] == mine
    assert mine not in r.text
    # An insane one is replaced.
    for bad in ("x" * 300, "a b\tc", "ü-nicode"):
        r = gess.req("GET", "/healthz", headers={"X-Request-Id": bad.encode("utf-8")})
        assert r.headers["X-Request-Id"] != bad
        assert r.headers["X-Request-Id"].isprintable() and len(r.headers["X-Request-Id"]) <= 128


def _find_log_line(gess, rid, timeout=3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in gess.main.log_text().splitlines():
            if rid in line:
                return json.loads(line)
        time.sleep(0.1)
    raise AssertionError(f"no log line with request id {rid}")


def test_request_log_lines(gess, user):
    rid = "log-" + uuid.uuid4().hex
    r = gess.req("GET", "/v1/me", headers={**user["headers"], "X-Request-Id": rid})
    assert r.status_code == 200
    rec = _find_log_line(gess, rid)
    assert rec.get("req_id", rec.get("request_id")) == rid, rec
    assert rec["method"] == "GET"
    assert rec["route"] == "/v1/me"
    assert rec["status"] == 200
    dur = next((v for k, v in rec.items() if k.startswith("duration")), None)
    assert isinstance(dur, (int, float)) and dur >= 0, rec

    # The route is the template, not the concrete path.
    rid2 = "log-" + uuid.uuid4().hex
    acc = user["account"]["id"]
    r = gess.req("PUT", f"/v1/accounts/{acc}/roles", json={"roles": []},
                 headers={**user["headers"], "X-Request-Id": rid2})
    assert r.status_code == 403
    rec2 = _find_log_line(gess, rid2)
    assert rec2["route"] == "/v1/accounts/{id}/roles", rec2
    assert rec2["method"] == "PUT" and rec2["status"] == 403


def test_all_log_lines_are_json(gess):
    gess.req("GET", "/healthz")
    lines = [l for l in gess.main.log_text().splitlines() if l.strip()]
    assert lines
    for line in lines:
        rec = json.loads(line)
        assert isinstance(rec, dict) and "level" in rec and ("ts" in rec or "time" in rec), line
