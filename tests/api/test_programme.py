"""The congress programme (issue 4): rooms, tracks, speakers, sessions with
no double booking, reservations that never exceed capacity, and personal
agendas read from the latest schedule release. Real PostgreSQL and gessd."""
import concurrent.futures as cf
import threading
import uuid

import pytest
import requests

import gesshelp as h

PROG_TABLES = ["rooms", "tracks", "speakers", "sessions", "session_speakers", "reservations",
               "agenda_items", "schedule_releases"]


# --- helpers (also used by test_programme_roles) ---------------------------------------------

def at(ed, day, hhmm):
    """An instant on day `day` (0 = starts_on) of the edition, Lima time (UTC-5 all year)."""
    assert ed["timezone"] == "America/Lima", ed
    y, m, d = (int(x) for x in ed["starts_on"].split("-"))
    return f"{y:04d}-{m:02d}-{d + day:02d}T{hhmm}:00-05:00"


def post(gess, who, path, body):
    return gess.req("POST", path, headers=who["headers"] if who else None, json=body)


def mk_room(gess, org, ed, **over):
    body = h.with_overrides({"name": "Sala " + h.letters(8), "capacity": 120,
                             "notes": "Segundo piso, ala norte"}, over)
    return h.assert_json(post(gess, org, f"/v1/editions/{ed['slug']}/rooms", body), 201)


def mk_track(gess, org, ed, **over):
    body = h.with_overrides({"name": "Eje " + h.letters(8), "color": "#2E7D32"}, over)
    return h.assert_json(post(gess, org, f"/v1/editions/{ed['slug']}/tracks", body), 201)


def mk_speaker(gess, org, ed, **over):
    body = h.with_overrides({"name": "Dra. Carmen Ccori " + h.letters(4),
                             "organization": "Profonanpe", "sector": "civil_society"}, over)
    return h.assert_json(post(gess, org, f"/v1/editions/{ed['slug']}/speakers", body), 201)


def session_body(ed, **over):
    body = {
        "title": "Diálogo y conflictos socioambientales",
        "abstract": "Mesa temática sobre alianzas con la minería y desarrollo sostenible "
                    "de las comunidades; «ñandú», acentos y comas, punto y coma;",
        "kind": "mesa_tematica",
        "starts_at": at(ed, 0, "10:00"),
        "ends_at": at(ed, 0, "11:30"),
        "language": "es",
    }
    return h.with_overrides(body, over)


def create_session(gess, org, ed, **over):
    return post(gess, org, f"/v1/editions/{ed['slug']}/sessions", session_body(ed, **over))


def mk_session(gess, org, ed, **over):
    return h.assert_json(create_session(gess, org, ed, **over), 201)


def release(gess, org, ed, comment="Programa"):
    """Publishes the draft through the route, which must answer 201: every
    caller changed the draft since the last release, so 409
    nothing-to-release, like a missing route, is a failure."""
    r = gess.req("POST", f"/v1/editions/{ed['slug']}/schedule/releases",
                 headers=org["headers"], json={"comment": comment})
    return h.assert_json(r, 201)


def registered(gess, org, ed, n, category=None):
    """n fresh users with confirmed registrations to the edition."""
    users = h.fast_users(gess, n, prefix="prog")
    if category is None:
        category = h.create_category(gess, org, ed["slug"], modes={"in_person": None})["code"]

    def one(u):
        h.register_ok(gess, u, ed["slug"], category, status="confirmed")

    with cf.ThreadPoolExecutor(8) as ex:
        list(ex.map(one, users))
    return users


def conflict_of(r, status=409):
    body = h.assert_problem(r, status, "schedule-conflict")
    assert set(body["conflict"]) >= {"session_id", "title", "starts_at", "ends_at"}, body
    return body


@pytest.fixture
def org(staff):
    return staff.organizer


# --- rooms, tracks, speakers ------------------------------------------------------------------

def test_rooms_tracks_speakers(gess, org, edition):
    ed = edition
    room = mk_room(gess, org, ed, name="Auditorio Quellaveco", capacity=300,
                   opens_at="08:00", closes_at="19:30")
    assert room["opens_at"] == "08:00" and room["closes_at"] == "19:30", room
    assert room["capacity"] == 300 and room["name"] == "Auditorio Quellaveco"
    r = post(gess, org, f"/v1/editions/{ed['slug']}/rooms", {"name": "Auditorio Quellaveco"})
    assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == ["name"]

    track = mk_track(gess, org, ed, name="Gobernanza minera", color="#2E7D32")
    assert track["color"] == "#2e7d32", track
    r = post(gess, org, f"/v1/editions/{ed['slug']}/tracks", {"name": "Gobernanza minera"})
    assert h.error_fields(h.assert_problem(r, 422)) == ["name"]

    guest = mk_speaker(gess, org, ed, name="José Ñaupari", organization="RIMAY Moquegua",
                       sector="public")
    assert guest["name"] == "José Ñaupari" and guest["account_id"] is None, guest
    person = h.fast_user(gess, full_name="Rosa Huamán Ccori", organization="Comunidad de "
                         "Aprendizaje Moquegua", sector="community")
    sp = h.assert_json(post(gess, org, f"/v1/editions/{ed['slug']}/speakers",
                            {"account_id": person["account"]["id"]}), 201)
    assert sp["name"] == "Rosa Huamán Ccori" and sp["sector"] == "community", sp
    assert sp["organization"] == "Comunidad de Aprendizaje Moquegua", sp
    assert sp["account_id"] == person["account"]["id"]
    r = post(gess, org, f"/v1/editions/{ed['slug']}/speakers",
             {"account_id": person["account"]["id"], "name": "Otra vez"})
    assert h.error_fields(h.assert_problem(r, 422)) == ["account_id"]
    r = post(gess, org, f"/v1/editions/{ed['slug']}/speakers", {"account_id": str(uuid.uuid4())})
    assert h.error_fields(h.assert_problem(r, 422)) == ["account_id"]

    # public lists of a published edition; the account link only for organizers
    for path, name in (("rooms", "Auditorio Quellaveco"), ("tracks", "Gobernanza minera"),
                       ("speakers", "Rosa Huamán Ccori")):
        pub = h.assert_json(gess.req("GET", f"/v1/editions/{ed['slug']}/{path}"), 200)
        assert name in [x["name"] for x in pub["items"]], pub
    pub = h.assert_json(gess.req("GET", f"/v1/editions/{ed['slug']}/speakers"), 200)
    assert all(x["account_id"] is None for x in pub["items"]), pub
    mine = h.assert_json(gess.req("GET", f"/v1/editions/{ed['slug']}/speakers",
                                  headers=org["headers"]), 200)
    assert person["account"]["id"] in [x["account_id"] for x in mine["items"]]

    r = post(gess, org, "/v1/editions/no-such-edition/rooms", {"name": "Sala"})
    h.assert_problem(r, 404, "not-found")


def test_draft_edition_lists_hidden(gess, org):
    ed = h.create_edition(gess, org, status="draft")
    mk_room(gess, org, ed)
    for path in ("rooms", "tracks", "speakers", "sessions"):
        h.assert_problem(gess.req("GET", f"/v1/editions/{ed['slug']}/{path}"), 404, "not-found")
        got = h.assert_json(gess.req("GET", f"/v1/editions/{ed['slug']}/{path}",
                                     headers=org["headers"]), 200)
        assert isinstance(got["items"], list)


@pytest.mark.parametrize("path,body,fields", [
    ("rooms", {}, ["name"]),
    ("rooms", {"name": ""}, ["name"]),
    ("rooms", {"name": "x" * 201}, ["name"]),
    ("rooms", {"name": 5}, ["name"]),
    ("rooms", {"name": "Sala A", "capacity": -1}, ["capacity"]),
    ("rooms", {"name": "Sala A", "capacity": "cien"}, ["capacity"]),
    ("rooms", {"name": "Sala A", "notes": "n" * 2001}, ["notes"]),
    ("rooms", {"name": "Sala A", "opens_at": "8am", "closes_at": "18:00"}, ["opens_at"]),
    ("rooms", {"name": "Sala A", "opens_at": "08:00", "closes_at": "25:00"}, ["closes_at"]),
    ("rooms", {"name": "Sala A", "opens_at": "08:00"}, ["closes_at"]),
    ("rooms", {"name": "Sala A", "closes_at": "18:00"}, ["opens_at"]),
    ("rooms", {"name": "Sala A", "opens_at": "18:00", "closes_at": "08:00"}, ["closes_at"]),
    ("rooms", {"name": "", "capacity": True, "notes": 3, "opens_at": 8, "closes_at": "x"},
     ["name", "capacity", "notes", "opens_at", "closes_at"]),
    ("tracks", {}, ["name"]),
    ("tracks", {"name": "Eje", "color": "verde"}, ["color"]),
    ("tracks", {"name": "Eje", "color": "#12345g"}, ["color"]),
    ("tracks", {"name": "\u0007", "color": 1}, ["name", "color"]),
    ("speakers", {}, ["name"]),
    ("speakers", {"name": "Ana", "sector": "mining"}, ["sector"]),
    ("speakers", {"name": "Ana", "organization": "o" * 201}, ["organization"]),
    ("speakers", {"account_id": "not-a-uuid"}, ["account_id"]),
    ("speakers", {"account_id": 7, "name": ""}, ["account_id", "name"]),
])
def test_setup_bad_input(gess, org, edition, path, body, fields):
    before = h.row_counts(gess, PROG_TABLES)
    r = post(gess, org, f"/v1/editions/{edition['slug']}/{path}", body)
    got = h.error_fields(h.assert_problem(r, 422, "validation-failed"))
    assert sorted(got) == sorted(fields), got
    assert h.row_counts(gess, PROG_TABLES) == before


# --- sessions ---------------------------------------------------------------------------------

def test_session_create_defaults_and_read(gess, org, edition):
    ed = edition
    room = mk_room(gess, org, ed, name="Sala Moquegua", capacity=40)
    track = mk_track(gess, org, ed, name="Diálogo multiactor")
    a = mk_speaker(gess, org, ed, name="Ana Quispe")
    b = mk_speaker(gess, org, ed, name="Beto Mamani")
    s = mk_session(gess, org, ed, title="Taller de facilitación del diálogo", kind="workshop",
                   room_id=room["id"], track_id=track["id"], speaker_ids=[b["id"], a["id"]])
    assert s["capacity"] == 40, s                 # the room's
    assert s["reservation_required"] is True, s   # workshops need a reservation
    assert s["reserved"] == 0 and s["seats_left"] == 40
    assert s["room"] == {"id": room["id"], "name": "Sala Moquegua"}
    assert s["track"]["name"] == "Diálogo multiactor"
    assert [x["name"] for x in s["speakers"]] == ["Ana Quispe", "Beto Mamani"]
    assert h.parse_instant(s["starts_at"]) == h.parse_instant(at(ed, 0, "10:00"))
    assert gess.count("session_speakers", "session_id = %s", (s["id"],)) == 2

    t = mk_session(gess, org, ed, title="Inauguración", kind="keynote", capacity=None)
    assert t["capacity"] is None and t["reservation_required"] is False and t["room"] is None

    # organizers read the draft; nobody else sees an unreleased session
    got = h.assert_json(gess.req("GET", f"/v1/sessions/{s['id']}", headers=org["headers"]), 200)
    assert got["title"] == "Taller de facilitación del diálogo"
    h.assert_problem(gess.req("GET", f"/v1/sessions/{s['id']}"), 404, "not-found")
    lst = h.assert_json(gess.req("GET", f"/v1/editions/{ed['slug']}/sessions",
                                 headers=org["headers"]), 200)
    assert {x["id"] for x in lst["items"]} == {s["id"], t["id"]}
    pub = h.assert_json(gess.req("GET", f"/v1/editions/{ed['slug']}/sessions"), 200)
    assert pub["items"] == [] and pub["version"] is None

    release(gess, org, ed)
    pub = h.assert_json(gess.req("GET", f"/v1/editions/{ed['slug']}/sessions"), 200)
    assert {x["id"] for x in pub["items"]} == {s["id"], t["id"]} and pub["version"] == 1
    got = h.assert_json(gess.req("GET", f"/v1/sessions/{s['id']}"), 200)
    assert got["title"] == "Taller de facilitación del diálogo" and got["version"] == 1
    # a draft edit is not public until the next release
    h.assert_json(gess.req("PATCH", f"/v1/sessions/{s['id']}", headers=org["headers"],
                           json={"title": "Taller (nuevo título)"}), 200)
    got = h.assert_json(gess.req("GET", f"/v1/sessions/{s['id']}"), 200)
    assert got["title"] == "Taller de facilitación del diálogo"
    h.assert_problem(gess.req("GET", "/v1/sessions/not-a-uuid"), 404, "not-found")


BAD_SESSION = [
    ({"title": ""}, ["title"]),
    ({"title": "t" * 301}, ["title"]),
    ({"title": None}, ["title"]),
    ({"abstract": "a" * 10001}, ["abstract"]),
    ({"abstract": 12}, ["abstract"]),
    ({"kind": "plenaria"}, ["kind"]),
    ({"kind": h.DROP}, ["kind"]),
    ({"track_id": "eje-1"}, ["track_id"]),
    ({"track_id": "UNKNOWN"}, ["track_id"]),
    ({"room_id": 3}, ["room_id"]),
    ({"room_id": "UNKNOWN"}, ["room_id"]),
    ({"starts_at": "mañana a las 10"}, ["starts_at"]),
    ({"starts_at": h.DROP}, ["starts_at"]),
    ({"ends_at": "2030-05-12 11:30"}, ["ends_at"]),
    ({"ends_at": "START"}, ["ends_at"]),
    ({"language": "Español"}, ["language"]),
    ({"language": "e"}, ["language"]),
    ({"capacity": -5}, ["capacity"]),
    ({"capacity": 1.5}, ["capacity"]),
    ({"reservation_required": "sí"}, ["reservation_required"]),
    ({"speaker_ids": "ana"}, ["speaker_ids"]),
    ({"speaker_ids": ["nope"]}, ["speaker_ids[0]"]),
    ({"speaker_ids": ["SPK", "SPK"]}, ["speaker_ids[1]"]),
    ({"speaker_ids": ["SPK", "UNKNOWN"]}, ["speaker_ids[1]"]),
    # outside the edition's days (Lima time) and the room's hours
    ({"starts_at": "DAYBEFORE", "ends_at": "DAY0-09"}, ["starts_at"]),
    ({"starts_at": "LAST-23", "ends_at": "DAYAFTER"}, ["ends_at"]),
    ({"room_id": "HOURS", "starts_at": "DAY0-07", "ends_at": "DAY0-09"}, ["starts_at"]),
    ({"room_id": "HOURS", "starts_at": "DAY0-17", "ends_at": "DAY0-19"}, ["ends_at"]),
    ({"title": "", "kind": "x", "starts_at": "x", "ends_at": "y", "capacity": "z",
      "speaker_ids": [1]},
     ["title", "kind", "starts_at", "ends_at", "capacity", "speaker_ids[0]"]),
]


@pytest.fixture(scope="module")
def sess_env(gess, staff):
    org = staff.organizer
    ed = h.create_edition(gess, org)
    hours = mk_room(gess, org, ed, name="Sala con horario", opens_at="08:00", closes_at="18:00")
    spk = mk_speaker(gess, org, ed)
    other_ed = h.create_edition(gess, org)
    foreign_room = mk_room(gess, org, other_ed)
    return {"ed": ed, "hours": hours, "spk": spk, "foreign_room": foreign_room}


def _subst(env, body):
    ed = env["ed"]
    y, m, d = (int(x) for x in ed["starts_on"].split("-"))
    last = 2  # the default edition lasts three days
    table = {
        "UNKNOWN": str(uuid.uuid4()), "SPK": env["spk"]["id"], "HOURS": env["hours"]["id"],
        "START": at(ed, 0, "10:00"),
        "DAYBEFORE": f"{y:04d}-{m:02d}-{d - 1:02d}T23:00:00-05:00",
        "DAYAFTER": f"{y:04d}-{m:02d}-{d + last + 1:02d}T00:30:00-05:00",
        "DAY0-07": at(ed, 0, "07:00"), "DAY0-09": at(ed, 0, "09:00"),
        "DAY0-17": at(ed, 0, "17:00"), "DAY0-19": at(ed, 0, "19:00"),
        "LAST-23": at(ed, last, "23:00"),
    }

    def sub(v):
        if isinstance(v, list):
            return [sub(x) for x in v]
        return table.get(v, v) if isinstance(v, str) else v
    return {k: (v if v is h.DROP else sub(v)) for k, v in body.items()}


@pytest.mark.parametrize("over,fields", BAD_SESSION)
def test_session_bad_input(gess, staff, sess_env, over, fields):
    org = staff.organizer
    before = h.row_counts(gess, PROG_TABLES)
    r = create_session(gess, org, sess_env["ed"], **_subst(sess_env, over))
    got = h.error_fields(h.assert_problem(r, 422, "validation-failed"))
    assert sorted(got) == sorted(fields), got
    assert h.row_counts(gess, PROG_TABLES) == before


def test_session_errors_in_spanish(gess, staff, sess_env):
    ed = sess_env["ed"]
    body = session_body(ed, **_subst(sess_env, {"room_id": "HOURS", "starts_at": "DAY0-07",
                                                "ends_at": "DAY0-09"}))
    r = gess.req("POST", f"/v1/editions/{ed['slug']}/sessions",
                 headers=dict(staff.organizer["headers"], **{"Accept-Language": "es"}), json=body)
    errs = h.assert_problem(r, 422, "validation-failed")["errors"]
    assert errs == [{"field": "starts_at",
                     "message": "debe estar dentro del horario de la sala (08:00–18:00)"}], errs
    body = session_body(ed, **_subst(sess_env, {"starts_at": "DAYBEFORE", "ends_at": "DAY0-09"}))
    r = gess.req("POST", f"/v1/editions/{ed['slug']}/sessions",
                 headers=staff.organizer["headers"], json=body)
    (err,) = h.assert_problem(r, 422, "validation-failed")["errors"]
    assert err["field"] == "starts_at" and "edition's dates" in err["message"], err
    assert ed["starts_on"] in err["message"] and "America/Lima" in err["message"], err


def test_session_bad_input_foreign_room_and_patch(gess, staff, sess_env):
    org = staff.organizer
    ed = sess_env["ed"]
    before = h.row_counts(gess, PROG_TABLES)
    r = create_session(gess, org, ed, room_id=sess_env["foreign_room"]["id"])
    assert h.error_fields(h.assert_problem(r, 422)) == ["room_id"]
    assert h.row_counts(gess, PROG_TABLES) == before
    s = mk_session(gess, org, ed, title="Mesa para editar", starts_at=at(ed, 1, "15:00"),
                   ends_at=at(ed, 1, "16:00"))
    row = gess.sql("SELECT title, starts_at, ends_at, updated_at FROM sessions WHERE id = %s",
                   (s["id"],))
    for body, fields in (({"title": None}, ["title"]), ({"kind": None}, ["kind"]),
                         ({"starts_at": None}, ["starts_at"]),
                         ({"ends_at": at(ed, 1, "14:00")}, ["ends_at"]),
                         ({"starts_at": at(ed, 1, "16:30")}, ["ends_at"]),
                         ({"capacity": -1, "language": "??"}, ["capacity", "language"])):
        r = gess.req("PATCH", f"/v1/sessions/{s['id']}", headers=org["headers"], json=body)
        assert sorted(h.error_fields(h.assert_problem(r, 422))) == sorted(fields), body
    assert gess.sql("SELECT title, starts_at, ends_at, updated_at FROM sessions WHERE id = %s",
                    (s["id"],)) == row
    r = gess.req("PATCH", f"/v1/sessions/{uuid.uuid4()}", headers=org["headers"],
                 json={"title": "x"})
    h.assert_problem(r, 404, "not-found")


def test_room_and_speaker_conflicts(gess, org, edition):
    ed = edition
    room = mk_room(gess, org, ed, name="Sala Ilo")
    room2 = mk_room(gess, org, ed, name="Sala Torata")
    ana = mk_speaker(gess, org, ed, name="Ana Conflicto")
    first = mk_session(gess, org, ed, title="Mesa de Diálogo de Quellaveco", room_id=room["id"],
                       speaker_ids=[ana["id"]])
    before = h.row_counts(gess, PROG_TABLES)
    # same room, overlapping
    r = create_session(gess, org, ed, title="Otra", room_id=room["id"],
                       starts_at=at(ed, 0, "11:00"), ends_at=at(ed, 0, "12:00"))
    body = conflict_of(r)
    assert body["conflict"]["session_id"] == first["id"], body
    assert body["conflict"]["title"] == "Mesa de Diálogo de Quellaveco"
    assert body["room_id"] == room["id"] and body["room_name"] == "Sala Ilo", body
    # same speaker, another room
    r = create_session(gess, org, ed, title="Otra", room_id=room2["id"],
                       starts_at=at(ed, 0, "09:00"), ends_at=at(ed, 0, "10:30"),
                       speaker_ids=[ana["id"]])
    body = conflict_of(r)
    assert body["conflict"]["session_id"] == first["id"], body
    assert body["speaker_id"] == ana["id"] and body["speaker_name"] == "Ana Conflicto", body
    assert "room_id" not in body
    assert h.row_counts(gess, PROG_TABLES) == before
    # back to back is fine ([start, end) ranges)
    nxt = mk_session(gess, org, ed, title="Siguiente", room_id=room["id"],
                     starts_at=at(ed, 0, "11:30"), ends_at=at(ed, 0, "12:30"),
                     speaker_ids=[ana["id"]])
    # PATCH re-checks: moving into the other's time fails, nothing changes
    r = gess.req("PATCH", f"/v1/sessions/{nxt['id']}", headers=org["headers"],
                 json={"starts_at": at(ed, 0, "11:00")})
    assert conflict_of(r)["conflict"]["session_id"] == first["id"]
    # moving the room away keeps the speaker clash
    r = gess.req("PATCH", f"/v1/sessions/{nxt['id']}", headers=org["headers"],
                 json={"starts_at": at(ed, 0, "11:00"), "room_id": room2["id"]})
    body = conflict_of(r)
    assert body["speaker_id"] == ana["id"] and body["conflict"]["session_id"] == first["id"]
    # without the speaker it fits; session_speakers follows the session's times
    bea = mk_speaker(gess, org, ed, name="Bea Sin Cruce")
    got = h.assert_json(gess.req("PATCH", f"/v1/sessions/{nxt['id']}", headers=org["headers"],
                                 json={"starts_at": at(ed, 0, "11:00"), "room_id": room2["id"],
                                       "speaker_ids": [bea["id"]]}), 200)
    assert [x["name"] for x in got["speakers"]] == ["Bea Sin Cruce"], got
    h.assert_json(gess.req("PATCH", f"/v1/sessions/{nxt['id']}", headers=org["headers"],
                           json={"starts_at": at(ed, 0, "13:00"),
                                 "ends_at": at(ed, 0, "14:00")}), 200)
    rows = gess.sql("SELECT ss.during = s.during FROM session_speakers ss"
                    " JOIN sessions s ON s.id = ss.session_id WHERE s.edition_id = %s",
                    (ed["id"],))
    assert rows and all(ok for (ok,) in rows), rows
    # the capacity cannot drop below what is reserved
    gess.sql("UPDATE sessions SET capacity = 10, reserved = 5 WHERE id = %s", (nxt["id"],))
    r = gess.req("PATCH", f"/v1/sessions/{nxt['id']}", headers=org["headers"],
                 json={"capacity": 4})
    assert h.error_fields(h.assert_problem(r, 422)) == ["capacity"]


def test_delete_is_soft_and_frees_room_and_speaker(gess, org, edition):
    ed = edition
    room = mk_room(gess, org, ed)
    sp = mk_speaker(gess, org, ed)
    s = mk_session(gess, org, ed, room_id=room["id"], speaker_ids=[sp["id"]])
    r = gess.req("DELETE", f"/v1/sessions/{s['id']}", headers=org["headers"])
    assert r.status_code == 204, r.text
    assert gess.sql("SELECT deleted_at IS NOT NULL FROM sessions WHERE id = %s",
                    (s["id"],)) == [(True,)]
    assert gess.count("session_speakers", "session_id = %s", (s["id"],)) == 0
    h.assert_problem(gess.req("GET", f"/v1/sessions/{s['id']}", headers=org["headers"]), 404)
    h.assert_problem(gess.req("DELETE", f"/v1/sessions/{s['id']}", headers=org["headers"]), 404)
    h.assert_problem(gess.req("PATCH", f"/v1/sessions/{s['id']}", headers=org["headers"],
                              json={"title": "x"}), 404)
    mk_session(gess, org, ed, room_id=room["id"], speaker_ids=[sp["id"]])


# --- concurrency --------------------------------------------------------------------------

def _burst(n, fn):
    """Runs fn(i) for i in 0..n-1 from n threads released together."""
    gate = threading.Barrier(n)
    sess = threading.local()

    def run(i):
        if not hasattr(sess, "s"):
            sess.s = requests.Session()
        gate.wait()
        return fn(sess.s, i)

    with cf.ThreadPoolExecutor(n) as ex:
        return list(ex.map(run, range(n)))


def test_200_overlapping_creates_in_one_room(gess, org, edition):
    ed = edition
    room = mk_room(gess, org, ed, name="Sala única")
    url = gess.url(f"/v1/editions/{ed['slug']}/sessions")

    def attempt(s, i):
        body = session_body(ed, title=f"Mesa {i}", room_id=room["id"],
                            starts_at=at(ed, 1, f"{9 + i % 3:02d}:{(i * 7) % 60:02d}"),
                            ends_at=at(ed, 1, "12:30"))
        r = s.post(url, json=body, headers=org["headers"], timeout=120)
        return r.status_code, r.json()

    results = _burst(200, attempt)
    wins = [b for st, b in results if st == 201]
    assert len(wins) == 1, sorted(st for st, _ in results)
    winner = wins[0]
    for st, b in results:
        if st == 201:
            continue
        assert st == 409, b
        assert b["type"].endswith("/schedule-conflict"), b
        assert b["conflict"]["session_id"] == winner["id"], b
        assert b["room_id"] == room["id"], b
    assert gess.count("sessions", "room_id = %s AND deleted_at IS NULL", (room["id"],)) == 1


def test_200_overlapping_creates_for_one_speaker(gess, org, edition):
    ed = edition
    sp = mk_speaker(gess, org, ed, name="María Ponente Única")
    rooms = [r for (r,) in gess.sql(
        "INSERT INTO rooms (edition_id, name) SELECT %s, 'Aula ' || g"
        " FROM generate_series(1, 200) g RETURNING id::text", (ed["id"],))]
    url = gess.url(f"/v1/editions/{ed['slug']}/sessions")

    def attempt(s, i):
        body = session_body(ed, title=f"Panel {i}", kind="panel", room_id=rooms[i],
                            speaker_ids=[sp["id"]],
                            starts_at=at(ed, 2, f"{14 + i % 2:02d}:{(i * 11) % 60:02d}"),
                            ends_at=at(ed, 2, "16:00"))
        r = s.post(url, json=body, headers=org["headers"], timeout=120)
        return r.status_code, r.json()

    results = _burst(200, attempt)
    wins = [b for st, b in results if st == 201]
    assert len(wins) == 1, sorted(st for st, _ in results)
    for st, b in results:
        if st != 201:
            assert st == 409 and b["type"].endswith("/schedule-conflict"), b
            assert b["conflict"]["session_id"] == wins[0]["id"], b
            assert b["speaker_id"] == sp["id"] and b["speaker_name"] == "María Ponente Única"
    assert gess.count("session_speakers", "speaker_id = %s", (sp["id"],)) == 1


def test_500_reservations_for_40_seats(gess, org, edition):
    ed = edition
    room = mk_room(gess, org, ed, name="Aula taller", capacity=40)
    ws = mk_session(gess, org, ed, title="Taller: herramientas de diálogo", kind="workshop",
                    room_id=room["id"])
    assert ws["capacity"] == 40 and ws["reservation_required"] is True
    release(gess, org, ed)
    users = registered(gess, org, ed, 500)
    url = gess.url(f"/v1/sessions/{ws['id']}/reservation")

    def attempt(s, i):
        r = s.post(url, headers=users[i]["headers"], timeout=120)
        return r.status_code, r.json()

    results = _burst(500, attempt)
    codes = sorted(st for st, _ in results)
    assert codes.count(201) == 40, codes
    assert codes.count(409) == 460, codes
    for st, b in results:
        if st == 409:
            assert b["type"].endswith("/session-full"), b
    assert gess.count("reservations", "session_id = %s", (ws["id"],)) == 40
    assert gess.sql("SELECT reserved, capacity FROM sessions WHERE id = %s",
                    (ws["id"],)) == [(40, 40)]
    assert gess.count("agenda_items", "session_id = %s", (ws["id"],)) == 40


# --- reservations and agenda --------------------------------------------------------------

def test_reservation_rules(gess, org, edition):
    ed = edition
    ws = mk_session(gess, org, ed, title="Taller de monitoreo ambiental participativo",
                    kind="workshop", capacity=2)
    u1, u2, u3 = registered(gess, org, ed, 3)
    stranger = h.fast_user(gess)
    path = f"/v1/sessions/{ws['id']}/reservation"
    # not released yet: nobody can see it
    h.assert_problem(gess.req("POST", path, headers=u1["headers"]), 404, "not-found")
    release(gess, org, ed)
    h.assert_problem(gess.req("POST", path, headers=stranger["headers"]), 403,
                     "registration-required")
    got = h.assert_json(gess.req("POST", path, headers=u1["headers"]), 201)
    assert got["session_id"] == ws["id"] and got["seats_left"] == 1, got
    again = h.assert_json(gess.req("POST", path, headers=u1["headers"]), 200)
    assert again["reserved_at"] == got["reserved_at"]
    h.assert_json(gess.req("POST", path, headers=u2["headers"]), 201)
    full = h.assert_problem(gess.req("POST", path, headers=u3["headers"]), 409, "session-full")
    assert full["session_id"] == ws["id"] and full["capacity"] == 2, full
    # a reservation puts the session in the agenda; cancelling frees the seat
    ag = h.assert_json(gess.req("GET", "/v1/me/agenda", headers=u1["headers"]), 200)
    assert [x["id"] for x in ag["items"]] == [ws["id"]] and ag["items"][0]["reserved"] is True
    r = gess.req("DELETE", path, headers=u1["headers"])
    assert r.status_code == 204, r.text
    ag = h.assert_json(gess.req("GET", "/v1/me/agenda", headers=u1["headers"]), 200)
    assert ag["items"] == []
    assert gess.sql("SELECT reserved FROM sessions WHERE id = %s", (ws["id"],)) == [(1,)]
    h.assert_json(gess.req("POST", path, headers=u3["headers"]), 201)
    # a cancelled registration no longer reserves
    reg = gess.sql("SELECT id FROM registrations WHERE account_id = %s", (u1["account"]["id"],))
    r = gess.req("DELETE", f"/v1/registrations/{reg[0][0]}", headers=u1["headers"])
    assert r.status_code == 204, r.text
    h.assert_problem(gess.req("POST", path, headers=u1["headers"]), 403, "registration-required")
    h.assert_problem(gess.req("POST", f"/v1/sessions/{uuid.uuid4()}/reservation",
                              headers=u1["headers"]), 404)
    # an erased account gives its seat back (DELETE /v1/me cascades, a trigger frees it)
    assert gess.sql("SELECT reserved FROM sessions WHERE id = %s", (ws["id"],)) == [(2,)]
    r = gess.req("DELETE", "/v1/me", headers=u2["headers"])
    assert r.status_code == 204, r.text
    assert gess.sql("SELECT reserved FROM sessions WHERE id = %s", (ws["id"],)) == [(1,)]
    assert gess.count("reservations", "session_id = %s", (ws["id"],)) == 1


def test_agenda_overlaps_release_view_and_ics(gess, org, edition):
    icalendar = pytest.importorskip("icalendar")
    ed = edition
    room = mk_room(gess, org, ed, name="Auditorio Ñawpa")
    track = mk_track(gess, org, ed, name="Gestión del agua")
    a = mk_session(gess, org, ed, title="Diálogo y conflictos socioambientales",
                   room_id=room["id"], track_id=track["id"], starts_at=at(ed, 0, "09:00"),
                   ends_at=at(ed, 0, "10:30"))
    b = mk_session(gess, org, ed, title="Alianzas con la minería", starts_at=at(ed, 0, "10:00"),
                   ends_at=at(ed, 0, "11:00"))
    c = mk_session(gess, org, ed, title="Cierre, conclusiones; próximos pasos",
                   starts_at=at(ed, 1, "17:00"), ends_at=at(ed, 1, "18:00"))
    ws = mk_session(gess, org, ed, title="Taller", kind="workshop", capacity=5,
                    starts_at=at(ed, 2, "09:00"), ends_at=at(ed, 2, "10:00"))
    (u,) = registered(gess, org, ed, 1)
    hd = u["headers"]
    h.assert_problem(gess.req("PUT", f"/v1/me/agenda/{a['id']}", headers=hd), 404)  # unreleased
    release(gess, org, ed)
    for s in (a, b, c):
        r = gess.req("PUT", f"/v1/me/agenda/{s['id']}", headers=hd)
        assert r.status_code == 204, r.text
    assert gess.req("PUT", f"/v1/me/agenda/{a['id']}", headers=hd).status_code == 204
    h.assert_problem(gess.req("PUT", f"/v1/me/agenda/{ws['id']}", headers=hd), 409,
                     "reservation-required")
    h.assert_problem(gess.req("PUT", f"/v1/me/agenda/{uuid.uuid4()}", headers=hd), 404)
    ag = h.assert_json(gess.req("GET", "/v1/me/agenda", headers=hd), 200)
    by_id = {x["id"]: x for x in ag["items"]}
    assert list(by_id) == [a["id"], b["id"], c["id"]], ag
    assert by_id[a["id"]]["overlaps"] == [b["id"]]
    assert by_id[b["id"]]["overlaps"] == [a["id"]]
    assert by_id[c["id"]]["overlaps"] == []
    assert by_id[a["id"]]["room"]["name"] == "Auditorio Ñawpa" and ag["removed"] == []

    # draft edits do not show until released; a removed session is listed as such
    gess.req("PATCH", f"/v1/sessions/{b['id']}", headers=org["headers"],
             json={"title": "Alianzas (renombrada)", "starts_at": at(ed, 0, "11:00"),
                   "ends_at": at(ed, 0, "12:00")})
    gess.req("DELETE", f"/v1/sessions/{c['id']}", headers=org["headers"])
    ag = h.assert_json(gess.req("GET", "/v1/me/agenda", headers=hd), 200)
    assert [x["title"] for x in ag["items"]][1] == "Alianzas con la minería"
    release(gess, org, ed, comment="Segunda versión")
    ag = h.assert_json(gess.req("GET", "/v1/me/agenda", headers=hd), 200)
    by_id = {x["id"]: x for x in ag["items"]}
    assert set(by_id) == {a["id"], b["id"]}
    assert by_id[b["id"]]["title"] == "Alianzas (renombrada)"
    assert by_id[a["id"]]["overlaps"] == [] and by_id[b["id"]]["overlaps"] == []
    assert [x["id"] for x in ag["removed"]] == [c["id"]]
    h.assert_problem(gess.req("PUT", f"/v1/me/agenda/{c['id']}", headers=hd), 404)

    r = gess.req("GET", "/v1/me/agenda", headers=hd, params={"format": "ics"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/calendar"), r.headers
    cal = icalendar.Calendar.from_ical(r.content)
    events = {str(e.get("uid")): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"session-{x['id']}@gess.pe" for x in (a, b, c)}, events
    ea = events[f"session-{a['id']}@gess.pe"]
    assert str(ea.get("summary")) == "Diálogo y conflictos socioambientales"
    assert str(ea.get("location")) == "Auditorio Ñawpa"
    assert ea.decoded("dtstart") == h.parse_instant(at(ed, 0, "09:00"))
    assert str(events[f"session-{c['id']}@gess.pe"].get("status")) == "CANCELLED"
    assert "«ñandú»" in str(ea.get("description"))
    h.assert_problem(gess.req("GET", "/v1/me/agenda", headers=hd, params={"format": "pdf"}), 422)

    r = gess.req("DELETE", f"/v1/me/agenda/{a['id']}", headers=hd)
    assert r.status_code == 204
    ag = h.assert_json(gess.req("GET", "/v1/me/agenda", headers=hd), 200)
    assert [x["id"] for x in ag["items"]] == [b["id"]]
