"""The page layer (core/page.c, DESIGN.md section 9) through real HTTP: the
headers every page carries, the HTML 404 beside the API's JSON one, the
joined assets and their caching, the language switch, and the browser
session: login by form, the gess_session cookie on the API with its CSRF
rule, CSRF on form posts, logout."""
import re

import requests

import gesshelp as h

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def page_headers_ok(r):
    assert r.headers["Content-Type"].startswith("text/html"), r.headers
    assert r.headers["Content-Security-Policy"] == CSP
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"


def test_unknown_path_is_a_page_for_browsers_and_json_for_api_clients(gess):
    r = gess.req("GET", "/no-such-page", headers={"Accept": BROWSER})
    assert r.status_code == 404
    page_headers_ok(r)
    assert "<main" in r.text
    # an API client (*/*, no Accept, JSON) keeps problem+json
    for accept in ("*/*", "application/json", None):
        r = gess.req("GET", "/no-such-page", headers={"Accept": accept} if accept else {})
        h.assert_problem(r, 404, "not-found")
    # /v1 and /assets stay JSON, even for a browser
    for path in ("/v1/nothing", "/v1", "/assets/nope.css"):
        r = gess.req("GET", path, headers={"Accept": BROWSER})
        h.assert_problem(r, 404, "not-found")


def test_assets_are_joined_cached_and_conditional(gess):
    for name, ctype, needle in (("gess.css", "text/css", ".skip-link"),
                                ("gess.js", "text/javascript", "use strict")):
        r = gess.req("GET", "/assets/" + name, headers={"Accept": "text/css,*/*;q=0.1"})
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith(ctype)
        assert needle in r.text
        assert r.headers["Cache-Control"] == "no-cache"
        etag = r.headers["ETag"]
        assert re.fullmatch(r'"[0-9a-f]{16}"', etag)
        r2 = gess.req("GET", "/assets/" + name, headers={"If-None-Match": etag}, check=False)
        assert r2.status_code == 304 and r2.content == b""
        r3 = gess.req("GET", "/assets/" + name, headers={"If-None-Match": '"other"'})
        assert r3.status_code == 200
        # any Accept: a browser's asset request is never a 406
        assert gess.req("GET", "/assets/" + name,
                        headers={"Accept": "image/png"}).status_code == 200
        r4 = gess.req("GET", "/assets/" + name + "?v=not-the-version")
        assert r4.headers["Cache-Control"] == "no-cache"


def csrf_for(secret):
    """The CSRF token gessd derives from a cookie value (core/csrf.h)."""
    import base64
    import hashlib
    d = hashlib.blake2b(b"gess-csrf:" + secret.encode(), digest_size=32).digest()
    return base64.urlsafe_b64encode(d).rstrip(b"=").decode()


def test_the_session_cookie_authenticates_the_api_and_unsafe_calls_need_the_csrf_token(gess):
    u = gess.user()
    jar = {"gess_session": u["token"]}
    me = h.assert_json(gess.req("GET", "/v1/me", cookies=jar), 200)
    assert me["id"] == u["account"]["id"]
    before = me["full_name"]
    # an unsafe call with the cookie alone: 403 csrf-failed, nothing written
    for hdr in ({}, {"X-CSRF-Token": "x" * 43}, {"X-CSRF-Token": csrf_for("other")}):
        r = gess.req("PATCH", "/v1/me", cookies=jar, json={"full_name": "Changed"}, headers=hdr)
        h.assert_problem(r, 403, "csrf-failed")
    assert h.assert_json(gess.req("GET", "/v1/me", cookies=jar), 200)["full_name"] == before
    # with the session's token it goes through
    r = gess.req("PATCH", "/v1/me", cookies=jar, json={"full_name": "Changed"},
                 headers={"X-CSRF-Token": csrf_for(u["token"])})
    assert h.assert_json(r, 200)["full_name"] == "Changed"
    # a Bearer header wins and needs no CSRF token, whatever cookie rides along
    r = gess.req("PATCH", "/v1/me", cookies={"gess_session": "junk"},
                 json={"full_name": "Bearer"}, headers=u["headers"])
    assert h.assert_json(r, 200)["full_name"] == "Bearer"
    # a stale or malformed cookie: 401 where a login is needed, and it is cleared
    for bad in ("A" * 43, "short", "a b"):
        r = gess.req("GET", "/v1/me", cookies={"gess_session": bad})
        h.assert_problem(r, 401, "unauthorized")
    r = gess.req("GET", "/v1/me", cookies={"gess_session": "A" * 43})
    assert "gess_session=;" in r.headers.get("Set-Cookie", "")
    assert "Max-Age=0" in r.headers["Set-Cookie"]


def html_lang(r):
    m = re.search(r'<html lang="(es|en)">', r.text)
    assert m, r.text[:300]
    return m.group(1)


def test_language_from_query_cookie_and_accept_language(gess):
    b = {"Accept": BROWSER}
    r = gess.req("GET", "/nope", headers=b)
    assert html_lang(r) == "es" and "Página no encontrada" in r.text
    assert "gess_lang" not in r.headers.get("Set-Cookie", "")
    r = gess.req("GET", "/nope", headers={**b, "Accept-Language": "en-GB,en;q=0.9"})
    assert html_lang(r) == "en" and "Page not found" in r.text
    r = gess.req("GET", "/nope", headers={**b, "Accept-Language": "fr"})
    assert html_lang(r) == "es"
    # ?lang=en switches and is remembered for a year
    s = requests.Session()
    r = s.get(gess.url("/nope?lang=en&x=1"), headers={**b, "Accept-Language": "es"})
    assert html_lang(r) == "en"
    cookie = r.headers["Set-Cookie"]
    assert "gess_lang=en" in cookie and "Max-Age=31536000" in cookie and "SameSite=Lax" in cookie
    # the switch link goes back to Spanish, keeping the rest of the query
    assert 'href="/nope?x=1&amp;lang=es"' in r.text
    r = s.get(gess.url("/nope"), headers={**b, "Accept-Language": "es"})
    assert html_lang(r) == "en"
    page_headers_ok(r)
    r = s.get(gess.url("/nope?lang=es"), headers=b)
    assert html_lang(r) == "es"
    r = s.get(gess.url("/nope"), headers={**b, "Accept-Language": "en"})
    assert html_lang(r) == "es"


def test_the_layout_has_landmarks_a_skip_link_and_the_nav(gess):
    r = gess.req("GET", "/nope", headers={"Accept": BROWSER})
    t = r.text
    assert '<a class="skip-link" href="#main">' in t
    assert '<main id="main"' in t and "<header" in t and "<footer" in t and "<nav" in t
    for word in ("Inicio", "Programa", "Rumbo al GESS", "Pactos", "Buenas prácticas", "Ingresar"):
        assert word in t, word
    assert t.count("<h1>") == 1
    assert "style=" not in t and "onclick" not in t.lower()
    assert re.search(r'href="/assets/gess\.css\?v=[0-9a-f]{16}"', t)
