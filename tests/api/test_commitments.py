"""Commitments, their status, indicators, measurements and their review, and milestones
(issue 5): the shapes DESIGN.md §6 gives, every field's bad input answered 422 naming it
with nothing written, the audit trail of every change with its actor, and two reviews of
one measurement at once (exactly one wins)."""
import datetime
import threading
import uuid

import pytest

import gesshelp as h
import pacthelp as ph


@pytest.fixture(scope="module")
def w(gess, staff):
    return ph.pact_world(gess, staff)


def post(gess, who, path, body):
    return gess.req("POST", path, headers=who["headers"], json=body)


def assert_422_nothing_written(gess, r, field, before):
    body = h.assert_problem(r, 422, "validation-failed")
    assert field in h.error_fields(body), (field, body)
    assert ph.pact_counts(gess) == before


# --- commitments ---------------------------------------------------------------------

def test_commitment_shape(gess, w):
    c = ph.world_commitment(gess, w, description="Primera línea\nSegunda línea")
    assert set(c) >= {"id", "pact_id", "parent_id", "title", "description",
                      "responsible_organization", "co_responsible_organizations", "starts_on",
                      "due_on", "status", "status_reason", "status_changed_at", "overdue",
                      "carried_from", "carried_over_to", "progress", "completion", "indicators",
                      "milestones", "sub_commitments", "created_at", "updated_at"}, c
    assert c["pact_id"] == w["pact"] and c["parent_id"] is None
    assert c["responsible_organization"] == w["resp"]
    assert c["co_responsible_organizations"] == [w["co"]]
    assert c["description"] == "Primera línea\nSegunda línea"
    assert (c["status"], c["status_reason"], c["status_changed_at"]) == ("not_started", "", None)
    assert c["overdue"] is False and c["carried_from"] is None and c["carried_over_to"] == []
    assert (c["progress"], c["completion"]) == (0, "no_evidence")
    assert c["indicators"] == [] and c["milestones"] == [] and c["sub_commitments"] == []
    sub = ph.create_commitment(gess, w["f"], w["pact"], parent_id=c["id"], title="Bases del fondo")
    assert sub["parent_id"] == c["id"] and "sub_commitments" not in sub
    assert sub["responsible_organization"] is None and sub["co_responsible_organizations"] == []
    parent = ph.commitment_read(gess, c["id"], w["f"])
    assert [s["id"] for s in parent["sub_commitments"]] == [sub["id"]]
    # the public reads it too (a signed pact), without the non-public parts
    assert ph.commitment_read(gess, sub["id"], None)["title"] == "Bases del fondo"


def test_commitment_overdue(gess, w):
    c = ph.world_commitment(gess, w, starts_on=ph.day(-100), due_on=ph.day(-1))
    assert c["overdue"] is True
    c2 = ph.world_commitment(gess, w, starts_on=None, due_on=ph.day(0))
    assert c2["overdue"] is False and c2["starts_on"] is None
    done = ph.set_status(gess, w["f"], c["id"], "done", "Fondo adjudicado")
    assert done["overdue"] is False


def _commitment_cases(w, other_pact_commitment, sub_commitment):
    o = w["resp"]["id"]
    missing = str(uuid.uuid4())
    return [
        ({"title": h.DROP}, "title"), ({"title": ""}, "title"), ({"title": "   "}, "title"),
        ({"title": 5}, "title"), ({"title": "x" * 301}, "title"),
        ({"title": "a\nb"}, "title"),
        ({"description": 3}, "description"), ({"description": "x" * 5001}, "description"),
        ({"description": "a\x01b"}, "description"),
        ({"responsible_organization_id": "nope"}, "responsible_organization_id"),
        ({"responsible_organization_id": 7}, "responsible_organization_id"),
        ({"responsible_organization_id": missing}, "responsible_organization_id"),
        ({"co_responsible_organization_ids": "x"}, "co_responsible_organization_ids"),
        ({"co_responsible_organization_ids": [missing]}, "co_responsible_organization_ids[0]"),
        ({"co_responsible_organization_ids": [o, missing]}, "co_responsible_organization_ids[1]"),
        ({"co_responsible_organization_ids": ["zz"]}, "co_responsible_organization_ids[0]"),
        ({"co_responsible_organization_ids": [o, o]}, "co_responsible_organization_ids[1]"),
        ({"co_responsible_organization_ids": [str(uuid.uuid4()) for _ in range(21)]},
         "co_responsible_organization_ids"),
        ({"starts_on": "2026-02-30"}, "starts_on"), ({"starts_on": 20260101}, "starts_on"),
        ({"due_on": h.DROP}, "due_on"), ({"due_on": None}, "due_on"),
        ({"due_on": "mañana"}, "due_on"),
        ({"starts_on": ph.day(10), "due_on": ph.day(9)}, "due_on"),
        ({"parent_id": "x"}, "parent_id"), ({"parent_id": missing}, "parent_id"),
        ({"parent_id": other_pact_commitment}, "parent_id"),
        ({"parent_id": sub_commitment}, "parent_id"),
    ]


def test_commitment_bad_input(gess, w, staff):
    other = ph.pact_world(gess, staff)
    other_c = ph.world_commitment(gess, other)["id"]
    top = ph.world_commitment(gess, w)
    sub = ph.create_commitment(gess, w["f"], w["pact"], parent_id=top["id"])["id"]
    for overrides, field in _commitment_cases(w, other_c, sub):
        before = ph.pact_counts(gess)
        body = ph.commitment_body(**{"responsible_organization_id": w["resp"]["id"],
                                     **overrides})
        r = post(gess, w["f"], f"/v1/pacts/{w['pact']}/commitments", body)
        assert_422_nothing_written(gess, r, field, before)
    # every invalid field at once
    r = post(gess, w["f"], f"/v1/pacts/{w['pact']}/commitments",
             {"title": "", "due_on": "x", "parent_id": 1})
    assert {"title", "due_on", "parent_id"} <= set(h.error_fields(r.json())), r.text
    # database-found errors are listed together too
    r = post(gess, w["f"], f"/v1/pacts/{w['pact']}/commitments",
             ph.commitment_body(responsible_organization_id=str(uuid.uuid4()),
                                co_responsible_organization_ids=[str(uuid.uuid4())],
                                parent_id=str(uuid.uuid4())))
    assert set(h.error_fields(h.assert_problem(r, 422, "validation-failed"))) == {
        "responsible_organization_id", "co_responsible_organization_ids[0]", "parent_id"}


def test_commitment_unknown_pact(gess, w):
    before = ph.pact_counts(gess)
    for pid in (str(uuid.uuid4()), "not-a-uuid"):
        r = post(gess, w["f"], f"/v1/pacts/{pid}/commitments", ph.commitment_body())
        h.assert_problem(r, 404, "not-found")
    assert ph.pact_counts(gess) == before


def test_status_change_and_audit(gess, w):
    c = ph.world_commitment(gess, w)
    out = ph.set_status(gess, w["f"], c["id"], "at_risk", "Retraso en la transferencia")
    assert out["status"] == "at_risk" and out["status_reason"] == "Retraso en la transferencia"
    assert out["status_changed_at"] is not None
    out2 = ph.set_status(gess, w["f"], c["id"], "on_track", "Transferencia recibida")
    assert out2["status_changed_at"] >= out["status_changed_at"]
    rows = ph.audit_rows(gess, c["id"])
    assert [r[0] for r in rows] == ["insert", "update", "update"], rows
    me = w["f"]["account"]["id"]
    assert all(r[1] == me for r in rows), rows
    assert (rows[1][2]["status"], rows[1][3]["status"]) == ("not_started", "at_risk")
    assert rows[1][3]["status_reason"] == "Retraso en la transferencia"
    assert (rows[2][2]["status"], rows[2][3]["status"]) == ("at_risk", "on_track")
    # a reason may run over several lines
    reason = "Acta 12:\n- sin quórum\n- se reprograma"
    assert ph.set_status(gess, w["f"], c["id"], "delayed", reason)["status_reason"] == reason


@pytest.mark.parametrize("body,field", [
    ({"reason": "x"}, "status"), ({"status": "finished", "reason": "x"}, "status"),
    ({"status": 1, "reason": "x"}, "status"),
    ({"status": "done"}, "reason"), ({"status": "done", "reason": ""}, "reason"),
    ({"status": "done", "reason": "   "}, "reason"), ({"status": "done", "reason": 5}, "reason"),
    ({"status": "done", "reason": "x" * 2001}, "reason"),
])
def test_status_bad_input(gess, w, body, field):
    c = ph.world_commitment(gess, w)
    before = ph.pact_counts(gess)
    r = post(gess, w["f"], f"/v1/commitments/{c['id']}/status", body)
    assert_422_nothing_written(gess, r, field, before)
    assert ph.commitment_read(gess, c["id"], w["f"])["status"] == "not_started"


def test_status_unknown_commitment(gess, w):
    r = post(gess, w["f"], f"/v1/commitments/{uuid.uuid4()}/status",
             {"status": "done", "reason": "x"})
    h.assert_problem(r, 404, "not-found")


# --- indicators -----------------------------------------------------------------------

def test_indicator_shape(gess, w):
    c = ph.world_commitment(gess, w)
    i = ph.create_indicator(gess, w["f"], c["id"], baseline={"value": 0.1, "date": ph.day(-5)},
                            target={"value": 2.5, "date": ph.day(5)})
    assert set(i) >= {"id", "commitment_id", "name", "unit", "baseline", "target", "direction",
                      "verification", "latest", "progress", "completion", "measurements",
                      "created_at", "updated_at"}, i
    assert i["commitment_id"] == c["id"]
    assert i["baseline"] == {"value": 0.1, "date": ph.day(-5)}
    assert i["target"] == {"value": 2.5, "date": ph.day(5)}
    assert (i["latest"], i["progress"], i["completion"]) == (None, 0, "no_evidence")
    assert ph.audit_rows(gess, i["id"])[0][:2] == ("insert", w["f"]["account"]["id"])


def _indicator_cases():
    b, t = {"value": 0, "date": ph.day(-10)}, {"value": 10, "date": ph.day(10)}
    return [
        ({"name": h.DROP}, "name"), ({"name": ""}, "name"), ({"name": "x" * 301}, "name"),
        ({"unit": h.DROP}, "unit"), ({"unit": "x" * 51}, "unit"), ({"unit": 1}, "unit"),
        ({"baseline": h.DROP}, "baseline"), ({"baseline": None}, "baseline"),
        ({"baseline": 0}, "baseline"),
        ({"baseline": {"date": b["date"]}}, "baseline.value"),
        ({"baseline": {"value": "0", "date": b["date"]}}, "baseline.value"),
        ({"baseline": {"value": True, "date": b["date"]}}, "baseline.value"),
        ({"baseline": {"value": None, "date": b["date"]}}, "baseline.value"),
        ({"baseline": {"value": 1e300, "date": b["date"]}}, "baseline.value"),
        ({"baseline": {"value": 0}}, "baseline.date"),
        ({"baseline": {"value": 0, "date": "2026-13-01"}}, "baseline.date"),
        ({"baseline": {"value": 0, "date": 2026}}, "baseline.date"),
        ({"target": h.DROP}, "target"),
        ({"target": {"date": t["date"]}}, "target.value"),
        ({"target": {"value": [10], "date": t["date"]}}, "target.value"),
        ({"target": {"value": -1e16, "date": t["date"]}}, "target.value"),
        ({"target": {"value": 10}}, "target.date"),
        ({"target": {"value": 0, "date": t["date"]}}, "target.value"),       # equal to baseline
        ({"target": {"value": -5, "date": t["date"]}}, "target.value"),      # below, direction up
        ({"direction": "down"}, "target.value"),                             # above, direction down
        ({"target": {"value": 10, "date": b["date"]}}, "target.date"),       # same day
        ({"target": {"value": 10, "date": ph.day(-11)}}, "target.date"),     # before
        ({"direction": "sideways"}, "direction"), ({"direction": h.DROP}, "direction"),
        ({"verification": 5}, "verification"), ({"verification": "x" * 2001}, "verification"),
    ]


def test_indicator_bad_input(gess, w):
    c = ph.world_commitment(gess, w)
    for overrides, field in _indicator_cases():
        before = ph.pact_counts(gess)
        body = ph.indicator_body(baseline={"value": 0, "date": ph.day(-10)},
                                 target={"value": 10, "date": ph.day(10)})
        body = h.with_overrides(body, overrides)
        r = post(gess, w["f"], f"/v1/commitments/{c['id']}/indicators", body)
        assert_422_nothing_written(gess, r, field, before)


def test_indicator_not_a_json_number(gess, w):
    """NaN and Infinity are not JSON: the body is refused as malformed, nothing written."""
    c = ph.world_commitment(gess, w)
    before = ph.pact_counts(gess)
    for bad in ("NaN", "Infinity", "1e999"):
        data = ('{"name": "n", "unit": "u", "direction": "up", "baseline": {"value": %s, '
                '"date": "%s"}, "target": {"value": 10, "date": "%s"}}'
                % (bad, ph.day(-10), ph.day(10)))
        r = gess.req("POST", f"/v1/commitments/{c['id']}/indicators", data=data.encode(),
                     headers={**w["f"]["headers"], "Content-Type": "application/json"})
        h.assert_problem(r, 400, "malformed-body")
    assert ph.pact_counts(gess) == before


def test_indicator_unknown_commitment(gess, w):
    r = post(gess, w["f"], f"/v1/commitments/{uuid.uuid4()}/indicators", ph.indicator_body())
    h.assert_problem(r, 404, "not-found")


# --- measurements and review ------------------------------------------------------------

@pytest.fixture(scope="module")
def ind(gess, w):
    c = ph.world_commitment(gess, w)
    return ph.create_indicator(gess, w["f"], c["id"])


def test_measurement_by_followup_is_verified(gess, w, ind):
    m = ph.add_measurement(gess, w["f"], ind["id"], value=3.75,
                           evidence_url="https://gess.pe/actas/1.pdf")
    assert set(m) >= {"id", "indicator_id", "value", "as_of", "evidence", "evidence_url",
                      "status", "reported_at", "reviewed_at", "review_comment", "reported_by"}, m
    assert m["status"] == "verified" and m["reviewed_at"] is not None and m["value"] == 3.75
    assert m["reported_by"]["id"] == w["f"]["account"]["id"]
    assert m["evidence_url"] == "https://gess.pe/actas/1.pdf"
    # nothing to review: it is already verified
    r = post(gess, w["verifier"], f"/v1/measurements/{m['id']}/review",
             {"decision": "verified", "comment": ""})
    h.assert_problem(r, 409, "already-reviewed")


def test_measurement_by_contacts_is_submitted(gess, w, ind):
    for who in (w["contact"], w["co_contact"]):
        m = ph.add_measurement(gess, who, ind["id"], evidence="", evidence_url="https://x.pe/a")
        assert m["status"] == "submitted" and m["reviewed_at"] is None, m
        assert m["reported_by"]["id"] == who["account"]["id"]
        rows = ph.audit_rows(gess, m["id"])
        assert [(r[0], r[1]) for r in rows] == [("insert", who["account"]["id"])]


def _measurement_cases():
    return [
        ({"value": h.DROP}, "value"), ({"value": None}, "value"), ({"value": "4"}, "value"),
        ({"value": False}, "value"), ({"value": 2e15}, "value"), ({"value": {}}, "value"),
        ({"as_of": h.DROP}, "as_of"), ({"as_of": "ayer"}, "as_of"),
        ({"as_of": "2026-02-29"}, "as_of"), ({"as_of": ph.day(3)}, "as_of"),  # the future
        ({"evidence": h.DROP}, "evidence"), ({"evidence": ""}, "evidence"),
        ({"evidence": "  \n "}, "evidence"), ({"evidence": 1}, "evidence"),
        ({"evidence": "x" * 5001}, "evidence"),
        ({"evidence_url": "ftp://x.pe/a"}, "evidence_url"),
        ({"evidence_url": "https://x.pe/a b"}, "evidence_url"),
        ({"evidence_url": "https://" + "x" * 500}, "evidence_url"),
        ({"evidence_url": 3}, "evidence_url"),
    ]


@pytest.mark.parametrize("who", ["f", "contact"])
def test_measurement_bad_input(gess, w, ind, who):
    for overrides, field in _measurement_cases():
        before = ph.pact_counts(gess)
        r = post(gess, w[who], f"/v1/indicators/{ind['id']}/measurements",
                 ph.measurement_body(**overrides))
        assert_422_nothing_written(gess, r, field, before)


def test_measurement_on_closed_commitment(gess, w):
    for status in ("done", "dropped"):
        c = ph.world_commitment(gess, w)
        i = ph.create_indicator(gess, w["f"], c["id"])
        ph.set_status(gess, w["f"], c["id"], status, "Cierre")
        before = ph.pact_counts(gess)
        for who in (w["f"], w["contact"]):
            r = post(gess, who, f"/v1/indicators/{i['id']}/measurements", ph.measurement_body())
            h.assert_problem(r, 409, "commitment-closed")
        assert ph.pact_counts(gess) == before


def test_measurement_unknown_indicator(gess, w):
    for who in (w["f"], w["contact"]):
        r = post(gess, who, f"/v1/indicators/{uuid.uuid4()}/measurements", ph.measurement_body())
        h.assert_problem(r, 404, "not-found")


def test_review_rules_and_audit(gess, w, ind):
    m = ph.add_measurement(gess, w["contact"], ind["id"], value=6)
    before = ph.pact_counts(gess)
    for body, field in [({"decision": "rejected"}, "comment"),
                        ({"decision": "rejected", "comment": " "}, "comment"),
                        ({"decision": "rejected", "comment": 4}, "comment"),
                        ({"decision": "verified", "comment": "x" * 2001}, "comment"),
                        ({"decision": "maybe", "comment": "x"}, "decision"),
                        ({"comment": "x"}, "decision")]:
        r = post(gess, w["verifier"], f"/v1/measurements/{m['id']}/review", body)
        assert_422_nothing_written(gess, r, field, before)
    # nobody reviews their own
    r = post(gess, w["contact"], f"/v1/measurements/{m['id']}/review",
             {"decision": "verified", "comment": ""})
    h.assert_problem(r, 403, "forbidden")
    assert ph.pact_counts(gess) == before
    out = ph.review(gess, w["verifier"], m["id"], "rejected", "Falta el acta de la asamblea")
    assert out["status"] == "rejected" and out["review_comment"] == "Falta el acta de la asamblea"
    assert out["reviewed_by"]["id"] == w["verifier"]["account"]["id"]
    assert out["indicator"]["id"] == ind["id"]
    r = post(gess, w["f"], f"/v1/measurements/{m['id']}/review",
             {"decision": "verified", "comment": "x"})
    h.assert_problem(r, 409, "already-reviewed")
    rows = ph.audit_rows(gess, m["id"])
    assert [(r[0], r[1]) for r in rows] == [("insert", w["contact"]["account"]["id"]),
                                            ("update", w["verifier"]["account"]["id"])]
    assert (rows[1][2]["status"], rows[1][3]["status"]) == ("submitted", "rejected")
    r = post(gess, w["f"], f"/v1/measurements/{uuid.uuid4()}/review",
             {"decision": "verified", "comment": ""})
    h.assert_problem(r, 404, "not-found")


def test_concurrent_reviews_one_wins(gess, w, ind):
    """Two reviewers at once on one measurement: exactly one 200, the other 409."""
    for _ in range(6):
        m = ph.add_measurement(gess, w["co_contact"], ind["id"], value=5)
        barrier = threading.Barrier(2)
        got = {}

        def go(name, who, decision):
            barrier.wait()
            got[name] = post(gess, who, f"/v1/measurements/{m['id']}/review",
                             {"decision": decision, "comment": f"por {name}"})

        ts = [threading.Thread(target=go, args=("f", w["f"], "verified")),
              threading.Thread(target=go, args=("v", w["verifier"], "rejected"))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        codes = sorted(r.status_code for r in got.values())
        assert codes == [200, 409], {k: (r.status_code, r.text[:200]) for k, r in got.items()}
        loser = next(r for r in got.values() if r.status_code == 409)
        h.assert_problem(loser, 409, "already-reviewed")
        winner = next(r for r in got.values() if r.status_code == 200).json()
        status = gess.sql("SELECT status FROM measurements WHERE id = %s", (m["id"],))[0][0]
        assert status == winner["status"]
        assert [r[0] for r in ph.audit_rows(gess, m["id"])] == ["insert", "update"]


# --- milestones -------------------------------------------------------------------------

def test_milestone_shape_patch_and_audit(gess, w):
    c = ph.world_commitment(gess, w)
    ms = ph.create_milestone(gess, w["f"], c["id"], title="Convocatoria", due_on=ph.day(-2))
    assert set(ms) >= {"id", "commitment_id", "title", "due_on", "done_on", "overdue"}, ms
    assert ms["overdue"] is True and ms["done_on"] is None
    r = gess.req("PATCH", f"/v1/milestones/{ms['id']}", headers=w["f"]["headers"],
                 json={"done_on": ph.day(-1), "title": "Convocatoria publicada"})
    out = h.assert_json(r, 200)
    assert (out["done_on"], out["title"], out["overdue"]) == (ph.day(-1), "Convocatoria publicada",
                                                             False)
    r = gess.req("PATCH", f"/v1/milestones/{ms['id']}", headers=w["f"]["headers"],
                 json={"due_on": ph.day(30), "done_on": None})
    out = h.assert_json(r, 200)
    assert (out["due_on"], out["done_on"], out["overdue"]) == (ph.day(30), None, False)
    rows = ph.audit_rows(gess, ms["id"])
    assert [r[0] for r in rows] == ["insert", "update", "update"]
    assert all(r[1] == w["f"]["account"]["id"] for r in rows)
    assert rows[1][3]["done_on"] == ph.day(-1) and rows[2][2]["done_on"] == ph.day(-1)
    got = ph.commitment_read(gess, c["id"], w["f"])
    assert [m["id"] for m in got["milestones"]] == [ms["id"]]


@pytest.mark.parametrize("body,field", [
    ({"due_on": ph.day(5)}, "title"), ({"title": "", "due_on": ph.day(5)}, "title"),
    ({"title": "x" * 301, "due_on": ph.day(5)}, "title"),
    ({"title": "Hito"}, "due_on"), ({"title": "Hito", "due_on": "pronto"}, "due_on"),
])
def test_milestone_create_bad_input(gess, w, body, field):
    c = ph.world_commitment(gess, w)
    before = ph.pact_counts(gess)
    r = post(gess, w["f"], f"/v1/commitments/{c['id']}/milestones", body)
    assert_422_nothing_written(gess, r, field, before)


@pytest.mark.parametrize("body,field", [
    ({"done_on": "hoy"}, "done_on"), ({"done_on": ph.day(2)}, "done_on"),
    ({"done_on": 1}, "done_on"), ({"title": None}, "title"), ({"title": ""}, "title"),
    ({"due_on": None}, "due_on"), ({"due_on": "2026-04-31"}, "due_on"),
])
def test_milestone_patch_bad_input(gess, w, body, field):
    c = ph.world_commitment(gess, w)
    ms = ph.create_milestone(gess, w["f"], c["id"])
    before = ph.pact_counts(gess)
    r = gess.req("PATCH", f"/v1/milestones/{ms['id']}", headers=w["f"]["headers"], json=body)
    assert_422_nothing_written(gess, r, field, before)


def test_milestone_unknown(gess, w):
    r = gess.req("PATCH", f"/v1/milestones/{uuid.uuid4()}", headers=w["f"]["headers"],
                 json={"done_on": ph.day(0)})
    h.assert_problem(r, 404, "not-found")
    r = post(gess, w["f"], f"/v1/commitments/{uuid.uuid4()}/milestones", ph.milestone_body())
    h.assert_problem(r, 404, "not-found")


# --- the audit trail through the API ----------------------------------------------------

def test_history_shows_every_change_with_actor(gess, staff):
    w2 = ph.pact_world(gess, staff)
    c = ph.world_commitment(gess, w2)
    i = ph.create_indicator(gess, w2["f"], c["id"])
    m = ph.add_measurement(gess, w2["contact"], i["id"])
    ph.review(gess, w2["verifier"], m["id"])
    ms = ph.create_milestone(gess, w2["f"], c["id"])
    h.assert_json(gess.req("PATCH", f"/v1/milestones/{ms['id']}", headers=w2["f"]["headers"],
                           json={"done_on": ph.day(0)}), 200)
    ph.set_status(gess, w2["f"], c["id"], "on_track", "Avance conforme")
    f, contact, ver = (x["account"]["id"] for x in (w2["f"], w2["contact"], w2["verifier"]))
    want = [("commitment", c["id"], "insert", f), ("indicator", i["id"], "insert", f),
            ("measurement", m["id"], "insert", contact),
            ("measurement", m["id"], "update", ver), ("milestone", ms["id"], "insert", f),
            ("milestone", ms["id"], "update", f), ("commitment", c["id"], "update", f)]
    if ph._served(gess, "GET /v1/pacts/{}/history"):
        items, _ = h.walk_pages(gess, f"/v1/pacts/{w2['pact']}/history", headers=w2["f"]["headers"])
        got = [(x["entity"], x["entity_id"], x["action"], (x["actor"] or {}).get("id"))
               for x in items if x["entity"] in ("commitment", "indicator", "measurement",
                                                 "milestone")]
    else:
        got = [tuple(r) for r in gess.sql(
            "SELECT entity, entity_id::text, action, actor_id::text FROM pact_audit"
            " WHERE pact_id = %s AND entity <> 'pact' AND entity <> 'party' ORDER BY id",
            (w2["pact"],))]
    assert got == want, got


# --- "today" is the edition's local date ----------------------------------------------------

@pytest.mark.parametrize("tz", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_today_is_the_editions_local_date(gess, staff, tz):
    """UTC+14 and UTC-11: at most times of day one of them is on another date than UTC; the
    future (as_of, done_on) and overdue (due_on) follow the edition's date either way."""
    w2 = ph.pact_world(gess, staff, timezone=tz)
    today = gess.sql("SELECT (now() AT TIME ZONE %s)::date", (tz,))[0][0]
    one = datetime.timedelta(days=1)

    def iso(d):
        return d.isoformat()

    c = ph.world_commitment(gess, w2, starts_on=iso(today - 100 * one), due_on=iso(today))
    assert c["overdue"] is False
    late = ph.world_commitment(gess, w2, starts_on=iso(today - 100 * one), due_on=iso(today - one))
    assert late["overdue"] is True
    i = ph.create_indicator(gess, w2["f"], c["id"],
                            baseline={"value": 0, "date": iso(today - 100 * one)},
                            target={"value": 10, "date": iso(today + 100 * one)})
    ph.add_measurement(gess, w2["f"], i["id"], as_of=iso(today))
    before = ph.pact_counts(gess)
    r = post(gess, w2["f"], f"/v1/indicators/{i['id']}/measurements",
             ph.measurement_body(as_of=iso(today + one)))
    assert_422_nothing_written(gess, r, "as_of", before)
    ms = ph.create_milestone(gess, w2["f"], c["id"], due_on=iso(today - one))
    assert ms["overdue"] is True
    assert ph.create_milestone(gess, w2["f"], c["id"], due_on=iso(today))["overdue"] is False
    r = gess.req("PATCH", f"/v1/milestones/{ms['id']}", headers=w2["f"]["headers"],
                 json={"done_on": iso(today + one)})
    assert_422_nothing_written(gess, r, "done_on", ph.pact_counts(gess))
    r = gess.req("PATCH", f"/v1/milestones/{ms['id']}", headers=w2["f"]["headers"],
                 json={"done_on": iso(today)})
    assert h.assert_json(r, 200)["overdue"] is False


def test_contacts_report_only_for_their_commitments(gess, w, staff):
    """A contact reports for commitments their organization is responsible or co-responsible
    for, in the pact where they are a contact; not for others' commitments, nor in another
    pact where the same organization answers through other people."""
    theirs = ph.world_commitment(gess, w)
    not_theirs = ph.create_commitment(gess, w["f"], w["pact"],
                                      responsible_organization_id=w["ver"]["id"])
    i_theirs = ph.create_indicator(gess, w["f"], theirs["id"])
    i_not = ph.create_indicator(gess, w["f"], not_theirs["id"])
    ph.add_measurement(gess, w["contact"], i_theirs["id"])
    ph.add_measurement(gess, w["co_contact"], i_theirs["id"])
    before = ph.pact_counts(gess)
    for who in (w["contact"], w["co_contact"]):
        r = post(gess, who, f"/v1/indicators/{i_not['id']}/measurements", ph.measurement_body())
        h.assert_problem(r, 403, "forbidden")
    # the verifier party's organization is responsible here, so its contact reports (and may
    # not review their own value)
    m = ph.add_measurement(gess, w["verifier"], i_not["id"])
    assert m["status"] == "submitted"
    before = ph.pact_counts(gess)
    r = post(gess, w["verifier"], f"/v1/measurements/{m['id']}/review",
             {"decision": "verified", "comment": ""})
    h.assert_problem(r, 403, "forbidden")
    assert ph.pact_counts(gess) == before
    # another pact, same responsible organization, other contacts
    f = staff.followup
    other = ph.pact_any(gess, f, w["edition"]["slug"], title="Otro pacto")
    ph.party_any(gess, f, other, w["resp"]["id"], "responsible", [])
    oc = ph.create_commitment(gess, f, other, responsible_organization_id=w["resp"]["id"])
    oi = ph.create_indicator(gess, f, oc["id"])
    before = ph.pact_counts(gess)
    r = post(gess, w["contact"], f"/v1/indicators/{oi['id']}/measurements", ph.measurement_body())
    h.assert_problem(r, 403, "forbidden")
    assert ph.pact_counts(gess) == before
