"""Attendees plan the programme in the browser (issue 19), over real HTTP as a browser
without JavaScript does it (a requests.Session keeps the cookies; each form's csrf_token is
read from the page): star and unstar a released session from the programme and the session
page, reserve and give up a seat, /me/agenda by day with its overlaps in words and its .ics
link (which the cookie opens), the empty agenda, and RSVP / withdraw on a series event, whose
online link then shows. Each form answers 303 back to its page with a notice; the API's
refusals are the error pages of their status. The data is made through the API."""
import html
import re

import pytest
import requests

import gesshelp as h
from test_programme import at, mk_room, mk_session, release
from test_series import create_event

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture(autouse=True)
def _fresh_limits(gess):
    """Every test here logs in from 127.0.0.1."""
    gess.reset_login_limits()
    yield


def _html(r, status):
    assert r.status_code == status, (r.status_code, r.headers, r.text[:3000])
    assert r.headers["Content-Type"].startswith("text/html"), r.headers
    r.encoding = "utf-8"
    body = r.text
    assert len(r.content) < 60 * 1024
    assert len(re.findall(r"<h1[\s>]", body)) == 1, body[:2000]
    assert not re.search(r"<[^>]+\sstyle\s*=", body)
    return body


def _csrf(body):
    field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', body)
    assert field, body[:3000]
    return html.unescape(re.search(r'value="([^"]*)"', field.group(0)).group(1))


def _text(body):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _session(gess, who):
    s = requests.Session()
    s.headers.update(BROWSER)
    form = _html(s.get(gess.url("/login")), 200)
    r = s.post(gess.url("/login"), data={"email": who["email"], "password": who["password"],
                                         "csrf_token": _csrf(form)}, allow_redirects=False)
    assert r.status_code == 303 and s.cookies.get("gess_session"), (r.status_code, r.text[:500])
    return s


def _get(s, gess, path, status=200):
    return _html(s.get(gess.url(path), allow_redirects=False), status)


def _form(s, gess, page, action, data=None, status=303):
    """Posts the form of page whose action is `action`, with its hidden fields and data."""
    body = _get(s, gess, page)
    m = re.search(r'<form[^>]*action="' + re.escape(action) + r'"[^>]*>(.*?)</form>', body, re.S)
    assert m, (action, body[:4000])
    fields = {html.unescape(n): html.unescape(v) for n, v in
              re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', m.group(1))}
    fields.update(data or {})
    r = s.post(gess.url(action), data=fields, allow_redirects=False)
    assert r.status_code == status, (action, r.status_code, r.text[:2000])
    return r


def _agenda_rows(gess, who):
    return {str(x[0]) for x in gess.sql("SELECT session_id FROM agenda_items WHERE account_id = %s",
                                         (who["account"]["id"],))}


@pytest.fixture
def prog(gess, staff, edition):
    """A released programme: two sessions that overlap on day 0, one later, and a workshop
    of two seats (a workshop needs a reservation); one attendee confirmed for the edition."""
    org, ed = staff.organizer, edition
    room = mk_room(gess, org, ed, name="Sala Moquegua", capacity=60)
    aud = mk_room(gess, org, ed, name="Auditorio Ñawpa", capacity=300)
    s = {
        "gob": mk_session(gess, org, ed, title="Diálogo y conflictos socioambientales",
                          room_id=room["id"], starts_at=at(ed, 0, "11:00"),
                          ends_at=at(ed, 0, "12:30")),
        "eco": mk_session(gess, org, ed, title="Madera plástica <comunal>", kind="talk",
                          room_id=aud["id"], starts_at=at(ed, 0, "12:00"),
                          ends_at=at(ed, 0, "13:00")),
        "late": mk_session(gess, org, ed, title="Cierre y acuerdos", kind="keynote",
                           room_id=aud["id"], starts_at=at(ed, 1, "17:00"),
                           ends_at=at(ed, 1, "18:00")),
        "ws": mk_session(gess, org, ed, title="Taller de facilitación", kind="workshop",
                         capacity=1, starts_at=at(ed, 1, "09:00"), ends_at=at(ed, 1, "11:00")),
    }
    release(gess, org, ed, "Primera versión")
    cat = h.create_category(gess, org, ed["slug"], modes={"in_person": None})["code"]
    who = gess.user(full_name="Rosa Huamán Ccori")
    h.register_ok(gess, who, ed["slug"], cat, status="confirmed")
    return {"ed": ed, "s": s, "who": who, "cat": cat}


def test_star_from_programme_and_session_then_agenda_and_ics(gess, prog):
    ed, s, who = prog["ed"], prog["s"], prog["who"]
    slug = ed["slug"]
    b = _session(gess, who)
    page = f"/editions/{slug}/programme"
    body = _get(b, gess, page)
    for key in ("gob", "eco", "late"):
        assert f'action="/sessions/{s[key]["id"]}/star"' in body
    # the workshop needs a seat first: reserve, not star
    assert f'action="/sessions/{s["ws"]["id"]}/star"' not in body
    assert f'action="/sessions/{s["ws"]["id"]}/reserve"' in body
    # a seat is offered where seats are counted (a reservation is needed), not in every room
    assert f'action="/sessions/{s["gob"]["id"]}/reserve"' not in body

    # from the programme (a filter in the query is kept; the notice and the anchor added)
    r = _form(b, gess, page + "?lang=es", f"/sessions/{s['gob']['id']}/star")
    assert r.headers["Location"] == f"{page}?lang=es&notice=starred#s-{s['gob']['id']}"
    body = _get(b, gess, page + "?notice=starred")
    assert "La sesión se guardó en su agenda." in _text(body)
    assert f'action="/sessions/{s["gob"]["id"]}/unstar"' in body
    assert f'action="/sessions/{s["gob"]["id"]}/star"' not in body
    # from the session page
    sp = f"/sessions/{s['eco']['id']}"
    r = _form(b, gess, sp, f"/sessions/{s['eco']['id']}/star")
    assert r.headers["Location"] == f"{sp}?notice=starred#s-{s['eco']['id']}"
    assert "En su agenda" in _text(_get(b, gess, sp))
    assert _agenda_rows(gess, who) == {s["gob"]["id"], s["eco"]["id"]}

    # the agenda: by day, both sessions, each naming the other as an overlap
    body = _get(b, gess, "/me/agenda")
    text = _text(body)
    assert "Diálogo y conflictos socioambientales" in text and "Madera plástica <comunal>" in text
    assert "&lt;comunal&gt;" in body
    assert body.count('class="ag-session ag-overlap"') == 2, body
    assert text.count("Se cruza con:") == 2
    assert f'href="#s-{s["eco"]["id"]}"' in body and f'href="#s-{s["gob"]["id"]}"' in body, re.findall(r'<p class="ag-warn">.*?</p>', body)
    assert "Sesiones que se cruzan con otra: 2" in text
    assert 'href="/v1/me/agenda?format=ics"' in body
    # the .ics link works with the cookie alone
    ics = b.get(gess.url("/v1/me/agenda?format=ics"))
    assert ics.status_code == 200 and ics.headers["Content-Type"].startswith("text/calendar")
    cal = ics.content.decode().replace("\r\n ", "")
    for key in ("gob", "eco"):
        assert f"UID:session-{s[key]['id']}@gess.pe" in cal
    assert "SUMMARY:Diálogo y conflictos socioambientales" in cal

    # unstar from the agenda: back to /me/agenda, the overlap gone
    r = _form(b, gess, "/me/agenda", f"/sessions/{s['eco']['id']}/unstar")
    assert r.headers["Location"].startswith("/me/agenda?notice=unstarred")
    body = _get(b, gess, "/me/agenda?notice=unstarred")
    assert "La sesión se quitó de su agenda." in _text(body)
    assert "ag-overlap" not in body and "Madera plástica" not in body
    en = _text(_get(b, gess, "/me/agenda?lang=en"))
    assert "My agenda" in en and "Sessions in your agenda: 1" in en


def test_reserve_and_release_a_seat(gess, staff, prog):
    ed, ws, who = prog["ed"], prog["s"]["ws"], prog["who"]
    b = _session(gess, who)
    sp = f"/sessions/{ws['id']}"
    r = _form(b, gess, sp, f"{sp}/reserve")
    assert r.headers["Location"] == f"{sp}?notice=reserved#s-{ws['id']}"
    assert gess.count("reservations", "session_id = %s AND account_id = %s",
                      (ws["id"], who["account"]["id"])) == 1
    text = _text(_get(b, gess, sp + "?notice=reserved"))
    assert "Su plaza quedó reservada" in text and "plaza reservada" in text
    assert ws["id"] in _agenda_rows(gess, who)
    # the last seat is taken: another registered attendee gets the 409 page
    other = gess.user()
    h.register_ok(gess, other, ed["slug"], prog["cat"], status="confirmed")
    ob = _session(gess, other)
    _form(ob, gess, sp, f"{sp}/reserve", status=409)
    # someone without a registration is told why and offered no reserve form
    stranger = _session(gess, gess.user())
    body = _get(stranger, gess, sp)
    assert f'action="{sp}/reserve"' not in body
    assert "necesita una inscripción confirmada" in _text(body)
    r = stranger.post(gess.url(f"{sp}/reserve"), data={"csrf_token": _csrf(body)},
                      allow_redirects=False)
    _html(r, 403)
    # giving it up from the agenda frees the seat (and the entry, as the API does)
    r = _form(b, gess, "/me/agenda", f"{sp}/release")
    assert r.headers["Location"].startswith("/me/agenda?notice=released")
    assert gess.count("reservations", "session_id = %s", (ws["id"],)) == 0
    assert ws["id"] not in _agenda_rows(gess, who)


def test_forms_need_a_session_a_token_and_a_safe_back(gess, prog):
    s, who = prog["s"], prog["who"]
    sid = s["late"]["id"]
    anon = requests.Session()
    anon.headers.update(BROWSER)
    body = _get(anon, gess, f"/editions/{prog['ed']['slug']}/programme")
    assert "/star\"" not in body
    assert 'href="/login?next=/sessions/' in _get(anon, gess, f"/sessions/{sid}")
    r = anon.get(gess.url("/me/agenda"), allow_redirects=False)
    assert r.status_code == 303, r.status_code
    assert r.headers["Location"] in ("/login?next=%2Fme%2Fagenda", "/login?next=/me/agenda")
    r = anon.post(gess.url(f"/sessions/{sid}/star"), data={"csrf_token": "x"},
                  allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("/login"), r.headers
    b = _session(gess, who)
    _html(b.post(gess.url(f"/sessions/{sid}/star"), data={"csrf_token": "x" * 43},
                 allow_redirects=False), 403)
    assert _agenda_rows(gess, who) == set()
    token = _csrf(_get(b, gess, f"/sessions/{sid}"))
    for back in ("//evil.example/x", "https://evil.example/", "/\\evil", "nope"):
        r = b.post(gess.url(f"/sessions/{sid}/star"), data={"csrf_token": token, "back": back},
                   allow_redirects=False)
        assert r.status_code == 303 and r.headers["Location"] == \
            f"/sessions/{sid}?notice=starred", (back, r.headers)
    # an older notice in back is replaced, not repeated
    r = b.post(gess.url(f"/sessions/{sid}/star"),
               data={"csrf_token": token, "back": "/me/agenda?notice=released"},
               allow_redirects=False)
    assert r.headers["Location"] == f"/me/agenda?notice=starred#s-{sid}", r.headers
    # unknown session: the 404 page; a notice word not on the list shows nothing
    _html(b.post(gess.url("/sessions/00000000-0000-4000-8000-000000000000/star"),
                 data={"csrf_token": token}, allow_redirects=False), 404)
    body = _get(b, gess, f"/sessions/{sid}?notice=<b>hola</b>")
    assert "hola" not in _text(body)


def test_empty_agenda(gess):
    b = _session(gess, gess.user())
    body = _get(b, gess, "/me/agenda")
    text = _text(body)
    assert "Su agenda está vacía." in text
    assert 'href="/v1/me/agenda?format=ics"' in body and "ag-session" not in body
    assert "Your agenda is empty." in _text(_get(b, gess, "/me/agenda?lang=en"))


def test_rsvp_shows_the_online_link_and_withdraw(gess, staff, edition):
    ev = create_event(gess, staff.organizer, edition["slug"],
                      modes={"in_person": 1, "online": None})
    who = gess.user()
    b = _session(gess, who)
    page = f"/series-events/{ev['id']}"
    body = _get(b, gess, page)
    assert "meet.example.org" not in body
    assert 'name="mode" value="in_person"' in body and 'name="mode" value="online"' in body
    # a mode the form does not offer: the page again, 422, the message at the mode
    body = _html(b.post(gess.url(f"{page}/rsvp"), data={"csrf_token": _csrf(body),
                                                         "mode": "telepathy"},
                        allow_redirects=False), 422)
    assert 'aria-invalid="true"' in body and 'aria-describedby="sr-mode-error"' in body
    assert 'id="sr-mode-error"' in body
    assert gess.count("series_rsvps", "event_id = %s", (ev["id"],)) == 0
    r = _form(b, gess, page, f"{page}/rsvp", {"mode": "online"})
    assert r.headers["Location"] == f"{page}?notice=rsvp"
    body = _get(b, gess, page + "?notice=rsvp")
    text = _text(body)
    assert "Su asistencia quedó confirmada." in text and "Virtual" in text
    assert 'href="https://meet.example.org/dialogo-territorial"' in body
    assert f'action="{page}/rsvp"' not in body
    # someone else takes the one in-person place; a third sees it full
    other = gess.user()
    ob = _session(gess, other)
    _form(ob, gess, page, f"{page}/rsvp", {"mode": "in_person"})
    third = _session(gess, gess.user())
    body = _get(third, gess, page)
    assert re.search(r'value="in_person" required disabled', body), body
    # withdraw: the link goes with the RSVP
    r = _form(b, gess, page, f"{page}/withdraw")
    assert r.headers["Location"] == f"{page}?notice=withdrawn"
    body = _get(b, gess, page + "?notice=withdrawn")
    assert "Su confirmación se retiró." in _text(body)
    assert "meet.example.org" not in body
    assert gess.count("series_rsvps", "event_id = %s AND account_id = %s",
                      (ev["id"], who["account"]["id"])) == 0
    # anonymous: a sign-in link, no form
    anon = requests.Session()
    anon.headers.update(BROWSER)
    body = _get(anon, gess, page)
    assert f'href="/login?next={page}"' in body and 'name="mode"' not in body
