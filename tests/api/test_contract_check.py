"""The response check (contract.py) can fail: known-bad answers are flagged.

No server here: answers are made up and given to the checker, the same
function conftest's HTTPAdapter hook calls for every response of gessd.
"""
import json

import pytest
import requests
from requests.structures import CaseInsensitiveDict

import contract

BASE = "http://127.0.0.1:9"
ID = "5b0d9f7e-2f7b-4c53-9d0c-0a3b8f1c2d11"
JSON = "application/json"
PROBLEM = "application/problem+json"


def account(**kw):
    a = {"id": ID, "email": "ana@example.org", "full_name": "Ana Quispe", "organization": None,
         "sector": "community", "country": "PE", "region": "Moquegua",
         "roles": ["organizer"], "created_at": "2026-03-01T15:04:05.123456+00:00",
         "organization_id": None}
    a.update(kw)
    return a


def problem(slug, status, **kw):
    p = {"type": f"https://gess.pe/problems/{slug}", "title": slug, "status": status,
         "detail": "..."}
    p.update(kw)
    return p


def found(method, path, status, body=None, ctype=JSON, headers=None, raw=None):
    """What the checker finds wrong with this answer (a list; empty: fine)."""
    h = {"X-Request-Id": "r-1"}
    if ctype:
        h["Content-Type"] = ctype
    h.update(headers or {})
    for k in [k for k, v in h.items() if v is None]:
        del h[k]
    data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    return contract.contract().problems(method, BASE + path, status, CaseInsensitiveDict(h), data,
                                        head=method == "HEAD")


def test_a_good_answer_passes():
    assert found("GET", "/v1/me", 200, account()) == []
    assert found("GET", "/v1/me", 200, account(sector=None)) == []  # an admin made on the CLI
    assert found("GET", "/v1/me", 401, problem("unauthorized", 401), PROBLEM) == []
    assert found("POST", "/v1/tokens", 201, {"token": "t", "expires_at": "2026-04-01T00:00:00Z",
                                             "account": account()}) == []
    assert found("DELETE", "/v1/tokens/current", 204, ctype=None) == []


def test_an_undocumented_member_is_flagged():
    got = found("GET", "/v1/me", 200, account(password_hash="$argon2id$..."))
    assert any("password_hash" in g for g in got), got
    # one level down, inside the login answer's account
    got = found("POST", "/v1/tokens", 201, {"token": "t", "expires_at": "2026-04-01T00:00:00Z",
                                            "account": account(secret="x")})
    assert any("secret" in g and g.startswith("at account") for g in got), got
    # a problem document with a member its type does not declare
    got = found("GET", "/v1/me", 401, problem("unauthorized", 401, room_id=ID), PROBLEM)
    assert any("room_id" in g for g in got), got


def test_members_brought_by_allof_count_and_others_do_not():
    item = {"id": ID, "edition": "gess-2026", "title": "Mesa", "kind": "panel",
            "starts_at": "2026-08-12T15:00:00-05:00", "ends_at": "2026-08-12T16:00:00-05:00",
            "reservation_required": False, "reserved": True, "added_at": "2026-08-01T10:00:00Z",
            "overlaps": [], "speakers": []}
    agenda = {"items": [item], "removed": []}
    assert found("GET", "/v1/me/agenda", 200, agenda) == []
    item["reserved"] = 2  # Session's seat count is not the agenda's flag
    assert any("reserved" in g for g in found("GET", "/v1/me/agenda", 200, agenda))
    item["reserved"] = True
    item["notes"] = "x"
    assert any("notes" in g for g in found("GET", "/v1/me/agenda", 200, agenda))
    # the extension of a problem: schedule-conflict's members, only there
    conflict = problem("schedule-conflict", 409, conflict={
        "session_id": ID, "title": "Otra", "starts_at": "2026-08-12T15:00:00-05:00",
        "ends_at": "2026-08-12T16:00:00-05:00"}, room_id=ID, room_name="Sala Ilo")
    assert found("POST", "/v1/editions/gess-2026/sessions", 409, conflict, PROBLEM) == []
    got = found("POST", "/v1/editions/gess-2026/rooms", 422,
                problem("validation-failed", 422, errors=[], room_name="Sala Ilo"), PROBLEM)
    assert any("room_name" in g for g in got), got


def test_a_wrong_type_is_flagged():
    got = found("GET", "/v1/me", 200, account(roles="admin"))
    assert any(g.startswith("at roles") for g in got), got
    got = found("GET", "/v1/me", 200, account(sector="mining"))
    assert got, got
    got = found("POST", "/v1/sessions/" + ID + "/reservation", 409,
                problem("session-full", 409, session_id=ID, capacity=None), PROBLEM)
    assert any(g.startswith("at capacity") for g in got), got
    got = found("GET", "/v1/me", 200, account(id="not-a-uuid"))
    assert any(g.startswith("at id") for g in got), got


@pytest.mark.parametrize("instant", [
    "2026-03-01 15:04:05+00:00",   # a space, not T
    "2026-03-01T15:04:05",         # no offset
    "2026-02-30T15:04:05Z",        # no such day
    "2026-03-01T25:04:05Z",
    "2026-03-01T15:04:05+0500",    # offset without colon
    "1772377445",
    "2026-03-01",
])
def test_a_bad_instant_is_flagged(instant):
    got = found("GET", "/v1/me", 200, account(created_at=instant))
    assert any(g.startswith("at created_at") for g in got), (instant, got)


@pytest.mark.parametrize("instant", ["2026-03-01T15:04:05Z", "2026-03-01t15:04:05.5-05:00",
                                     "2026-03-01T15:04:05.123456+00:00"])
def test_a_good_instant_passes(instant):
    assert found("GET", "/v1/me", 200, account(created_at=instant)) == []


def test_a_bad_date_is_flagged():
    from contract import FORMATS
    for bad in ("20260801", "2026-8-1", "2026-02-30", "2026-08-01T00:00:00Z"):
        assert not FORMATS.conforms(bad, "date"), bad
    assert FORMATS.conforms("2026-08-01", "date")
    assert not FORMATS.conforms("5b0d9f7e2f7b4c539d0c0a3b8f1c2d11", "uuid")


def test_an_undocumented_status_is_flagged():
    got = found("GET", "/v1/me", 201, account())
    assert any("201 is not documented" in g for g in got), got
    got = found("POST", "/v1/accounts", 404, problem("not-found", 404), PROBLEM)
    assert any("404 is not documented" in g for g in got), got
    # a path no operation has must be 404
    got = found("GET", "/v1/nothing-here", 200, {"status": "ok"})
    assert any("must be 404" in g for g in got), got
    assert found("GET", "/v1/nothing-here", 404, problem("not-found", 404), PROBLEM) == []
    # a known path with another method: 405 and the document's methods in Allow
    got = found("PUT", "/v1/me", 404, problem("not-found", 404), PROBLEM)
    assert any("must be 405" in g for g in got), got
    allow = {"Allow": "GET, HEAD, PATCH, DELETE"}
    assert found("PUT", "/v1/me", 405, problem("method-not-allowed", 405), PROBLEM, allow) == []
    got = found("PUT", "/v1/me", 405, problem("method-not-allowed", 405), PROBLEM,
                {"Allow": "GET, PUT"})
    assert any(g.startswith("Allow") for g in got), got


def test_a_problem_whose_status_differs_is_flagged():
    got = found("GET", "/v1/me", 401, problem("unauthorized", 403), PROBLEM)
    assert any("the problem says status 403" in g for g in got), got


def test_a_wrong_content_type_is_flagged():
    got = found("GET", "/v1/me", 200, account(), "text/html")
    assert any("text/html" in g for g in got), got
    got = found("GET", "/v1/me", 401, problem("unauthorized", 401), JSON)
    assert any("application/json" in g for g in got), got
    got = found("GET", "/v1/me", 200, account(), None)
    assert any("no Content-Type" in g for g in got), got
    got = found("GET", "/v1/me", 200, raw=b"{not json")
    assert any("not UTF-8 JSON" in g for g in got), got
    assert found("GET", "/metrics", 200, raw=b"# HELP x\n", ctype="text/plain; version=0.0.4") == []
    assert found("GET", "/metrics", 200, raw=b"x 1\n", ctype=JSON) != []


def test_documented_headers_hold_what_they_say():
    busy = problem("service-unavailable", 503)
    assert found("GET", "/v1/me", 503, busy, PROBLEM, {"Retry-After": "1"}) == []
    for bad in ("0", "soon", "1.5"):
        got = found("GET", "/v1/me", 503, busy, PROBLEM, {"Retry-After": bad})
        assert any(g.startswith("header Retry-After") for g in got), (bad, got)


def test_bodies_where_the_document_gives_none():
    got = found("DELETE", "/v1/tokens/current", 204, raw=b"{}")
    assert any("no body" in g for g in got), got
    assert found("GET", "/v1/editions/gess-2026/schedule", 304, ctype=None) == []
    # HEAD: the status only
    assert found("HEAD", "/v1/me", 200, raw=b"") == []
    assert found("HEAD", "/v1/me", 201, raw=b"") != []


def test_answers_without_request_id():
    # evhttp's own answers (README): only their status counts
    assert found("POST", "/v1/accounts", 413, raw=b"<HTML>", ctype="text/html",
                 headers={"X-Request-Id": None}) == []
    assert found("GET", "/healthz", 400, raw=b"<HTML>", ctype="text/html",
                 headers={"X-Request-Id": None}) == []
    got = found("GET", "/v1/me", 500, problem("internal-error", 500), PROBLEM,
                headers={"X-Request-Id": None})
    assert any("without X-Request-Id" in g for g in got), got


def test_check_raises_with_what_failed():
    r = requests.Response()
    r.status_code = 200
    r.headers = CaseInsensitiveDict({"X-Request-Id": "r-1", "Content-Type": JSON})
    r._content = json.dumps(account(password_hash="$argon2id$v=19$...")).encode()
    r.request = requests.Request("GET", BASE + "/v1/me").prepare()
    try:
        with pytest.raises(AssertionError) as e:
            contract.check(r)
    finally:
        # recorded for conftest's report hook: this failure was meant
        assert len(contract.take_failures()) == 1
    msg = str(e.value)
    assert msg.startswith("GET /v1/me -> 200"), msg
    assert "password_hash" in msg and "body: {" in msg, msg


def test_the_copy_is_closed_where_used_and_the_published_document_stays_open():
    c = contract.contract()
    pub, closed = c.published["components"]["schemas"], c.doc["components"]["schemas"]
    assert "unevaluatedProperties" not in json.dumps(c.published)
    # bases that others extend with allOf are never closed themselves
    for base in ("SessionFields", "Account", "Measurement", "Problem"):
        assert "unevaluatedProperties" not in closed[base], base
    # maps keep what they declare
    assert closed["Modes"] == pub["Modes"] and closed["Counts"] == pub["Counts"]
    # a plain definition is closed through a twin, an allOf composite in place
    me = c.doc["paths"]["/v1/me"]["get"]["responses"]["200"]["content"][JSON]["schema"]
    assert me == {"$ref": "#/components/schemas/closed.Account"}, me
    assert closed["closed.Account"]["additionalProperties"] is False
    items = closed["Agenda"]["properties"]["items"]["items"]
    assert items == {"$ref": "#/components/schemas/AgendaItem", "unevaluatedProperties": False}
    # the problem types that extend Problem are closed where the responses use them
    conflict = c.doc["components"]["responses"]["ScheduleConflict"]["content"][PROBLEM]["schema"]
    assert conflict.get("unevaluatedProperties") is False, conflict


def test_raw_answers_are_checked_too():
    sent = b"GET /v1/me HTTP/1.1\r\nHost: x\r\n\r\n"

    def answer(status, body, ctype=JSON, rid=True, length=None):
        length = len(body) if length is None else length
        head = f"HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {length}\r\n"
        return (head + ("X-Request-Id: r-1\r\n" if rid else "") + "\r\n").encode() + body

    good = json.dumps(account()).encode()
    contract.check_raw(sent, answer(200, good))
    contract.check_raw(sent, answer(200, good[:10], length=len(good)))  # not whole: status only
    contract.check_raw(b"\x16\x03\x01 not http", answer(418, b""))  # not HTTP: the test's business
    contract.check_raw(sent, answer(400, b"<HTML>", "text/html", rid=False))  # evhttp's own
    for status, body in ((418, b""), (200, json.dumps(account(extra=1)).encode())):
        try:
            with pytest.raises(AssertionError) as e:
                contract.check_raw(sent, answer(status, body))
        finally:
            assert len(contract.take_failures()) == 1
        assert str(e.value).startswith(f"GET /v1/me -> {status}"), e.value


def test_the_documents_own_response_examples_pass_the_check():
    """An example the closed copy refuses shows a member the schema forgot."""
    c = contract.contract()
    bad, seen = [], []

    def media(where, resp):
        for mt, m in (resp.get("content") or {}).items():
            exs = [("example", m["example"])] if "example" in m else []
            exs += [(k, e["value"]) for k, e in (m.get("examples") or {}).items() if "value" in e]
            for name, ex in exs:
                if "schema" in m and (mt.endswith("json")):
                    errs = c.errors(("example", where, mt, name), m["schema"], ex)
                    seen.append(where)
                    bad.extend(f"{where} {mt} {name}: {e.message[:200]}" for e in errs)

    for name, resp in c.doc["components"]["responses"].items():
        media(f"components/responses/{name}", resp)
    for path, item in c.doc["paths"].items():
        for method, op in item.items():
            if method in contract.METHODS:
                for status, resp in op["responses"].items():
                    media(f"{method.upper()} {path} {status}", resp)
    assert len(seen) > 20, seen
    assert not bad, "\n".join(bad)
