"""Mail end to end (issue 16, "Must hold"): real transactions write the outbox, a real
`gessd notify` delivers it to the aiosmtpd sink of smtphelp.py, and Python's email package
(policy=default) reads what arrived. Every kind of mail of README's Mail table reaches an
account of each language (es, en) in that language, with both alternatives, the Message-ID
of its outbox row, the person's name, the edition's .ics where the kind carries one and the
one-click unsubscribe headers on reminders only; verification and password reset work with the
tokens read from the mails received; a name and an event title with <, & and quotes are escaped
in the HTML part and intact in the text part; the List-Unsubscribe header received unsubscribes.

No outbox row is written by hand here: one module fixture builds the world through the API
(and `gessd remind`) once, with one notify running for the whole module."""
import datetime as dt
import email
import email.policy
import glob
import hashlib
import html
import os
import re
import urllib.parse
from zoneinfo import ZoneInfo

import icalendar
import pytest

import gesshelp as h
import pacthelp as ph
import practicehelp as xh
import smtphelp as s
from test_programme import at, mk_session, release

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LIMA = ZoneInfo("America/Lima")
LANGS = ("es", "en")
PUBLIC_URL = s.FAST["GESS_PUBLIC_URL"]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
REMINDER_KINDS = {"series_rsvp_reminder", "milestone_due_soon", "milestone_overdue",
                  "commitment_overdue"}
ICS_KINDS = {"registration_created", "registration_promoted", "registration_approved"}


def carries_ics(row):
    """The edition's .ics goes with the registration mails that leave a date to keep: not a
    waitlisted registration's (no seat yet: its promotion brings the file)."""
    return row["kind"] in ICS_KINDS and (row["payload"] or {}).get("status") != "waitlisted"
# A piece of each kind's subject in each language (web/mail/<kind>.<lang>.txt, first line).
SUBJECT = {
    "email_verification": ("Confirme su correo", "Confirm your email"),
    "password_reset": ("Restablezca su contraseña", "Reset your GESS password"),
    "registration_created": ("Inscripción", "Registration"),
    "registration_promoted": ("Se liberó un cupo", "A seat is yours"),
    "registration_approved": ("Inscripción aprobada", "Registration approved"),
    "registration_rejected": ("Su inscripción no fue aprobada", "was not approved"),
    "registration_cancelled": ("Inscripción anulada", "Registration cancelled"),
    "series_rsvp_confirmed": ("Rumbo al GESS", "Road to GESS"),
    "series_rsvp_reminder": ("Recordatorio", "Reminder"),
    "series_event_changed": ("Cambio en «", "Change to “"),
    "series_event_cancelled": ("Evento cancelado", "Event cancelled"),
    "session_changed": ("Cambio en el programa", "Programme change"),
    "practice_reviewed": ("Su buena práctica", "Your practice"),
    "milestone_due_soon": ("Recordatorio: el hito", "Reminder: the milestone"),
    "milestone_overdue": ("Hito vencido", "Milestone overdue"),
    "commitment_overdue": ("Compromiso vencido", "Commitment overdue"),
}
GREETING = {"es": "Hola, {}", "en": "Hello {},"}
HOSTILE_NAME = 'Ana <b>Quispe</b> & "Mamani"'
HOSTILE_TITLE = 'Webinar: agua & "territorio" <en línea>'
MID_RE = re.compile(r"^<([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@gess>$")


# --- the kinds gess documents ---------------------------------------------------------------

def readme_kinds():
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as fh:
        section = fh.read().split("\n## Mail\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", section, re.M))


def template_kinds():
    return {os.path.basename(p).split(".")[0]
            for p in glob.glob(os.path.join(REPO, "web", "mail", "[a-z]*.es.txt"))}


# --- reading what arrived -------------------------------------------------------------------

def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def parts(m):
    """(text, html) of a message: the two alternatives of its multipart/alternative."""
    [alt] = [p for p in m.walk() if p.get_content_type() == "multipart/alternative"]
    kinds = sorted(p.get_content_type() for p in alt.iter_parts())
    assert kinds == ["text/html", "text/plain"], kinds
    return m.get_body(("plain",)).get_content(), m.get_body(("html",)).get_content()


def html_norm(text):
    """An HTML part with its quote references in one spelling (&#34; is &quot;)."""
    return text.replace("&#34;", "&quot;").replace("&#x22;", "&quot;")


def esc(s_):
    return html.escape(s_, quote=False).replace('"', "&quot;")


def outbox_rows(gess, account_ids):
    rows = gess.sql("SELECT message_id::text, kind, account_id::text, payload, status FROM outbox"
                    " WHERE account_id = ANY(%s::uuid[])", (list(account_ids),))
    return {r[0]: {"kind": r[1], "account": r[2], "payload": r[3], "status": r[4]} for r in rows}


def settled(gess, account_ids):
    """True once no row due for these accounts is still pending (sent, or dropped)."""
    return gess.count("outbox", "account_id = ANY(%s::uuid[]) AND status = 'pending'"
                      " AND next_attempt_at <= now()", (list(account_ids),)) == 0


def wait_delivered(gess, sink, people):
    """Waits until every due row of people's accounts has left the outbox's pending state and
    the sink holds as many messages for them as rows were sent."""
    ids = [p["account"]["id"] for p in people]
    emails = {p["email"] for p in people}

    def done():
        if not settled(gess, ids):
            return False
        sent = gess.count("outbox", "account_id = ANY(%s::uuid[]) AND status = 'sent'", (ids,))
        with sink.lock:
            got = sum(1 for m in sink.messages if m[0].lower() in emails)
        return got >= sent
    s.wait_for(done, 40, "every due mail delivered")


def mail_of(gess, sink, account_id, kind, timeout=20):
    """The newest mail of that kind to the account, as received (found by its Message-ID)."""
    def got():
        rows = gess.sql("SELECT message_id::text FROM outbox WHERE account_id = %s AND kind = %s"
                        " ORDER BY id DESC LIMIT 1", (account_id, kind))
        return rows and sink.by_message_id(rows[0][0])
    raws = s.wait_for(got, timeout, f"the {kind} mail") and got()
    assert len(raws) == 1, f"{kind} delivered {len(raws)} times"
    return parse(raws[0])


def token_in(text, path):
    m = re.search(re.escape(PUBLIC_URL + path) + r"\?token=([A-Za-z0-9_-]{43})\b", text)
    assert m, f"no {path} link in:\n{text}"
    return m.group(1)


# --- the world --------------------------------------------------------------------------------

def _future(days, hour=18):
    d = dt.datetime.now(LIMA).date() + dt.timedelta(days=days)
    return dt.datetime(d.year, d.month, d.day, hour, 0, tzinfo=LIMA)


def create_event(gess, org, slug, start, title=HOSTILE_TITLE):
    body = {"title": title, "description": "Diálogo multiactor sobre el agua en Cajamarca.",
            "kind": "webinar", "format": "hybrid", "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "location": "Auditorio de la Cámara de Comercio, Cajamarca",
            "online_url": "https://meet.example.org/agua-territorio",
            "modes": {"in_person": 20, "online": None}}
    return h.assert_json(gess.req("POST", f"/v1/editions/{slug}/series-events",
                                  headers=org["headers"], json=body), 201)


def rsvp(gess, who, event_id, mode="online"):
    return h.assert_json(gess.req("POST", f"/v1/series-events/{event_id}/rsvp",
                                  headers=who["headers"], json={"mode": mode}), 201)


def patch_event_start(gess, org, event_id, start):
    return h.assert_json(gess.req("PATCH", f"/v1/series-events/{event_id}", headers=org["headers"],
                                  json={"starts_at": start.isoformat(),
                                        "ends_at": (start + dt.timedelta(hours=2)).isoformat()}),
                         200)


def soon():
    """A start within 24 h (so the RSVP reminder is due at once), on the minute."""
    return (h.now_utc() + dt.timedelta(hours=3)).replace(second=0)


class World:
    pass


@pytest.fixture(scope="module")
def world(gess, staff):
    gess.sql("DELETE FROM account_mail_attempts")  # the per-address mail limits unspent
    s.set_aside_pending(gess)  # what other modules left is not this module's mail
    sink = s.Sink()
    notify = s.start_notify(gess, sink, name="notify-e2e")
    w = World()
    w.sink, w.notify = sink, notify
    gess.mail_sink = sink  # sent tokens are read from the mails (conftest's mailed_token)
    org = w.org = staff.organizer
    ed = h.create_edition(gess, org)
    w.edition = ed
    slug = ed["slug"]
    h.create_category(gess, org, slug, code="libre", name="Libre", modes={"in_person": None})
    w.people = {}
    names = {"a": "Rosa Huamán Ccori", "b": "José Ñahui Quispe", "c": "María Pérez Ccori",
             "d": "Wilfredo Ccahuana", "e": HOSTILE_NAME, "p": "Carmen Ccori Flores",
             "k": "Fausto Mamani Apaza", "r": "Lucía Condori Ramos"}
    for lang in LANGS:
        people = {}
        for role, name in names.items():
            people[role] = gess.user(full_name=name, language=lang)
            assert people[role]["account"]["language"] == lang
        w.people[lang] = people
        cat = h.create_category(gess, org, slug, code="general" + lang, name="General",
                                modes={"in_person": 1})
        apr = h.create_category(gess, org, slug, code="dirigentes" + lang, name="Dirigentes",
                                requires_approval=True, modes={"in_person": 5})
        # registrations: confirmed, waitlisted, pending twice; a cancellation promotes the
        # waitlisted; one approved, one rejected
        ra = h.register_ok(gess, people["a"], slug, cat["code"], status="confirmed")
        h.register_ok(gess, people["b"], slug, cat["code"], status="waitlisted")
        rc = h.register_ok(gess, people["c"], slug, apr["code"], status="pending")
        rd = h.register_ok(gess, people["d"], slug, apr["code"], status="pending")
        assert gess.req("DELETE", f"/v1/registrations/{ra['id']}",
                        headers=people["a"]["headers"]).status_code == 204
        h.assert_json(gess.req("POST", f"/v1/registrations/{rc['id']}/approve",
                               headers=org["headers"], json={}), 200)
        h.assert_json(gess.req("POST", f"/v1/registrations/{rd['id']}/reject",
                               headers=org["headers"], json={"reason": "Cupo completo"}), 200)
        # a password reset
        r = gess.req("POST", "/v1/password-resets", json={"email": people["r"]["email"]})
        assert h.assert_json(r, 202) == {"status": "accepted"}
    # "Rumbo al GESS": an RSVP (confirmed), its event moved (changed), then cancelled; an event
    # within 24 h (its reminder due now); one in 30 h (its reminder waits: test_unsubscribe)
    far = create_event(gess, org, slug, _future(20))
    near = create_event(gess, org, slug, soon())
    later = create_event(gess, org, slug, h.now_utc() + dt.timedelta(hours=30),
                         title="Mesa técnica: monitoreo participativo")
    w.later = later
    for lang in LANGS:
        rsvp(gess, w.people[lang]["e"], far["id"])
        rsvp(gess, w.people[lang]["e"], near["id"], "in_person")
    rsvp(gess, w.people["en"]["e"], later["id"])
    patch_event_start(gess, org, far["id"], _future(22, 16))
    assert gess.req("DELETE", f"/v1/series-events/{far['id']}",
                    headers=org["headers"]).status_code == 204
    # the programme: a session in c's agenda, released, moved, released again
    sess = mk_session(gess, org, ed, title="Mesa temática: agua y territorio",
                      starts_at=at(ed, 0, "10:00"), ends_at=at(ed, 0, "11:30"))
    release(gess, org, ed, comment="Primera versión")
    for lang in LANGS:
        r = gess.req("PUT", f"/v1/me/agenda/{sess['id']}", headers=w.people[lang]["c"]["headers"])
        assert r.status_code == 204, r.text
    h.assert_json(gess.req("PATCH", f"/v1/sessions/{sess['id']}", headers=org["headers"],
                           json={"starts_at": at(ed, 0, "15:00"),
                                 "ends_at": at(ed, 0, "16:30")}), 200)
    release(gess, org, ed, comment="Segunda versión")
    # practices: rejected, then published
    cur = xh.curators(gess)[0]
    for lang in LANGS:
        p = w.people[lang]["p"]
        case = xh.create_case(gess, p)
        xh.submit(gess, p, case["id"])
        xh.review(gess, cur, case["id"], "rejected", "Falta la fuente de los resultados")
        h.assert_json(gess.req("PATCH", f"/v1/practices/{case['id']}", headers=p["headers"],
                               json={"results": "120 toneladas al año (informe 2026)."}), 200)
        xh.submit(gess, p, case["id"])
        xh.review(gess, cur, case["id"], "published")
    # pact reminders: the contacts of the responsible party, by `gessd remind`
    f = staff.followup
    orgn = ph.create_organization(gess, f)
    pact = ph.create_pact(gess, f, slug)
    ph.add_party(gess, f, pact["id"], orgn["id"], "responsible",
                 contacts=[w.people[lang]["k"]["account"]["id"] for lang in LANGS])
    c = ph.create_commitment(gess, f, pact["id"], responsible_organization_id=orgn["id"],
                             starts_on=ph.day(-300), due_on=ph.day(-2))
    ph.create_milestone(gess, f, c["id"], title="Primer informe", due_on=ph.day(5))
    w.late_milestone = ph.create_milestone(gess, f, c["id"], title="Taller de cierre",
                                           due_on=ph.day(-3))
    w.followup = f
    r = gess.cli(["remind"])
    assert r.returncode == 0, (r.stdout, r.stderr)
    w.everyone = [p for lang in LANGS for p in w.people[lang].values()]
    wait_delivered(gess, sink, w.everyone)
    yield w
    gess.mail_sink = None
    assert notify.stop() == 0, notify.log_text()[-3000:]
    sink.stop()


def received(gess, w):
    """[(lang, person, message, outbox row)] of every mail the world's people received."""
    rows = outbox_rows(gess, [p["account"]["id"] for p in w.everyone])
    out = []
    for lang in LANGS:
        for person in w.people[lang].values():
            for m in w.sink.parsed(person["email"]):
                mid = MID_RE.match(str(m["Message-ID"]))
                assert mid, m["Message-ID"]
                row = rows.get(mid.group(1))
                assert row is not None, f"{m['Message-ID']}: no outbox row"
                assert row["account"] == person["account"]["id"], (row, person["email"])
                assert row["status"] == "sent", row
                out.append((lang, person, m, row))
    return out


# --- 1. every kind, in the recipient's language ------------------------------------------------

def test_every_documented_kind_is_one_template_kind():
    assert readme_kinds() == template_kinds() == set(SUBJECT), (readme_kinds(), template_kinds())


def test_every_kind_arrives_in_each_language(gess, world):
    got = received(gess, world)
    for lang in LANGS:
        kinds = {row["kind"] for lg, _, _, row in got if lg == lang}
        assert kinds == readme_kinds() == template_kinds(), (lang, readme_kinds() ^ kinds)
        statuses = {row["payload"]["status"] for lg, _, _, row in got
                    if lg == lang and row["kind"] == "registration_created"}
        assert statuses == {"confirmed", "waitlisted", "pending"}, statuses
        decisions = {row["payload"]["decision"] for lg, _, _, row in got
                     if lg == lang and row["kind"] == "practice_reviewed"}
        assert decisions == {"published", "rejected"}, decisions
    # each mail once (notify is at least once, but nothing failed here)
    mids = [str(m["Message-ID"]) for _, _, m, _ in got]
    assert len(mids) == len(set(mids))


def test_each_mail_reads_right_in_its_language(gess, world):
    got = received(gess, world)
    assert got
    for lang, person, m, row in got:
        kind = row["kind"]
        where = f"{kind} to {person['email']} ({lang})"
        other = "en" if lang == "es" else "es"
        subject = str(m["Subject"])
        assert subject.strip() and "=?" not in subject and "{{" not in subject, where
        mine, theirs = SUBJECT[kind][LANGS.index(lang)], SUBJECT[kind][LANGS.index(other)]
        assert mine in subject, (where, subject)
        assert theirs not in subject, (where, subject)
        assert m["Date"] is not None and m["Date"].datetime is not None, where
        assert m["To"].addresses[0].addr_spec.lower() == person["email"], where
        text, page = parts(m)
        assert f'<html lang="{lang}">' in page and f'<html lang="{other}">' not in page, where
        name = person["account"]["full_name"]
        assert GREETING[lang].format(name) in text, (where, text[:300])
        assert GREETING[lang].format(esc(name)) in html_norm(page), (where, page[:800])
        assert "{{" not in text and "{{" not in page, where
        # the .ics: only with the registration mails that leave a date to keep
        cals = [p for p in m.walk() if p.get_content_type() == "text/calendar"]
        if carries_ics(row):
            assert len(cals) == 1, where
        else:
            assert cals == [], where
        # List-Unsubscribe: reminders only, with the account's own key
        if kind in REMINDER_KINDS:
            key = gess.sql("SELECT unsubscribe_key::text FROM accounts WHERE id = %s",
                           (person["account"]["id"],))[0][0]
            assert m["List-Unsubscribe"] == f"<{PUBLIC_URL}/v1/unsubscribe?token={key}>", where
            assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click", where
            assert f"{PUBLIC_URL}/v1/unsubscribe?token={key}" in text, where
            assert f"{PUBLIC_URL}/unsubscribe?token={key}" in text, where  # the page that asks
        else:
            assert "List-Unsubscribe" not in m and "List-Unsubscribe-Post" not in m, where


def test_registration_mails_carry_the_editions_ics(gess, world):
    ed = world.edition
    uids = []
    for _, person, m, row in received(gess, world):
        if not carries_ics(row):
            continue
        [att] = [p for p in m.iter_attachments() if p.get_content_type() == "text/calendar"]
        assert att.get_filename() == f"{ed['slug']}.ics"
        cal = icalendar.Calendar.from_ical(att.get_content())
        assert "METHOD" not in cal
        events = list(cal.walk("VEVENT"))
        assert len(events) == 1, events
        [ev] = events
        assert "ORGANIZER" not in ev
        start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
        # all-day: dates, not date-times; DTEND the day after the last (exclusive)
        assert type(start) is dt.date and type(end) is dt.date, (start, end)
        assert start == dt.date.fromisoformat(ed["starts_on"])
        assert end == dt.date.fromisoformat(ed["ends_on"]) + dt.timedelta(days=1)
        assert str(ev["SUMMARY"]) == ed["title"]
        uids.append(str(ev["UID"]))
    # created, promoted and approved, in both languages: one UID, the edition's
    assert len(uids) >= 2 * len(ICS_KINDS) + 2, uids
    assert set(uids) == {f"edition-{ed['slug']}@gess"}, set(uids)


# --- 3. a name and a title with <, & and quotes --------------------------------------------------

def test_name_and_title_escaped_in_html_and_intact_in_text(gess, world):
    seen = set()
    for lang, person, m, row in received(gess, world):
        if person["account"]["full_name"] != HOSTILE_NAME:
            continue
        text, page = parts(m)
        page_n = html_norm(page)
        assert HOSTILE_NAME in text, row["kind"]
        assert esc(HOSTILE_NAME) in page_n, row["kind"]
        assert "<b>Quispe</b>" not in page, row["kind"]
        assert '"Mamani"' not in page
        for ref in ("&lt;b&gt;", "&amp;", "&quot;Mamani&quot;"):
            assert ref in page_n, (row["kind"], ref)
        if row["kind"].startswith("series_") and row["payload"]["event"]["title"] == HOSTILE_TITLE:
            assert HOSTILE_TITLE in text and HOSTILE_TITLE in str(m["Subject"]), row["kind"]
            assert esc(HOSTILE_TITLE) in page_n, row["kind"]
            assert "<en línea>" not in page, row["kind"]
            seen.add((lang, row["kind"]))
    assert {k for _, k in seen} == {"series_rsvp_confirmed", "series_event_changed",
                                    "series_event_cancelled", "series_rsvp_reminder"}, seen
    assert {lg for lg, _ in seen} == set(LANGS)


# --- 2. verification and password reset through the mails received -----------------------------

def _fields(r):
    return h.error_fields(h.assert_problem(r, 422, "validation-failed"))


def _expire(gess, token):
    gess.sql("UPDATE account_tokens SET expires_at = now() - interval '1 second'"
             " WHERE token_hash = %s", (hashlib.sha256(token.encode()).digest(),))


def test_verification_through_the_mail(gess, world):
    gess.sql("DELETE FROM account_mail_attempts")
    slug = world.edition["slug"]
    body, acc = gess.signup(language="en", full_name="Pedro Quispe Huamán")
    token = gess.login(body["email"], body["password"])
    who = {"headers": h.bearer(token)}
    h.assert_problem(h.register(gess, who, slug, "libre"), 403, "email-unverified")
    m = mail_of(gess, world.sink, acc["id"], "email_verification")
    text, page = parts(m)
    tok = token_in(text, "/verify-email")
    assert f"{PUBLIC_URL}/verify-email?token={tok}" in html.unescape(page)
    got = h.assert_json(gess.req("POST", "/v1/email-verifications", json={"token": tok}), 200)
    assert got["email_verified"] is True and got["id"] == acc["id"]
    assert _fields(gess.req("POST", "/v1/email-verifications", json={"token": tok})) == ["token"]
    h.register_ok(gess, who, slug, "libre", status="confirmed")  # the same login token
    # an expired token is refused, and the address stays unverified
    _, late = gess.signup(language="es")
    tok2 = token_in(parts(mail_of(gess, world.sink, late["id"], "email_verification"))[0],
                    "/verify-email")
    _expire(gess, tok2)
    assert _fields(gess.req("POST", "/v1/email-verifications", json={"token": tok2})) == ["token"]
    assert gess.sql("SELECT email_verified_at FROM accounts WHERE id = %s",
                    (late["id"],))[0][0] is None


def test_password_reset_through_the_mail(gess, world):
    gess.sql("DELETE FROM account_mail_attempts")
    who = gess.user(language="es", full_name="Lucía Condori Ramos")
    second = gess.login(who["email"], who["password"])
    r = gess.req("POST", "/v1/password-resets", json={"email": who["email"]})
    assert h.assert_json(r, 202) == {"status": "accepted"}
    m = mail_of(gess, world.sink, who["account"]["id"], "password_reset")
    assert SUBJECT["password_reset"][0] in str(m["Subject"])
    text, page = parts(m)
    tok = token_in(text, "/reset-password")
    assert f"{PUBLIC_URL}/reset-password?token={tok}" in html.unescape(page)
    new = h.strong_password()
    r = gess.req("POST", "/v1/password-resets/confirm", json={"token": tok, "new_password": new})
    assert r.status_code == 204, r.text
    for t in (who["token"], second):  # every login token of the account revoked
        h.assert_problem(gess.req("GET", "/v1/me", headers=h.bearer(t)), 401, "unauthorized")
    h.assert_problem(gess.req("POST", "/v1/tokens", json={"email": who["email"],
                                                          "password": who["password"]}),
                     401, "invalid-credentials")
    fresh = gess.login(who["email"], new)
    h.assert_json(gess.req("GET", "/v1/me", headers=h.bearer(fresh)), 200)
    r = gess.req("POST", "/v1/password-resets/confirm",
                 json={"token": tok, "new_password": h.strong_password()})
    assert _fields(r) == ["token"]  # single use
    gess.login(who["email"], new)
    # an expired reset token is refused too
    r = gess.req("POST", "/v1/password-resets", json={"email": who["email"]})
    assert h.assert_json(r, 202) == {"status": "accepted"}
    tok2 = token_in(parts(mail_of(gess, world.sink, who["account"]["id"], "password_reset"))[0],
                    "/reset-password")
    assert tok2 != tok
    _expire(gess, tok2)
    r = gess.req("POST", "/v1/password-resets/confirm",
                 json={"token": tok2, "new_password": h.strong_password()})
    assert _fields(r) == ["token"]
    gess.login(who["email"], new)


def test_unknown_email_gets_the_same_202_and_no_mail(gess, world):
    gess.sql("DELETE FROM account_mail_attempts")
    nobody = h.unique_email("nobody")
    known = gess.user(language="en")
    r = gess.req("POST", "/v1/password-resets", json={"email": nobody})
    assert h.assert_json(r, 202) == {"status": "accepted"}
    # a reset asked after it, for an account that exists, arrives: by then the unknown
    # address's mail would have gone too (same priority, older)
    r2 = gess.req("POST", "/v1/password-resets", json={"email": known["email"]})
    assert h.assert_json(r2, 202) == h.assert_json(r, 202)
    mail_of(gess, world.sink, known["account"]["id"], "password_reset")
    assert world.sink.to(nobody) == []
    assert nobody not in world.sink.rcpt_attempts
    assert gess.count("outbox", "lower(to_email) = %s", (nobody,)) == 0


# --- 4. one-click unsubscribe through the header received -----------------------------------------

def test_one_click_unsubscribe_through_the_header(gess, world):
    person = world.people["en"]["e"]
    aid = person["account"]["id"]
    [m] = [x for x in world.sink.parsed(person["email"]) if "List-Unsubscribe" in x]
    link = re.fullmatch(r"<([^>]+)>", str(m["List-Unsubscribe"])).group(1)
    assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = urllib.parse.urlsplit(link)
    assert f"{url.scheme}://{url.netloc}" == PUBLIC_URL
    # what a mail client does (RFC 8058): POST to the link, the one-click body form-encoded
    r = gess.req("POST", f"{url.path}?{url.query}", headers=FORM,
                 data="List-Unsubscribe=One-Click")
    assert r.status_code == 204, r.text
    reminders_before = [x for x in world.sink.parsed(person["email"])
                        if "List-Unsubscribe" in x]
    # later reminders: a new RSVP to an event within 24 h writes none; the one already
    # waiting (the event in 30 h) moved to within 24 h is not sent either
    rsvp_soon = create_event(gess, world.org, world.edition["slug"], soon(), title="Visita")
    rsvp(gess, person, rsvp_soon["id"])
    patch_event_start(gess, world.org, world.later["id"], soon())
    # the confirmation and the change arrive (later mail than the reminders would be) ...
    mail_of(gess, world.sink, aid, "series_rsvp_confirmed")
    mail_of(gess, world.sink, aid, "series_event_changed")
    s.wait_for(lambda: settled(gess, [aid]), 30, "the account's due mail settled")
    # ... and no reminder
    after = [x for x in world.sink.parsed(person["email"]) if "List-Unsubscribe" in x]
    assert len(after) == len(reminders_before), [str(x["Subject"]) for x in after]
    assert gess.count("outbox", "account_id = %s AND kind = 'series_rsvp_reminder'"
                      " AND status = 'sent'", (aid,)) == len(reminders_before)
    # the reminder that was waiting went with the unsubscribe (no dead letter), the new
    # RSVP wrote none
    waiting = gess.sql("SELECT status, last_error FROM outbox WHERE account_id = %s"
                       " AND kind = 'series_rsvp_reminder' AND payload->'event'->>'id' = %s",
                       (aid, world.later["id"]))
    assert waiting == [], waiting
    assert gess.count("outbox", "account_id = %s AND kind = 'series_rsvp_reminder'"
                      " AND payload->'event'->>'id' = %s", (aid, rsvp_soon["id"])) == 0
    # the other language's reminder still went (only this account opted out)
    assert any("List-Unsubscribe" in x
               for x in world.sink.parsed(world.people["es"]["e"]["email"]))


def test_one_click_unsubscribe_stops_the_pact_reminders(gess, world):
    """A pact contact unsubscribes through the header of a milestone mail; the milestone is
    postponed, so `gessd remind` reminds again: the other contact's mail arrives (the bounded
    wait), this one's does not."""
    out, stays = world.people["en"]["k"], world.people["es"]["k"]
    [m] = [x for x in world.sink.parsed(out["email"])
           if "List-Unsubscribe" in x and "Milestone overdue" in str(x["Subject"])]
    url = urllib.parse.urlsplit(re.fullmatch(r"<([^>]+)>", str(m["List-Unsubscribe"])).group(1))
    r = gess.req("POST", f"{url.path}?{url.query}", headers=FORM,
                 data="List-Unsubscribe=One-Click")
    assert r.status_code == 204, r.text
    before = len(world.sink.to(out["email"]))
    ms = world.late_milestone
    h.assert_json(gess.req("PATCH", f"/v1/milestones/{ms['id']}",
                           headers=world.followup["headers"], json={"due_on": ph.day(7)}), 200)
    r = gess.cli(["remind"])
    assert r.returncode == 0, (r.stdout, r.stderr)

    def postponed_reminder(person):
        rows = gess.sql("SELECT message_id::text FROM outbox WHERE account_id = %s"
                        " AND kind = 'milestone_due_soon' AND payload->'milestone'->>'id' = %s",
                        (person["account"]["id"], ms["id"]))
        return [mid for (mid,) in rows]
    [mid] = postponed_reminder(stays)
    s.wait_for(lambda: world.sink.by_message_id(mid), 20, "the other contact's reminder")
    assert postponed_reminder(out) == []
    s.wait_for(lambda: settled(gess, [out["account"]["id"]]), 20, "nothing due for the contact")
    assert len(world.sink.to(out["email"])) == before
