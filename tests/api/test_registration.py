"""Registrations (issue 3): outcomes, window, duplicates, sectors, answers,
cancellation with promotion, approval, check-in, lists, CSV, stats,
idempotency, and bad input for every field."""
import concurrent.futures
import csv
import datetime
import io
import json
import threading
import uuid

import pytest
import requests

import gesshelp as h
from gesshelp import DROP

REG_KEYS = {"id", "edition", "status", "category", "mode", "badge_code", "answers", "paid",
            "created_at", "checked_in_at"}


def _ed(gess, staff, **over):
    return h.create_edition(gess, staff.organizer, **over)


def _cat(gess, staff, slug, **over):
    return h.create_category(gess, staff.organizer, slug, **over)


def _taken(gess, cat_id, mode):
    return gess.sql("SELECT taken FROM category_modes WHERE category_id = %s AND mode = %s",
                    (cat_id, mode))[0][0]


def _outbox(gess, account_id):
    return gess.sql("SELECT id, kind, payload::text FROM outbox WHERE account_id = %s ORDER BY id",
                    (account_id,))


def _new_outbox(gess, account_id, since_rows, reg_id):
    rows = _outbox(gess, account_id)
    new = rows[len(since_rows):]
    assert len(new) == 1, f"expected one new outbox row for {account_id}, got {new}"
    assert reg_id in new[0][2], f"outbox payload does not name registration {reg_id}: {new[0]}"
    return new[0]


def _no_violations(gess, edition_id=None):
    bad = h.seat_violations(gess, edition_id)
    assert bad == [], f"category_modes invariant broken: {bad}"


def _cancel(gess, who, reg_id):
    return gess.req("DELETE", f"/v1/registrations/{reg_id}", headers=who["headers"])


# --- outcomes --------------------------------------------------------------------------------

def test_register_confirmed(gess, staff):
    ed = _ed(gess, staff)
    cat = _cat(gess, staff, ed["slug"], code="general", modes={"in_person": 2, "online": None})
    u = h.fast_user(gess, sector="academia")
    r = h.register(gess, u, ed["slug"], "general", "in_person")
    reg = h.assert_json(r, 201)
    assert set(reg) >= REG_KEYS, reg
    assert reg["edition"] == ed["slug"]
    assert reg["status"] == "confirmed"
    assert reg["category"] == "general" and reg["mode"] == "in_person"
    assert h.BADGE_RE.match(reg["badge_code"]), reg["badge_code"]
    assert reg["answers"] == {} and reg["paid"] is False and reg["checked_in_at"] is None
    assert reg.get("account") is None  # the person only appears in organizer lists
    uuid.UUID(reg["id"])
    created = h.parse_instant(reg["created_at"])
    assert abs((created - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) < 60
    row = gess.sql("SELECT account_id::text, status, mode, sector, badge_code, category_id::text"
                   " FROM registrations WHERE id = %s", (reg["id"],))
    assert row == [(u["account"]["id"], "confirmed", "in_person", "academia", reg["badge_code"],
                    cat["id"])]
    assert _taken(gess, cat["id"], "in_person") == 1
    assert _taken(gess, cat["id"], "online") == 0
    items = h.assert_json(gess.req("GET", f"/v1/editions/{ed['slug']}/categories"), 200)["items"]
    assert items[0]["seats_left"] == {"in_person": 1, "online": None}
    _no_violations(gess, ed["id"])


def test_pending_waitlisted_and_unlimited(gess, staff):
    ed = _ed(gess, staff)
    appr = _cat(gess, staff, ed["slug"], code="aprobacion", requires_approval=True,
                modes={"in_person": 1})
    gen = _cat(gess, staff, ed["slug"], code="general", modes={"in_person": 2, "online": None})
    zero = _cat(gess, staff, ed["slug"], code="cero", modes={"in_person": 0})
    us = h.fast_users(gess, 9)
    assert h.register_ok(gess, us[0], ed["slug"], "aprobacion", status="pending")
    assert _taken(gess, appr["id"], "in_person") == 1  # a pending registration holds its seat
    h.register_ok(gess, us[1], ed["slug"], "aprobacion", status="waitlisted")
    h.register_ok(gess, us[2], ed["slug"], "general", status="confirmed")
    h.register_ok(gess, us[3], ed["slug"], "general", status="confirmed")
    h.register_ok(gess, us[4], ed["slug"], "general", status="waitlisted")
    h.register_ok(gess, us[5], ed["slug"], "general", "online", status="confirmed")
    h.register_ok(gess, us[6], ed["slug"], "general", "online", status="confirmed")
    h.register_ok(gess, us[7], ed["slug"], "cero", status="waitlisted")
    assert _taken(gess, gen["id"], "in_person") == 2
    assert _taken(gess, gen["id"], "online") == 2
    assert _taken(gess, zero["id"], "in_person") == 0
    seats = {c["code"]: c["seats_left"] for c in h.assert_json(
        gess.req("GET", f"/v1/editions/{ed['slug']}/categories"), 200)["items"]}
    assert seats == {"aprobacion": {"in_person": 0}, "general": {"in_person": 0, "online": None},
                     "cero": {"in_person": 0}}
    _no_violations(gess, ed["id"])
    badges = [r[0] for r in gess.sql("SELECT badge_code FROM registrations WHERE edition_id = %s",
                                     (ed["id"],))]
    assert len(badges) == 8 == len(set(badges))
    assert all(h.BADGE_RE.match(b) for b in badges)


@pytest.mark.parametrize("case", ["future-window", "past-window", "closed", "archived", "draft"])
def test_registration_closed(gess, staff, case):
    now = h.now_utc()
    over = {
        "future-window": dict(registration_opens_at=h.iso(now + datetime.timedelta(hours=2)),
                              registration_closes_at=h.iso(now + datetime.timedelta(days=5))),
        "past-window": dict(registration_opens_at=h.iso(now - datetime.timedelta(days=5)),
                            registration_closes_at=h.iso(now - datetime.timedelta(seconds=5))),
        "closed": {}, "archived": {}, "draft": {"status": "draft"},
    }[case]
    ed = _ed(gess, staff, **over)
    _cat(gess, staff, ed["slug"], code="general")
    if case in ("closed", "archived"):
        for st in ("closed", "archived")[: 1 if case == "closed" else 2]:
            h.assert_json(gess.req("PATCH", f"/v1/editions/{ed['slug']}",
                                   headers=staff.organizer["headers"], json={"status": st}), 200)
    u = h.fast_user(gess)
    before = h.row_counts(gess)
    for who in (u, staff.organizer):
        r = h.register(gess, who, ed["slug"], "general")
        if case == "draft":
            h.assert_problem(r, 404, "not-found")
        else:
            h.assert_problem(r, 409, "registration-closed")
    assert h.row_counts(gess) == before


def test_window_reopened_by_patch(gess, staff):
    now = h.now_utc()
    ed = _ed(gess, staff, registration_opens_at=h.iso(now + datetime.timedelta(days=1)),
             registration_closes_at=h.iso(now + datetime.timedelta(days=2)))
    _cat(gess, staff, ed["slug"], code="general")
    u = h.fast_user(gess)
    h.assert_problem(h.register(gess, u, ed["slug"], "general"), 409, "registration-closed")
    h.assert_json(gess.req("PATCH", f"/v1/editions/{ed['slug']}",
                           headers=staff.organizer["headers"],
                           json={"registration_opens_at": h.iso(now - datetime.timedelta(days=1))}),
                  200)
    h.register_ok(gess, u, ed["slug"], "general", status="confirmed")


def test_already_registered_and_register_again(gess, staff):
    ed = _ed(gess, staff)
    _cat(gess, staff, ed["slug"], code="general", modes={"in_person": 5, "online": None})
    _cat(gess, staff, ed["slug"], code="otra", modes={"online": None})
    u = h.fast_user(gess)
    first = h.register_ok(gess, u, ed["slug"], "general", status="confirmed")
    before = h.row_counts(gess)
    for cat, mode in (("general", "in_person"), ("general", "online"), ("otra", "online")):
        p = h.assert_problem(h.register(gess, u, ed["slug"], cat, mode), 409, "already-registered")
        assert p.get("registration_id") == first["id"], p
    assert h.row_counts(gess) == before
    # Another edition is another matter.
    ed2 = _ed(gess, staff)
    _cat(gess, staff, ed2["slug"], code="general")
    h.register_ok(gess, u, ed2["slug"], "general", status="confirmed")
    # After a cancellation they may register again (a new registration).
    assert _cancel(gess, u, first["id"]).status_code == 204
    second = h.register_ok(gess, u, ed["slug"], "otra", "online", status="confirmed")
    assert second["id"] != first["id"] and second["badge_code"] != first["badge_code"]
    p = h.assert_problem(h.register(gess, u, ed["slug"], "general"), 409, "already-registered")
    assert p["registration_id"] == second["id"]
    # ... and after a rejection too.
    r = gess.req("POST", f"/v1/registrations/{second['id']}/reject",
                 headers=staff.organizer["headers"], json={})
    assert h.assert_json(r, 200)["status"] == "rejected"
    third = h.register_ok(gess, u, ed["slug"], "general", status="confirmed")
    assert gess.count("registrations", "edition_id = %s AND account_id = %s",
                      (ed["id"], u["account"]["id"])) == 3
    assert gess.count("registrations", "edition_id = %s AND account_id = %s AND status"
                      " NOT IN ('cancelled', 'rejected')", (ed["id"], u["account"]["id"])) == 1
    assert third["id"] not in (first["id"], second["id"])
    _no_violations(gess, ed["id"])


def test_concurrent_double_registration(gess, staff):
    """20 concurrent attempts of one person with different keys: one 201."""
    ed = _ed(gess, staff)
    _cat(gess, staff, ed["slug"], code="general", modes={"in_person": 50})
    u = h.fast_user(gess)
    barrier = threading.Barrier(20)

    def go(i):
        barrier.wait(10)
        return h.register(gess, u, ed["slug"], "general", key=f"k-{i}")

    with concurrent.futures.ThreadPoolExecutor(20) as ex:
        rs = list(ex.map(go, range(20)))
    codes = sorted(r.status_code for r in rs)
    assert codes.count(201) == 1, codes
    won = next(r for r in rs if r.status_code == 201).json()
    for r in rs:
        if r.status_code != 201:
            p = h.assert_problem(r, 409, "already-registered")
            assert p.get("registration_id") == won["id"], p
    assert gess.count("registrations", "account_id = %s", (u["account"]["id"],)) == 1
    _no_violations(gess, ed["id"])


def test_sector_restricted_category(gess, staff):
    ed = _ed(gess, staff)
    _cat(gess, staff, ed["slug"], code="lideres", sectors=["community", "public"],
         modes={"in_person": 5})
    outsider = h.fast_user(gess, sector="private")
    before = h.row_counts(gess)
    p = h.assert_problem(h.register(gess, outsider, ed["slug"], "lideres"), 422,
                         "validation-failed")
    assert h.error_fields(p) == ["category"], p
    # An account without a sector (gessd admin create) is refused as well.
    p = h.assert_problem(h.register(gess, staff.admin, ed["slug"], "lideres"), 422,
                         "validation-failed")
    assert h.error_fields(p) == ["category"], p
    assert h.row_counts(gess) == before
    for sector in ("community", "public"):
        h.register_ok(gess, h.fast_user(gess, sector=sector), ed["slug"], "lideres",
                      status="confirmed")


def test_valid_answers_are_stored(gess, staff):
    ed = _ed(gess, staff)
    _cat(gess, staff, ed["slug"], code="general", modes={"in_person": 5})
    h.create_question(gess, staff.organizer, ed["slug"], code="cargo", type="text", required=True)
    h.create_question(gess, staff.organizer, ed["slug"], code="taller", type="choice",
                      choices=["Agua", "Energía"])
    h.create_question(gess, staff.organizer, ed["slug"], code="dieta", type="yes_no",
                      required=True)
    u1, u2 = h.fast_users(gess, 2)
    answers = {"cargo": "ñ" * 2000, "taller": "Energía", "dieta": False}
    reg = h.register_ok(gess, u1, ed["slug"], "general", answers=answers)
    assert reg["answers"] == answers
    assert gess.sql("SELECT answers FROM registrations WHERE id = %s", (reg["id"],)) == [(answers,)]
    # Optional questions may be left out.
    reg = h.register_ok(gess, u2, ed["slug"], "general", answers={"cargo": "Alcaldesa",
                                                                  "dieta": True})
    assert reg["answers"].get("cargo") == "Alcaldesa" and reg["answers"].get("dieta") is True
    assert "taller" not in reg["answers"] or reg["answers"]["taller"] in (None, "")


# --- cancellation, promotion, approval --------------------------------------------------------

def test_cancel_promotes_oldest_waitlisted(gess, staff):
    ed = _ed(gess, staff)
    cat = _cat(gess, staff, ed["slug"], code="general", modes={"in_person": 1})
    a, b, c, d = h.fast_users(gess, 4)
    ra = h.register_ok(gess, a, ed["slug"], "general", status="confirmed")
    rb = h.register_ok(gess, b, ed["slug"], "general", status="waitlisted")
    rc = h.register_ok(gess, c, ed["slug"], "general", status="waitlisted")
    ob_b = _outbox(gess, b["account"]["id"])
    ob_c = _outbox(gess, c["account"]["id"])

    r = _cancel(gess, a, ra["id"])
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert h.reg_status(gess, ra["id"]) == "cancelled"
    assert h.reg_status(gess, rb["id"]) == "confirmed"  # the oldest waitlisted
    assert h.reg_status(gess, rc["id"]) == "waitlisted"
    _new_outbox(gess, b["account"]["id"], ob_b, rb["id"])
    assert _outbox(gess, c["account"]["id"]) == ob_c
    assert _taken(gess, cat["id"], "in_person") == 1
    _no_violations(gess, ed["id"])
    mine = h.assert_json(gess.req("GET", "/v1/me/registrations", headers=b["headers"]), 200)
    assert [x["status"] for x in mine["items"] if x["id"] == rb["id"]] == ["confirmed"]

    # Cancelling again: 204, nothing changes.
    counts = h.row_counts(gess)
    assert _cancel(gess, a, ra["id"]).status_code == 204
    assert h.row_counts(gess) == counts
    assert h.reg_status(gess, rc["id"]) == "waitlisted"

    # Cancelling a waitlisted registration promotes nobody and frees nothing.
    rd = h.register_ok(gess, d, ed["slug"], "general", status="waitlisted")
    ob_d = _outbox(gess, d["account"]["id"])
    assert _cancel(gess, c, rc["id"]).status_code == 204
    assert h.reg_status(gess, rc["id"]) == "cancelled"
    assert h.reg_status(gess, rd["id"]) == "waitlisted"
    assert _outbox(gess, d["account"]["id"]) == ob_d
    assert _taken(gess, cat["id"], "in_person") == 1

    # An organizer may cancel anyone's: d moves up.
    r = gess.req("DELETE", f"/v1/registrations/{rb['id']}", headers=staff.organizer["headers"])
    assert r.status_code == 204, r.text
    assert h.reg_status(gess, rb["id"]) == "cancelled"
    assert h.reg_status(gess, rd["id"]) == "confirmed"
    _new_outbox(gess, d["account"]["id"], ob_d, rd["id"])
    # The last seat holder leaves with nobody waiting: the seat is free.
    assert _cancel(gess, d, rd["id"]).status_code == 204
    assert _taken(gess, cat["id"], "in_person") == 0
    _no_violations(gess, ed["id"])


def test_cancel_promotes_to_pending_when_approval_needed(gess, staff):
    ed = _ed(gess, staff)
    cat = _cat(gess, staff, ed["slug"], code="apr", requires_approval=True,
               modes={"online": 1})
    a, b = h.fast_users(gess, 2)
    ra = h.register_ok(gess, a, ed["slug"], "apr", "online", status="pending")
    rb = h.register_ok(gess, b, ed["slug"], "apr", "online", status="waitlisted")
    ob = _outbox(gess, b["account"]["id"])
    assert _cancel(gess, a, ra["id"]).status_code == 204
    assert h.reg_status(gess, rb["id"]) == "pending"
    _new_outbox(gess, b["account"]["id"], ob, rb["id"])
    assert _taken(gess, cat["id"], "online") == 1
    _no_violations(gess, ed["id"])


def test_cancel_someone_elses_and_unknown(gess, staff):
    ed = _ed(gess, staff)
    _cat(gess, staff, ed["slug"], code="general")
    a, b = h.fast_users(gess, 2)
    ra = h.register_ok(gess, a, ed["slug"], "general")
    h.assert_problem(_cancel(gess, b, ra["id"]), 404, "not-found")
    h.assert_problem(_cancel(gess, staff.followup, ra["id"]), 404, "not-found")
    assert h.reg_status(gess, ra["id"]) == "confirmed"
    h.assert_problem(_cancel(gess, a, str(uuid.uuid4())), 404, "not-found")
    h.assert_problem(_cancel(gess, a, "not-a-uuid"), 404, "not-found")
    h.assert_problem(_cancel(gess, staff.organizer, str(uuid.uuid4())), 404, "not-found")
    for action in ("approve", "reject"):
        r = gess.req("POST", f"/v1/registrations/{uuid.uuid4()}/{action}",
                     headers=staff.organizer["headers"], json={})
        h.assert_problem(r, 404, "not-found")
        r = gess.req("POST", f"/v1/registrations/zzz/{action}",
                     headers=staff.organizer["headers"], json={})
        h.assert_problem(r, 404, "not-found")


def test_approve_and_reject(gess, staff):
    ed = _ed(gess, staff)
    cat = _cat(gess, staff, ed["slug"], code="apr", requires_approval=True,
               modes={"in_person": 1})
    org = staff.organizer["headers"]
    a, b, c = h.fast_users(gess, 3)
    ra = h.register_ok(gess, a, ed["slug"], "apr", status="pending")
    rb = h.register_ok(gess, b, ed["slug"], "apr", status="waitlisted")
    rc = h.register_ok(gess, c, ed["slug"], "apr", status="waitlisted")
    oa, ob, oc = (_outbox(gess, u["account"]["id"]) for u in (a, b, c))

    # Approving a waitlisted registration is not possible.
    h.assert_problem(gess.req("POST", f"/v1/registrations/{rb['id']}/approve", headers=org,
                              json={}), 409, "invalid-state")
    got = h.assert_json(gess.req("POST", f"/v1/registrations/{ra['id']}/approve", headers=org,
                                 json={}), 200)
    assert got["id"] == ra["id"] and got["status"] == "confirmed"
    assert h.reg_status(gess, ra["id"]) == "confirmed"
    oa = [*oa, _new_outbox(gess, a["account"]["id"], oa, ra["id"])]
    # Twice: 409, no second mail.
    h.assert_problem(gess.req("POST", f"/v1/registrations/{ra['id']}/approve", headers=org,
                              json={}), 409, "invalid-state")
    assert _outbox(gess, a["account"]["id"]) == oa
    assert _taken(gess, cat["id"], "in_person") == 1

    # Rejecting the confirmed one frees the seat: b (oldest waiting) becomes pending.
    got = h.assert_json(gess.req("POST", f"/v1/registrations/{ra['id']}/reject", headers=org,
                                 json={"reason": "Cupo reservado para dirigentes"}), 200)
    assert got["status"] == "rejected"
    assert h.reg_status(gess, ra["id"]) == "rejected"
    assert h.reg_status(gess, rb["id"]) == "pending"
    assert h.reg_status(gess, rc["id"]) == "waitlisted"
    _new_outbox(gess, a["account"]["id"], oa, ra["id"])
    ob = [*ob, _new_outbox(gess, b["account"]["id"], ob, rb["id"])]
    assert _outbox(gess, c["account"]["id"]) == oc
    assert _taken(gess, cat["id"], "in_person") == 1
    h.assert_problem(gess.req("POST", f"/v1/registrations/{ra['id']}/reject", headers=org,
                              json={}), 409, "invalid-state")
    h.assert_problem(gess.req("POST", f"/v1/registrations/{ra['id']}/approve", headers=org,
                              json={}), 409, "invalid-state")

    # Rejecting a waitlisted one: no seat to free, nobody promoted.
    got = h.assert_json(gess.req("POST", f"/v1/registrations/{rc['id']}/reject", headers=org),
                        200)  # the body is optional
    assert got["status"] == "rejected"
    _new_outbox(gess, c["account"]["id"], oc, rc["id"])
    assert h.reg_status(gess, rb["id"]) == "pending"
    assert _taken(gess, cat["id"], "in_person") == 1

    # The admin approves b.
    got = h.assert_json(gess.req("POST", f"/v1/registrations/{rb['id']}/approve",
                                 headers=staff.admin["headers"], json={}), 200)
    assert got["status"] == "confirmed"
    _new_outbox(gess, b["account"]["id"], ob, rb["id"])
    # A cancelled registration cannot be approved or rejected.
    assert _cancel(gess, b, rb["id"]).status_code == 204
    for action in ("approve", "reject"):
        h.assert_problem(gess.req("POST", f"/v1/registrations/{rb['id']}/{action}", headers=org,
                                  json={}), 409, "invalid-state")
    assert _taken(gess, cat["id"], "in_person") == 0
    _no_violations(gess, ed["id"])


# --- check-in ----------------------------------------------------------------------------------

def test_checkin(gess, staff):
    ed = _ed(gess, staff)
    _cat(gess, staff, ed["slug"], code="general", modes={"in_person": 1})
    _cat(gess, staff, ed["slug"], code="apr", requires_approval=True, modes={"in_person": 5})
    a, b, c, d = h.fast_users(gess, 4)
    ra = h.register_ok(gess, a, ed["slug"], "general", status="confirmed")
    rb = h.register_ok(gess, b, ed["slug"], "general", status="waitlisted")
    rc = h.register_ok(gess, c, ed["slug"], "apr", status="pending")
    rd = h.register_ok(gess, d, ed["slug"], "apr", status="pending")
    assert _cancel(gess, d, rd["id"]).status_code == 204
    path = f"/v1/editions/{ed['slug']}/checkins"
    org = staff.organizer["headers"]

    first = h.assert_json(gess.req("POST", path, headers=org,
                                   json={"badge_code": ra["badge_code"]}), 200)
    assert first["first_scan"] is True
    assert first["registration"]["id"] == ra["id"]
    assert first["registration"]["status"] == "checked_in"
    t = h.parse_instant(first["checked_in_at"])
    assert abs((t - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) < 60
    assert h.parse_instant(first["registration"]["checked_in_at"]) == t
    assert h.reg_status(gess, ra["id"]) == "checked_in"
    # Second scan (by the admin, a bit later): 200, the first time, first_scan false.
    second = h.assert_json(gess.req("POST", path, headers=staff.admin["headers"],
                                    json={"badge_code": ra["badge_code"]}), 200)
    assert second["first_scan"] is False
    assert h.parse_instant(second["checked_in_at"]) == t
    db_t = gess.sql("SELECT checked_in_at FROM registrations WHERE id = %s", (ra["id"],))[0][0]
    assert abs((db_t - t).total_seconds()) < 1, (db_t, t)

    # A checked-in seat stays taken, nobody promoted.
    assert h.reg_status(gess, rb["id"]) == "waitlisted"
    _no_violations(gess, ed["id"])
    # Cancelling a checked-in registration: 409.
    h.assert_problem(_cancel(gess, a, ra["id"]), 409, "invalid-state")
    h.assert_problem(gess.req("DELETE", f"/v1/registrations/{ra['id']}", headers=org), 409,
                     "invalid-state")
    assert h.reg_status(gess, ra["id"]) == "checked_in"

    # Not confirmed: 409, nothing changes.
    for reg in (rb, rc, rd):
        st = h.reg_status(gess, reg["id"])
        h.assert_problem(gess.req("POST", path, headers=org, json={"badge_code": reg["badge_code"]}),
                         409, "invalid-state")
        assert h.reg_status(gess, reg["id"]) == st
    # Unknown code, and a code of another edition: 404.
    h.assert_problem(gess.req("POST", path, headers=org, json={"badge_code": "ZZZZZZZZZZ"}), 404,
                     "not-found")
    ed2 = _ed(gess, staff)
    _cat(gess, staff, ed2["slug"], code="general")
    other = h.register_ok(gess, h.fast_user(gess), ed2["slug"], "general", status="confirmed")
    h.assert_problem(gess.req("POST", path, headers=org, json={"badge_code": other["badge_code"]}),
                     404, "not-found")
    assert h.reg_status(gess, other["id"]) == "confirmed"
    # After approval the pending one may check in.
    h.assert_json(gess.req("POST", f"/v1/registrations/{rc['id']}/approve", headers=org,
                           json={}), 200)
    got = h.assert_json(gess.req("POST", path, headers=org, json={"badge_code": rc["badge_code"]}),
                        200)
    assert got["first_scan"] is True


# --- lists ---------------------------------------------------------------------------------------

def test_me_registrations(gess, staff):
    ed1 = _ed(gess, staff, title="GESS Cajamarca")
    ed2 = _ed(gess, staff, title="GESS Arequipa")
    for ed in (ed1, ed2):
        _cat(gess, staff, ed["slug"], code="general")
    u, other = h.fast_users(gess, 2)
    h.assert_json(gess.req("GET", "/v1/me/registrations", headers=u["headers"]), 200)
    r1 = h.register_ok(gess, u, ed1["slug"], "general")
    assert _cancel(gess, u, r1["id"]).status_code == 204
    r2 = h.register_ok(gess, u, ed1["slug"], "general")
    r3 = h.register_ok(gess, u, ed2["slug"], "general")
    h.register_ok(gess, other, ed1["slug"], "general")
    items = h.assert_json(gess.req("GET", "/v1/me/registrations", headers=u["headers"]),
                          200)["items"]
    by = {x["id"]: x for x in items}
    assert set(by) == {r1["id"], r2["id"], r3["id"]}
    assert by[r1["id"]]["status"] == "cancelled"
    assert by[r2["id"]]["status"] == "confirmed" and by[r2["id"]]["badge_code"] == r2["badge_code"]
    for rid, ed in ((r1["id"], ed1), (r2["id"], ed1), (r3["id"], ed2)):
        assert by[rid]["edition"] == ed["slug"]
        assert ed["title"] in by[rid].values(), f"edition title missing: {by[rid]}"
        assert by[rid]["category"] == "general"


def _populate(gess, staff, n_extra=0, full_name="Rosa Huamán Ccori"):
    """An edition with two categories, two modes, five sectors and every status."""
    ed = _ed(gess, staff)
    slug = ed["slug"]
    _cat(gess, staff, slug, code="general", modes={"in_person": 3, "online": None})
    _cat(gess, staff, slug, code="apr", requires_approval=True, modes={"in_person": 10})
    h.create_question(gess, staff.organizer, slug, code="taller", type="choice",
                      choices=["Agua", "Energía", "Minería"])
    org = staff.organizer["headers"]
    sectors = ["public", "academia", "community", "private", "media"]
    users = []
    for i, s in enumerate(sectors):
        users += h.fast_users(gess, 3, sector=s, full_name=full_name)
    regs = []
    for i, u in enumerate(users):
        cat = "apr" if i % 3 == 2 else "general"
        mode = "online" if i % 4 == 3 and cat == "general" else "in_person"
        regs.append(h.register_ok(gess, u, slug, cat, mode,
                                  answers={"taller": ["Agua", "Energía", "Minería"][i % 3]}))
    # Mix the statuses: a cancel, a reject, an approval, a check-in.
    st = {r["id"]: r["status"] for r in regs}
    conf = [r for r in regs if st[r["id"]] == "confirmed" and r["mode"] == "in_person"]
    pend = [r for r in regs if st[r["id"]] == "pending"]
    h.assert_json(gess.req("POST", f"/v1/editions/{slug}/checkins", headers=org,
                           json={"badge_code": conf[0]["badge_code"]}), 200)
    h.assert_json(gess.req("POST", f"/v1/registrations/{pend[0]['id']}/approve", headers=org,
                           json={}), 200)
    h.assert_json(gess.req("POST", f"/v1/registrations/{pend[1]['id']}/reject", headers=org,
                           json={}), 200)
    assert gess.req("DELETE", f"/v1/registrations/{conf[1]['id']}",
                    headers=org).status_code == 204
    if n_extra:
        for u in h.fast_users(gess, n_extra, sector="cooperation", full_name=full_name):
            h.register_ok(gess, u, slug, "general", "online")
    return ed, users


def _db_ids(gess, edition_id, where="true", params=()):
    return [r[0] for r in gess.sql(
        "SELECT r.id::text FROM registrations r JOIN categories c ON c.id = r.category_id"
        f" WHERE r.edition_id = %s AND ({where}) ORDER BY r.created_at, r.id",
        (edition_id, *params))]


def test_organizer_list_filters_and_pages(gess, staff):
    ed, users = _populate(gess, staff)
    path = f"/v1/editions/{ed['slug']}/registrations"
    org = staff.organizer["headers"]
    statuses = {r[0] for r in gess.sql("SELECT DISTINCT status FROM registrations"
                                       " WHERE edition_id = %s", (ed["id"],))}
    assert statuses == set(h.REG_STATUSES), statuses  # every status is represented

    everything = _db_ids(gess, ed["id"])
    for limit in (1, 4, 200, None):
        items, pages = h.walk_pages(gess, path, headers=org, limit=limit)
        ids = [x["id"] for x in items]
        assert len(ids) == len(set(ids)), f"duplicates with limit={limit}"
        assert ids == everything, f"limit={limit}: missing, extra or out of order"
        if limit == 4:
            assert pages == -(-len(everything) // 4) or pages == -(-len(everything) // 4) + 1
    one = h.assert_json(gess.req("GET", path, headers=org), 200)["items"][0]
    assert set(one) >= REG_KEYS | {"account"}, one
    acc = one["account"]
    assert set(acc) >= {"id", "full_name", "email", "organization", "sector"}, acc
    row = gess.sql("SELECT a.id::text, a.email, a.sector FROM registrations r JOIN accounts a"
                   " ON a.id = r.account_id WHERE r.id = %s", (one["id"],))
    assert (acc["id"], acc["email"], acc["sector"]) == row[0]

    filters = [({"status": s}, "r.status = %s", (s,)) for s in h.REG_STATUSES]
    filters += [({"category": "apr"}, "c.code = %s", ("apr",)),
                ({"category": "general"}, "c.code = %s", ("general",)),
                ({"mode": "online"}, "r.mode = %s", ("online",)),
                ({"mode": "in_person"}, "r.mode = %s", ("in_person",)),
                ({"sector": "community"}, "r.sector = %s", ("community",)),
                ({"sector": "cooperation"}, "r.sector = %s", ("cooperation",)),
                ({"checked_in": "true"}, "r.checked_in_at IS NOT NULL", ()),
                ({"checked_in": "false"}, "r.checked_in_at IS NULL", ()),
                ({"status": "confirmed", "category": "general", "mode": "in_person"},
                 "r.status = 'confirmed' AND c.code = 'general' AND r.mode = 'in_person'", ())]
    for params, where, args in filters:
        want = _db_ids(gess, ed["id"], where, args)
        items, _ = h.walk_pages(gess, path, headers=org, limit=2, params=params)
        assert [x["id"] for x in items] == want, f"filter {params}"
        for x in items:
            for k in ("status", "category", "mode"):
                if k in params:
                    assert x[k] == params[k], (params, x)


@pytest.mark.parametrize("params,field", [
    ({"status": "bogus"}, "status"),
    ({"mode": "hybrid"}, "mode"),
    ({"sector": "martians"}, "sector"),
    ({"checked_in": "maybe"}, "checked_in"),
    ({"limit": 0}, "limit"),
    ({"limit": 201}, "limit"),
    ({"limit": "x"}, "limit"),
    ({"limit": 4294967346}, "limit"),  # would wrap to 50 in an int
    ({"cursor": "%%%garbage"}, "cursor"),
], ids=["status", "mode", "sector", "checked_in", "limit0", "limit201", "limit-word",
                         "limit-huge", "cursor"])
def test_organizer_list_bad_query(gess, staff, edition, params, field):
    r = gess.req("GET", f"/v1/editions/{edition['slug']}/registrations", params=params,
                 headers=staff.organizer["headers"])
    p = h.assert_problem(r, 422, "validation-failed")
    assert field in h.error_fields(p), p


def test_csv_export(gess, staff):
    name = "Ñuñoa Pérez Camaná"
    ed, users = _populate(gess, staff, n_extra=45, full_name=name)  # 60 rows: beyond one page
    path = f"/v1/editions/{ed['slug']}/registrations"
    r = gess.req("GET", path, headers=dict(staff.organizer["headers"], Accept="text/csv"))
    assert r.status_code == 200, r.text[:300]
    ct = r.headers.get("Content-Type", "").replace(" ", "").lower()
    assert ct == "text/csv;charset=utf-8", ct
    raw = r.content
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:20]
    text = raw[3:].decode("utf-8")
    assert name.encode("utf-8") in raw
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == h.CSV_COLUMNS, rows[0]
    body = rows[1:]
    want = _db_ids(gess, ed["id"])
    assert len(want) == 60
    assert len(body) == len(want), f"{len(body)} rows for {len(want)} registrations"
    assert sorted(x[0] for x in body) == sorted(want)
    col = {c: i for i, c in enumerate(h.CSV_COLUMNS)}
    db = {r[0]: r[1:] for r in gess.sql(
        "SELECT r.id::text, r.status, c.code, r.mode, r.badge_code, a.email, a.sector,"
        " r.answers FROM registrations r JOIN categories c ON c.id = r.category_id"
        " JOIN accounts a ON a.id = r.account_id WHERE r.edition_id = %s", (ed["id"],))}
    for x in body:
        assert len(x) == len(h.CSV_COLUMNS), x
        st, code, mode, badge, email, sector, answers = db[x[0]]
        assert x[col["full_name"]] == name
        assert (x[col["status"]], x[col["category"]], x[col["mode"]], x[col["badge_code"]],
                x[col["email"]], x[col["sector"]]) == (st, code, mode, badge, email, sector)
        assert x[col["organization"]] == "Comunidad Campesina de Michiquillay"
        assert json.loads(x[col["answers"]]) == answers
        assert x[col["created_at"]], x
        if st == "checked_in":
            assert x[col["checked_in_at"]], x
        else:
            assert x[col["checked_in_at"]] == "", x
    assert any("Energía" in x[col["answers"]] for x in body)

    # Filters apply to the export too.
    r = gess.req("GET", path, params={"status": "waitlisted"},
                 headers=dict(staff.organizer["headers"], Accept="text/csv"))
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content[3:].decode("utf-8"), newline="")))
    assert sorted(x[0] for x in rows[1:]) == sorted(_db_ids(gess, ed["id"],
                                                            "r.status = 'waitlisted'"))


def test_stats(gess, staff):
    ed, users = _populate(gess, staff)
    # One registration made at 20:00 in Lima on 1 March 2025: 01:00 UTC on 2 March.
    rid = _db_ids(gess, ed["id"])[0]
    gess.sql("UPDATE registrations SET created_at = '2025-03-01 20:00:00-05' WHERE id = %s",
             (rid,))
    r = gess.req("GET", f"/v1/editions/{ed['slug']}/stats", headers=staff.organizer["headers"])
    st = h.assert_json(r, 200)
    assert set(st) >= {"total", "by_status", "by_category", "by_mode", "by_sector", "by_day"}

    def q(sql):
        return gess.sql(sql + " FROM registrations r JOIN categories c ON c.id = r.category_id"
                        " WHERE r.edition_id = %s GROUP BY 1", (ed["id"],))

    def nz(d):
        return {k: v for k, v in d.items() if v}

    assert st["total"] == gess.count("registrations", "edition_id = %s", (ed["id"],)) == 15
    assert nz(st["by_status"]) == dict(q("SELECT r.status, count(*)"))
    assert nz(st["by_mode"]) == dict(q("SELECT r.mode, count(*)"))
    assert nz(st["by_sector"]) == dict(q("SELECT r.sector, count(*)"))
    want_cat = {}
    for code, status, n in gess.sql(
            "SELECT c.code, r.status, count(*) FROM registrations r JOIN categories c"
            " ON c.id = r.category_id WHERE r.edition_id = %s GROUP BY 1, 2", (ed["id"],)):
        want_cat.setdefault(code, {})[status] = n
    assert {k: nz(v) for k, v in st["by_category"].items() if nz(v)} == want_cat
    want_day = {d.isoformat(): n for d, n in gess.sql(
        "SELECT (r.created_at AT TIME ZONE 'America/Lima')::date, count(*) FROM registrations r"
        " WHERE r.edition_id = %s GROUP BY 1", (ed["id"],))}
    assert nz(st["by_day"]) == want_day
    assert st["by_day"].get("2025-03-01") == 1 and "2025-03-02" not in st["by_day"]
    # An edition without registrations: zeros.
    ed2 = _ed(gess, staff)
    st2 = h.assert_json(gess.req("GET", f"/v1/editions/{ed2['slug']}/stats",
                                 headers=staff.organizer["headers"]), 200)
    assert st2["total"] == 0 and not nz(st2["by_status"])
    h.assert_problem(gess.req("GET", "/v1/editions/no-such/stats",
                              headers=staff.organizer["headers"]), 404, "not-found")


# --- idempotency ---------------------------------------------------------------------------------

def test_idempotent_replay(gess, staff):
    ed = _ed(gess, staff)
    _cat(gess, staff, ed["slug"], code="general", modes={"in_person": 5, "online": None})
    u, v = h.fast_users(gess, 2)
    key = "reg-" + uuid.uuid4().hex
    r1 = h.register(gess, u, ed["slug"], "general", key=key)
    first = h.assert_json(r1, 201)
    for _ in range(3):
        r = h.register(gess, u, ed["slug"], "general", key=key)
        assert r.status_code == 201, r.text
        assert r.content == r1.content
    assert gess.count("registrations", "account_id = %s", (u["account"]["id"],)) == 1
    assert gess.count("idempotency_keys", "account_id = %s", (u["account"]["id"],)) == 1

    before = h.row_counts(gess)
    # Same key, different body: 422.
    r = h.register(gess, u, ed["slug"], "general", "online", key=key)
    h.assert_problem(r, 422, "idempotency-mismatch")
    r = h.register(gess, u, ed["slug"], "general", answers={}, key=key)
    h.assert_problem(r, 422, "idempotency-mismatch")
    assert h.row_counts(gess) == before
    # Same key and body, another edition (path): 422.
    ed2 = _ed(gess, staff)
    _cat(gess, staff, ed2["slug"], code="general")
    before = h.row_counts(gess)
    r = h.register(gess, u, ed2["slug"], "general", key=key)
    h.assert_problem(r, 422, "idempotency-mismatch")
    assert h.row_counts(gess) == before
    # Without the key the second attempt is a plain duplicate.
    p = h.assert_problem(h.register(gess, u, ed["slug"], "general"), 409, "already-registered")
    assert p["registration_id"] == first["id"]
    # Keys are per account: v may use the same key.
    rv = h.assert_json(h.register(gess, v, ed["slug"], "general", key=key), 201)
    assert rv["id"] != first["id"]

    # After a cancellation the replay still answers the first 201, creates nothing.
    assert _cancel(gess, u, first["id"]).status_code == 204
    counts = h.row_counts(gess)
    r = h.register(gess, u, ed["slug"], "general", key=key)
    assert (r.status_code, r.content) == (201, r1.content)
    assert h.row_counts(gess) == counts
    # A key older than 24 hours is forgotten: the same request registers anew.
    gess.sql("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'"
             " WHERE account_id = %s AND key = %s", (u["account"]["id"], key))
    r_fresh = h.register(gess, u, ed["slug"], "general", key=key)
    fresh = h.assert_json(r_fresh, 201)
    assert fresh["id"] != first["id"]
    assert gess.count("registrations", "account_id = %s AND edition_id = %s",
                      (u["account"]["id"], ed["id"])) == 2
    r = h.register(gess, u, ed["slug"], "general", key=key)
    assert (r.status_code, r.content) == (201, r_fresh.content)


def test_idempotency_refusals_are_not_stored(gess, staff):
    """Only a 201 is remembered: a 409/422 with a key may be retried fixed."""
    ed = _ed(gess, staff)
    _cat(gess, staff, ed["slug"], code="general")
    u = h.fast_user(gess)
    key = "k-" + uuid.uuid4().hex
    p = h.assert_problem(h.register(gess, u, ed["slug"], "nope", key=key), 422,
                         "validation-failed")
    assert h.error_fields(p) == ["category"]
    assert gess.count("idempotency_keys", "account_id = %s", (u["account"]["id"],)) == 0
    h.register_ok(gess, u, ed["slug"], "general", key=key, status="confirmed")


def test_idempotency_concurrent_same_key(gess, staff, admission):
    """Batched and one by one (the `admission` fixture): in a batch, the
    later copies are asked alone after it, and replay its answer."""
    ed = _ed(gess, staff)
    _cat(gess, staff, ed["slug"], code="general", modes={"in_person": 10})
    u = h.fast_user(gess)
    key = "same-" + uuid.uuid4().hex
    n = 50
    barrier = threading.Barrier(n)
    body = {"category": "general", "mode": "in_person"}
    url = admission.url(f"/v1/editions/{ed['slug']}/registrations")
    hdrs = dict(u["headers"], **{"Idempotency-Key": key})

    def go(_):
        with requests.Session() as s:
            barrier.wait(20)
            r = s.post(url, json=body, headers=hdrs, timeout=30)
            h.check_common(r)
            return r

    with concurrent.futures.ThreadPoolExecutor(n) as ex:
        rs = list(ex.map(go, range(n)))
    created = [r for r in rs if r.status_code == 201]
    assert created, sorted(r.status_code for r in rs)
    for r in rs:
        if r.status_code == 201:
            assert r.content == created[0].content
        else:
            h.assert_problem(r, 409, "idempotency-in-flight")
    assert gess.count("registrations", "account_id = %s", (u["account"]["id"],)) == 1
    assert gess.count("idempotency_keys", "account_id = %s", (u["account"]["id"],)) == 1
    reg = created[0].json()
    assert gess.sql("SELECT id::text FROM registrations WHERE account_id = %s",
                    (u["account"]["id"],)) == [(reg["id"],)]
    _no_violations(gess, ed["id"])
    # Afterwards a replay is the 201.
    r = h.register(admission, u, ed["slug"], "general", key=key)
    assert (r.status_code, r.content) == (201, created[0].content)


# --- bad input -------------------------------------------------------------------------------------

@pytest.fixture
def qed(gess, staff):
    """An open edition with categories general (in_person 5), lideres
    (community only) and three questions (cargo required)."""
    ed = _ed(gess, staff)
    slug = ed["slug"]
    _cat(gess, staff, slug, code="general", modes={"in_person": 5})
    _cat(gess, staff, slug, code="lideres", sectors=["community"], modes={"in_person": 5})
    h.create_question(gess, staff.organizer, slug, code="cargo", type="text", required=True)
    h.create_question(gess, staff.organizer, slug, code="taller", type="choice",
                      choices=["Agua", "Energía"])
    h.create_question(gess, staff.organizer, slug, code="dieta", type="yes_no")
    return ed


def _seat_sum(gess):
    return gess.sql("SELECT coalesce(sum(taken), 0) FROM category_modes")[0][0]


GOOD = {"category": "general", "mode": "in_person", "answers": {"cargo": "Regidora"}}

REG_BAD = [
    ("category-missing", {"category": DROP}, "category"),
    ("category-null", {"category": None}, "category"),
    ("category-unknown", {"category": "nope"}, "category"),
    ("category-type", {"category": 5}, "category"),
    ("category-sector-closed", {"category": "lideres"}, "category"),
    ("mode-missing", {"mode": DROP}, "mode"),
    ("mode-unknown", {"mode": "hybrid"}, "mode"),
    ("mode-not-offered", {"mode": "online"}, "mode"),
    ("mode-type", {"mode": 1}, "mode"),
    ("answers-type", {"answers": "Regidora"}, "answers"),
    ("answers-array", {"answers": ["Regidora"]}, "answers"),
    ("answers-unknown-question", {"answers": {"cargo": "x", "zzz": "y"}}, "answers.zzz"),
    ("answers-required-missing", {"answers": {"dieta": True}}, "answers.cargo"),
    ("answers-missing-with-required", {"answers": DROP}, "answers.cargo"),
    ("answers-required-empty", {"answers": {"cargo": ""}}, "answers.cargo"),
    ("answers-required-null", {"answers": {"cargo": None}}, "answers.cargo"),
    ("answers-text-type", {"answers": {"cargo": 5}}, "answers.cargo"),
    ("answers-text-2001", {"answers": {"cargo": "é" * 2001}}, "answers.cargo"),
    ("answers-choice-unknown", {"answers": {"cargo": "x", "taller": "Fútbol"}}, "answers.taller"),
    ("answers-choice-case", {"answers": {"cargo": "x", "taller": "agua"}}, "answers.taller"),
    ("answers-choice-type", {"answers": {"cargo": "x", "taller": ["Agua"]}}, "answers.taller"),
    ("answers-yes_no-string", {"answers": {"cargo": "x", "dieta": "sí"}}, "answers.dieta"),
    ("answers-yes_no-int", {"answers": {"cargo": "x", "dieta": 1}}, "answers.dieta"),
]


@pytest.mark.parametrize("over,field", [c[1:] for c in REG_BAD], ids=[c[0] for c in REG_BAD])
def test_registration_bad_input(gess, staff, qed, over, field):
    body = dict(GOOD)
    for k, v in over.items():
        if v is DROP:
            body.pop(k, None)
        else:
            body[k] = v
    u = h.fast_user(gess, sector="private")
    before, seats = h.row_counts(gess), _seat_sum(gess)
    r = gess.req("POST", f"/v1/editions/{qed['slug']}/registrations",
                 headers=dict(u["headers"], **{"Idempotency-Key": "bad-" + uuid.uuid4().hex}),
                 json=body)
    p = h.assert_problem(r, 422, "validation-failed")
    assert field in h.error_fields(p), p
    assert h.row_counts(gess) == before and _seat_sum(gess) == seats
    # The good body still works for this person.
    h.assert_json(gess.req("POST", f"/v1/editions/{qed['slug']}/registrations",
                           headers=u["headers"], json=GOOD), 201)


def test_registration_reports_every_field(gess, staff, qed):
    # Well-shaped values that break the edition's rules: every field at once.
    # (gessd checks shapes first: a mode that is not a mode at all is
    # reported alone, before the edition's rules are looked at.)
    u = h.fast_user(gess, sector="private")
    before = h.row_counts(gess)
    r = gess.req("POST", f"/v1/editions/{qed['slug']}/registrations", headers=u["headers"],
                 json={"category": "lideres", "mode": "online",
                       "answers": {"taller": "x", "dieta": "no", "zzz": 1}})
    p = h.assert_problem(r, 422, "validation-failed")
    assert {"category", "mode", "answers.cargo", "answers.taller", "answers.dieta",
            "answers.zzz"} <= set(h.error_fields(p)), p
    assert h.row_counts(gess) == before


@pytest.mark.parametrize("key", ["x" * 256, "", "clé", "tab\there"],
                         ids=["256-chars", "empty", "non-ascii", "control"])
def test_bad_idempotency_key(gess, staff, qed, key):
    u = h.fast_user(gess)
    before = h.row_counts(gess)
    data = h.http_request_bytes(
        "POST", f"/v1/editions/{qed['slug']}/registrations", gess.port,
        body=json.dumps(GOOD),
        headers=dict(u["headers"], **{"Idempotency-Key": "@@KEY@@"}))
    data = data.replace(b"@@KEY@@", key.encode("utf-8"))
    raw = h.raw_http(gess.port, data)
    assert h.status_of(raw) == 422, raw[:400]
    payload = json.loads(raw.partition(b"\r\n\r\n")[2])
    assert payload["type"].endswith("/validation-failed"), payload
    assert "Idempotency-Key" in h.error_fields(payload), payload
    assert h.row_counts(gess) == before
    # 255 printable characters are fine.
    h.register_ok(gess, u, qed["slug"], "general", answers=GOOD["answers"], key="~" * 255)


@pytest.mark.parametrize("kind", ["invalid-utf8", "not-json", "array"])
def test_registration_malformed_body(gess, staff, qed, kind):
    u = h.fast_user(gess)
    body = dict(GOOD, answers={"cargo": "Dirigente Ñawpa"})
    data = {"invalid-utf8": json.dumps(body, ensure_ascii=False).encode().replace(
                "Ñawpa".encode(), b"\xc3\x28awpa\xff"),
            "not-json": b"category=general&mode=in_person",
            "array": json.dumps([body]).encode()}[kind]
    before = h.row_counts(gess)
    r = gess.req("POST", f"/v1/editions/{qed['slug']}/registrations",
                 headers=dict(u["headers"], **{"Content-Type": "application/json",
                                               "Idempotency-Key": "m-" + uuid.uuid4().hex}),
                 data=data)
    if kind == "array":
        h.assert_problem(r, 422, "validation-failed")
    else:
        h.assert_problem(r, 400, "malformed-body")
    assert h.row_counts(gess) == before


CHECKIN_BAD = [
    ("missing", {}, "badge_code"),
    ("null", {"badge_code": None}, "badge_code"),
    ("type", {"badge_code": 12345}, "badge_code"),
    ("empty", {"badge_code": ""}, "badge_code"),
    ("long", {"badge_code": "A" * 5000}, "badge_code"),
]


@pytest.mark.parametrize("body,field", [c[1:] for c in CHECKIN_BAD], ids=[c[0] for c in CHECKIN_BAD])
def test_checkin_bad_input(gess, staff, edition, body, field):
    before = h.row_counts(gess)
    checked = gess.count("registrations", "status = 'checked_in'")
    r = gess.req("POST", f"/v1/editions/{edition['slug']}/checkins",
                 headers=staff.organizer["headers"], json=body)
    p = h.assert_problem(r, 422, "validation-failed")
    assert field in h.error_fields(p), p
    assert h.row_counts(gess) == before
    assert gess.count("registrations", "status = 'checked_in'") == checked


@pytest.mark.parametrize("body,field", [
    ({"reason": "r" * 1001}, "reason"),
    ({"reason": 5}, "reason"),
    ({"reason": ["x"]}, "reason"),
], ids=["reason-1001", "reason-int", "reason-array"])
def test_reject_bad_input(gess, staff, edition, body, field):
    _cat(gess, staff, edition["slug"], code="apr", requires_approval=True)
    u = h.fast_user(gess)
    reg = h.register_ok(gess, u, edition["slug"], "apr", status="pending")
    before = h.row_counts(gess)
    r = gess.req("POST", f"/v1/registrations/{reg['id']}/reject",
                 headers=staff.organizer["headers"], json=body)
    p = h.assert_problem(r, 422, "validation-failed")
    assert field in h.error_fields(p), p
    assert h.row_counts(gess) == before
    assert h.reg_status(gess, reg["id"]) == "pending"
    # 1000 characters are fine.
    got = h.assert_json(gess.req("POST", f"/v1/registrations/{reg['id']}/reject",
                                 headers=staff.organizer["headers"],
                                 json={"reason": "ñ" * 1000}), 200)
    assert got["status"] == "rejected"


@pytest.mark.parametrize("route", ["checkin", "reject"])
@pytest.mark.parametrize("kind", ["invalid-utf8", "not-json"])
def test_other_malformed_bodies(gess, staff, edition, route, kind):
    _cat(gess, staff, edition["slug"], code="apr", requires_approval=True)
    u = h.fast_user(gess)
    reg = h.register_ok(gess, u, edition["slug"], "apr", status="pending")
    path, obj = {
        "checkin": (f"/v1/editions/{edition['slug']}/checkins", {"badge_code": "Ñawpa"}),
        "reject": (f"/v1/registrations/{reg['id']}/reject", {"reason": "Ñawpa"}),
    }[route]
    data = json.dumps(obj, ensure_ascii=False).encode()
    data = data.replace("Ñawpa".encode(), b"\xff\xfe") if kind == "invalid-utf8" else b"reason=x"
    before = h.row_counts(gess)
    r = gess.req("POST", path, data=data, headers=dict(staff.organizer["headers"],
                                                       **{"Content-Type": "application/json"}))
    h.assert_problem(r, 400, "malformed-body")
    assert h.row_counts(gess) == before
    assert h.reg_status(gess, reg["id"]) == "pending"


def test_organizer_records_payment(gess, staff):
    """PATCH /v1/registrations/{id} {paid}: the flag shows in lists and the CSV."""
    ed = _ed(gess, staff)
    _cat(gess, staff, ed["slug"], code="pago", modes={"in_person": 5})
    org = staff.organizer["headers"]
    u = h.fast_user(gess)
    reg = h.register_ok(gess, u, ed["slug"], "pago", status="confirmed")
    assert reg["paid"] is False
    got = h.assert_json(gess.req("PATCH", f"/v1/registrations/{reg['id']}", headers=org,
                                 json={"paid": True}), 200)
    assert got["id"] == reg["id"] and got["paid"] is True
    assert got["account"]["id"] == u["account"]["id"]
    assert gess.count("registrations", "id = %s AND paid", (reg["id"],)) == 1
    mine = h.assert_json(gess.req("GET", "/v1/me/registrations", headers=u["headers"]), 200)
    assert [x["paid"] for x in mine["items"] if x["id"] == reg["id"]] == [True]
    csv_text = gess.req("GET", f"/v1/editions/{ed['slug']}/registrations",
                        headers={**org, "Accept": "text/csv"}).content.decode("utf-8-sig")
    assert f"{reg['id']},confirmed" in csv_text and ",true," in csv_text
    # bad input writes nothing
    for body, field in (({}, "paid"), ({"paid": "yes"}, "paid"), ({"paid": None}, "paid")):
        p = h.assert_problem(gess.req("PATCH", f"/v1/registrations/{reg['id']}", headers=org,
                                      json=body), 422, "validation-failed")
        assert field in h.error_fields(p)
    # a body that is not JSON, or not sent as JSON: the documented 400 and 415
    h.assert_problem(gess.req("PATCH", f"/v1/registrations/{reg['id']}",
                              headers={**org, "Content-Type": "application/json"},
                              data=b'{"paid": tru'), 400, "malformed-body")
    h.assert_problem(gess.req("PATCH", f"/v1/registrations/{reg['id']}",
                              headers={**org, "Content-Type": "text/plain"},
                              data=b'{"paid": false}'), 415, "unsupported-media-type")
    assert gess.count("registrations", "id = %s AND paid", (reg["id"],)) == 1
    h.assert_problem(gess.req("PATCH", "/v1/registrations/00000000-0000-0000-0000-000000000000",
                              headers=org, json={"paid": True}), 404, "not-found")
    h.assert_problem(gess.req("PATCH", "/v1/registrations/not-a-uuid", headers=org,
                              json={"paid": True}), 404, "not-found")
