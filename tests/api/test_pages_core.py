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
        # requests takes gzip: a stylesheet over 1 KB comes gzipped, under its gzip tag
        gz = r.headers.get("Content-Encoding") == "gzip"
        assert re.fullmatch(r'"[0-9a-f]{16}-gzip"' if gz else r'"[0-9a-f]{16}"', etag), etag
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


# --- the exemplar pages ------------------------------------------------------------------


def fields(html):
    """The <input> tags of a page, by name."""
    out = {}
    for tag in re.findall(r"<input\b[^>]*>", html):
        m = re.search(r'name="([^"]+)"', tag)
        if m:
            out[m.group(1)] = tag
    return out


def unmask(masked):
    """The token a page's masked csrf_token stands for (core/csrf.h: a random pad, then the
    token's bytes XOR the pad, base64url)."""
    import base64
    raw = base64.urlsafe_b64decode(masked + "=" * (-len(masked) % 4))
    assert len(raw) == 64, masked
    tok = bytes(a ^ b for a, b in zip(raw[:32], raw[32:]))
    return base64.urlsafe_b64encode(tok).rstrip(b"=").decode()


def form_token(html):
    """A form's csrf_token: masked anew in every answer (86 characters)."""
    m = re.search(r'name="csrf_token" value="([A-Za-z0-9_-]{86})"', html)
    assert m, html[:500]
    return m.group(1)


def browser(gess):
    s = requests.Session()
    s.headers["Accept"] = BROWSER
    return s


def login_page(gess, s, path="/login"):
    r = s.get(gess.url(path), allow_redirects=False)
    assert r.status_code == 200, r.text[:300]
    page_headers_ok(r)
    return r


def test_the_home_page_shows_the_current_edition_and_its_next_events(gess, staff):
    import datetime as dt
    today = dt.date.today()
    now = dt.datetime.now(dt.timezone.utc)
    ed = h.create_edition(
        gess, staff.organizer, motto="<b>Rosa</b> & la minería",
        starts_on=(today + dt.timedelta(days=30)).isoformat(),
        ends_on=(today + dt.timedelta(days=31)).isoformat(),
        registration_opens_at=(now - dt.timedelta(days=1)).isoformat(),
        registration_closes_at=(now + dt.timedelta(days=20)).isoformat())
    start = now + dt.timedelta(days=5)
    r = gess.req("POST", f"/v1/editions/{ed['slug']}/series-events",
                 headers=staff.organizer["headers"],
                 json={"title": "Taller <i>territorial</i>", "description": "d", "kind": "webinar",
                       "format": "online", "starts_at": start.isoformat(),
                       "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
                       "online_url": "https://meet.example.org/x", "modes": {"online": None}})
    ev = h.assert_json(r, 201)
    s = browser(gess)
    r = s.get(gess.url("/"))
    assert r.status_code == 200
    page_headers_ok(r)
    assert html_lang(r) == "es" and r.text.count("<h1>") == 1
    [[current]] = gess.sql("SELECT editions_page_current()")
    [[title]] = gess.sql("SELECT title FROM editions WHERE slug = %s", (current,))
    assert title in r.text
    # each upcoming event once (a list section around a list rendered it once per item)
    links = re.findall(r'href="/series-events/([0-9a-f-]+)"', r.text)
    assert links and len(links) == len(set(links)) <= 3, links
    assert r.text.count('<ul class="cards">') == 1
    if current == ed["slug"]:  # another module's edition may come first by date
        assert "&lt;b&gt;Rosa&lt;/b&gt; &amp; la minería" in r.text
        assert "<b>Rosa</b>" not in r.text
        assert f'href="/series-events/{ev["id"]}"' in r.text
        assert "Taller &lt;i&gt;territorial&lt;/i&gt;" in r.text
        assert 'href="/signup"' in r.text
        for short in ("programme", "rumbo", "pacts"):
            r2 = s.get(gess.url("/" + short), allow_redirects=False)
            assert r2.status_code == 303
            assert r2.headers["Location"] == f"/editions/{ed['slug']}/{short}"
    # English, and the nav marks where we are
    r = s.get(gess.url("/?lang=en"))
    assert html_lang(r) == "en" and "How to register" in r.text
    assert '<a href="/" aria-current="page">Home</a>' in r.text


def test_login_by_form_sets_the_session_cookie_that_the_api_accepts_with_its_csrf_rule(gess):
    u = gess.user()
    s = browser(gess)
    r = login_page(gess, s, "/login?next=/v1/me")
    pre = s.cookies.get("gess_pre")
    assert pre and re.fullmatch(r"[A-Za-z0-9_-]{43}", pre)
    assert "HttpOnly" in r.headers["Set-Cookie"] and "SameSite=Lax" in r.headers["Set-Cookie"]
    token = form_token(r.text)
    assert unmask(token) == csrf_for(pre)
    f = fields(r.text)
    assert set(f) >= {"csrf_token", "email", "password", "next"}
    assert 'value="/v1/me"' in f["next"]
    assert '<label for="email">' in r.text and '<label for="password">' in r.text
    r = s.post(gess.url("/login"), allow_redirects=False,
               data={"csrf_token": token, "email": u["email"], "password": u["password"],
                     "next": "/v1/me"})
    assert r.status_code == 303, r.text[:500]
    assert r.headers["Location"] == "/v1/me"
    cookie = r.headers["Set-Cookie"]
    assert "gess_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/" in cookie and "Secure" not in cookie  # public_url is http here
    assert re.search(r"Max-Age=\d+", cookie)
    session = s.cookies.get("gess_session")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", session)
    # the cookie authenticates the API
    r = s.get(gess.url("/v1/me"), headers={"Accept": "application/json"})
    me = h.assert_json(r, 200)
    assert me["id"] == u["account"]["id"]
    # an unsafe call with the cookie but no X-CSRF-Token: 403, nothing written
    r = s.patch(gess.url("/v1/me"), json={"full_name": "Cambiado"},
                headers={"Accept": "application/json"})
    h.assert_problem(r, 403, "csrf-failed")
    assert h.assert_json(s.get(gess.url("/v1/me"), headers={"Accept": "application/json"}),
                         200)["full_name"] == me["full_name"]
    # the pages' token for this session (now derived from the session) lets it through
    r = s.get(gess.url("/"))
    tok = form_token(r.text)  # the layout's logout form
    assert unmask(tok) == csrf_for(session)
    assert "Mi cuenta" in r.text and 'action="/logout"' in r.text
    r = s.patch(gess.url("/v1/me"), json={"full_name": "<b>Rosa</b>"},
                headers={"Accept": "application/json", "X-CSRF-Token": tok})
    assert h.assert_json(r, 200)["full_name"] == "<b>Rosa</b>"
    # a signed-in visit to /login goes on
    r = s.get(gess.url("/login"), allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/me"
    # logout: a form post without or with a wrong token is 403 and changes nothing
    for bad in ({}, {"csrf_token": "x" * 43}, {"csrf_token": csrf_for(pre)}):
        r = s.post(gess.url("/logout"), data=bad, allow_redirects=False)
        assert r.status_code == 403, r.text[:300]
        page_headers_ok(r)
        assert h.assert_json(s.get(gess.url("/v1/me"), headers={"Accept": "application/json"}),
                             200)["id"] == u["account"]["id"]
    r = s.post(gess.url("/logout"), data={"csrf_token": tok}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/"
    assert "gess_session=;" in r.headers["Set-Cookie"] and "Max-Age=0" in r.headers["Set-Cookie"]
    assert s.cookies.get("gess_session") is None
    # the token itself is gone: the old cookie no longer authenticates
    r = gess.req("GET", "/v1/me", cookies={"gess_session": session})
    h.assert_problem(r, 401, "unauthorized")


def test_a_login_form_post_without_the_right_csrf_token_is_refused_and_logs_nobody_in(gess):
    u = gess.user()
    s = browser(gess)
    token = form_token(login_page(gess, s).text)
    good = {"email": u["email"], "password": u["password"]}
    other = browser(gess)
    other_token = form_token(login_page(gess, other).text)  # another browser's
    for bad in ({}, {"csrf_token": ""}, {"csrf_token": "A" * 43}, {"csrf_token": other_token}):
        before = gess.count("tokens")
        r = s.post(gess.url("/login"), data={**good, **bad}, allow_redirects=False)
        assert r.status_code == 403, r.text[:300]
        page_headers_ok(r)
        assert "gess_session" not in r.headers.get("Set-Cookie", "")
        assert gess.count("tokens") == before
    # without the gess_pre cookie the token proves nothing either
    r = requests.post(gess.url("/login"), data={**good, "csrf_token": token},
                      headers={"Accept": BROWSER}, allow_redirects=False)
    assert r.status_code == 403


def test_a_refused_login_keeps_the_email_marks_the_fields_and_never_echoes_the_password(gess):
    u = gess.user()
    gess.reset_login_limits()
    s = browser(gess)
    token = form_token(login_page(gess, s).text)
    secret = "NoEsEsta-" + "x" * 12
    r = s.post(gess.url("/login"), allow_redirects=False,
               data={"csrf_token": token, "email": u["email"], "password": secret})
    assert r.status_code == 422
    page_headers_ok(r)
    assert secret not in r.text
    f = fields(r.text)
    assert f'value="{u["email"]}"' in f["email"]
    for name in ("email", "password"):
        assert 'aria-invalid="true"' in f[name]
        assert f'aria-describedby="{name}-error"' in f[name]
        assert f'id="{name}-error"' in r.text
    assert 'class="error-summary"' in r.text and 'href="#email"' in r.text
    assert "El correo o la contraseña no son correctos." in r.text
    assert "gess_session" not in r.headers.get("Set-Cookie", "")
    # invalid input: core's messages, in the page's language, the value escaped
    r = s.post(gess.url("/login?lang=en"), allow_redirects=False,
               data={"csrf_token": token, "email": "<b>Rosa</b>", "password": ""})
    assert r.status_code == 422 and html_lang(r) == "en"
    assert 'value="&lt;b&gt;Rosa&lt;/b&gt;"' in r.text and "<b>Rosa</b>" not in r.text
    f = fields(r.text)
    assert 'aria-invalid="true"' in f["email"] and 'aria-invalid="true"' in f["password"]
    # a next that leaves the site is dropped
    r = s.post(gess.url("/login"), allow_redirects=False,
               data={"csrf_token": token, "email": u["email"], "password": u["password"],
                     "next": "//evil.example/"})
    assert r.status_code == 303 and r.headers["Location"] == "/me"
    gess.reset_login_limits()


def test_a_throttled_login_is_the_429_page(gess):
    u = gess.user()
    gess.reset_login_limits()
    s = browser(gess)
    token = form_token(login_page(gess, s).text)
    statuses = []
    for _ in range(30):
        r = s.post(gess.url("/login"), allow_redirects=False,
                   data={"csrf_token": token, "email": u["email"], "password": "wrong-" + "y" * 10})
        statuses.append(r.status_code)
        if r.status_code == 429:
            break
    assert statuses[-1] == 429, statuses
    page_headers_ok(r)
    assert int(r.headers["Retry-After"]) >= 1
    assert len(r.headers.get("Retry-After").split(",")) == 1
    assert "Demasiados intentos" in r.text
    gess.reset_login_limits()


def test_pages_answer_html_whatever_accept_says_and_their_problems_are_pages(gess):
    for accept in ("application/json", "image/png", "*/*", None):
        r = gess.req("GET", "/login", headers={"Accept": accept} if accept else {})
        assert r.status_code == 200
        page_headers_ok(r)
    # a bad bearer token on a page: the 401 error page, not problem+json
    r = gess.req("GET", "/", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    page_headers_ok(r)
    # a JSON body on a form route: the 415 page
    r = gess.req("POST", "/login", json={"email": "a@b.c"})
    assert r.status_code == 415
    page_headers_ok(r)


def test_a_notice_after_a_redirect_is_one_of_cores_worded_notices(gess):
    """?notice= after a password reset or an erasure shows core's line for it; any other
    word (or markup) shows nothing, so a link cannot make a page say what it likes."""
    s = browser(gess)
    r = s.get(gess.url("/login?notice=password_reset"), headers={"Accept-Language": "es"})
    assert r.status_code == 200
    assert re.search(r'<p class="notice" role="status">Su contraseña cambió', r.text), r.text[:2000]
    r = s.get(gess.url("/?notice=erased&lang=en"))
    assert '<p class="notice" role="status">Your account and your personal data were erased.' \
        in r.text
    for word in ("nonsense", "<script>alert(1)</script>", "title"):
        r = s.get(gess.url("/"), params={"notice": word})
        assert r.status_code == 200 and 'class="notice" role="status"' not in r.text, word
        assert "<script>alert" not in r.text


def test_answers_for_a_cookie_are_nobodys_else_and_none_is_sniffed(gess):
    """What a session cookie was answered with, and any answer setting a cookie, is
    `Cache-Control: private, no-store` (a shared cache must neither keep a person's answer
    nor replay a Set-Cookie to others); every answer carries nosniff."""
    u = gess.user()
    s = browser(gess)
    r = login_page(gess, s)
    r = s.post(gess.url("/login"), allow_redirects=False,
               data={"csrf_token": form_token(r.text), "email": u["email"],
                     "password": u["password"]})
    assert r.status_code == 303
    for path in ("/v1/me", "/v1/me/export", "/v1/editions"):
        r = s.get(gess.url(path), headers={"Accept": "application/json"})
        assert r.status_code == 200, (path, r.text[:200])
        assert r.headers.get("Cache-Control") == "private, no-store", (path, r.headers)
        assert r.headers.get("X-Content-Type-Options") == "nosniff", path
    # a stale cookie is cleared, and that answer is not for a shared cache either
    stale = requests.get(gess.url("/v1/editions"), cookies={"gess_session": "x" * 43})
    assert "gess_session=;" in stale.headers.get("Set-Cookie", "")
    assert stale.headers.get("Cache-Control") == "private, no-store", stale.headers
    # without a cookie nothing changes for the API's caches
    plain = requests.get(gess.url("/v1/editions"))
    assert plain.headers.get("Cache-Control") != "private, no-store"
    assert plain.headers.get("X-Content-Type-Options") == "nosniff"


def test_a_path_that_is_not_utf8_is_the_404_page_not_a_500(gess):
    import socket
    with socket.create_connection(("127.0.0.1", int(gess.url("/").rsplit(":", 1)[1].split("/")[0])),
                                  timeout=5) as c:
        c.sendall(b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n"
                  b"Connection: close\r\n\r\n")
        data = b""
        while True:
            chunk = c.recv(65536)
            if not chunk:
                break
            data += chunk
    head = data.split(b"\r\n", 1)[0]
    assert b" 404 " in head, data[:300]
    assert b"text/html" in data.split(b"\r\n\r\n", 1)[0]


def test_only_pages_with_a_posted_form_set_the_pre_session_cookie(gess):
    r = requests.get(gess.url("/practices"), headers={"Accept": BROWSER})
    assert r.status_code == 200 and "gess_pre" not in r.headers.get("Set-Cookie", "")
    r = requests.get(gess.url("/login"), headers={"Accept": BROWSER})
    assert "gess_pre=" in r.headers.get("Set-Cookie", "")


def test_a_form_posted_without_a_session_goes_to_login_without_next(gess):
    r = requests.post(gess.url("/me/data/erase"), headers={"Accept": BROWSER},
                      data={"csrf_token": "x"}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/login", r.headers
    r = requests.get(gess.url("/me/data"), headers={"Accept": BROWSER}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/login?next=%2Fme%2Fdata"
