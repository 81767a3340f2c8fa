"""The organizers' pages (issue 19): GET /manage (the staff index), the registrations page
(/manage/editions/{slug}/registrations: the API's filters as a GET form, approve and reject
forms, the CSV link with the same filters, the statistics as SVG bars with their tables) and
the check-in desk (/manage/editions/{slug}/checkin: a typed badge code checked in, a second
scan showing the first time, an unknown code at its field). Real HTTP, the browser's way: a
requests.Session with the gess_session cookie (the API's token), every form's csrf_token read
from its page; each change checked in the database; an attendee gets the 403 page."""
import html
import re

import pytest
import requests

import gesshelp as h
import pagehelp as pg


def browser(gess, who):
    s = requests.Session()
    s.cookies.set("gess_session", who["token"])
    s.headers["Accept"] = pg.BROWSER_ACCEPT
    return s


def page(s, gess, path, status=200):
    r = s.get(gess.url(path), allow_redirects=False)
    assert r.status_code == status, (path, r.status_code, r.text[:2000])
    assert r.headers["Content-Type"].startswith("text/html"), r.headers
    return r


def csrf(text):
    m = re.search(r'name="csrf_token" value="([^"]*)"', text)
    assert m, text[:2000]
    return html.unescape(m.group(1))


def post(s, gess, path, data, csrf_from):
    data = dict(data, csrf_token=csrf(page(s, gess, csrf_from).text))
    return s.post(gess.url(path), data=data, allow_redirects=False)


@pytest.fixture(scope="module")
def desk(gess, staff):
    """An edition with an open category and one that needs approval; three registrations."""
    org = staff.organizer
    ed = h.create_edition(gess, org)
    slug = ed["slug"]
    h.create_category(gess, org, slug, code="general")
    h.create_category(gess, org, slug, code="apr", requires_approval=True,
                      modes={"in_person": 10, "online": 10})
    people = [gess.user(full_name=n) for n in ("Rosa Quispe <b>", "Juan Mamani", "Elena Condori")]
    conf = h.register_ok(gess, people[0], slug, "general", status="confirmed")
    pend = h.register_ok(gess, people[1], slug, "apr", status="pending")
    pend2 = h.register_ok(gess, people[2], slug, "apr", mode="online", status="pending")
    return dict(slug=slug, conf=conf, pend=pend, pend2=pend2, people=people)


def test_an_attendee_gets_the_403_page_on_every_staff_page(gess, desk):
    s = browser(gess, desk["people"][0])
    for path in ("/manage", f"/manage/editions/{desk['slug']}/registrations",
                 f"/manage/editions/{desk['slug']}/checkin"):
        r = page(s, gess, path, 403)
        pg.check_page(r)
    # a form posted by an attendee (with a valid token of their own) changes nothing
    r = s.post(gess.url(f"/manage/registrations/{desk['pend']['id']}/approve"),
               data={"csrf_token": csrf(page(s, gess, "/me").text)}, allow_redirects=False)
    assert r.status_code == 403, r.text[:500]
    assert h.reg_status(gess, desk["pend"]["id"]) == "pending"


def test_anonymous_is_sent_to_login(gess, desk):
    r = h.call("GET", gess.url(f"/manage/editions/{desk['slug']}/registrations"),
               headers={"Accept": pg.BROWSER_ACCEPT}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("/login?next="), r.headers


def test_the_index_lists_what_each_role_may_use(gess, staff, desk):
    text = pg.check_page(page(browser(gess, staff.organizer), gess, "/manage"))
    # the latest twelve editions still open (drafts and published), by their dates
    latest = [r[0] for r in gess.sql("SELECT slug FROM editions WHERE status IN ('draft', "
                                     "'published') ORDER BY starts_on DESC, slug LIMIT 12")]
    listed = re.findall(r'href="/manage/editions/([^/"]+)/registrations"', text)
    assert listed == latest, (listed, latest)
    for slug in latest:
        assert f"/manage/editions/{slug}/checkin" in text
    assert "/manage/measurements" not in text
    text = pg.check_page(page(browser(gess, staff.followup), gess, "/manage"))
    assert "/manage/measurements" in text and "/checkin" not in text
    # the layout links staff to it, and nobody else
    assert 'href="/manage"' in text
    assert 'href="/manage"' not in page(browser(gess, desk["people"][0]), gess, "/me").text


def test_the_list_filters_as_the_api_does_and_escapes_names(gess, staff, desk):
    s = browser(gess, staff.organizer)
    base = f"/manage/editions/{desk['slug']}/registrations"
    text = pg.check_page(page(s, gess, base))
    for reg in (desk["conf"], desk["pend"], desk["pend2"]):
        assert reg["badge_code"] in text
    assert "Rosa Quispe &lt;b&gt;" in text and "Rosa Quispe <b>" not in text
    text = page(s, gess, base + "?status=pending").text
    assert desk["pend"]["badge_code"] in text and desk["conf"]["badge_code"] not in text
    assert '<option value="pending" selected>' in text
    text = page(s, gess, base + "?status=pending&mode=online").text
    assert desk["pend2"]["badge_code"] in text and desk["pend"]["badge_code"] not in text
    # a value the API refuses is refused here too
    page(s, gess, base + "?status=nonsense", 422)
    # the CSV link carries the same filters and answers CSV to the cookie, as a plain link
    m = re.search(r'href="(/v1/editions/[^"]+format=csv[^"]*)"', text)
    assert m, text
    href = html.unescape(m.group(1))
    assert "status=pending" in href and "mode=online" in href
    r = s.get(gess.url(href))
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv"), r.headers
    rows = r.text.strip().splitlines()
    assert len(rows) == 2 and desk["pend2"]["badge_code"] in rows[1], rows


def test_the_statistics_are_bars_with_the_apis_counts(gess, staff, desk):
    text = page(browser(gess, staff.organizer), gess,
                f"/manage/editions/{desk['slug']}/registrations").text
    stats = h.assert_json(gess.req("GET", f"/v1/editions/{desk['slug']}/stats",
                                   headers=staff.organizer["headers"]), 200)
    assert f"<strong>{stats['total']}</strong>" in text
    svgs = re.findall(r"<svg\b.*?</svg>", text, re.S)
    assert len(svgs) == 3, len(svgs)
    assert all("style=" not in svg for svg in svgs)
    # the status chart's table says the API's counts in words
    for status, n in stats["by_status"].items():
        word = {"confirmed": "Confirmada", "pending": "Esperando aprobación"}.get(status)
        if word:
            assert f'<th scope="row">{word}</th><td>{n}</td>' in text, (status, n)


def test_approve_and_reject_from_the_list(gess, staff, desk):
    s = browser(gess, staff.organizer)
    back = f"/manage/editions/{desk['slug']}/registrations?status=pending"
    r = post(s, gess, f"/manage/registrations/{desk['pend']['id']}/approve", {"back": back}, back)
    assert r.status_code == 303 and r.headers["Location"] == back + "&notice=approved", r.headers
    assert h.reg_status(gess, desk["pend"]["id"]) == "confirmed"
    assert "Inscripción aprobada." in page(s, gess, r.headers["Location"]).text
    r = post(s, gess, f"/manage/registrations/{desk['pend2']['id']}/reject",
             {"back": "//evil.example/", "reason": "Cupo virtual agotado"}, back)
    assert r.status_code == 303 and r.headers["Location"] == "/manage?notice=rejected", r.headers
    rows = gess.sql("SELECT status, reason FROM registrations WHERE id = %s", (desk["pend2"]["id"],))
    assert rows == [("rejected", "Cupo virtual agotado")], rows
    # approving again is the 409 page, nothing changes
    r = post(s, gess, f"/manage/registrations/{desk['pend']['id']}/approve", {"back": back}, back)
    assert r.status_code == 409, r.status_code
    # without the form's token: 403, nothing changes
    r = s.post(gess.url(f"/manage/registrations/{desk['conf']['id']}/reject"),
               data={"csrf_token": "x" * 43}, allow_redirects=False)
    assert r.status_code == 403 and h.reg_status(gess, desk["conf"]["id"]) == "confirmed"


def test_the_desk_checks_a_badge_in_and_a_second_scan_shows_the_first_time(gess, staff, desk):
    s = browser(gess, staff.organizer)
    path = f"/manage/editions/{desk['slug']}/checkin"
    pg.check_page(page(s, gess, path))
    code = desk["conf"]["badge_code"]
    typed = code.lower()[:3] + " " + code.lower()[3:]  # as people type it
    r = post(s, gess, path, {"badge_code": typed}, path)
    assert r.status_code == 303, (r.status_code, r.text[:1000])
    loc = r.headers["Location"]
    assert loc == f"{path}?checked={desk['conf']['id']}&scan=first", loc
    text = pg.check_page(page(s, gess, loc))
    assert "Llegada registrada" in text and "Rosa Quispe &lt;b&gt;" in text
    rows = gess.sql("SELECT status, checked_in_at FROM registrations WHERE id = %s",
                    (desk["conf"]["id"],))
    assert rows[0][0] == "checked_in" and rows[0][1] is not None
    r = post(s, gess, path, {"badge_code": code}, path)
    assert r.headers["Location"].endswith("&scan=again"), r.headers
    text = page(s, gess, r.headers["Location"]).text
    assert "Este gafete ya se registró" in text and "La primera lectura fue el" in text
    # the time shown is the first one, in the edition's time zone
    first = gess.sql("SELECT to_char(checked_in_at AT TIME ZONE e.timezone, 'HH24:MI') FROM "
                     "registrations r JOIN editions e ON e.id = r.edition_id WHERE r.id = %s",
                     (desk["conf"]["id"],))[0][0]
    assert first in text
    assert gess.sql("SELECT checked_in_at FROM registrations WHERE id = %s",
                    (desk["conf"]["id"],))[0][0] == rows[0][1]


def test_the_desk_says_why_a_code_is_refused(gess, staff, desk):
    s = browser(gess, staff.organizer)
    path = f"/manage/editions/{desk['slug']}/checkin"
    r = post(s, gess, path, {"badge_code": "ZZZZZZZZ"}, path)
    assert r.status_code == 422, r.status_code
    text = pg.check_page(r)
    assert 'aria-invalid="true"' in text and "No hay ninguna inscripción con ese código" in text
    assert 'value="ZZZZZZZZ"' in text
    # a rejected registration cannot be checked in
    r = post(s, gess, path, {"badge_code": desk["pend2"]["badge_code"]}, path)
    assert r.status_code == 422 and "no puede acreditarse" in r.text
    r = post(s, gess, path, {"badge_code": ""}, path)
    assert r.status_code == 422 and 'aria-invalid="true"' in r.text
    # English
    r = post(s, gess, path + "?lang=en", {"badge_code": "ZZZZZZZZ"}, path + "?lang=en")
    assert "No registration of this edition has that code" in r.text
