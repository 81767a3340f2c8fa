"""Mail kinds (issue 16): every transaction that should reach a person writes its outbox row, in
the same transaction, with the payload the mail shows (read here with SQL), and a refused request
writes none; the mail templates of web/mail/ exist for every kind in Spanish and English, text and
HTML, in the shape services/mail expects, and reference only what the payloads hold.

Until the template engine (services/core/tmpl.c) is merged, the templates are rendered here by a
strict stand-in of its Mustache subset (MiniTemplate below): a tag naming a key the context lacks
fails, and a section on an empty string (which engines disagree on) fails too."""
import datetime as dt
import html
import html.parser
import os
import re
import uuid
from zoneinfo import ZoneInfo

import pytest

import gesshelp as h
import pacthelp as ph
import practicehelp as xh

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MAIL = os.path.join(REPO, "web", "mail")
LIMA = ZoneInfo("America/Lima")
LANGS = ("es", "en")
PUBLIC_URL = "http://127.0.0.1:8080"

REMINDER_KINDS = ("series_rsvp_reminder", "milestone_due_soon", "milestone_overdue",
                  "commitment_overdue")
# Every kind of mail gess writes (spec of issue 16, "Kinds and payloads"; followup.sql's three).
KINDS = ("email_verification", "password_reset", "registration_created",
         "registration_promoted", "registration_approved", "registration_rejected",
         "registration_cancelled", "series_rsvp_confirmed", "series_event_changed",
         "series_event_cancelled", "session_changed", "practice_reviewed") + REMINDER_KINDS
# The registration mails that say the edition's .ics is attached.
ICS_KINDS = ("registration_created", "registration_promoted", "registration_approved")


# --- reading the outbox ---------------------------------------------------------------------

def last_id(gess):
    return gess.sql("SELECT coalesce(max(id), 0) FROM outbox")[0][0]


def rows_since(gess, since, kind=None):
    """(kind, account id, payload) of the outbox rows written after id since, oldest first."""
    q = "SELECT kind, account_id::text, payload FROM outbox WHERE id > %s"
    args = [since]
    if kind is not None:
        q += " AND kind = %s"
        args.append(kind)
    return [tuple(r) for r in gess.sql(q + " ORDER BY id", args)]


def one_row(gess, since, kind, account):
    rows = [r for r in rows_since(gess, since) if r[1] == account]
    assert [r[0] for r in rows] == [kind], rows
    return rows[0][2]


def assert_nothing_since(gess, since, what):
    assert rows_since(gess, since) == [], f"{what} wrote outbox rows"


# --- the payloads as the spec gives them ----------------------------------------------------

def edition_of(ed):
    return {"slug": ed["slug"], "title": ed["title"], "starts_on": ed["starts_on"],
            "ends_on": ed["ends_on"], "timezone": ed["timezone"],
            "city": ed["city"] or None, "venue": ed["venue"] or None}


def registration_payload(reg, ed, cat, status=None, **extra):
    status = status or reg["status"]
    p = {"registration_id": reg["id"], "status": status, "status_is": {status: True},
         "badge_code": reg["badge_code"],
         "category": {"code": cat["code"], "name": cat["name"]},
         "mode": reg["mode"], "mode_is": {reg["mode"]: True}, "edition": edition_of(ed)}
    p.update(extra)
    return p


def local(instant, tz=LIMA):
    return h.parse_instant(instant).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def event_payload(ev):
    p = {"id": ev["id"], "edition": ev["edition"], "title": ev["title"],
         "starts_at": ev["starts_at"], "ends_at": ev["ends_at"], "format": ev["format"],
         "format_is": {ev["format"]: True}, "timezone": "America/Lima",
         "starts_local": local(ev["starts_at"]), "ends_local": local(ev["ends_at"])}
    if ev.get("location"):
        p["location"] = ev["location"]
    if ev.get("online_url"):
        p["online_url"] = ev["online_url"]
    return p


def same_instants(got, want):
    """got == want, comparing the RFC 3339 members as instants (PostgreSQL writes them in its
    own offset, gessd's answers in another)."""
    for k in ("starts_at", "ends_at", "remind_at"):
        if k in want:
            assert h.parse_instant(got[k]) == h.parse_instant(want[k]), (k, got[k], want[k])
    rest = {k: v for k, v in got.items() if k not in ("starts_at", "ends_at", "remind_at")}
    return rest == {k: v for k, v in want.items() if k not in ("starts_at", "ends_at",
                                                                 "remind_at")}


def rsvp_payload_ok(got, ev, mode, **extra):
    want_event = event_payload(ev)
    assert same_instants(got["event"], want_event), (got["event"], want_event)
    rest = {k: v for k, v in got.items() if k != "event"}
    want = {"mode": mode, "mode_is": {mode: True}}
    want.update(extra)
    return rest == want or (rest, want)


# --- registration ---------------------------------------------------------------------------

def _ed(gess, staff, **over):
    return h.create_edition(gess, staff.organizer, **over)


def test_registration_created_confirmed_pending_waitlisted(gess, staff):
    ed = _ed(gess, staff, venue="")  # an empty venue is null in the payload
    gen = h.create_category(gess, staff.organizer, ed["slug"], code="general",
                            name="Participante general", modes={"in_person": 1, "online": None})
    apr = h.create_category(gess, staff.organizer, ed["slug"], code="dirigentes",
                            name="Dirigentes comunales", requires_approval=True,
                            modes={"in_person": 5})
    a, b, c, d = h.fast_users(gess, 4)
    since = last_id(gess)
    ra = h.register_ok(gess, a, ed["slug"], "general", "in_person", status="confirmed")
    rb = h.register_ok(gess, b, ed["slug"], "general", "in_person", status="waitlisted")
    rc = h.register_ok(gess, c, ed["slug"], "dirigentes", "in_person", status="pending")
    rd = h.register_ok(gess, d, ed["slug"], "general", "online", status="confirmed")
    rows = rows_since(gess, since)
    assert [(k, acc) for k, acc, _ in rows] == [
        ("registration_created", u["account"]["id"]) for u in (a, b, c, d)]
    for (_, _, got), reg, cat in zip(rows, (ra, rb, rc, rd), (gen, gen, apr, gen)):
        assert got == registration_payload(reg, ed, cat), (got, reg)
        assert_shape("registration_created", got)
    assert rows[0][2]["edition"]["venue"] is None and rows[0][2]["edition"]["city"] == "Cajamarca"


def test_refused_registrations_write_nothing(gess, staff):
    ed = _ed(gess, staff)
    h.create_category(gess, staff.organizer, ed["slug"], code="general", modes={"in_person": 5})
    h.create_question(gess, staff.organizer, ed["slug"], code="cargo", required=True)
    closed = _ed(gess, staff, registration_opens_at=h.iso(h.now_utc() + dt.timedelta(days=3)))
    h.create_category(gess, staff.organizer, closed["slug"], code="general")
    u, v = h.fast_users(gess, 2)
    since = last_id(gess)
    h.assert_problem(h.register(gess, u, ed["slug"], "nope", answers={"cargo": "x"}), 422)
    h.assert_problem(h.register(gess, u, ed["slug"], "general", "hybrid",
                                answers={"cargo": "x"}), 422)
    h.assert_problem(h.register(gess, u, ed["slug"], "general"), 422)  # the required answer
    h.assert_problem(h.register(gess, u, closed["slug"], "general"), 409, "registration-closed")
    h.assert_problem(h.register(gess, u, "no-such-edition", "general"), 404, "not-found")
    h.assert_problem(h.register(gess, None, ed["slug"], "general"), 401, "unauthorized")
    assert_nothing_since(gess, since, "refused registrations")
    # one mail for the registration, none for the second attempt or the replay of its key
    reg = h.register_ok(gess, u, ed["slug"], "general", answers={"cargo": "Alcaldesa"},
                        key="k-1")
    since = last_id(gess)
    again = h.register(gess, u, ed["slug"], "general", answers={"cargo": "Alcaldesa"}, key="k-1")
    assert h.assert_json(again, 201)["id"] == reg["id"]
    h.assert_problem(h.register(gess, u, ed["slug"], "general", answers={"cargo": "Alcaldesa"}),
                     409, "already-registered")
    assert_nothing_since(gess, since, "a replay or a second registration")
    assert gess.count("outbox", "kind = 'registration_created' AND account_id = %s",
                      (u["account"]["id"],)) == 1
    assert gess.count("outbox", "account_id = %s", (v["account"]["id"],)) == 0


def test_cancel_writes_registration_cancelled_and_the_promotion(gess, staff):
    ed = _ed(gess, staff)
    cat = h.create_category(gess, staff.organizer, ed["slug"], code="general",
                            modes={"in_person": 1})
    a, b, c, other = h.fast_users(gess, 4)
    ra = h.register_ok(gess, a, ed["slug"], "general", status="confirmed")
    rb = h.register_ok(gess, b, ed["slug"], "general", status="waitlisted")
    rc = h.register_ok(gess, c, ed["slug"], "general", status="waitlisted")
    since = last_id(gess)
    # refused: someone else's, an unknown one
    h.assert_problem(gess.req("DELETE", f"/v1/registrations/{ra['id']}",
                              headers=other["headers"]), 404, "not-found")
    h.assert_problem(gess.req("DELETE", f"/v1/registrations/{uuid.uuid4()}",
                              headers=a["headers"]), 404, "not-found")
    assert_nothing_since(gess, since, "refused cancellations")
    # the registrant cancels: their mail, and b's promotion, in one transaction
    assert gess.req("DELETE", f"/v1/registrations/{ra['id']}",
                    headers=a["headers"]).status_code == 204
    rows = rows_since(gess, since)
    assert sorted((k, acc) for k, acc, _ in rows) == sorted([
        ("registration_cancelled", a["account"]["id"]),
        ("registration_promoted", b["account"]["id"])])
    got = {k: p for k, _, p in rows}
    assert got["registration_cancelled"] == registration_payload(
        ra, ed, cat, "cancelled", by_organizer=False)
    assert got["registration_promoted"] == registration_payload(rb, ed, cat, "confirmed")
    assert_shape("registration_cancelled", got["registration_cancelled"])
    assert_shape("registration_promoted", got["registration_promoted"])
    # again: 204, nothing more
    since = last_id(gess)
    assert gess.req("DELETE", f"/v1/registrations/{ra['id']}",
                    headers=a["headers"]).status_code == 204
    assert_nothing_since(gess, since, "a second cancellation")
    # an organizer cancels a waitlisted one: by_organizer, and nobody promoted
    assert gess.req("DELETE", f"/v1/registrations/{rc['id']}",
                    headers=staff.organizer["headers"]).status_code == 204
    assert one_row(gess, since, "registration_cancelled", c["account"]["id"]) == \
        registration_payload(rc, ed, cat, "cancelled", by_organizer=True)
    assert len(rows_since(gess, since)) == 1
    # a checked-in registration cannot be cancelled: 409, nothing written
    h.assert_json(gess.req("POST", f"/v1/editions/{ed['slug']}/checkins",
                           headers=staff.organizer["headers"],
                           json={"badge_code": rb["badge_code"]}), 200)
    since = last_id(gess)
    h.assert_problem(gess.req("DELETE", f"/v1/registrations/{rb['id']}",
                              headers=b["headers"]), 409, "invalid-state")
    assert_nothing_since(gess, since, "a refused cancellation of a checked-in registration")


def test_approve_and_reject_write_the_registration_payload(gess, staff):
    ed = _ed(gess, staff)
    cat = h.create_category(gess, staff.organizer, ed["slug"], code="apr", name="Con aprobación",
                            requires_approval=True, modes={"online": 1})
    org = staff.organizer["headers"]
    a, b, c = h.fast_users(gess, 3)
    ra = h.register_ok(gess, a, ed["slug"], "apr", "online", status="pending")
    rb = h.register_ok(gess, b, ed["slug"], "apr", "online", status="waitlisted")
    rc = h.register_ok(gess, c, ed["slug"], "apr", "online", status="waitlisted")
    since = last_id(gess)
    h.assert_problem(gess.req("POST", f"/v1/registrations/{rb['id']}/approve", headers=org,
                              json={}), 409, "invalid-state")
    h.assert_problem(gess.req("POST", f"/v1/registrations/{ra['id']}/approve",
                              headers=a["headers"], json={}), 403, "forbidden")
    assert_nothing_since(gess, since, "refused approvals")
    h.assert_json(gess.req("POST", f"/v1/registrations/{ra['id']}/approve", headers=org,
                           json={}), 200)
    got = one_row(gess, since, "registration_approved", a["account"]["id"])
    assert got == registration_payload(ra, ed, cat, "confirmed", reason=None)
    assert_shape("registration_approved", got)
    # rejecting the confirmed one: its mail with the reason, and b promoted to pending
    since = last_id(gess)
    h.assert_json(gess.req("POST", f"/v1/registrations/{ra['id']}/reject", headers=org,
                           json={"reason": "Cupo reservado para dirigentes"}), 200)
    rows = {k: (acc, p) for k, acc, p in rows_since(gess, since)}
    assert set(rows) == {"registration_rejected", "registration_promoted"}
    assert rows["registration_rejected"] == (a["account"]["id"], registration_payload(
        ra, ed, cat, "rejected", reason="Cupo reservado para dirigentes"))
    assert rows["registration_promoted"] == (b["account"]["id"],
                                             registration_payload(rb, ed, cat, "pending"))
    assert_shape("registration_rejected", rows["registration_rejected"][1])
    assert_shape("registration_promoted", rows["registration_promoted"][1])
    # an empty reason is no reason
    since = last_id(gess)
    h.assert_json(gess.req("POST", f"/v1/registrations/{rc['id']}/reject", headers=org,
                           json={"reason": ""}), 200)
    assert one_row(gess, since, "registration_rejected", c["account"]["id"])["reason"] is None
    since = last_id(gess)
    h.assert_problem(gess.req("POST", f"/v1/registrations/{ra['id']}/reject", headers=org,
                              json={}), 409, "invalid-state")
    assert_nothing_since(gess, since, "a second rejection")


# --- "Rumbo al GESS" --------------------------------------------------------------------------

def _future(days, hour=18):
    d = dt.datetime.now(LIMA).date() + dt.timedelta(days=days)
    return dt.datetime(d.year, d.month, d.day, hour, 0, tzinfo=LIMA)


def create_event(gess, org, slug, **overrides):
    start = _future(20)
    body = {"title": "Webinar: diálogo territorial & gestión \"social\" <en línea>",
            "description": "Experiencias de diálogo multiactor en Moquegua.",
            "kind": "webinar", "format": "hybrid", "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "location": "Auditorio de la Cámara de Comercio, Cajamarca",
            "online_url": "https://meet.example.org/dialogo-territorial",
            "modes": {"in_person": 2, "online": None}}
    body = h.with_overrides(body, overrides)
    return h.assert_json(gess.req("POST", f"/v1/editions/{slug}/series-events",
                                  headers=org["headers"], json=body), 201)


def rsvp(gess, who, event_id, mode="in_person"):
    return gess.req("POST", f"/v1/series-events/{event_id}/rsvp",
                    headers=who["headers"] if who else None, json={"mode": mode})


def patch_event(gess, org, event_id, body, status=200):
    r = gess.req("PATCH", f"/v1/series-events/{event_id}", headers=org["headers"], json=body)
    return h.assert_json(r, status) if status == 200 else h.assert_problem(r, status)


def test_rsvp_writes_confirmation_and_reminder(gess, organizer, edition):
    ev = create_event(gess, organizer, edition["slug"])
    quiet = create_event(gess, organizer, edition["slug"], format="in_person",
                         online_url=h.DROP, modes={"in_person": 1}, title="Visita de campo")
    a, b, c = h.fast_users(gess, 3)
    since = last_id(gess)
    h.assert_json(rsvp(gess, a, ev["id"], "online"), 201)
    rows = rows_since(gess, since)
    assert [(k, acc) for k, acc, _ in rows] == [("series_rsvp_confirmed", a["account"]["id"]),
                                                ("series_rsvp_reminder", a["account"]["id"])]
    confirmed, reminder = rows[0][2], rows[1][2]
    assert rsvp_payload_ok(confirmed, ev, "online") is True
    remind_at = (h.parse_instant(ev["starts_at"]) - dt.timedelta(days=1)).isoformat()
    assert h.parse_instant(reminder["remind_at"]) == h.parse_instant(remind_at)
    assert {k: v for k, v in reminder.items() if k != "remind_at"} == confirmed
    assert confirmed["event"]["online_url"] == ev["online_url"]
    assert_shape("series_rsvp_confirmed", confirmed)
    assert_shape("series_rsvp_reminder", reminder)
    # an event without an online link: no online_url key
    since = last_id(gess)
    h.assert_json(rsvp(gess, b, quiet["id"]), 201)
    [(_, who, got)] = rows_since(gess, since, "series_rsvp_confirmed")
    assert who == b["account"]["id"]
    assert "online_url" not in got["event"] and rsvp_payload_ok(got, quiet, "in_person") is True
    assert_shape("series_rsvp_confirmed", got)
    # refused or repeated: nothing
    since = last_id(gess)
    assert rsvp(gess, a, ev["id"], "online").status_code == 200  # the RSVP held
    h.assert_problem(rsvp(gess, c, quiet["id"]), 409, "event-full")  # refused for capacity
    h.assert_problem(rsvp(gess, c, ev["id"], "carrier_pigeon"), 422, "validation-failed")
    h.assert_problem(rsvp(gess, None, ev["id"]), 401, "unauthorized")
    h.assert_problem(rsvp(gess, c, str(uuid.uuid4())), 404, "not-found")
    assert gess.req("DELETE", f"/v1/series-events/{quiet['id']}",
                    headers=organizer["headers"]).status_code == 204
    since = last_id(gess)  # (the cancellation told b)
    h.assert_problem(rsvp(gess, c, quiet["id"]), 409, "event-closed")
    assert_nothing_since(gess, since, "refused RSVPs")


def test_event_changed_only_for_time_place_link_or_format(gess, organizer, edition):
    ev = create_event(gess, organizer, edition["slug"])
    a, b, nobody = h.fast_users(gess, 3)
    h.assert_json(rsvp(gess, a, ev["id"], "in_person"), 201)
    h.assert_json(rsvp(gess, b, ev["id"], "online"), 201)
    # words only: nobody is told
    since = last_id(gess)
    patch_event(gess, organizer, ev["id"], {"description": "Nuevo resumen", "title": "Webinar II",
                                            "theme": "Agua", "modes": {"in_person": 3,
                                                                       "online": None}})
    assert_nothing_since(gess, since, "a change of description, title, theme or capacity")
    # refused edits: nothing
    h.assert_problem(gess.req("PATCH", f"/v1/series-events/{ev['id']}",
                              headers=organizer["headers"],
                              json={"ends_at": _future(1).isoformat()}), 422)
    assert_nothing_since(gess, since, "a refused edit")
    # the time and the place move: each holder is told, with what moved and what it was
    new_start = _future(21, 16)
    now = patch_event(gess, organizer, ev["id"], {
        "starts_at": new_start.isoformat(),
        "ends_at": (new_start + dt.timedelta(hours=2)).isoformat(),
        "location": "Sala Yanacocha, Cajamarca"})
    rows = rows_since(gess, since)
    assert sorted((k, acc) for k, acc, _ in rows) == sorted(
        [("series_event_changed", a["account"]["id"]), ("series_event_changed", b["account"]["id"])])
    by = {acc: p for _, acc, p in rows}
    previous = {"starts_at": local(ev["starts_at"]), "ends_at": local(ev["ends_at"]),
                "location": ev["location"]}
    changed = {"starts_at": True, "ends_at": True, "location": True}
    assert rsvp_payload_ok(by[a["account"]["id"]], now, "in_person", changed=changed,
                           previous=previous) is True
    assert rsvp_payload_ok(by[b["account"]["id"]], now, "online", changed=changed,
                           previous=previous) is True
    assert by[a["account"]["id"]]["event"]["title"] == "Webinar II"
    assert_shape("series_event_changed", by[a["account"]["id"]])
    # the link goes: the mail names it as changed and the event has none any more
    since = last_id(gess)
    now = patch_event(gess, organizer, ev["id"], {"online_url": None})
    got = {acc: p for _, acc, p in rows_since(gess, since)}
    assert set(got) == {a["account"]["id"], b["account"]["id"]}
    assert got[b["account"]["id"]]["changed"] == {"online_url": True}
    assert got[b["account"]["id"]]["previous"] == {"online_url": ev["online_url"]}
    assert "online_url" not in got[b["account"]["id"]]["event"]
    assert_shape("series_event_changed", got[b["account"]["id"]])
    # a cancelled event cannot be edited: 409, nothing
    assert gess.req("DELETE", f"/v1/series-events/{ev['id']}",
                    headers=organizer["headers"]).status_code == 204
    since = last_id(gess)
    patch_event(gess, organizer, ev["id"], {"location": "Otra sala"}, status=409)
    assert_nothing_since(gess, since, "an edit of a cancelled event")
    assert gess.count("outbox", "account_id = %s", (nobody["account"]["id"],)) == 0


def test_event_cancelled_tells_each_holder_once(gess, organizer, edition):
    ev = create_event(gess, organizer, edition["slug"], format="online", location="",
                      modes={"online": None})
    a, b = h.fast_users(gess, 2)
    for u in (a, b):
        h.assert_json(rsvp(gess, u, ev["id"], "online"), 201)
    since = last_id(gess)
    assert gess.req("DELETE", f"/v1/series-events/{ev['id']}",
                    headers=organizer["headers"]).status_code == 204
    rows = rows_since(gess, since)
    assert sorted(acc for _, acc, _ in rows) == sorted(u["account"]["id"] for u in (a, b))
    for kind, _, p in rows:
        assert kind == "series_event_cancelled"
        assert rsvp_payload_ok(p, ev, "online") is True
        assert "location" not in p["event"]  # an empty place is no place
        assert_shape("series_event_cancelled", p)
    since = last_id(gess)
    assert gess.req("DELETE", f"/v1/series-events/{ev['id']}",
                    headers=organizer["headers"]).status_code == 204
    assert_nothing_since(gess, since, "a second cancellation")


# --- practices and pact reminders (existing kinds: their payloads still fit the templates) ----

def test_practice_reviewed_payload(gess):
    author = h.fast_user(gess)
    cur = xh.curators(gess)[0]
    case = xh.create_case(gess, author)
    xh.submit(gess, author, case["id"])
    since = last_id(gess)
    xh.review(gess, cur, case["id"], "rejected", "Falta la fuente de los resultados")
    got = one_row(gess, since, "practice_reviewed", author["account"]["id"])
    assert got == {"practice": {"id": case["id"], "title": case["title"]}, "revision": 1,
                   "decision": "rejected", "decision_is": {"rejected": True},
                   "comment": "Falta la fuente de los resultados"}
    assert_shape("practice_reviewed", got)
    h.assert_json(gess.req("PATCH", f"/v1/practices/{case['id']}", headers=author["headers"],
                           json={"results": "120 toneladas al año (informe 2026)."}), 200)
    xh.submit(gess, author, case["id"])
    since = last_id(gess)
    xh.review(gess, cur, case["id"], "published")
    got = one_row(gess, since, "practice_reviewed", author["account"]["id"])
    assert (got["decision_is"], got["comment"], got["revision"]) == ({"published": True}, None, 2)
    assert_shape("practice_reviewed", got)
    since = last_id(gess)
    xh.review(gess, cur, case["id"], "published", status=409)
    assert_nothing_since(gess, since, "a review without a submission")


def test_pact_reminders_payloads(gess, staff, edition):
    f = staff.followup
    contact = h.fast_user(gess)
    org = ph.create_organization(gess, f)
    pact = ph.create_pact(gess, f, edition["slug"])
    ph.add_party(gess, f, pact["id"], org["id"], "responsible",
                 contacts=[contact["account"]["id"]])
    c = ph.create_commitment(gess, f, pact["id"], responsible_organization_id=org["id"],
                             starts_on=ph.day(-300), due_on=ph.day(-2))
    soon = ph.create_milestone(gess, f, c["id"], title="Primer informe", due_on=ph.day(5))
    late = ph.create_milestone(gess, f, c["id"], title="Taller", due_on=ph.day(-3))
    since = last_id(gess)
    r = gess.cli(["remind"])
    assert r.returncode == 0, r.stderr
    rows = {k: p for k, acc, p in rows_since(gess, since) if acc == contact["account"]["id"]}
    assert set(rows) == {"milestone_due_soon", "milestone_overdue", "commitment_overdue"}
    base = {"edition": edition["slug"], "pact": {"id": pact["id"], "title": pact["title"]},
            "commitment": {"id": c["id"], "title": c["title"], "due_on": ph.day(-2)}}
    assert rows["commitment_overdue"] == dict(base, due_on=ph.day(-2), days=-2)
    assert rows["milestone_due_soon"] == dict(base, due_on=ph.day(5), days=5, milestone={
        "id": soon["id"], "title": "Primer informe", "due_on": ph.day(5)})
    assert rows["milestone_overdue"] == dict(base, due_on=ph.day(-3), days=-3, milestone={
        "id": late["id"], "title": "Taller", "due_on": ph.day(-3)})
    for k, p in rows.items():
        assert_shape(k, p)


# --- the template files ---------------------------------------------------------------------

def mail_files():
    return sorted(os.listdir(MAIL))


def test_every_kind_has_both_languages_and_both_parts():
    files = set(mail_files())
    want = {f"{k}.{lang}.{ext}" for k in KINDS for lang in LANGS for ext in ("txt", "html")}
    assert want - files == set(), "missing templates"
    name_re = re.compile(r"^(_?[a-z][a-z0-9_]*)\.(es|en)\.(txt|html)$")
    for f in files:
        m = name_re.match(f)
        assert m, f"{f}: not <kind>.<lang>.<ext> or _<partial>.<lang>.<ext>"
        if not f.startswith("_"):
            assert m.group(1) in KINDS, f"{f}: a template for no known kind"
        else:  # a partial exists in both languages, like what includes it
            other = "en" if m.group(2) == "es" else "es"
            assert f"{m.group(1)}.{other}.{m.group(3)}" in files, f


def read_mail(name):
    with open(os.path.join(MAIL, name), encoding="utf-8") as fh:
        return fh.read()


def test_text_templates_start_with_a_subject_then_a_blank_line():
    for f in mail_files():
        if f.endswith(".txt") and not f.startswith("_"):
            text = read_mail(f)
            first, sep, rest = text.partition("\n")
            assert first.startswith("Subject: ") and first[len("Subject: "):].strip(), f
            assert sep and rest.startswith("\n") and rest.strip(), \
                f"{f}: the subject line is not followed by a blank line and a body"
            assert "\r" not in text, f
            for i, line in enumerate(text.splitlines(), 1):
                assert len(line.encode()) <= 998, f"{f}:{i}: longer than 998 octets"


def test_html_templates_are_full_documents_without_style_or_script():
    for f in mail_files():
        if not f.endswith(".html"):
            continue
        src = read_mail(f)
        low = src.lower()
        assert not re.search(r"\sstyle\s*=", low), f"{f}: a style= attribute (the CSP forbids it)"
        assert "<script" not in low and "<style" not in low, f"{f}: script or style element"
        assert not re.search(r"\son[a-z]+\s*=", low), f"{f}: an event handler attribute"
        assert "<table" not in low, f"{f}: a layout table"
        if f.startswith("_"):
            continue
        lang = f.split(".")[1]
        assert src.startswith("<!DOCTYPE html>\n"), f
        assert f'<html lang="{lang}">' in src, f
        assert re.search(r"<title>[^<]+</title>", src), f
        assert '<meta charset="utf-8">' in src and "<main>" in src and "<h1>" in src, f
        assert "{{>header}}" in src and "{{>footer}}" in src, f


def test_template_files_are_clean_utf8_lines():
    for f in mail_files():
        with open(os.path.join(MAIL, f), "rb") as fh:
            raw = fh.read()
        text = raw.decode("utf-8")  # raises on anything else
        assert text.endswith("\n") and "\r" not in text and "\t" not in text, f
        assert not re.search(r"[ ]+\n", text), f"{f}: trailing whitespace"


def test_templates_parse_in_the_engine_subset():
    for f in mail_files():
        MiniTemplate(read_mail(f), f)  # raises on an unbalanced section, a raw tag, a bad name


# --- rendering with a strict stand-in of the engine ---------------------------------------------

class TemplateError(AssertionError):
    pass


MISSING = object()
NAME_RE = re.compile(r"^(\.|[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*)$")
OPTIONAL = {"edition_dates"}  # a helper string the C side computes; the templates fall back


class MiniTemplate:
    """The engine's subset: {{a.b}}, {{#x}}, {{^x}}, {{/x}}, {{>p}}, {{! c}}, {{.}}; no raw
    tags. Strict: a variable the context lacks is an error, and so is a section on ""."""
    TAG = re.compile(r"\{\{(.*?)\}\}", re.S)

    def __init__(self, src, name):
        self.name = name
        stack = [(None, [])]
        pos = 0
        for m in self.TAG.finditer(src):
            if m.start() > pos:
                stack[-1][1].append(src[pos:m.start()])
            pos = m.end()
            body = m.group(1)
            if body.startswith(("{", "&")):
                raise TemplateError(f"{name}: raw tag {{{{{body}}}}}")
            sigil, rest = body[:1], body[1:].strip()
            if sigil == "!":
                continue
            if sigil in "#^/>":
                if not NAME_RE.match(rest) or (sigil == ">" and "." in rest):
                    raise TemplateError(f"{name}: bad tag {{{{{body}}}}}")
                if sigil in "#^":
                    node = ["section", rest, sigil == "^", []]
                    stack[-1][1].append(node)
                    stack.append((rest, node[3]))
                elif sigil == "/":
                    if stack[-1][0] != rest:
                        raise TemplateError(f"{name}: {{{{/{rest}}}}} closes {stack[-1][0]!r}")
                    stack.pop()
                else:
                    stack[-1][1].append(("partial", rest))
            else:
                if not NAME_RE.match(body.strip()):
                    raise TemplateError(f"{name}: bad tag {{{{{body}}}}}")
                stack[-1][1].append(("var", body.strip()))
        if "{{" in src[pos:] or "}}" in src[pos:]:
            raise TemplateError(f"{name}: an unclosed tag")
        if pos < len(src):
            stack[-1][1].append(src[pos:])
        if len(stack) != 1:
            raise TemplateError(f"{name}: {{{{#{stack[-1][0]}}}}} is never closed")
        self.nodes = stack[0][1]


def lookup(stack, name):
    if name == ".":
        return stack[-1]
    parts = name.split(".")
    for ctx in reversed(stack):
        if isinstance(ctx, dict) and parts[0] in ctx:
            v = ctx[parts[0]]
            for p in parts[1:]:
                if not (isinstance(v, dict) and p in v):
                    return MISSING
                v = v[p]
            return v
    return MISSING


def render_nodes(nodes, stack, lang, ext, where):
    out = []
    for n in nodes:
        if isinstance(n, str):
            out.append(n)
        elif n[0] == "var":
            v = lookup(stack, n[1])
            if v is MISSING or v is None:
                if n[1] in OPTIONAL:
                    continue
                raise TemplateError(f"{where}: {{{{{n[1]}}}}} names nothing in the context")
            if isinstance(v, (dict, list, bool)):
                raise TemplateError(f"{where}: {{{{{n[1]}}}}} is not a string or number: {v!r}")
            out.append(html.escape(str(v)) if ext == "html" else str(v))
        elif n[0] == "partial":
            name = f"_{n[1]}.{lang}.{ext}"
            if not os.path.exists(os.path.join(MAIL, name)):
                raise TemplateError(f"{where}: partial {name} does not exist")
            out.append(render_nodes(MiniTemplate(read_mail(name), name).nodes, stack, lang,
                                    ext, f"{where} > {name}"))
        else:
            _, name, inverted, children = n
            v = lookup(stack, name)
            if v == "":
                raise TemplateError(f"{where}: section {name} on an empty string")
            falsy = v is MISSING or v is None or v is False or v == []
            if inverted:
                if falsy:
                    out.append(render_nodes(children, stack, lang, ext, where))
            elif not falsy:
                for item in (v if isinstance(v, list) else [v]):
                    out.append(render_nodes(children, stack + [item], lang, ext, where))
    return "".join(out)


def render(kind, lang, payload, full_name="Rosa Huamán Ccori", dates=True):
    """(subject, text, html) of one mail, as services/mail would build the context."""
    ctx = {"recipient": {"full_name": full_name, "email": "rosa@example.org", "language": lang},
           "public_url": PUBLIC_URL, "payload": payload}
    if kind in REMINDER_KINDS:
        key = str(uuid.uuid4())
        ctx["unsubscribe_url"] = PUBLIC_URL + "/v1/unsubscribe?token=" + key
        ctx["unsubscribe_page_url"] = PUBLIC_URL + "/unsubscribe?token=" + key  # as render.c
    if dates and "edition" in payload and isinstance(payload["edition"], dict):
        ctx["edition_dates"] = "12–14 de mayo de 2030" if lang == "es" else "12–14 May 2030"
    txt_name, html_name = f"{kind}.{lang}.txt", f"{kind}.{lang}.html"
    src = read_mail(txt_name)
    subject_src, _, body_src = src.partition("\n\n")
    subject = render_nodes(MiniTemplate(subject_src[len("Subject: "):], txt_name).nodes, [ctx],
                           lang, "txt", txt_name + " (subject)")
    text = render_nodes(MiniTemplate(body_src, txt_name).nodes, [ctx], lang, "txt", txt_name)
    page = render_nodes(MiniTemplate(read_mail(html_name), html_name).nodes, [ctx], lang, "html",
                        html_name)
    return subject, text, page


# --- sample payloads: one per shape the SQL writes (assert_shape ties them to the real rows) ---

def _reg(status="confirmed", mode="in_person", city="Cajamarca", venue="Centro de Convenciones",
         **extra):
    p = {"registration_id": str(uuid.uuid4()), "status": status, "status_is": {status: True},
         "badge_code": "K7M2P9QX4R", "category": {"code": "general", "name": "Participante general"},
         "mode": mode, "mode_is": {mode: True},
         "edition": {"slug": "gess-2030", "title": "GESS 2030", "starts_on": "2030-05-12",
                     "ends_on": "2030-05-14", "timezone": "America/Lima", "city": city,
                     "venue": venue}}
    p.update(extra)
    return p


def _event(location=True, online=True, fmt="hybrid"):
    e = {"id": str(uuid.uuid4()), "edition": "gess-2030",
         "title": "Webinar: diálogo territorial", "starts_at": "2030-01-10T23:00:00+00:00",
         "ends_at": "2030-01-11T01:00:00+00:00", "format": fmt, "format_is": {fmt: True},
         "timezone": "America/Lima", "starts_local": "2030-01-10 18:00",
         "ends_local": "2030-01-10 20:00"}
    if location:
        e["location"] = "Auditorio de la Cámara de Comercio, Cajamarca"
    if online:
        e["online_url"] = "https://meet.example.org/dialogo"
    return e


def _rsvp(mode="online", **kw):
    return {"event": _event(**kw), "mode": mode, "mode_is": {mode: True}}


def _pact(milestone=True, days=5):
    p = {"edition": "gess-2030", "pact": {"id": str(uuid.uuid4()), "title": "Pacto por el agua"},
         "commitment": {"id": str(uuid.uuid4()), "title": "Fondo concursable",
                        "due_on": "2030-12-31"},
         "due_on": "2030-06-30", "days": days}
    if milestone:
        p["milestone"] = {"id": str(uuid.uuid4()), "title": "Primer informe", "due_on": "2030-06-30"}
    return p


def _session(**change):
    p = {"edition": "gess-2030", "edition_title": "GESS 2030", "timezone": "America/Lima",
         "version": 3, "session_id": str(uuid.uuid4()), "title": "Mesa temática: agua",
         "change": change}
    if "moved" in change:
        p["moved_local"] = {"from": "2030-05-12 09:00", "to": "2030-05-12 12:00"}
    return p


ROOM = {"id": str(uuid.uuid4()), "name": "Sala Cumbe Mayo"}
SAMPLES = {
    "email_verification": [{"token": "tQ3Xbq9y1YbZ4x3W-ALb5Q0d8kS2mN7pR6uV1wE4cFg"}],
    "password_reset": [{"token": "tQ3Xbq9y1YbZ4x3W-ALb5Q0d8kS2mN7pR6uV1wE4cFg"}],
    "registration_created": [_reg(s, m) for s in ("confirmed", "pending", "waitlisted")
                             for m in ("in_person", "online")]
                            + [_reg(city=None, venue=None), _reg(venue=None)],
    "registration_promoted": [_reg("confirmed"), _reg("pending", "online")],
    "registration_approved": [_reg(reason=None), _reg(reason="Bienvenida, dirigenta")],
    "registration_rejected": [_reg("rejected", reason="Cupo reservado para dirigentes"),
                              _reg("rejected", reason=None)],
    "registration_cancelled": [_reg("cancelled", by_organizer=False),
                               _reg("cancelled", "online", by_organizer=True)],
    "series_rsvp_confirmed": [_rsvp(), _rsvp("in_person", online=False, fmt="in_person"),
                              _rsvp("online", location=False, fmt="online")],
    "series_rsvp_reminder": [dict(_rsvp(), remind_at="2030-01-09T23:00:00+00:00"),
                             dict(_rsvp("in_person", online=False, fmt="in_person"),
                                  remind_at="2030-01-09T23:00:00+00:00")],
    "series_event_cancelled": [_rsvp(), _rsvp("online", location=False, fmt="online"),
                               _rsvp("in_person", online=False, fmt="in_person")],
    "series_event_changed": [
        dict(_rsvp("in_person"), changed={"starts_at": True, "ends_at": True, "location": True},
             previous={"starts_at": "2030-01-09 18:00", "ends_at": "2030-01-09 20:00",
                       "location": "Sala 1"}),
        dict(_rsvp("online", online=False), changed={"online_url": True},
             previous={"online_url": "https://meet.example.org/old"}),
        dict(_rsvp("online", location=False, fmt="online"),
             changed={"location": True, "format": True}, previous={"format": "hybrid"})],
    "session_changed": [
        _session(moved={"from": {"starts_at": "2030-05-12T14:00:00+00:00",
                                 "ends_at": "2030-05-12T15:00:00+00:00", "room": ROOM},
                        "to": {"starts_at": "2030-05-12T17:00:00+00:00",
                               "ends_at": "2030-05-12T18:00:00+00:00", "room": None}}),
        _session(removed={}),
        _session(added={}),
        _session(speakers_changed={"added": ["José Ñahui Quispe"], "removed": []},
                 edited={"fields": ["title", "abstract"]}),
        _session(speakers_changed={"added": [], "removed": ["María Pérez", "Ana Ccori"]})],
    "practice_reviewed": [
        {"practice": {"id": str(uuid.uuid4()), "title": "Economía circular en Mala"},
         "revision": 2, "decision": d, "decision_is": {d: True}, "comment": c}
        for d in ("published", "rejected") for c in ("Cumple los criterios", None)],
    "milestone_due_soon": [_pact(days=5), _pact(days=0)],
    "milestone_overdue": [_pact(days=-3)],
    "commitment_overdue": [_pact(milestone=False, days=-2)],
}


def shape(v, key=None):
    """The structure of a payload: the keys of its objects (not of the *_is, changed and
    previous flag objects, whose keys are values), with every scalar alike."""
    if isinstance(v, dict):
        if key is not None and (key.endswith("_is") or key in ("changed", "previous")):
            return "flags"
        return {k: shape(x, k) for k, x in v.items()}
    if isinstance(v, list):
        return "list"
    return "scalar"


def assert_shape(kind, payload):
    """A payload the SQL wrote has the shape of one of the samples the templates render."""
    shapes = [shape(s) for s in SAMPLES[kind]]
    assert shape(payload) in shapes, f"{kind}: no sample has the shape of {payload}"


def test_every_kind_has_samples():
    assert set(SAMPLES) == set(KINDS)


class Structure(html.parser.HTMLParser):
    """Checks that a rendered HTML part nests its elements and links only where it may."""
    VOID = {"meta", "br", "hr", "img", "link", "input", "wbr"}

    def __init__(self, where):
        super().__init__(convert_charrefs=True)
        self.where, self.open, self.hrefs = where, [], []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            assert href.startswith((PUBLIC_URL + "/", "https://", "mailto:")), \
                f"{self.where}: link {href!r}"
            self.hrefs.append(href)
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"{self.where}: </{tag}> closes {self.open}"
        self.open.pop()

    def close(self):
        super().close()
        assert self.open == [], f"{self.where}: unclosed {self.open}"


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_in_both_languages(kind):
    for lang in LANGS:
        for i, payload in enumerate(SAMPLES[kind]):
            where = f"{kind}.{lang} sample {i}"
            subject, text, page = render(kind, lang, payload,
                                         full_name="Rosa <Huamán> & \"Ccori\"")
            assert subject.strip() and "\n" not in subject and "{{" not in subject, where
            assert "{{" not in text and "{{" not in page, where
            assert "Rosa <Huamán> & \"Ccori\"" in text, where
            assert "Rosa &lt;Huamán&gt; &amp; &quot;Ccori&quot;" in page, where
            assert "\n\n\n\n" not in text, f"{where}: a run of blank lines"
            parser = Structure(where)
            parser.feed(page)
            parser.close()
            assert f'<html lang="{lang}">' in page, where
            if kind in REMINDER_KINDS:
                unsub = lookup_unsub(text)
                assert unsub and unsub in page, f"{where}: no unsubscribe link"
            else:
                assert "/v1/unsubscribe" not in text + page, f"{where}: unsubscribe link"
            if kind.startswith("registration_"):
                assert payload["badge_code"] in text and payload["badge_code"] in page, where
                assert payload["edition"]["title"] in subject, where
            if kind in ICS_KINDS:
                assert ("12–14" in text) and ("12–14" in page), where
                # the .ics is said to be attached where it is: not to a waitlisted one
                with_ics = payload.get("status") != "waitlisted"
                assert (".ics" in text) == with_ics and (".ics" in page) == with_ics, where
            if kind in ("email_verification", "password_reset"):
                tok = payload["token"]
                path = "/verify-email" if kind == "email_verification" else "/reset-password"
                api = ("/v1/email-verifications" if kind == "email_verification"
                       else "/v1/password-resets/confirm")
                for part in (text, page):
                    assert f"{PUBLIC_URL}{path}?token={tok}" in part, where
                    assert f"POST {PUBLIC_URL}{api}" in part, where
                    assert part.count(tok) >= 3, where  # the link, the code, the API call
            if kind.startswith("series_"):
                ev = payload["event"]
                assert ev["starts_local"] in text and ev["title"] in subject, where
                if "online_url" in ev and kind != "series_event_cancelled":
                    assert ev["online_url"] in text and ev["online_url"] in page, where


def lookup_unsub(text):
    m = re.search(re.escape(PUBLIC_URL) + r"/v1/unsubscribe\?token=[0-9a-f-]+", text)
    return m.group(0) if m else None


def test_registration_created_says_what_the_status_means():
    words = {"es": {"confirmed": "está confirmada", "pending": "aprobación",
                    "waitlisted": "lista de espera"},
             "en": {"confirmed": "is confirmed", "pending": "approval",
                    "waitlisted": "waiting list"}}
    for lang in LANGS:
        for status, word in words[lang].items():
            subject, text, page = render("registration_created", lang, _reg(status))
            assert word in text and word in page, (lang, status)
            for other, w in words[lang].items():
                if other != status and w not in word:
                    assert w not in subject, (lang, status, subject)
    # without the C helper string the dates still show
    _, text, page = render("registration_created", "es", _reg(), dates=False)
    assert "2030-05-12 al 2030-05-14" in text and "2030-05-12 al 2030-05-14" in page


def test_practice_reviewed_says_the_decision():
    for lang, pub, rej in (("es", "fue publicada", "no fue publicada"),
                           ("en", "has been published", "was not published")):
        s1, _, _ = render("practice_reviewed", lang, SAMPLES["practice_reviewed"][0])
        s2, _, _ = render("practice_reviewed", lang, SAMPLES["practice_reviewed"][2])
        assert pub in s1 and rej not in s1 and rej in s2, (lang, s1, s2)


# --- the README's table names every kind ------------------------------------------------------

def test_readme_documents_every_kind():
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as fh:
        readme = fh.read()
    section = readme.split("\n## Mail\n", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([a-z_]+)` \|", section, re.M))
    assert listed == set(KINDS), (set(KINDS) - listed, listed - set(KINDS))


def test_rsvp_reminder_waits_moves_and_goes_with_the_rsvp(gess, organizer, edition):
    """The reminder is due a day before the event (not at once, beside the confirmation); a
    new start time moves it and its text; a cancelled RSVP or event takes it back unsent."""
    ev = create_event(gess, organizer, edition["slug"])
    other = create_event(gess, organizer, edition["slug"], title="Mesa técnica")
    a, b = h.fast_users(gess, 2)

    def reminders(event_id):
        return gess.sql("SELECT account_id::text, next_attempt_at, payload FROM outbox "
                        "WHERE kind = 'series_rsvp_reminder' AND status = 'pending' "
                        "AND payload -> 'event' ->> 'id' = %s ORDER BY id", (event_id,))

    for who in (a, b):
        h.assert_json(rsvp(gess, who, ev["id"]), 201)
    h.assert_json(rsvp(gess, a, other["id"]), 201)
    start = h.parse_instant(ev["starts_at"])
    [(_, due_a, _), (_, due_b, _)] = reminders(ev["id"])
    assert due_a == due_b == start - dt.timedelta(days=1)
    confirmed_due = gess.sql("SELECT next_attempt_at FROM outbox WHERE kind = "
                             "'series_rsvp_confirmed' ORDER BY id DESC LIMIT 1")[0][0]
    assert confirmed_due < due_a  # the confirmation goes now
    later = start + dt.timedelta(days=3)
    patch_event(gess, organizer, ev["id"], {"starts_at": later.isoformat(),
                                            "ends_at": (later + dt.timedelta(hours=2)).isoformat()})
    moved = reminders(ev["id"])
    assert [r[1] for r in moved] == [later - dt.timedelta(days=1)] * 2
    assert all(h.parse_instant(r[2]["event"]["starts_at"]) == later for r in moved)
    assert gess.req("DELETE", f"/v1/series-events/{ev['id']}/rsvp",
                    headers=b["headers"]).status_code == 204
    assert [r[0] for r in reminders(ev["id"])] == [a["account"]["id"]]
    assert gess.req("DELETE", f"/v1/series-events/{ev['id']}",
                    headers=organizer["headers"]).status_code == 204
    assert reminders(ev["id"]) == []
    assert len(reminders(other["id"])) == 1  # another event's reminder stays
