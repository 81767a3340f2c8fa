"""`gessd demo`: the demo data set (GESS 2026 and its three pacts, GESS 2028), loaded
idempotently into a database of its own.

The demo never goes into the session database: it takes edition numbers 1 and 2 and the
slugs gess-2026/gess-2028, which other tests may use, and it adds pacts that tests counting
pacts globally would see. Each test here makes a fresh database in the session cluster
(as test_cli.py does) and drops it at the end."""
import re

import pytest
import requests

import gesshelp as h
import loghelp
from schemahelp import ScratchDb

DEMO_PACTS = 3
GESS_2028_SESSIONS = 14


class FreshDb(ScratchDb):
    def __init__(self, gess):
        super().__init__(gess, prefix="demo")

    # written by a gessd serving the database on its own (pact reminders, logins)
    SERVER_TABLES = ("outbox", "pact_reminders", "tokens", "login_attempts")

    def counts(self):
        """Row counts of every table in the public schema but SERVER_TABLES."""
        tables = [t for (t,) in self.sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            if t not in self.SERVER_TABLES]
        return {t: self.sql(f'SELECT count(*) FROM "{t}"')[0][0] for t in tables}


@pytest.fixture
def fresh(gess):
    db = FreshDb(gess)
    try:
        yield db
    finally:
        db.drop()


@pytest.fixture(scope="module")
def demo(gess):
    """A fresh database with the demo loaded once, and a gessd serving it."""
    db = FreshDb(gess)
    inst = None
    try:
        r = gess.cli(["demo"], db_url=db.url, timeout=120)
        assert r.returncode == 0, f"gessd demo failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
        inst = gess.spawn(env={"GESS_DATABASE_URL": db.url})
        yield {"db": db, "inst": inst, "first": r}
    finally:
        if inst is not None:
            inst.stop()
        db.drop()


def _get(demo, path, **kw):
    return h.call("GET", demo["inst"].base + path, **kw)


# --- loading -------------------------------------------------------------------------------------

def test_demo_migrates_loads_and_says_where_to_look(demo):
    r = demo["first"]
    # an unmigrated database: the demo migrated it first
    assert "applied 0013_baseline" in r.stdout
    assert re.search(r"loaded the demo data: 2 editions, .*\b3 pacts\b", r.stdout), r.stdout
    assert "/v1/editions/gess-2026/pacts/dashboard" in r.stdout
    for level in ("limited", "substantial", "no_evidence"):
        assert f"({level})" in r.stdout, r.stdout
    db = demo["db"]
    versions = [v for (v,) in db.sql("SELECT version FROM schema_migrations ORDER BY 1")]
    assert versions and all(re.fullmatch(r"\d{4}_[a-z0-9_]+", v) for v in versions), versions


def test_second_run_changes_nothing(gess, demo):
    db = demo["db"]
    before = db.counts()
    assert before["pacts"] == DEMO_PACTS and before["editions"] == 2
    # the programmes are in what is compared: one release per edition, their sessions
    assert before["schedule_releases"] == 2
    assert before["sessions"] >= 6 + GESS_2028_SESSIONS and before["session_speakers"] > 0
    r = gess.cli(["demo"], db_url=db.url, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "already loaded: nothing changed" in r.stdout, r.stdout
    assert "applied" not in r.stdout
    assert db.counts() == before
    assert db.sql("SELECT e.slug, r.version, r.comment FROM schedule_releases r"
                  " JOIN editions e ON e.id = r.edition_id ORDER BY 1") == [
        ("gess-2026", 1, "Programa final del GESS 2026"),
        ("gess-2028", 1, "Programa preliminar del GESS 2028")]
    # migrate does not take the demo SQL for a migration either
    m = gess.cli(["migrate"], db_url=db.url)
    assert m.returncode == 0 and m.stdout.strip() == "", m.stdout + m.stderr
    assert db.counts() == before


def test_two_runs_at_once_load_once(gess, fresh):
    # Two loaders race on an empty database: the advisory lock makes them take turns.
    import subprocess
    from conftest import clean_env
    env = clean_env({"GESS_DATABASE_URL": fresh.url})
    assert gess.cli(["migrate"], db_url=fresh.url).returncode == 0
    procs = [subprocess.Popen([gess.gessd, "demo"], env=env, cwd=gess.tmp, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [loghelp.non_json_lines(err) for _, err in outs] == [[], []], outs
    assert [p.returncode for p in procs] == [0, 0], outs
    said = sorted("nothing changed" in out for out, _ in outs)
    assert said == [False, True], outs
    c = fresh.counts()
    assert (c["editions"], c["pacts"], c["commitments"]) == (2, 3, 11)


# --- what it contains ------------------------------------------------------------------------------

def test_the_pacts_give_a_varied_picture(demo):
    db = demo["db"]
    rows = db.sql("""
        SELECT p.title, completion_level(pp.progress, pp.evidence)
          FROM pacts p JOIN editions e ON e.id = p.edition_id, pact_progress(p.id) pp
         WHERE e.slug = 'gess-2026' ORDER BY p.created_at, p.id""")
    assert len(rows) == DEMO_PACTS
    titles = " ".join(t for t, _ in rows).lower()
    for theme in ("financiamiento", "economía circular", "gestión social del territorio"):
        assert theme in titles, titles
    assert len({lvl for _, lvl in rows}) == DEMO_PACTS, rows  # three different levels

    # every party role, every measurement status, both directions, milestones done and late
    roles = {r for (r,) in db.sql("SELECT DISTINCT role FROM pact_parties")}
    assert roles == {"signatory", "responsible", "co_responsible", "verifier"}
    statuses = dict(db.sql("SELECT status, count(*) FROM measurements GROUP BY 1"))
    assert statuses["verified"] >= 8 and statuses["submitted"] >= 1 and statuses["rejected"] == 1
    assert db.sql("SELECT review_comment <> '' FROM measurements WHERE status = 'rejected'") == [(True,)]
    assert {d for (d,) in db.sql("SELECT DISTINCT direction FROM indicators")} == {"up", "down"}
    n_done, n_late = db.sql("""
        SELECT count(*) FILTER (WHERE done_on IS NOT NULL),
               count(*) FILTER (WHERE done_on IS NULL AND due_on < current_date)
          FROM milestones""")[0]
    assert n_done >= 3 and n_late >= 1
    # each commitment status with a reason but not_started
    assert db.sql("SELECT count(*) FROM commitments WHERE status <> 'not_started'"
                  " AND (status_reason = '' OR status_changed_at IS NULL)") == [(0,)]
    assert db.sql("SELECT count(*) FROM commitments WHERE parent_id IS NOT NULL")[0][0] >= 1

    # the audit trail has every pact row, recorded by nobody (the loader)
    inserts, updates, actors = db.sql(
        "SELECT count(*) FILTER (WHERE action = 'insert'),"
        "       count(*) FILTER (WHERE action = 'update'), count(actor_id) FROM pact_audit")[0]
    rows_made = sum(db.sql(f"SELECT count(*) FROM {t}")[0][0]
                    for t in ("pacts", "pact_parties", "pact_party_contacts", "commitments",
                              "commitment_co_responsibles", "indicators", "measurements",
                              "milestones"))
    moved = db.sql("SELECT count(*) FROM commitments WHERE status <> 'not_started'")[0][0]
    assert (inserts, updates, actors) == (rows_made, moved, 0)
    # the status changes carry their reasons into the history
    assert db.sql("SELECT count(*) FROM pact_audit WHERE action = 'update'"
                  " AND before ->> 'status' = 'not_started' AND after ->> 'status_reason' <> ''"
                  )[0][0] == moved

    # contacts exist but nobody can log in as them
    contacts = db.sql("SELECT DISTINCT a.email, a.password_hash FROM pact_party_contacts c"
                      " JOIN accounts a ON a.id = c.account_id")
    assert len(contacts) >= 5
    assert all(ph.startswith("$argon2id$") for _, ph in contacts)
    assert db.sql("SELECT count(*) FROM accounts WHERE roles <> '{}'") == [(0,)]


def test_editions_are_listed(demo):
    body = h.assert_json(_get(demo, "/v1/editions"), 200)
    by_slug = {e["slug"]: e for e in body["items"]}
    assert set(by_slug) == {"gess-2026", "gess-2028"}
    old, new = by_slug["gess-2026"], by_slug["gess-2028"]
    assert (old["number"], old["status"], old["registration_open"]) == (1, "closed", False)
    assert old["starts_on"].startswith("2026-08")
    assert (new["number"], new["status"], new["previous"]) == (2, "published", "gess-2026")
    assert new["registration_open"] is True
    cats = h.assert_json(_get(demo, "/v1/editions/gess-2028/categories"), 200)
    assert len(cats["items"] if isinstance(cats, dict) else cats) >= 2
    series = h.assert_json(_get(demo, "/v1/editions/gess-2028/series-events"), 200)
    assert {"webinar", "workshop"} <= {e["kind"] for e in series["items"]}
    assert "hybrid" in {e["format"] for e in series["items"]}
    sched = h.assert_json(_get(demo, "/v1/editions/gess-2026/schedule"), 200)
    assert len(sched["sessions"]) >= 5


def test_gess_2028_has_a_released_programme(demo):
    """The preliminary programme of GESS 2028: a dozen sessions and more over the edition's
    first two days (its own time zone), each in a room, in a track, with a speaker."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo
    r = _get(demo, "/v1/editions/gess-2028/schedule")
    body = h.assert_json(r, 200)
    assert r.headers.get("ETag")
    assert (body["version"], body["comment"]) == (1, "Programa preliminar del GESS 2028")
    ed = body["edition"]
    assert (ed["slug"], ed["timezone"]) == ("gess-2028", "America/Lima")
    starts_on, ends_on = date.fromisoformat(ed["starts_on"]), date.fromisoformat(ed["ends_on"])
    tz = ZoneInfo(ed["timezone"])

    sessions = body["sessions"]
    assert len(sessions) == GESS_2028_SESSIONS >= 12
    rooms = {x["id"]: x for x in body["rooms"]}
    tracks = {x["id"]: x for x in body["tracks"]}
    assert 3 <= len(rooms) <= 4 and all(x["capacity"] for x in rooms.values())
    assert 3 <= len(tracks) <= 4
    assert all(re.fullmatch(r"#[0-9a-f]{6}", x["color"]) for x in tracks.values())
    days = set()
    for s in sessions:
        assert s["room"] and s["room"]["id"] in rooms, s
        assert s["track"] and s["track"]["id"] in tracks, s
        assert s["speakers"] and all(sp["name"] and sp["organization"] for sp in s["speakers"]), s
        start = datetime.fromisoformat(s["starts_at"]).astimezone(tz)
        end = datetime.fromisoformat(s["ends_at"]).astimezone(tz)
        assert start < end and start.date() == end.date(), s
        assert starts_on <= start.date() <= ends_on, s
        days.add(start.date())
    # the first two days of the edition, both used
    assert sorted(days) == [date(2028, 8, 16), date(2028, 8, 17)] and min(days) == starts_on
    # plenaries, panels, mesas temáticas and workshops (with seats to reserve); three languages
    kinds = {s["kind"] for s in sessions}
    assert {"keynote", "panel", "mesa_tematica", "workshop"} <= kinds, kinds
    assert all(s["reservation_required"] and s["capacity"] for s in sessions
               if s["kind"] == "workshop")
    assert {s["language"] for s in sessions} == {"es", "en", "qu"}
    # every room and track in use; the review of the GESS 2026 pacts is part of it
    assert {s["room"]["id"] for s in sessions} == set(rooms)
    assert {s["track"]["id"] for s in sessions} == set(tracks)
    assert "Revisión pública de los pactos del GESS 2026" in {s["title"] for s in sessions}
    speakers = {sp["id"] for s in sessions for sp in s["speakers"]}
    assert 8 <= len(speakers) <= 10

    # the speakers are the demo's people: most from demo organizations, some with accounts
    db = demo["db"]
    linked, with_account, total = db.sql(
        "SELECT count(organization_id), count(account_id), count(*) FROM speakers"
        " WHERE edition_id = (SELECT id FROM editions WHERE slug = 'gess-2028')")[0]
    assert total == len(speakers) and linked == total and 0 < with_account < total
    # nobody is in two places at once, no room holds two sessions (the constraints
    # say so; this says the demo did not get round them)
    assert db.sql("""
        SELECT count(*) FROM sessions a JOIN sessions b
            ON a.id < b.id AND a.room_id = b.room_id AND a.during && b.during""") == [(0,)]
    assert db.sql("""
        SELECT count(*) FROM session_speakers a JOIN session_speakers b
            ON a.session_id < b.session_id AND a.speaker_id = b.speaker_id
           AND a.during && b.during""") == [(0,)]

    # the calendar has the same sessions
    ics = _get(demo, "/v1/editions/gess-2028/schedule", params={"format": "ics"})
    assert ics.status_code == 200
    assert ics.text.count("BEGIN:VEVENT") == GESS_2028_SESSIONS


def _indicators(commitments):
    for c in commitments:
        yield from c.get("indicators", [])
        yield from _indicators(c.get("sub_commitments", []))


def test_public_dashboard_shows_three_pacts(demo):
    r = _get(demo, "/v1/editions/gess-2026/pacts/dashboard")
    body = h.assert_json(r, 200)
    assert r.headers.get("ETag")
    pacts = body["pacts"]
    assert len(pacts) == DEMO_PACTS
    assert len({p["completion"] for p in pacts}) == DEMO_PACTS
    assert all(len(p["parties"]) >= 5 for p in pacts)
    assert body["totals"]["pacts"] == DEMO_PACTS
    assert body["totals"]["overdue"] >= 1
    # only verified values are public: the indicator with a verified 468 and a submitted
    # 530 shows 468; the one with only a submitted value (22) or a rejected one shows none
    latest = {i["name"]: i["latest"] for p in pacts for i in _indicators(p["commitments"])}
    assert len(latest) == 10
    assert latest["Hogares con agua potable continua"]["value"] == 468
    assert latest["Líderes comunitarios formados"] is None
    assert latest["Ingreso mensual promedio de las familias socias de los bionegocios"] is None
    # the public pact list agrees
    lst = h.assert_json(_get(demo, "/v1/editions/gess-2026/pacts"), 200)
    assert len(lst["items"]) == DEMO_PACTS


def test_pact_review_at_the_next_edition(gess, demo):
    email, pw = h.unique_email("demo-admin"), h.strong_password()
    r = gess.cli(["admin", "create", "--email", email, "--name", "Admin Demo"],
                 input=pw + "\n", db_url=demo["db"].url)
    assert r.returncode == 0, r.stderr
    base = demo["inst"].base
    tok = h.assert_json(requests.post(base + "/v1/tokens", json={"email": email, "password": pw},
                                      timeout=10), 201)["token"]
    r = _get(demo, "/v1/editions/gess-2028/pact-review", headers=h.bearer(tok))
    body = h.assert_json(r, 200)
    assert body["previous"]["slug"] == "gess-2026"
    assert len(body["pacts"]) == DEMO_PACTS
    # nothing was verified by the signing day; the status changes are there with reasons
    assert {p["at_signing"]["completion"] for p in body["pacts"]} == {"no_evidence"}
    changes = [s for p in body["pacts"] for c in p["commitments"]
               for s in c["changes"]["status_changes"]]
    assert changes and all(s["reason"] and s["from"] == "not_started" for s in changes)


# --- when not to load ---------------------------------------------------------------------------------

def test_if_empty_leaves_a_database_with_editions_alone(gess, fresh):
    assert gess.cli(["migrate"], db_url=fresh.url).returncode == 0
    fresh.sql("INSERT INTO editions (slug, number, title, starts_on, ends_on,"
              " registration_opens_at, registration_closes_at)"
              " VALUES ('propia-2030', 7, 'Propia', '2030-08-01', '2030-08-02', now(),"
              " now() + interval '1 day')")
    before = fresh.counts()
    r = gess.cli(["demo", "--if-empty"], db_url=fresh.url, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "not loaded" in r.stdout, r.stdout
    assert fresh.counts() == before


def test_if_empty_loads_an_empty_database(gess, fresh):
    r = gess.cli(["demo", "--if-empty"], db_url=fresh.url, timeout=120)
    assert r.returncode == 0, r.stderr
    assert fresh.counts()["pacts"] == DEMO_PACTS
    r = gess.cli(["demo", "--if-empty"], db_url=fresh.url, timeout=120)
    assert r.returncode == 0 and "nothing changed" in r.stdout, r.stdout + r.stderr


def test_clash_with_other_data_writes_nothing(gess, fresh):
    assert gess.cli(["migrate"], db_url=fresh.url).returncode == 0
    fresh.sql("INSERT INTO organizations (name, sector) VALUES ('MINERA ANDINA DEL SUR S.A.', 'private')")
    before = fresh.counts()
    r = gess.cli(["demo"], db_url=fresh.url, timeout=120)
    assert r.returncode == 1
    msgs = " ".join(loghelp.error_messages(r.stderr))
    assert "MINERA ANDINA DEL SUR S.A." in msgs and "nothing was loaded" in msgs, r.stderr
    assert "ERROR:" not in msgs
    assert fresh.counts() == before


def test_bad_usage(gess):
    r = gess.cli(["demo", "--everything"])
    assert r.returncode == 2 and "usage" in r.stderr
    r = gess.cli(["demo"], env={"GESS_DATABASE_URL": ""})
    assert r.returncode != 0 and "database_url" in " ".join(loghelp.error_messages(r.stderr))


def test_loading_while_serving_shows_at_once(gess, fresh):
    # A gessd already serving the database (cached answers included) sees the demo as soon
    # as it is loaded: the load's NOTIFYs drop the cached dashboard and schedule.
    assert gess.cli(["migrate"], db_url=fresh.url).returncode == 0
    inst = gess.spawn(env={"GESS_DATABASE_URL": fresh.url})
    try:
        for path in ("/v1/editions/gess-2026/pacts/dashboard", "/v1/editions/gess-2026/schedule"):
            h.assert_problem(h.call("GET", inst.base + path), 404, "not-found")
        r = gess.cli(["demo"], db_url=fresh.url, timeout=120)
        assert r.returncode == 0, r.stderr

        def shown():
            d = h.call("GET", inst.base + "/v1/editions/gess-2026/pacts/dashboard")
            s = h.call("GET", inst.base + "/v1/editions/gess-2026/schedule")
            return (d.status_code == 200 and len(d.json()["pacts"]) == DEMO_PACTS
                    and s.status_code == 200)
        h.wait_until(shown, 5, what="the demo on the serving gessd")
    finally:
        assert inst.stop() == 0


def test_the_repository_of_practices(demo):
    """A dozen published cases from the seed documents, two lessons, linked to the pacts, one
    adoption; a case's public read shows the progress of the pact it cites."""
    db = demo["db"]
    kinds = dict(db.sql("SELECT kind, count(*) FROM practices WHERE status = 'published'"
                        " GROUP BY 1"))
    assert kinds.get("lesson") == 2 and sum(kinds.values()) >= 10, kinds
    assert db.sql("SELECT count(*) FROM practices WHERE pact_id IS NULL")[0][0] <= 2
    case = h.assert_json(_get(demo, "/v1/practices/6e55de00-0018-4000-8000-000000000002"), 200)
    assert case["adopted_in"] == ["18"] and case["adoption_count"] == 1
    assert case["evidence"]["pact"]["id"] == "6e55de00-0012-4000-8000-000000000002"
    assert case["evidence"]["pact"]["completion"] in ("limited", "substantial", "no_evidence")
    assert [c["id"] for c in case["evidence"]["commitments"]] == \
        ["6e55de00-0014-4000-8000-000000000004"]
