"""'Rumbo al GESS' series: events, RSVPs with capacity, the hidden online
link, recurring events in the edition's time zone, attendance, the
participation report, series_attended in the registration list and CSV,
the iCalendar list and bad input on every field."""
import calendar
import concurrent.futures as cf
import csv
import datetime as dt
import io
import uuid
from zoneinfo import ZoneInfo


import gesshelp as h
from icshelp import assert_ics_response, parse_ics

SERIES_TABLES = h.ISSUE3_TABLES + ["series_events", "series_event_modes", "series_rsvps",
                                   "series_attendance"]
LIMA = ZoneInfo("America/Lima")


def series_counts(gess):
    return h.row_counts(gess, SERIES_TABLES)


def future(days, hour=18, tz=LIMA):
    d = dt.datetime.now(tz).date() + dt.timedelta(days=days)
    return dt.datetime(d.year, d.month, d.day, hour, 0, tzinfo=tz)


def event_body(**overrides):
    start = future(20)
    body = {
        "title": "Webinar: diálogo territorial y gestión social",
        "description": "Experiencias de diálogo multiactor en Moquegua y Cajamarca, Perú.",
        "kind": "webinar",
        "format": "hybrid",
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
        "location": "Auditorio de la Cámara de Comercio, Cajamarca, Perú",
        "online_url": "https://meet.example.org/dialogo-territorial",
        "modes": {"in_person": 40, "online": None},
        "theme": "Gestión social",
        "partner_organizations": ["Profonanpe", "Comunidad de Aprendizaje de Moquegua"],
    }
    return h.with_overrides(body, overrides)


def create_event(gess, org, slug, **overrides):
    r = gess.req("POST", f"/v1/editions/{slug}/series-events", headers=org["headers"],
                 json=event_body(**overrides))
    return h.assert_json(r, 201)


def rsvp(gess, who, event_id, mode="in_person"):
    return gess.req("POST", f"/v1/series-events/{event_id}/rsvp",
                    headers=who["headers"] if who else None, json={"mode": mode})


# --- events and the hidden link ------------------------------------------------------------

def test_create_get_and_online_url_visibility(gess, organizer, edition):
    ev = create_event(gess, organizer, edition["slug"])
    assert ev["title"] == "Webinar: diálogo territorial y gestión social"
    assert ev["modes"] == {"in_person": 40, "online": None}
    assert ev["places_left"] == {"in_person": 40, "online": None}
    assert ev["online_url"] == "https://meet.example.org/dialogo-territorial"
    assert ev["status"] == "scheduled" and ev["edition"] == edition["slug"]
    assert ev["partner_organizations"] == ["Profonanpe", "Comunidad de Aprendizaje de Moquegua"]
    assert h.parse_instant(ev["starts_at"]) == h.parse_instant(event_body()["starts_at"])
    path = f"/v1/series-events/{ev['id']}"
    lst = f"/v1/editions/{edition['slug']}/series-events"
    holder, other = h.fast_users(gess, 2)

    def seen(who):
        one = h.assert_json(gess.req("GET", path, headers=who["headers"] if who else None), 200)
        page = h.assert_json(gess.req("GET", lst, headers=who["headers"] if who else None), 200)
        [item] = [i for i in page["items"] if i["id"] == ev["id"]]
        assert ("online_url" in one) == ("online_url" in item)
        assert one["title"] == item["title"] == ev["title"]
        return one

    assert "online_url" not in seen(None)
    assert "online_url" not in seen(other)
    assert seen(organizer)["online_url"] == ev["online_url"]
    r = rsvp(gess, holder, ev["id"], "online")
    got = h.assert_json(r, 201)
    assert got["mode"] == "online" and got["event"]["online_url"] == ev["online_url"]
    mine = seen(holder)
    assert mine["online_url"] == ev["online_url"] and mine["my_rsvp"]["mode"] == "online"
    assert "online_url" not in seen(other)
    assert "online_url" not in gess.req("GET", lst).text.replace("online_url\":null", "")
    assert "meet.example.org" not in gess.req("GET", lst).text
    assert "meet.example.org" not in gess.req("GET", lst + "?format=ics").text
    assert "meet.example.org" in gess.req("GET", lst + "?format=ics",
                                          headers=holder["headers"]).text


def test_draft_edition_hidden(gess, organizer):
    ed = h.create_edition(gess, organizer, status="draft")
    ev = create_event(gess, organizer, ed["slug"])
    u = h.fast_user(gess)
    for who in (None, u):
        hd = who["headers"] if who else None
        h.assert_problem(gess.req("GET", f"/v1/editions/{ed['slug']}/series-events", headers=hd),
                         404, "not-found")
        h.assert_problem(gess.req("GET", f"/v1/series-events/{ev['id']}", headers=hd), 404)
    h.assert_problem(rsvp(gess, u, ev["id"]), 404, "not-found")
    page = h.assert_json(gess.req("GET", f"/v1/editions/{ed['slug']}/series-events",
                                  headers=organizer["headers"]), 200)
    assert [i["id"] for i in page["items"]] == [ev["id"]]


def test_list_order_and_pages(gess, organizer, edition):
    ids = [create_event(gess, organizer, edition["slug"], title=f"Mesa temática {i}",
                        starts_at=future(30 - i).isoformat(),
                        ends_at=(future(30 - i) + dt.timedelta(hours=1)).isoformat())["id"]
           for i in range(5)]
    items, pages = h.walk_pages(gess, f"/v1/editions/{edition['slug']}/series-events", limit=2)
    assert [i["id"] for i in items] == ids[::-1]
    assert pages == 3


# --- RSVPs and capacity -------------------------------------------------------------------------

def test_rsvp_capacity_under_concurrency(gess, organizer, edition):
    ev = create_event(gess, organizer, edition["slug"], format="in_person",
                      modes={"in_person": 25}, online_url=h.DROP,
                      title="Visita de campo: Michiquillay")
    people = h.fast_users(gess, 200)
    before_outbox = gess.count("outbox", "kind = 'series_rsvp_reminder'")

    def one(u):
        r = rsvp(gess, u, ev["id"])
        return r.status_code, r

    with cf.ThreadPoolExecutor(max_workers=40) as pool:
        results = list(pool.map(one, people))
    codes = [c for c, _ in results]
    assert codes.count(201) == 25, {c: codes.count(c) for c in set(codes)}
    assert codes.count(409) == 175, {c: codes.count(c) for c in set(codes)}
    for c, r in results:
        if c == 409:
            assert h.assert_problem(r, 409, "event-full")["mode"] == "in_person"
    assert gess.count("series_rsvps", "event_id = %s", (ev["id"],)) == 25
    assert gess.sql("SELECT capacity, taken FROM series_event_modes WHERE event_id = %s",
                    (ev["id"],)) == [(25, 25)]
    assert gess.count("outbox", "kind = 'series_rsvp_reminder'") - before_outbox == 25
    got = h.assert_json(gess.req("GET", f"/v1/series-events/{ev['id']}"), 200)
    assert got["places_left"] == {"in_person": 0}


def test_rsvp_repeat_delete_and_closed(gess, organizer, edition):
    ev = create_event(gess, organizer, edition["slug"], modes={"in_person": 1, "online": 5})
    a, b = h.fast_users(gess, 2)
    first = h.assert_json(rsvp(gess, a, ev["id"]), 201)
    outbox = gess.sql("SELECT payload FROM outbox WHERE kind = 'series_rsvp_reminder'"
                      " AND account_id = %s", (a["account"]["id"],))
    assert len(outbox) == 1 and outbox[0][0]["event"]["id"] == ev["id"]
    again = h.assert_json(rsvp(gess, a, ev["id"]), 200)
    assert again["created_at"] == first["created_at"] and again["mode"] == "in_person"
    assert gess.count("outbox", "kind = 'series_rsvp_reminder' AND account_id = %s",
                      (a["account"]["id"],)) == 1
    h.assert_problem(rsvp(gess, b, ev["id"]), 409, "event-full")
    h.assert_json(rsvp(gess, b, ev["id"], "online"), 201)
    # DELETE frees the place: someone else can take it
    r = gess.req("DELETE", f"/v1/series-events/{ev['id']}/rsvp", headers=a["headers"])
    assert r.status_code == 204 and r.content == b""
    h.assert_problem(gess.req("DELETE", f"/v1/series-events/{ev['id']}/rsvp",
                              headers=a["headers"]), 404, "not-found")
    c = h.fast_user(gess)
    h.assert_json(rsvp(gess, c, ev["id"]), 201)
    assert gess.sql("SELECT mode, taken FROM series_event_modes WHERE event_id = %s"
                    " ORDER BY mode", (ev["id"],)) == [("in_person", 1), ("online", 1)]
    # a mode the event does not offer
    online = create_event(gess, organizer, edition["slug"], format="online", location=h.DROP,
                          modes={"online": None})
    body = h.assert_problem(rsvp(gess, a, online["id"], "in_person"), 422, "validation-failed")
    assert h.error_fields(body) == ["mode"]
    # started, and cancelled events are closed
    past = create_event(gess, organizer, edition["slug"],
                        starts_at=(h.now_utc() - dt.timedelta(hours=1)).isoformat(),
                        ends_at=(h.now_utc() + dt.timedelta(hours=1)).isoformat())
    h.assert_problem(rsvp(gess, a, past["id"]), 409, "event-closed")
    assert gess.req("DELETE", f"/v1/series-events/{online['id']}",
                    headers=organizer["headers"]).status_code == 204
    h.assert_problem(rsvp(gess, a, online["id"], "online"), 409, "event-closed")
    h.assert_problem(rsvp(gess, a, str(uuid.uuid4())), 404, "not-found")
    h.assert_problem(rsvp(gess, a, "no-es-uuid"), 404, "not-found")


def test_cancel_keeps_listed_and_tells_holders(gess, organizer, edition):
    ev = create_event(gess, organizer, edition["slug"], title="Taller de gestión social")
    people = h.fast_users(gess, 3)
    for u in people:
        h.assert_json(rsvp(gess, u, ev["id"]), 201)
    r = gess.req("DELETE", f"/v1/series-events/{ev['id']}", headers=organizer["headers"])
    assert r.status_code == 204
    rows = gess.sql("SELECT account_id::text, payload FROM outbox"
                    " WHERE kind = 'series_event_cancelled' AND payload->'event'->>'id' = %s",
                    (ev["id"],))
    assert sorted(a for a, _ in rows) == sorted(u["account"]["id"] for u in people)
    assert all(p["event"]["title"] == "Taller de gestión social" for _, p in rows)
    r = gess.req("DELETE", f"/v1/series-events/{ev['id']}", headers=organizer["headers"])
    assert r.status_code == 204
    assert gess.count("outbox", "kind = 'series_event_cancelled' AND payload->'event'->>'id' = %s",
                      (ev["id"],)) == 3
    page = h.assert_json(gess.req("GET", f"/v1/editions/{edition['slug']}/series-events"), 200)
    [item] = [i for i in page["items"] if i["id"] == ev["id"]]
    assert item["status"] == "cancelled"
    h.assert_problem(gess.req("PATCH", f"/v1/series-events/{ev['id']}",
                              headers=organizer["headers"], json={"title": "Otro"}),
                     409, "event-closed")


def test_patch(gess, organizer, edition):
    ev = create_event(gess, organizer, edition["slug"], modes={"in_person": 3, "online": None})
    a, b = h.fast_users(gess, 2)
    h.assert_json(rsvp(gess, a, ev["id"]), 201)
    h.assert_json(rsvp(gess, b, ev["id"]), 201)
    path = f"/v1/series-events/{ev['id']}"
    org = organizer["headers"]
    got = h.assert_json(gess.req("PATCH", path, headers=org,
                                 json={"title": "Conversatorio: diálogo territorial",
                                       "theme": None, "partner_organizations": ["GIZ"]}), 200)
    assert got["title"] == "Conversatorio: diálogo territorial" and got["theme"] == ""
    assert got["partner_organizations"] == ["GIZ"]
    assert got["kind"] == ev["kind"] and got["modes"] == ev["modes"]
    before = series_counts(gess)
    snapshot = gess.sql("SELECT title, sequence FROM series_events WHERE id = %s", (ev["id"],))
    cases = [
        ({"modes": {"in_person": 1, "online": None}}, ["modes.in_person"]),
        ({"format": "online"}, ["modes"]),
        ({"format": "online", "modes": {"online": 10}}, ["modes.in_person"]),
        ({"ends_at": ev["starts_at"]}, ["ends_at"]),
        ({"title": None, "kind": "fiesta", "starts_at": "mañana"}, ["title", "kind",
                                                                    "starts_at"]),
    ]
    for body, fields in cases:
        r = gess.req("PATCH", path, headers=org, json=body)
        got = h.assert_problem(r, 422, "validation-failed")
        assert sorted(h.error_fields(got)) == sorted(fields), (body, got)
    assert series_counts(gess) == before
    assert gess.sql("SELECT title, sequence FROM series_events WHERE id = %s",
                    (ev["id"],)) == snapshot
    got = h.assert_json(gess.req("PATCH", path, headers=org,
                                 json={"modes": {"in_person": 2, "online": 50}}), 200)
    assert got["places_left"] == {"in_person": 0, "online": 50}
    h.assert_problem(gess.req("PATCH", f"/v1/series-events/{uuid.uuid4()}", headers=org,
                              json={"title": "x"}), 404, "not-found")


# --- recurring events -------------------------------------------------------------------------

def nth_weekday(year, month, weekday, n):
    days = [d for d in calendar.Calendar().itermonthdates(year, month)
            if d.month == month and d.weekday() == weekday]
    return days[n - 1] if n > 0 else days[-1]


def add_months(y, m, k):
    m0 = m - 1 + k
    return y + m0 // 12, m0 % 12 + 1


def recurring(gess, org, slug, event, rule):
    return gess.req("POST", f"/v1/editions/{slug}/series-events/recurring",
                    headers=org["headers"], json={"event": event, "rule": rule})


def local(ev, tz=LIMA):
    s = h.parse_instant(ev["starts_at"]).astimezone(tz)
    e = h.parse_instant(ev["ends_at"]).astimezone(tz)
    return s, e


def test_recurring_first_thursday_monthly(gess, organizer, edition):
    year = dt.date.today().year + 1
    first = nth_weekday(year, 1, calendar.THURSDAY, 1)
    start = dt.datetime(first.year, first.month, first.day, 18, 0, tzinfo=LIMA)
    ev = event_body(title="Comunidad de práctica: reunión mensual", kind="meeting",
                    starts_at=start.isoformat(),
                    ends_at=(start + dt.timedelta(hours=1, minutes=30)).isoformat())
    got = h.assert_json(recurring(gess, organizer, edition["slug"], ev,
                                  {"freq": "monthly", "interval": 1, "by_weekday": "TH",
                                   "by_setpos": 1, "count": 6}), 201)
    assert got["count"] == 6 and len(got["items"]) == 6
    want = [nth_weekday(*add_months(year, 1, k), calendar.THURSDAY, 1) for k in range(6)]
    for item, day in zip(got["items"], want):
        s, e = local(item)
        assert s.date() == day and (s.hour, s.minute) == (18, 0), item["starts_at"]
        assert (e.hour, e.minute) == (19, 30) and e.date() == day
        assert s.weekday() == calendar.THURSDAY
        assert item["recurrence_id"] == got["recurrence_id"]
        assert item["title"] == ev["title"] and item["modes"] == ev["modes"]
    assert len({i["id"] for i in got["items"]}) == 6
    assert gess.count("series_events", "recurrence_id = %s", (got["recurrence_id"],)) == 6
    assert gess.count("series_event_modes m JOIN series_events e ON e.id = m.event_id",
                      "e.recurrence_id = %s", (got["recurrence_id"],)) == 12


def test_recurring_every_two_months_and_last_friday(gess, organizer, edition):
    year = dt.date.today().year + 1
    start = dt.datetime(year, 1, 31, 9, 30, tzinfo=LIMA)
    ev = event_body(title="Comunidad de Aprendizaje y Práctica en Gobernanza Minera — Moquegua",
                    kind="meeting", format="in_person", online_url=h.DROP,
                    modes={"in_person": 30}, location="Moquegua, Perú",
                    starts_at=start.isoformat(),
                    ends_at=(start + dt.timedelta(hours=3)).isoformat())
    got = h.assert_json(recurring(gess, organizer, edition["slug"], ev,
                                  {"freq": "monthly", "interval": 2, "count": 6}), 201)
    days = [local(i)[0] for i in got["items"]]
    # the 31st where the month has it, else the month's last day
    want = [dt.date(*add_months(year, 1, 2 * k), 1) for k in range(6)]
    want = [d.replace(day=min(31, calendar.monthrange(d.year, d.month)[1])) for d in want]
    assert [d.date() for d in days] == want
    assert all((d.hour, d.minute) == (9, 30) for d in days)
    # last Friday, every two months, until a date
    start = dt.datetime(year, 2, 1, 17, 0, tzinfo=LIMA)
    ev2 = dict(ev, starts_at=start.isoformat(),
               ends_at=(start + dt.timedelta(hours=2)).isoformat())
    got = h.assert_json(recurring(gess, organizer, edition["slug"], ev2,
                                  {"freq": "monthly", "interval": 2, "by_weekday": "FR",
                                   "by_setpos": -1, "until": f"{year}-09-30"}), 201)
    want = [nth_weekday(*add_months(year, 2, 2 * k), calendar.FRIDAY, -1) for k in range(4)]
    assert [local(i)[0].date() for i in got["items"]] == want


def test_recurring_weekly_and_wall_clock_across_dst(gess, organizer):
    ed = h.create_edition(gess, organizer, timezone="Europe/Madrid")
    madrid = ZoneInfo("Europe/Madrid")
    year = dt.date.today().year + 1
    # a Wednesday in early March, weekly on Thursdays for 6 weeks: crosses
    # the last Sunday of March (CET -> CEST) and keeps 18:00 local
    d = dt.date(year, 3, 4)
    start = dt.datetime(d.year, d.month, d.day, 18, 0, tzinfo=madrid)
    ev = event_body(starts_at=start.isoformat(),
                    ends_at=(start + dt.timedelta(hours=1)).isoformat())
    got = h.assert_json(recurring(gess, organizer, ed["slug"], ev,
                                  {"freq": "weekly", "by_weekday": "TH", "count": 6}), 201)
    starts = [local(i, madrid)[0] for i in got["items"]]
    assert all((s.hour, s.minute) == (18, 0) and s.weekday() == calendar.THURSDAY for s in starts)
    assert starts[0].date() >= d and starts[0].date() - d < dt.timedelta(days=7)
    assert all((b - a) == dt.timedelta(days=7)
               for a, b in zip([s.date() for s in starts], [s.date() for s in starts[1:]]))
    offsets = {h.parse_instant(i["starts_at"]).astimezone(madrid).utcoffset() for i in
               got["items"]}
    assert offsets == {dt.timedelta(hours=1), dt.timedelta(hours=2)}


def test_recurring_bad_input_writes_nothing(gess, organizer, edition):
    year = dt.date.today().year + 1
    good_rule = {"freq": "monthly", "by_weekday": "TH", "by_setpos": 1, "count": 3}
    cases = [
        ({"rule": {"freq": "daily", "count": 3}}, ["rule.freq"]),
        ({"rule": {"freq": "monthly", "interval": 0, "count": 3}}, ["rule.interval"]),
        ({"rule": {"freq": "monthly", "interval": 13, "count": 3}}, ["rule.interval"]),
        ({"rule": {"freq": "monthly", "by_weekday": "JU", "by_setpos": 1, "count": 3}},
         ["rule.by_weekday"]),
        ({"rule": {"freq": "monthly", "by_weekday": "TH", "by_setpos": 5, "count": 3}},
         ["rule.by_setpos"]),
        ({"rule": {"freq": "monthly", "by_weekday": "TH", "count": 3}}, ["rule.by_setpos"]),
        ({"rule": {"freq": "weekly", "by_weekday": "TH", "by_setpos": 1, "count": 3}},
         ["rule.by_setpos"]),
        ({"rule": {"freq": "monthly", "count": 53}}, ["rule.count"]),
        ({"rule": {"freq": "monthly", "count": 0}}, ["rule.count"]),
        ({"rule": {"freq": "monthly"}}, ["rule.count"]),
        ({"rule": {"freq": "monthly", "count": 2, "until": f"{year}-12-31"}}, ["rule.until"]),
        ({"rule": {"freq": "monthly", "until": "31/12/2027"}}, ["rule.until"]),
        ({"rule": {"freq": "weekly", "until": f"{year + 3}-12-31"}}, ["rule.until"]),
        ({"rule": {"freq": "weekly", "until": f"{year - 2}-12-31"}}, ["rule.until"]),
        ({"rule": "mensual"}, ["rule"]),
        ({"rule": None}, ["rule"]),
        ({"event": None}, ["event"]),
        ({"event": event_body(title="", kind="charla")}, ["event.title", "event.kind"]),
        ({"event": event_body(modes={"in_person": 5})}, ["event.modes.online"]),
    ]
    before = series_counts(gess)
    for over, fields in cases:
        body = {"event": event_body(starts_at=f"{year}-01-07T18:00:00-05:00",
                                    ends_at=f"{year}-01-07T19:00:00-05:00"),
                "rule": good_rule}
        body.update(over)
        r = gess.req("POST", f"/v1/editions/{edition['slug']}/series-events/recurring",
                     headers=organizer["headers"], json=body)
        got = h.assert_problem(r, 422, "validation-failed")
        assert sorted(h.error_fields(got)) == sorted(fields), (over, got)
    assert series_counts(gess) == before


# --- create: bad input on every field -----------------------------------------------------------

CREATE_CASES = [
    ({"title": h.DROP}, ["title"]),
    ({"title": ""}, ["title"]),
    ({"title": "x" * 201}, ["title"]),
    ({"title": 5}, ["title"]),
    ({"title": "línea\u0007"}, ["title"]),
    ({"description": "x" * 5001}, ["description"]),
    ({"description": ["a"]}, ["description"]),
    ({"description": "campana\u0007"}, ["description"]),
    ({"kind": h.DROP}, ["kind"]),
    ({"kind": "charla"}, ["kind"]),
    ({"format": h.DROP}, ["format", "modes.in_person", "modes.online"][:1]),
    ({"format": "presencial"}, ["format"]),
    ({"starts_at": h.DROP}, ["starts_at"]),
    ({"starts_at": "2027-01-07 18:00"}, ["starts_at"]),
    ({"ends_at": "2027-13-01T10:00:00Z"}, ["ends_at"]),
    ({"ends_at": h.DROP}, ["ends_at"]),
    ({"location": h.DROP}, ["location"]),
    ({"location": "x" * 301}, ["location"]),
    ({"online_url": "ftp://example.org/x"}, ["online_url"]),
    ({"online_url": "https://meet example.org"}, ["online_url"]),
    ({"online_url": "https://" + "x" * 500}, ["online_url"]),
    ({"modes": h.DROP}, ["modes"]),
    ({"modes": []}, ["modes"]),
    ({"modes": {}}, ["modes", "modes.in_person", "modes.online"]),
    ({"modes": {"in_person": -1, "online": None}}, ["modes.in_person"]),
    ({"modes": {"in_person": "40", "online": None}}, ["modes.in_person"]),
    ({"modes": {"in_person": 40, "online": None, "radio": 3}}, ["modes.radio"]),
    ({"modes": {"in_person": 40}}, ["modes.online"]),
    ({"format": "online", "location": h.DROP}, ["modes.in_person"]),
    ({"theme": "x" * 201}, ["theme"]),
    ({"partner_organizations": "Profonanpe"}, ["partner_organizations"]),
    ({"partner_organizations": ["Profonanpe", "Profonanpe"]}, ["partner_organizations[1]"]),
    ({"partner_organizations": ["", 3]}, ["partner_organizations[0]",
                                          "partner_organizations[1]"]),
    ({"partner_organizations": [f"Org {i}" for i in range(21)]}, ["partner_organizations"]),
]


def test_create_bad_input_every_field(gess, organizer, edition):
    start = future(10)
    before = series_counts(gess)
    for over, fields in CREATE_CASES:
        r = gess.req("POST", f"/v1/editions/{edition['slug']}/series-events",
                     headers=organizer["headers"], json=event_body(**over))
        got = h.assert_problem(r, 422, "validation-failed")
        assert sorted(h.error_fields(got)) == sorted(fields), (over, got)
    # ends before starts; every field at once
    r = gess.req("POST", f"/v1/editions/{edition['slug']}/series-events",
                 headers=organizer["headers"],
                 json=event_body(starts_at=start.isoformat(),
                                 ends_at=(start - dt.timedelta(hours=1)).isoformat()))
    assert h.error_fields(h.assert_problem(r, 422)) == ["ends_at"]
    r = gess.req("POST", f"/v1/editions/{edition['slug']}/series-events",
                 headers={**organizer["headers"], "Accept-Language": "es"},
                 json={"title": "", "description": 1, "kind": "x", "format": "x",
                       "starts_at": "x", "ends_at": "x", "location": 2, "online_url": "x",
                       "modes": 1, "theme": 3, "partner_organizations": 4})
    got = h.assert_problem(r, 422)
    assert set(h.error_fields(got)) == {"title", "description", "kind", "format", "starts_at",
                                        "ends_at", "location", "online_url", "modes", "theme",
                                        "partner_organizations"}
    assert any("debe" in e["message"] for e in got["errors"])
    assert series_counts(gess) == before
    h.assert_problem(gess.req("POST", "/v1/editions/no-existe/series-events",
                              headers=organizer["headers"], json=event_body()), 404)
    assert series_counts(gess) == before


def test_rsvp_and_attendance_bad_input(gess, organizer, edition):
    ev = create_event(gess, organizer, edition["slug"])
    online = create_event(gess, organizer, edition["slug"], format="online", location=h.DROP,
                          modes={"online": None})
    u = h.fast_user(gess)
    before = series_counts(gess)
    for body in ({}, {"mode": "virtual"}, {"mode": None}, {"mode": 1}):
        r = gess.req("POST", f"/v1/series-events/{ev['id']}/rsvp", headers=u["headers"],
                     json=body)
        assert h.error_fields(h.assert_problem(r, 422)) == ["mode"]
    path = f"/v1/series-events/{ev['id']}/attendance"
    cases = [
        ({"mode": "in_person"}, ["account_id"]),
        ({"account_id": "abc", "mode": "in_person"}, ["account_id"]),
        ({"account_id": "z" * 36, "mode": "in_person"}, ["account_id"]),
        ({"account_id": str(uuid.uuid4()), "mode": "in_person"}, ["account_id"]),
        ({"badge_code": "ABC", "mode": "in_person"}, ["badge_code"]),
        ({"badge_code": "IIIIIIIIII", "mode": "in_person"}, ["badge_code"]),
        ({"badge_code": "ABCDEFGHJK", "mode": "in_person"}, ["badge_code"]),
        ({"account_id": u["account"]["id"], "badge_code": "ABCDEFGHJK", "mode": "online"},
         ["badge_code"]),
        ({"account_id": u["account"]["id"]}, ["mode"]),
        ({"account_id": u["account"]["id"], "mode": "radio"}, ["mode"]),
        ({"account_id": 7, "mode": 7}, ["account_id", "mode"]),
    ]
    for body, fields in cases:
        r = gess.req("POST", path, headers=organizer["headers"], json=body)
        got = h.assert_problem(r, 422, "validation-failed")
        assert sorted(h.error_fields(got)) == sorted(fields), (body, got)
    r = gess.req("POST", f"/v1/series-events/{online['id']}/attendance",
                 headers=organizer["headers"],
                 json={"account_id": u["account"]["id"], "mode": "in_person"})
    assert h.error_fields(h.assert_problem(r, 422)) == ["mode"]
    assert series_counts(gess) == before


# --- attendance, participation, registration list ----------------------------------------------

def test_attendance_participation_and_registration_list(gess, organizer, edition):
    slug = edition["slug"]
    cat = h.create_category(gess, organizer, slug, modes={"in_person": 50})
    ana, luis, rosa = h.fast_users(gess, 3, full_name="Ana Ñahui Cárdenas")
    regs = {u["account"]["id"]: h.register_ok(gess, u, slug, cat["code"]) for u in (ana, luis)}
    past = h.now_utc() - dt.timedelta(days=3)
    evs = [create_event(gess, organizer, slug, title=f"Rumbo al GESS {i}",
                        starts_at=(past + dt.timedelta(hours=i)).isoformat(),
                        ends_at=(past + dt.timedelta(hours=i, minutes=50)).isoformat())
           for i in range(3)]
    org = organizer["headers"]

    def record(ev, body):
        return gess.req("POST", f"/v1/series-events/{ev['id']}/attendance", headers=org,
                        json=body)

    ana_id = ana["account"]["id"]
    got = h.assert_json(record(evs[0], {"account_id": ana_id, "mode": "in_person"}), 201)
    assert got["account"]["id"] == ana_id and got["via"] == "account"
    again = h.assert_json(record(evs[0], {"badge_code": regs[ana_id]["badge_code"],
                                          "mode": "online"}), 200)
    assert again["recorded_at"] == got["recorded_at"] and again["mode"] == "in_person"
    got = h.assert_json(record(evs[1], {"badge_code": regs[ana_id]["badge_code"],
                                        "mode": "online"}), 201)
    assert got["via"] == "badge" and got["badge_code"] == regs[ana_id]["badge_code"]
    h.assert_json(record(evs[2], {"account_id": ana_id, "mode": "in_person"}), 201)
    luis_id = luis["account"]["id"]
    h.assert_json(record(evs[2], {"badge_code": regs[luis_id]["badge_code"],
                                  "mode": "in_person"}), 201)
    rosa_id = rosa["account"]["id"]  # came without a congress registration
    h.assert_json(record(evs[1], {"account_id": rosa_id, "mode": "online"}), 201)
    # a badge of another edition is unknown here
    other = h.create_edition(gess, organizer)
    ocat = h.create_category(gess, organizer, other["slug"], modes={"in_person": 5})
    oreg = h.register_ok(gess, rosa, other["slug"], ocat["code"])
    r = record(evs[0], {"badge_code": oreg["badge_code"], "mode": "in_person"})
    assert h.error_fields(h.assert_problem(r, 422)) == ["badge_code"]

    lst = h.assert_json(gess.req("GET", f"/v1/series-events/{evs[2]['id']}/attendance",
                                 headers=org), 200)
    assert lst["counts"] == {"total": 2, "in_person": 2, "online": 0}
    assert sorted(i["account"]["id"] for i in lst["items"]) == sorted([ana_id, luis_id])

    rep = h.assert_json(gess.req("GET", f"/v1/editions/{slug}/series-participation",
                                 headers=org), 200)
    assert rep["events"] == 3 and rep["people"] == 3 and rep["attendances"] == 5
    by = {i["account"]["id"]: i for i in rep["items"]}
    assert by[ana_id]["attended"] == 3 and by[luis_id]["attended"] == 1
    assert by[rosa_id]["attended"] == 1
    assert rep["items"][0]["account"]["id"] == ana_id
    assert [e["id"] for e in by[ana_id]["events"]] == [e["id"] for e in evs]
    assert by[ana_id]["registered"] and not by[rosa_id]["registered"]
    assert [e["attended"] for e in rep["by_event"]] == [1, 2, 2]
    assert by[ana_id]["account"]["full_name"] == "Ana Ñahui Cárdenas"

    # the organizers' registration list and CSV
    items, _ = h.walk_pages(gess, f"/v1/editions/{slug}/registrations", headers=org)
    seen = {i["account"]["id"]: i["series_attended"] for i in items}
    assert seen == {ana_id: 3, luis_id: 1}
    r = gess.req("GET", f"/v1/editions/{slug}/registrations", headers=dict(org, Accept="text/csv"))
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content[3:].decode("utf-8"), newline="")))
    assert rows[0][-1] == "series_attended" and rows[0][-2] == "answers"
    col = rows[0].index("id")
    by_reg = {x[col]: x[-1] for x in rows[1:]}
    assert by_reg == {regs[ana_id]["id"]: "3", regs[luis_id]["id"]: "1"}
    # a cancelled event no longer counts
    assert gess.req("DELETE", f"/v1/series-events/{evs[0]['id']}", headers=org).status_code == 204
    items, _ = h.walk_pages(gess, f"/v1/editions/{slug}/registrations", headers=org)
    assert {i["account"]["id"]: i["series_attended"] for i in items}[ana_id] == 2
    h.assert_problem(record(evs[0], {"account_id": luis_id, "mode": "in_person"}), 409,
                     "event-closed")
    rep = h.assert_json(gess.req("GET", f"/v1/editions/{slug}/series-participation",
                                 headers=org), 200)
    assert rep["events"] == 2 and rep["attendances"] == 4


# --- iCalendar --------------------------------------------------------------------------------

def test_ics_list(gess, organizer):
    ed = h.create_edition(gess, organizer)
    a = create_event(gess, organizer, ed["slug"], title="Gestión social; diálogo, territorio",
                     location="Cajamarca, Perú", theme="Gestión social",
                     description="Línea 1\nLínea 2 — «Rumbo al GESS» " + "ñ" * 100)
    b = create_event(gess, organizer, ed["slug"], format="online", location=h.DROP,
                     modes={"online": None}, title="Webinar sobre diálogo territorial",
                     starts_at=future(40).isoformat(),
                     ends_at=(future(40) + dt.timedelta(hours=1)).isoformat())
    path = f"/v1/editions/{ed['slug']}/series-events?format=ics"
    r = gess.req("GET", path)
    events = assert_ics_response(r, tzid="America/Lima")
    assert len(events) == 2
    by_uid = {e["uid"]: e for e in events}
    assert set(by_uid) == {f"series-{a['id']}@gess.pe", f"series-{b['id']}@gess.pe"}
    ea = by_uid[f"series-{a['id']}@gess.pe"]
    assert ea["summary"] == "Gestión social; diálogo, territorio"
    assert ea["location"] == "Cajamarca, Perú"
    assert ea["description"].startswith("Línea 1\nLínea 2 — «Rumbo al GESS» ñ")
    assert ea["dtstart"] == h.parse_instant(a["starts_at"])
    assert ea["dtend"] == h.parse_instant(a["ends_at"])
    assert ea["status"] == "CONFIRMED" and ea["url"] is None
    assert ea["categories"] == ["Rumbo al GESS", "webinar", "Gestión social"]
    seq0 = ea["sequence"]
    # an organizer's calendar carries the link
    org_events = assert_ics_response(gess.req("GET", path, headers=organizer["headers"]))
    assert {e["uid"]: e["url"] for e in org_events}[ea["uid"]] == a["online_url"]
    # UIDs stay when an event changes; a cancelled event says so
    h.assert_json(gess.req("PATCH", f"/v1/series-events/{a['id']}", headers=organizer["headers"],
                           json={"title": "Gestión social (nueva fecha)"}), 200)
    assert gess.req("DELETE", f"/v1/series-events/{b['id']}",
                    headers=organizer["headers"]).status_code == 204
    again = {e["uid"]: e for e in parse_ics(gess.req("GET", path).content, tzid="America/Lima")}
    assert set(again) == set(by_uid)
    assert again[ea["uid"]]["summary"] == "Gestión social (nueva fecha)"
    assert again[ea["uid"]]["sequence"] > (seq0 or 0)
    assert again[f"series-{b['id']}@gess.pe"]["status"] == "CANCELLED"
    h.assert_problem(gess.req("GET", f"/v1/editions/{ed['slug']}/series-events?format=pdf"),
                     422, "validation-failed")


def test_erased_account_gives_its_place_back(gess, organizer, edition):
    ev = create_event(gess, organizer, edition["slug"], modes={"in_person": 2, "online": None})
    past = create_event(gess, organizer, edition["slug"],
                        starts_at=(h.now_utc() - dt.timedelta(days=1)).isoformat(),
                        ends_at=(h.now_utc() - dt.timedelta(hours=22)).isoformat())
    u = h.fast_user(gess)
    h.assert_json(rsvp(gess, u, ev["id"]), 201)
    h.assert_json(gess.req("POST", f"/v1/series-events/{past['id']}/attendance",
                           headers=organizer["headers"],
                           json={"account_id": u["account"]["id"], "mode": "online"}), 201)
    assert gess.req("DELETE", "/v1/me", headers=u["headers"]).status_code == 204
    assert gess.sql("SELECT taken FROM series_event_modes WHERE event_id = %s"
                    " AND mode = 'in_person'", (ev["id"],)) == [(0,)]
    assert gess.count("series_rsvps", "account_id = %s", (u["account"]["id"],)) == 0
    assert gess.count("series_attendance", "account_id = %s", (u["account"]["id"],)) == 0


def place_violations(gess):
    """series_event_modes rows whose taken is not their RSVP count, or over capacity."""
    return gess.sql("""
        SELECT m.event_id, m.mode, m.capacity, m.taken, count(s.account_id)
          FROM series_event_modes m
          LEFT JOIN series_rsvps s ON s.event_id = m.event_id AND s.mode = m.mode
         GROUP BY m.event_id, m.mode, m.capacity, m.taken
        HAVING m.taken <> count(s.account_id) OR (m.capacity IS NOT NULL AND m.taken > m.capacity)
    """)


def test_same_person_concurrent_rsvps_and_cancel_race(gess, organizer, edition):
    ev = create_event(gess, organizer, edition["slug"], modes={"in_person": 5, "online": None})
    u = h.fast_user(gess)
    with cf.ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(lambda _: rsvp(gess, u, ev["id"]).status_code, range(12)))
    assert codes.count(201) == 1 and codes.count(200) == 11, codes
    assert gess.count("series_rsvps", "event_id = %s", (ev["id"],)) == 1
    assert gess.count("outbox", "kind = 'series_rsvp_reminder' AND account_id = %s",
                      (u["account"]["id"],)) == 1
    # RSVPs racing a cancellation: whoever got a place is told it was cancelled
    ev = create_event(gess, organizer, edition["slug"], modes={"in_person": None,
                                                               "online": None})
    people = h.fast_users(gess, 60)

    def one(i):
        if i == 30:
            return gess.req("DELETE", f"/v1/series-events/{ev['id']}",
                            headers=organizer["headers"]).status_code
        return rsvp(gess, people[i], ev["id"], "online").status_code

    with cf.ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(one, range(60)))
    assert set(codes) <= {201, 204, 409}, codes
    holders = {r[0] for r in gess.sql("SELECT account_id::text FROM series_rsvps"
                                      " WHERE event_id = %s", (ev["id"],))}
    told = {r[0] for r in gess.sql("SELECT account_id::text FROM outbox WHERE kind ="
                                   " 'series_event_cancelled' AND payload->'event'->>'id' = %s",
                                   (ev["id"],))}
    assert holders == told and len(holders) == codes.count(201)
    assert place_violations(gess) == []


def test_export_lists_rsvps_and_attendance(gess, organizer, edition):
    """Ley 29733: the person's own export carries their series RSVPs and attendance."""
    u = h.fast_user(gess)
    ev = create_event(gess, organizer, edition["slug"], title="Reunión de la comunidad de práctica")
    assert rsvp(gess, u, ev["id"]).status_code == 201
    r = gess.req("POST", f"/v1/series-events/{ev['id']}/attendance", headers=organizer["headers"],
                 json={"account_id": u["account"]["id"], "mode": "in_person"})
    h.assert_json(r, 201)  # the first record of this attendance (200 is a repeat)
    ex = h.assert_json(gess.req("GET", "/v1/me/export", headers=u["headers"]), 200)
    assert [(x["event_id"], x["title"], x["mode"]) for x in ex["series_rsvps"]] == \
        [(ev["id"], "Reunión de la comunidad de práctica", "in_person")]
    assert [(x["event_id"], x["mode"]) for x in ex["series_attendance"]] == \
        [(ev["id"], "in_person")]
    assert ex["agenda"] == [] and ex["speaker_profiles"] == []
