"""What the screenshots showed, held by tests: the home page lists each of
the next Rumbo al GESS events once, /me each registration once."""
import re

import requests

import gesshelp as h


def test_home_lists_each_next_event_once(web):
    r = web.get("/", headers={"Accept": "text/html"})
    assert r.status_code == 200
    links = re.findall(r'href="(?:[^"]*)(/series-events/[0-9a-f-]{36})"', r.text)
    assert links, "the home page links no Rumbo al GESS event"
    dup = sorted({x for x in links if links.count(x) > 1})
    assert not dup, f"the home page lists these events more than once: {dup} (links: {links})"


def login_session(web, email, password):
    """A requests session signed in through the login form (cookie + csrf_token)."""
    s = requests.Session()
    r = s.get(web.url("/login"), headers={"Accept": "text/html"})
    assert r.status_code == 200
    tok = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
    r = s.post(web.url("/login"), data={"email": email, "password": password, "csrf_token": tok},
               allow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    return s


def test_me_lists_each_registration_once_with_its_status(web, gess, staff):
    u = gess.user(full_name="Quispe Registrada")
    other = h.create_edition(gess, staff.organizer)
    cat = h.create_category(gess, staff.organizer, other["slug"])
    regs = [h.register_ok(gess, u, "gess-2028", "general", "in_person"),
            h.register_ok(gess, u, other["slug"], cat["code"], "in_person")]
    s = login_session(web, u["email"], u["password"])
    html = s.get(web.url("/me"), headers={"Accept": "text/html"}).text
    bad = []
    # the text of the page: the badge <img>'s alt names the code too (issue 19)
    text = re.sub(r"<[^>]+>", " ", html)
    for reg in regs:
        code = reg.get("badge_code") or reg["id"]
        if text.count(code) != 1:
            bad.append(f"the registration {code} shows {text.count(code)} times")
    if html.count("<table") > 1:
        bad.append(f"{html.count('<table')} tables for two registrations")
    assert not bad, "/me with two registrations: " + "; ".join(bad)
