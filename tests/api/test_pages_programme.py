"""Pages for people, part 1 (issue 18): the edition, the released programme
(by day and time, a track filter as a plain GET form, the .ics link), one
session, Rumbo al GESS and one series event. Real HTTP against gessd: status,
content type, the data shown in the edition's time zone, escaping, the
not-found page and English with ?lang=en. The data is made through the API."""
import datetime as dt
import html
import re
import uuid

import pytest

import gesshelp as h
from test_programme import at, mk_room, mk_session, mk_speaker, mk_track, release
from test_series import create_event, rsvp

DAYS_ES = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS_ES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
             "septiembre", "octubre", "noviembre", "diciembre"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
LIMIT = 60 * 1024


def day_label(d, lang="es"):
    if lang == "en":
        return f"{DAYS_EN[d.weekday()]} {d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    return f"{DAYS_ES[d.weekday()]} {d.day} de {MONTHS_ES[d.month - 1]} de {d.year}"


def page(gess, path, status=200, headers=None, **kw):
    """GET path as a browser does; the answer is HTML with status."""
    hdrs = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    hdrs.update(headers or {})
    r = gess.req("GET", path, headers=hdrs, **kw)
    assert r.status_code == status, (path, r.status_code, r.text[:500])
    assert r.headers["Content-Type"].startswith("text/html"), r.headers["Content-Type"]
    assert len(r.content) < LIMIT, (path, len(r.content))
    r.encoding = "utf-8"
    body = r.text
    assert not re.search(r"<[^>]+\sstyle\s*=", body), (path, "a style= attribute")
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", body), (path, "an inline event handler")
    for m in re.finditer(r"<script\b([^>]*)>", body):
        assert "src=" in m.group(1), (path, "an inline <script>")
    return body


def title_of(body):
    return html.unescape(re.search(r"<title>(.*?)</title>", body, re.S).group(1))


def text_of(body):
    """The page's text without tags, entities decoded, blanks collapsed (none
    around a dash between two times: <time>09:00</time>–<time>…)."""
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))
    return re.sub(r" ?– ?(?=\d)", "–", text)


def h1s(body):
    return re.findall(r"<h1[\s>]", body)


@pytest.fixture
def org(staff):
    return staff.organizer


@pytest.fixture
def programme(gess, org, edition):
    """An edition with two days of released sessions in two tracks."""
    ed = edition
    aud = mk_room(gess, org, ed, name="Auditorio Ñawpa", capacity=300)
    sala = mk_room(gess, org, ed, name="Sala Moquegua", capacity=60)
    gob = mk_track(gess, org, ed, name="Gobernanza territorial", color="#2e7d32")
    eco = mk_track(gess, org, ed, name="Economía circular", color="#b5651d")
    rosa = mk_speaker(gess, org, ed, name="Rosa Huamán Ccori", organization="RIMAY Moquegua")
    jose = mk_speaker(gess, org, ed, name="José Ñaupari", organization="Profonanpe")
    s = {
        "open": mk_session(gess, org, ed, title="Inauguración del congreso", kind="keynote",
                           room_id=aud["id"], starts_at=at(ed, 0, "09:00"),
                           ends_at=at(ed, 0, "10:00"), speaker_ids=[rosa["id"]]),
        "gob": mk_session(gess, org, ed, title="Diálogo y conflictos socioambientales",
                          track_id=gob["id"], room_id=sala["id"], starts_at=at(ed, 0, "11:00"),
                          ends_at=at(ed, 0, "12:30"), speaker_ids=[jose["id"], rosa["id"]],
                          capacity=40),
        "eco": mk_session(gess, org, ed, title="Madera plástica comunal", kind="workshop",
                          track_id=eco["id"], room_id=aud["id"], starts_at=at(ed, 0, "11:00"),
                          ends_at=at(ed, 0, "12:00")),
        "xss": mk_session(gess, org, ed, title="<script>x</script>", track_id=eco["id"],
                          room_id=sala["id"], starts_at=at(ed, 1, "15:30"),
                          ends_at=at(ed, 1, "16:30"),
                          abstract="Un <b>resumen</b> & más"),
    }
    release(gess, org, ed, "Primera versión")
    return {"ed": ed, "sessions": s, "tracks": {"gob": gob, "eco": eco},
            "rooms": {"aud": aud, "sala": sala}}


def test_edition_page(gess, org, edition):
    ed = edition
    h.create_category(gess, org, ed["slug"], name="Participante general",
                      modes={"in_person": 10, "online": None})
    body = page(gess, f"/editions/{ed['slug']}")
    assert len(h1s(body)) == 1
    assert title_of(body) == f"{ed['title']} · GESS"
    text = text_of(body)
    starts = dt.date.fromisoformat(ed["starts_on"])
    assert ed["title"] in text and ed["motto"] in text and ed["city"] in text
    assert ed["venue"] in text
    assert f"12–14 de mayo de {starts.year}" in text, text
    assert "Las inscripciones están abiertas" in text
    assert "Participante general" in text and "10 plazas libres de 10" in text, text
    assert "sin límite de plazas" in text
    for tail in ("programme", "rumbo", "pacts"):
        assert f'href="/editions/{ed["slug"]}/{tail}"' in body
    en = text_of(page(gess, f"/editions/{ed['slug']}?lang=en"))
    assert f"12–14 May {starts.year}" in en and "Registration is open until" in en, en
    assert "10 seats left of 10" in en


def test_programme_page_by_day_and_time(gess, programme):
    ed, s = programme["ed"], programme["sessions"]
    body = page(gess, f"/editions/{ed['slug']}/programme")
    assert len(h1s(body)) == 1
    assert title_of(body) == "Programa · GESS"
    text = text_of(body)
    d0 = dt.date.fromisoformat(ed["starts_on"])
    d1 = d0 + dt.timedelta(days=1)
    # a heading per day, in order, then a heading per time slot and a list of sessions
    days = re.findall(r"<h2[^>]*>(.*?)</h2>", body, re.S)
    assert [text_of(x).strip() for x in days] == [day_label(d0), day_label(d1)], days
    times = [text_of(x).strip() for x in re.findall(r"<h3[^>]*>(.*?)</h3>", body, re.S)]
    assert times == ["09:00", "11:00", "15:30"], times
    assert body.count('<ul class="pg-sessions">') == 3
    for key in ("open", "gob", "eco"):
        assert f'href="/sessions/{s[key]["id"]}"' in body
    assert "Inauguración del congreso" in text and "09:00–10:00" in text
    assert "Sala Moquegua" in text and "Auditorio Ñawpa" in text
    assert "Gobernanza territorial" in text and "Economía circular" in text
    assert "José Ñaupari (Profonanpe)" in text and "Rosa Huamán Ccori (RIMAY Moquegua)" in text
    # the slot at 11:00 holds both sessions, before the next day
    i11 = body.index(">11:00<")
    assert i11 < body.index("Diálogo y conflictos") < body.index(day_label(d1))
    assert i11 < body.index("Madera plástica comunal") < body.index(day_label(d1))
    # the .ics link and the filter form (plain GET, works without JavaScript)
    assert f'href="/v1/editions/{ed["slug"]}/schedule?format=ics"' in body
    assert re.search(r'<form[^>]*method="get"[^>]*action="/editions/' + ed["slug"]
                     + r'/programme"', body), body
    assert re.search(r'<label for="pg-track">', body) and 'name="track"' in body
    # the subscribed link works
    r = gess.req("GET", f"/v1/editions/{ed['slug']}/schedule?format=ics")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/calendar")


def test_programme_track_filter(gess, programme):
    ed, s, tracks = programme["ed"], programme["sessions"], programme["tracks"]
    base = f"/editions/{ed['slug']}/programme"
    body = page(gess, base, params={"track": tracks["gob"]["id"]})
    assert "Diálogo y conflictos socioambientales" in body
    for key in ("open", "eco", "xss"):
        assert s[key]["id"] not in body, key
    assert re.search(r'<option value="' + tracks["gob"]["id"] + r'" selected>', body), body
    assert f'href="{base}"' in body  # the way back to every track
    body = page(gess, base, params={"track": tracks["eco"]["id"]})
    assert "Madera plástica comunal" in body and s["xss"]["id"] in body
    assert s["gob"]["id"] not in body and s["open"]["id"] not in body
    # "All tracks" submits track= (empty): everything
    body = page(gess, base, params={"track": ""})
    assert all(x["id"] in body for x in s.values())
    # a track the release has not: no session, said so
    body = page(gess, base, params={"track": str(uuid.uuid4())})
    assert not any(x["id"] in body for x in s.values())
    assert "Ese eje no está en el programa" in text_of(body)


def test_programme_escapes_and_english(gess, programme):
    ed, s = programme["ed"], programme["sessions"]
    body = page(gess, f"/editions/{ed['slug']}/programme")
    assert "<script>x</script>" not in body
    assert "&lt;script&gt;x&lt;/script&gt;" in body
    one = page(gess, f"/sessions/{s['xss']['id']}")
    assert "<script>x</script>" not in one and "<b>resumen</b>" not in one
    assert "&lt;script&gt;x&lt;/script&gt;" in one and "&lt;b&gt;resumen&lt;/b&gt; &amp; más" in one
    en = page(gess, f"/editions/{ed['slug']}/programme?lang=en")
    d0 = dt.date.fromisoformat(ed["starts_on"])
    assert day_label(d0, "en") in text_of(en)
    assert "Subscribe to the programme" in en and "Track" in en
    assert 'lang="en"' in en


def test_session_page(gess, programme):
    ed, s = programme["ed"], programme["sessions"]
    body = page(gess, f"/sessions/{s['gob']['id']}")
    assert len(h1s(body)) == 1
    assert title_of(body) == "Diálogo y conflictos socioambientales · GESS"
    text = text_of(body)
    d0 = dt.date.fromisoformat(ed["starts_on"])
    assert "Diálogo y conflictos socioambientales" in text
    assert f"{day_label(d0)}, 11:00–12:30" in text, text
    assert "Sala Moquegua" in text and "Gobernanza territorial" in text
    assert "José Ñaupari" in text and "Rosa Huamán Ccori" in text
    assert "español" in text and "40 plazas" in text
    assert "Mesa temática sobre alianzas" in text  # the abstract
    assert f'href="/editions/{ed["slug"]}/programme"' in body
    en = text_of(page(gess, f"/sessions/{s['gob']['id']}?lang=en"))
    assert f"{day_label(d0, 'en')}, 11:00–12:30" in en and "Spanish" in en, en


def test_not_found_pages(gess, programme, org):
    for path in ("/editions/no-existe-nunca", "/editions/no-existe-nunca/programme",
                 "/editions/no-existe-nunca/rumbo", f"/sessions/{uuid.uuid4()}",
                 f"/series-events/{uuid.uuid4()}", "/sessions/not-a-uuid"):
        page(gess, path, status=404)
    # a draft edition is not public
    draft = h.create_edition(gess, org, status="draft")
    page(gess, f"/editions/{draft['slug']}", status=404)
    page(gess, f"/editions/{draft['slug']}/programme", status=404)
    # an edition without a release yet: the page says so
    ed = h.create_edition(gess, org)
    body = page(gess, f"/editions/{ed['slug']}/programme")
    assert "aún no se ha publicado" in text_of(body)
    # a session in the draft only is not public
    fresh = mk_session(gess, org, programme["ed"], title="Sesión aún en borrador",
                       starts_at=at(programme["ed"], 2, "09:00"),
                       ends_at=at(programme["ed"], 2, "10:00"))
    page(gess, f"/sessions/{fresh['id']}", status=404)


def test_rumbo_and_series_event(gess, org, edition):
    ed = edition
    soon = create_event(gess, org, ed["slug"], title="Webinar <i>pactos</i>", format="online",
                        modes={"online": None}, location=h.DROP,
                        online_url="https://meet.example.org/pactos-secreto")
    later = create_event(gess, org, ed["slug"], title="Visita de campo a Ccollpa",
                         kind="site_visit", format="in_person", modes={"in_person": 30},
                         location="Ccollpa, Apurímac", online_url=h.DROP,
                         starts_at="2099-05-20T08:00:00-05:00",
                         ends_at="2099-05-20T17:00:00-05:00")
    past = create_event(gess, org, ed["slug"], title="Lecciones del congreso anterior")
    gess.sql("UPDATE series_events SET starts_at = now() - interval '30 days',"
             " ends_at = now() - interval '30 days' + interval '2 hours' WHERE id = %s",
             (past["id"],))
    body = page(gess, f"/editions/{ed['slug']}/rumbo")
    assert len(h1s(body)) == 1
    assert title_of(body) == "Rumbo al GESS · GESS"
    text = text_of(body)
    # upcoming first (soonest first), then the past one
    assert (text.index("Webinar <i>pactos</i>") < text.index("Visita de campo a Ccollpa")
            < text.index("Eventos pasados") < text.index("Lecciones del congreso anterior"))
    assert "<i>pactos</i>" not in body and "&lt;i&gt;pactos&lt;/i&gt;" in body
    assert "Visita de campo" in text and "Presencial" in text and "Ccollpa, Apurímac" in text
    visit = dt.date(2099, 5, 20)
    assert f"{day_label(visit)}, 08:00–17:00" in text, text
    assert "meet.example.org" not in body
    en = text_of(page(gess, f"/editions/{ed['slug']}/rumbo?lang=en"))
    assert "Upcoming events" in en and f"{day_label(visit, 'en')}, 08:00" in en, en

    # one event: the online link only for whom the API shows it
    path = f"/series-events/{soon['id']}"
    anon = page(gess, path)
    assert "meet.example.org" not in anon
    assert title_of(anon) == "Webinar <i>pactos</i> · GESS"
    assert "<title>Webinar &lt;i&gt;pactos&lt;/i&gt; · GESS</title>" in anon
    assert "confirmaron su asistencia" in text_of(anon)
    holder = h.fast_users(gess, 1)[0]
    h.assert_json(rsvp(gess, holder, soon["id"], "online"), 201)
    mine = page(gess, path, headers=holder["headers"])
    assert 'href="https://meet.example.org/pactos-secreto"' in mine
    assert "meet.example.org" not in page(gess, path)
    one = text_of(page(gess, f"/series-events/{later['id']}?lang=en"))
    assert "Site visit" in one and "In person" in one and "30 left of 30" in one, one
    assert f"{day_label(visit, 'en')}, 08:00–17:00" in one, one


def test_nav_shortcuts_reach_these_pages(gess, edition):
    """The layout's /programme and /rumbo are 303s to the current edition's pages."""
    for tail in ("programme", "rumbo"):
        r = gess.req("GET", f"/{tail}", headers={"Accept": "text/html"}, allow_redirects=False)
        assert r.status_code == 303, (tail, r.status_code, r.text[:300])
        loc = r.headers["Location"]
        assert re.fullmatch(r"/editions/[a-z0-9-]+/" + tail, loc), loc
        body = page(gess, loc)
        assert len(h1s(body)) == 1
        assert re.search(r'<a href="/' + tail + r'" aria-current="page">', body), body[:2000]
