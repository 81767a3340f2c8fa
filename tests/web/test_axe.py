"""axe-core reports no violations on every page, signed out and signed in
(JavaScript on, bypassCSP: axe runs inside the page); each page answers as it
should, in Spanish by default (in English after ?lang=en, remembered), and weighs (HTML + CSS + JS) under 60 KB on the
demo data. The same run writes the screenshots (build/screenshots/, 1280 and
390 px), which are looked at, not asserted."""
import pytest

import gesshelp as h

KB60 = 60 * 1024


def first_id(web, path):
    r = web.get(path)
    if r.status_code != 200:
        return None
    items = r.json().get("items") or []
    return items[0]["id"] if items else None


@pytest.fixture(scope="module")
def audit(web, gess):
    u = gess.user(full_name="Lucía Ccori Mamani")
    # /me audited with a registration in its table
    h.register_ok(gess, u, "gess-2028", "general", "in_person")
    session = (first_id(web, "/v1/editions/gess-2028/sessions")
               or first_id(web, "/v1/editions/gess-2026/sessions"))
    series = first_id(web, "/v1/editions/gess-2028/series-events")
    dash = h.assert_json(web.get("/v1/editions/gess-2026/pacts/dashboard"), 200)
    pact = dash["pacts"][0]["id"]
    practice = first_id(web, "/v1/practices")
    public = [
        {"path": "/"},
        {"path": "/editions/gess-2028"},
        {"path": "/editions/gess-2028/programme"},
        {"path": f"/sessions/{session}", "name": "session"} if session else None,
        {"path": "/editions/gess-2028/rumbo"},
        {"path": f"/series-events/{series}", "name": "series_event"},
        {"path": "/editions/gess-2026/pacts"},
        {"path": f"/pacts/{pact}", "name": "pact"},
        {"path": "/practices"},
        {"path": "/practices?q=pucara", "name": "practices_search"},
        {"path": f"/practices/{practice}", "name": "practice"},
        {"path": "/no-such-page", "want": 404},
    ]
    missing = [] if session else ["no session in the demo data (GESS 2028 nor 2026): /sessions/{id} not audited"]
    public = [p for p in public if p]
    forms = [
        {"path": "/signup"},
        {"path": "/signup", "invalid": {
            "email": h.unique_email("web-axe"), "password": "passwordpassword",
            "full_name": "Ana Axe", "sector": "community", "consent": True}},
        {"path": "/login"},
        {"path": "/forgot-password"},
        {"path": "/reset-password?token=" + "A" * 43, "name": "reset_password"},
        {"path": "/verify-email?token=" + "A" * 43, "name": "verify_email_bad", "want": None},
    ]
    # signed in, the public pages differ by their header only: screenshots of
    # / alone (and of the account's own pages)
    signed_in = [{"path": "/me"}, {"path": "/me/data"}] + [
        dict(p, shot=(p["path"] == "/")) for p in public] + [
        # English asked for once, then remembered (gess_lang)
        {"path": "/?lang=en", "lang": "en", "name": "home_en"},
        {"path": "/me", "lang": "en", "name": "me_en"},
        {"path": "/editions/gess-2026/pacts", "lang": "en", "name": "pacts_en"}]
    res = web.run("axe.mjs", js=True, out=public + forms, **{"in": signed_in},
                  account={"email": u["email"], "password": u["password"]}, name="axe")
    return res["pages"], missing


def label(p):
    lang = ", in English" if p.get("want_lang") == "en" else ""
    return f"{p['path']} ({'signed in' if p['state'] == 'in' else 'signed out'}{lang})"


def test_every_page_answers(audit):
    pages, missing = audit
    bad = list(missing)
    for p in pages:
        if p.get("error"):
            bad.append(f"{label(p)}: {p['error']}")
        elif p["want"] is not None and p["status"] != p["want"]:
            bad.append(f"{label(p)}: status {p['status']}, want {p['want']} (at {p.get('final')})")
        elif p["want"] is None and p["status"] >= 500:
            bad.append(f"{label(p)}: status {p['status']}")
    assert not bad, "\n".join(bad)


def test_axe_finds_no_violations(audit):
    pages, _ = audit
    bad = []
    for p in pages:
        for v in p.get("violations") or []:
            bad.append(f"{label(p)}: {v['id']} ({v['impact']}): {v['help']} — {', '.join(v['nodes'])}")
    assert not bad, f"{len(bad)} axe violations:\n" + "\n".join(bad)


def test_pages_are_spanish_by_default_english_when_asked(audit):
    pages, _ = audit
    bad = [f"{label(p)}: <html lang={p.get('lang')!r}>, want {p['want_lang']!r}" for p in pages
           if not p.get("error") and p.get("lang") != p["want_lang"]]
    assert not bad, "\n".join(bad)


def test_each_page_weighs_under_60_kb(audit):
    pages, _ = audit
    bad = [f"{label(p)}: {p['bytes']} bytes of HTML + CSS + JS" for p in pages
           if not p.get("error") and p.get("bytes", 0) > KB60]
    assert not bad, "\n".join(bad)


def test_every_page_carries_the_security_headers(audit):
    pages, _ = audit
    bad = []
    for p in pages:
        hd = p.get("headers")
        if p.get("error") or not hd:
            continue
        csp = hd.get("content-security-policy", "")
        if "frame-ancestors 'none'" not in csp:
            bad.append(f"{label(p)}: Content-Security-Policy {csp!r} lacks frame-ancestors 'none'")
        if "unsafe-inline" in csp or "unsafe-eval" in csp or "script-src" not in csp and "default-src 'none'" not in csp:
            bad.append(f"{label(p)}: Content-Security-Policy {csp!r} is not strict")
        if hd.get("referrer-policy") != "same-origin":
            bad.append(f"{label(p)}: Referrer-Policy {hd.get('referrer-policy')!r}, want same-origin")
        if hd.get("x-content-type-options") != "nosniff":
            bad.append(f"{label(p)}: X-Content-Type-Options {hd.get('x-content-type-options')!r}")
        if not hd.get("content-type", "").startswith("text/html"):
            bad.append(f"{label(p)}: Content-Type {hd.get('content-type')!r}")
    assert not bad, "\n".join(bad)


def test_no_inline_style_script_handler_or_outside_resource(audit):
    pages, _ = audit
    bad = []
    for p in pages:
        i = p.get("inline")
        if p.get("error") or not i:
            continue
        if i["style_attrs"]:
            bad.append(f"{label(p)}: style= on {i['style_attrs']}")
        if i["inline_scripts"]:
            bad.append(f"{label(p)}: {i['inline_scripts']} inline <script>")
        if i["handlers"]:
            bad.append(f"{label(p)}: event handler attributes {i['handlers']}")
        if i["external"]:
            bad.append(f"{label(p)}: resources from elsewhere {i['external'][:5]}")
    assert not bad, "\n".join(bad)


def test_no_page_scrolls_sideways_on_a_phone(audit):
    """At 390 px wide every page fits (WCAG 2.2 1.4.10, reflow): nothing wider
    than the viewport."""
    pages, _ = audit
    bad = [f"{label(p)}: {p['scroll390']} px wide at 390 px" for p in pages
           if not p.get("error") and p.get("scroll390", 0) > 390]
    assert not bad, "\n".join(bad)
