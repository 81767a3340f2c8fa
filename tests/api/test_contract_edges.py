"""The edges of the contract (DESIGN.md §5): exact paths, typed path parameters,
query values that must be UTF-8, long texts with line breaks, content negotiation
with q-values, and the last admin under concurrency.

Requests that must reach gessd byte for byte (dot segments, raw escapes) go
through http.client, which sends the path as given: curl, requests and browsers
resolve `..` before sending, which is exactly why gessd must not.
"""
import http.client
import json
import os
import re
import threading
import uuid

import pytest

import contract
import gesshelp as h
from requests.structures import CaseInsensitiveDict

SPEC = os.path.join(os.path.dirname(__file__), "..", "..", "services", "openapi.json")
SLUG = "gess-2026"
UUID = "0b6e3c1e-7d1f-4c3a-9a55-2f0e8d1b9c4a"


def _routes(gess):
    r = gess.cli(["routes"])
    assert r.returncode == 0, r.stderr
    return [tuple(line.split()[:2]) for line in r.stdout.splitlines() if line.strip()]


def _fill(pattern, value=None):
    """A concrete path: {slug} an edition slug, the others a UUID (or value for all)."""
    def one(m):
        if value is not None:
            return value
        return SLUG if m.group(1) == "slug" else UUID
    return re.sub(r"\{([a-z_]+)\}", one, pattern)


def _raw(gess, method, path, headers=None, body=None):
    hdrs = dict(headers or {})
    if body is not None:
        hdrs.setdefault("Content-Type", "application/json")
        hdrs["Content-Length"] = str(len(body))
    return _raw_headers(gess, method, path, list(hdrs.items()), body)


def _check(method, path, resp, data):
    """The response check (contract.py) for what http.client received."""
    found = contract.contract().problems(method, "http://127.0.0.1" + path, resp.status,
                                         CaseInsensitiveDict(resp.getheaders()), data,
                                         head=method == "HEAD")
    assert not found, f"{method} {path} -> {resp.status} breaks the document: {found}"


def _log_offset(gess):
    return len(gess.main.log_text())


def _error_lines_since(gess, offset):
    text = gess.main.log_text()[offset:]
    bad = []
    for line in text.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue  # the JSON-log check of the suite reports these
        if isinstance(obj, dict) and obj.get("level") == "error":
            bad.append(line)
    return bad


def _problem(status, ctype, data, want, label):
    assert status == want, f"{label}: expected {want}, got {status}: {data[:300]!r}"
    assert ctype.split(";")[0].strip() == "application/problem+json", f"{label}: {ctype}"
    return json.loads(data)


def test_every_route_refuses_inexact_paths(gess):
    """For every route: a trailing slash, an empty segment and a dot segment are 404,
    never another route; a signed-in caller's account survives DELETE /v1/me/ and
    DELETE /v1/me/agenda/.."""
    me = h.fast_user(gess, roles=["admin"])
    offset = _log_offset(gess)
    for method, pattern in _routes(gess):
        path = _fill(pattern)
        head, _, tail = path.rpartition("/")
        variants = [path + "/", "/" + path, path + "/.", path + "/..", path + "/x/..",
                    head + "/./" + tail, head + "//" + tail]
        for v in variants:
            body = b"{}" if method in ("POST", "PUT", "PATCH") else None
            st, ct, data = _raw(gess, method, v, headers=me["headers"], body=body)
            p = _problem(st, ct, data, 404, f"{method} {v}")
            assert p["type"] == h.PROBLEM_BASE + "not-found", (method, v, p)
    # the account that sent DELETE /v1/me/ and friends is still there
    h.assert_json(gess.req("GET", "/v1/me", headers=me["headers"]), 200)
    assert _error_lines_since(gess, offset) == []


@pytest.mark.parametrize("bad", ["%ff", "%c3%28", "%ed%a0%80", "not-a-uuid", "UPPER"])
def test_path_parameters_are_typed(gess, bad):
    """A path parameter that is not UTF-8 or not of its type is 404 for everyone,
    before any handler (and so before SQL) sees it."""
    me = h.fast_user(gess, roles=["admin"])
    offset = _log_offset(gess)
    for method, pattern in _routes(gess):
        names = re.findall(r"\{([a-z_]+)\}", pattern)
        for name in names:
            if bad == "not-a-uuid" and name == "slug":
                continue  # a fine slug
            path = re.sub(r"\{([a-z_]+)\}",
                          lambda m: bad if m.group(1) == name else (SLUG if m.group(1) == "slug" else UUID),
                          pattern)
            body = b"{}" if method in ("POST", "PUT", "PATCH") else None
            for hdrs in ({}, me["headers"]):
                st, ct, data = _raw(gess, method, path, headers=hdrs, body=body)
                _problem(st, ct, data, 404, f"{method} {path}")
    assert _error_lines_since(gess, offset) == []


def _query_params():
    """(method, path, parameter name) for every documented query parameter."""
    with open(SPEC) as f:
        spec = json.load(f)
    comps = spec.get("components", {}).get("parameters", {})

    def resolve(p):
        if "$ref" in p:
            return comps[p["$ref"].rsplit("/", 1)[1]]
        return p
    out = []
    for path, item in spec["paths"].items():
        common = [resolve(p) for p in item.get("parameters", [])]
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            page = "pages" in op.get("tags", []) and not path.startswith("/assets/")
            for p in common + [resolve(p) for p in op.get("parameters", [])]:
                if p.get("in") == "query":
                    out.append((method.upper(), path, p["name"], page))
    return out


def test_query_values_must_be_utf8(gess):
    """%ff in each documented query parameter is 422 naming that parameter; no 5xx."""
    params = _query_params()
    assert len(params) >= 10, params
    me = h.fast_user(gess, roles=["admin"])
    offset = _log_offset(gess)
    for method, pattern, name, page in params:
        for bad in ("%ff", "%c3%28"):
            path = _fill(pattern) + f"?{name}={bad}"
            body = b"{}" if method in ("POST", "PUT", "PATCH") else None
            st, ct, data = _raw(gess, method, path, headers=me["headers"], body=body)
            if page:  # a page answers its 422 as the error page (README, Pages)
                assert st == 422 and ct.startswith("text/html"), (method, path, st, ct)
                continue
            p = _problem(st, ct, data, 422, f"{method} {path}")
            assert p["type"] == h.PROBLEM_BASE + "validation-failed", p
            assert name in h.error_fields(p), (method, path, p)
        # values of the wrong shape are the handler's to refuse, never a 5xx
        for odd in ("garbage", "-1", "9" * 40, "%00", "%e2%80%ae", "2026-13-45"):
            path = _fill(pattern) + f"?{name}={odd}"
            body = b"{}" if method in ("POST", "PUT", "PATCH") else None
            st, ct, data = _raw(gess, method, path, headers=me["headers"], body=body)
            assert st < 500, f"{method} {path}: {st} {data[:300]!r}"
    assert _error_lines_since(gess, offset) == []


def test_reported_examples(gess):
    """The cases the issue saw, one by one."""
    st, ct, data = _raw(gess, "GET", "/v1/editions/%ff")
    _problem(st, ct, data, 404, "GET /v1/editions/%ff")
    st, ct, data = _raw(gess, "GET", "/v1/organizations?q=%ff")
    p = _problem(st, ct, data, 422, "GET /v1/organizations?q=%ff")
    assert h.error_fields(p) == ["q"], p
    for path in ("/healthz/", "/v1/editions/", "/v1/organizations/"):
        st, ct, data = _raw(gess, "GET", path)
        _problem(st, ct, data, 404, path)
    # a query evhttp cannot parse, or one that would be cut at a NUL, is not
    # answered as if it had not been sent
    for q in ("?format=csv&x", "?&q=a", "?q=abc%00%ff", "?q=abc%00"):
        st, ct, data = _raw(gess, "GET", "/v1/organizations" + q)
        p = _problem(st, ct, data, 422, q)
        assert "query" in h.error_fields(p), (q, p)


def _raw_headers(gess, method, path, headers, body=None):
    """Sends the path as given (http.client resolves no dot segment); headers is a
    list of (name, value), a name may repeat. Returns (status, content type, body)
    after the response check has judged the answer."""
    c = http.client.HTTPConnection("127.0.0.1", gess.port, timeout=30)
    try:
        c.putrequest(method, path, skip_accept_encoding=True)
        for k, v in headers:
            c.putheader(k, v)
        c.endheaders(body)
        resp = c.getresponse()
        data = resp.read()
        _check(method, path, resp, data)
        return resp.status, resp.getheader("Content-Type", ""), data
    finally:
        c.close()


def test_accept_on_several_lines_and_from_java(gess, staff, edition):
    """Accept sent on two lines is one list; Java's default (a bare "*", q=.2) accepts JSON."""
    path = f"/v1/editions/{edition['slug']}/registrations"
    auth = ("Authorization", staff.organizer["headers"]["Authorization"])
    st, ct, _ = _raw_headers(gess, "GET", path, [auth, ("Accept", "application/json;q=0.1"),
                                                  ("Accept", "text/csv")])
    assert st == 200 and ct.startswith("text/csv"), (st, ct)
    st, ct, _ = _raw_headers(gess, "GET", path, [auth, ("Accept", "text/csv"),
                                                  ("Accept", "text/csv;q=0")])
    assert st == 406, (st, ct)
    java = "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"
    st, ct, _ = _raw_headers(gess, "GET", f"/v1/editions/{edition['slug']}", [("Accept", java)])
    assert st == 200 and ct.startswith("application/json"), (st, ct)


# --- long texts ------------------------------------------------------------------------------

PARAGRAPHS = "Primer párrafo sobre la mesa de diálogo.\n\n\tSegundo párrafo:\r\n- acuerdos\n- plazos"


def test_long_texts_take_line_breaks_and_refuse_other_controls(gess, staff, edition):
    org = staff.organizer["headers"]
    slug = edition["slug"]
    day = edition["starts_on"]
    s0, s1 = f"{day}T10:00:00-05:00", f"{day}T11:00:00-05:00"
    r = gess.req("POST", f"/v1/editions/{slug}/sessions", headers=org,
                 json={"title": "Diálogo territorial", "abstract": PARAGRAPHS, "kind": "talk",
                       "starts_at": s0, "ends_at": s1})
    sess = h.assert_json(r, 201)
    assert sess["abstract"] == PARAGRAPHS
    r = gess.req("POST", f"/v1/editions/{slug}/series-events", headers=org,
                 json={"title": "Rumbo al GESS: Moquegua", "description": PARAGRAPHS,
                       "kind": "webinar", "format": "online", "starts_at": s0, "ends_at": s1,
                       "online_url": "https://example.org/sala", "modes": {"online": None}})
    ev = h.assert_json(r, 201)
    assert ev["description"] == PARAGRAPHS
    # one rule for both: a bell or an escape is refused, naming the field
    for ctl in ("\x07", "\x1b[31m", "\x0b"):
        r = gess.req("PATCH", f"/v1/sessions/{sess['id']}", headers=org,
                     json={"abstract": "a" + ctl + "b"})
        assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == ["abstract"]
        r = gess.req("PATCH", f"/v1/series-events/{ev['id']}", headers=org,
                     json={"description": "a" + ctl + "b"})
        assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == ["description"]
    # one-line fields still refuse line breaks
    r = gess.req("PATCH", f"/v1/sessions/{sess['id']}", headers=org, json={"title": "a\nb"})
    assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == ["title"]


# --- content negotiation ---------------------------------------------------------------------

def test_accept_with_q_values(gess, staff, edition):
    org = staff.organizer["headers"]
    path = f"/v1/editions/{edition['slug']}/registrations"

    def get(accept, params=None):
        hdrs = dict(org)
        if accept is not None:
            hdrs["Accept"] = accept
        return gess.req("GET", path, headers=hdrs, params=params)

    def ctype(r):
        return r.headers.get("Content-Type", "").split(";")[0].strip()

    assert ctype(get(None)) == "application/json"
    assert ctype(get("text/csv")) == "text/csv"
    assert ctype(get("text/csv;q=0.5, application/json;q=0.9")) == "application/json"
    assert ctype(get("application/json;q=0.1, text/csv")) == "text/csv"
    assert ctype(get("application/json, text/csv")) == "application/json"  # a tie: JSON
    assert ctype(get("text/csv;q=0, application/json")) == "application/json"
    assert ctype(get("*/*;q=0.1, text/*;q=0.5")) == "text/csv"
    h.assert_problem(get("text/csv;q=0"), 406, "not-acceptable")
    h.assert_problem(get("image/png"), 406, "not-acceptable")
    # a link cannot send Accept: ?format= names the type, Accept may still refuse it
    assert ctype(get(None, {"format": "csv"})) == "text/csv"
    assert ctype(get(None, {"format": "json"})) == "application/json"
    h.assert_problem(get("application/json", {"format": "csv"}), 406, "not-acceptable")
    p = h.assert_problem(get(None, {"format": "ics"}), 422, "validation-failed")
    assert h.error_fields(p) == ["format"]
    # JSON-only routes answer 406 to an Accept that excludes JSON, whoever asks
    for who in (None, org):
        r = gess.req("GET", "/healthz", headers={**(who or {}), "Accept": "text/csv"})
        h.assert_problem(r, 406, "not-acceptable")
    r = gess.req("GET", f"/v1/editions/{edition['slug']}", headers={"Accept": "text/html, */*;q=0.8"})
    h.assert_json(r, 200)
    # the calendar routes negotiate too
    r = gess.req("GET", f"/v1/editions/{edition['slug']}/series-events",
                 headers={"Accept": "text/calendar"})
    assert r.status_code == 200 and ctype(r) == "text/calendar", r.text[:200]
    r = gess.req("GET", "/metrics", headers={"Accept": "application/json"})
    h.assert_problem(r, 406, "not-acceptable")


def test_body_rules(gess, staff, edition):
    """415 for a non-JSON body where one is taken; a route that takes no body ignores one."""
    org = staff.organizer["headers"]
    r = gess.req("POST", f"/v1/editions/{edition['slug']}/categories", data="code=x",
                 headers={**org, "Content-Type": "application/x-www-form-urlencoded"})
    h.assert_problem(r, 415, "unsupported-media-type")
    cat = h.create_category(gess, staff.organizer, edition["slug"], requires_approval=True)
    who = h.fast_user(gess)
    reg = h.register_ok(gess, who, edition["slug"], cat["code"], status="pending")
    # approve takes no body: whatever comes along is ignored, not parsed
    r = gess.req("POST", f"/v1/registrations/{reg['id']}/approve",
                 headers={**org, "Content-Type": "text/plain"}, data="[{}]")
    assert h.assert_json(r, 200)["status"] == "confirmed"


# --- the last admin --------------------------------------------------------------------------

@pytest.fixture
def only_these_admins(gess):
    """Takes admin away from every account for the test and gives it back after, so
    that the two admins a round makes are the only ones."""
    rows = gess.sql("UPDATE accounts SET roles = array_remove(roles, 'admin')"
                    " WHERE 'admin' = ANY (roles) RETURNING id::text")
    try:
        yield
    finally:
        gess.sql("UPDATE accounts SET roles = array_append(array_remove(roles, 'admin'), 'admin')"
                 " WHERE id = ANY (%s::uuid[])", ([r[0] for r in rows],))


def _admins(gess):
    return gess.sql("SELECT count(*) FROM accounts WHERE 'admin' = ANY (roles)")[0][0]


class _AdminLockHeld:
    """Holds the admin-set lock (admin_set_lock() in schema/functions/accounts.sql) on a connection of the
    test's own, so that requests started now all pass authentication and then queue
    on the lock; released once `waiters` of them wait, they meet in the database at
    the same moment, which is the race the lock exists for."""

    def __init__(self, gess, waiters):
        self.gess, self.waiters = gess, waiters

    def __enter__(self):
        self.conn = self.gess.connect()
        self.conn.autocommit = False
        with self.conn.cursor() as cur:
            cur.execute("SELECT admin_set_lock()")
        return self

    def release_when_queued(self):
        h.wait_until(lambda: self.gess.sql(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")[0][0]
            >= self.waiters, 20, interval=0.005, what=f"{self.waiters} requests on the lock")
        self.conn.commit()

    def __exit__(self, *exc):
        self.conn.rollback()
        self.conn.close()


def _together(gess, calls):
    """Starts the calls at once behind the held lock; returns their responses in order."""
    out = [None] * len(calls)

    def run(i, fn):
        out[i] = fn()
    with _AdminLockHeld(gess, len(calls)) as lock:
        ts = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
        for t in ts:
            t.start()
        lock.release_when_queued()
        for t in ts:
            t.join()
    return out


def test_last_admin_sequential(gess, only_these_admins):
    a = h.fast_user(gess, roles=["admin"])
    r = gess.req("DELETE", "/v1/me", headers=a["headers"])
    h.assert_problem(r, 409, "last-admin")
    r = gess.req("PUT", f"/v1/accounts/{a['account']['id']}/roles", headers=a["headers"],
                 json={"roles": ["organizer"]})
    h.assert_problem(r, 409, "last-admin")
    assert _admins(gess) == 1
    b = h.fast_user(gess, roles=["admin"])
    assert gess.req("DELETE", "/v1/me", headers=b["headers"]).status_code == 204
    assert _admins(gess) == 1


def test_two_admins_demoting_each_other(gess, only_these_admins):
    a, b = h.fast_users(gess, 2)
    ids = [a["account"]["id"], b["account"]["id"]]
    for _ in range(50):
        gess.sql("UPDATE accounts SET roles = '{admin}' WHERE id = ANY (%s::uuid[])", (ids,))
        r1, r2 = _together(gess, [
            lambda: gess.req("PUT", f"/v1/accounts/{ids[1]}/roles", headers=a["headers"],
                             json={"roles": ["organizer"]}),
            lambda: gess.req("PUT", f"/v1/accounts/{ids[0]}/roles", headers=b["headers"],
                             json={"roles": ["organizer"]}),
        ])
        assert sorted([r1.status_code, r2.status_code]) == [200, 409], (r1.text, r2.text)
        loser = r1 if r1.status_code == 409 else r2
        h.assert_problem(loser, 409, "last-admin")
        assert _admins(gess) == 1


def test_last_two_admins_erasing_themselves(gess, only_these_admins):
    survivor = None
    for _ in range(50):
        fresh = h.fast_users(gess, 2 if survivor is None else 1, roles=["admin"])
        pair = ([survivor] if survivor else []) + fresh
        assert _admins(gess) == 2
        rs = _together(gess, [lambda u=u: gess.req("DELETE", "/v1/me", headers=u["headers"])
                        for u in pair])
        assert sorted(r.status_code for r in rs) == [204, 409], [r.text for r in rs]
        h.assert_problem(next(r for r in rs if r.status_code == 409), 409, "last-admin")
        assert _admins(gess) == 1
        survivor = pair[[r.status_code for r in rs].index(409)]
