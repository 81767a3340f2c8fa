"""Rules of pact follow-up held by the database itself, and the edges a review found: progress
as of a past day, contacts and co-responsible organizations in the history, CHECKs that no
caller can get around, what a stranger may learn about unverified values and draft pacts,
and a carried-over commitment leaving the overdue list."""
import psycopg2
import pytest

import gesshelp as h
import pacthelp as ph


@pytest.fixture
def w(gess, staff):
    return ph.pact_world(gess, staff)


def pact_progress_at(gess, pact_id, at):
    return tuple(gess.sql("SELECT progress_json(p.progress)::float8,"
                          " completion_level(p.progress, p.evidence)"
                          " FROM pact_progress(%s, %s) p", (pact_id, at))[0])


def test_done_without_measures_counts_from_the_day_it_was_set(gess, w):
    """A commitment with nothing to measure counts 1 once the follow-up team sets it done (its
    status change is the evidence), but not on a day before that."""
    c = ph.world_commitment(gess, w)
    assert (c["progress"], c["completion"]) == (0, "no_evidence")
    c = ph.set_status(gess, w["f"], c["id"], "done", "Acta de cierre firmada por las partes")
    assert (c["progress"], c["completion"]) == (1, "complete"), c
    assert ph.pact_progress_of(gess, w["pact"]) == (1.0, "complete")
    assert pact_progress_at(gess, w["pact"], ph.day(-1)) == (0.0, "no_evidence")


def test_dropped_later_still_counted_before(gess, w):
    a = ph.world_commitment(gess, w)
    b = ph.world_commitment(gess, w, title="Segundo compromiso")
    ph.create_milestone(gess, w["f"], a["id"])
    m = ph.create_milestone(gess, w["f"], b["id"])
    r = gess.req("PATCH", f"/v1/milestones/{m['id']}", headers=w["f"]["headers"],
                 json={"done_on": ph.day(-5)})
    h.assert_json(r, 200)
    ph.set_status(gess, w["f"], a["id"], "dropped", "Sin presupuesto del gobierno regional")
    assert ph.pact_progress_of(gess, w["pact"]) == (1.0, "complete")
    # two days ago both counted: one done of two
    assert pact_progress_at(gess, w["pact"], ph.day(-2)) == (0.5, "substantial")


def test_parent_evidence_is_its_own_when_it_has_measures(gess, w):
    parent = ph.world_commitment(gess, w)
    sub = ph.world_commitment(gess, w, parent_id=parent["id"], title="Subcompromiso")
    ph.create_indicator(gess, w["f"], parent["id"])
    m = ph.create_milestone(gess, w["f"], sub["id"])
    h.assert_json(gess.req("PATCH", f"/v1/milestones/{m['id']}", headers=w["f"]["headers"],
                           json={"done_on": ph.day(-1)}), 200)
    got = ph.commitment_read(gess, parent["id"], w["f"])
    assert (got["progress"], got["completion"]) == (0, "no_evidence"), got


def test_contacts_and_co_responsibles_are_in_the_history(gess, staff, w):
    c = ph.world_commitment(gess, w)
    r = gess.req("GET", f"/v1/pacts/{w['pact']}/history", headers=staff.organizer["headers"],
                 params={"limit": 200})
    items = h.assert_json(r, 200)["items"]
    contacts = [i for i in items if i["entity"] == "party_contact"]
    assert {i["after"]["account_id"] for i in contacts} == {
        w[k]["account"]["id"] for k in ("contact", "co_contact", "verifier")}
    co = [i for i in items if i["entity"] == "co_responsible"]
    assert [(i["entity_id"], i["after"]["organization_id"]) for i in co] == [
        (c["id"], w["co"]["id"])]
    assert all(i["actor"] and i["actor"]["id"] == w["f"]["account"]["id"]
               for i in contacts + co), contacts + co


@pytest.mark.parametrize("sql", [
    # a measurement without evidence
    "INSERT INTO measurements (indicator_id, value, as_of, evidence) VALUES (%s, 1, current_date, ' ')",
    # a rejection without a comment
    "INSERT INTO measurements (indicator_id, value, as_of, evidence, status, reviewed_at)"
    " VALUES (%s, 1, current_date, 'Acta', 'rejected', now())",
])
def test_measurement_rules_hold_in_the_database(gess, w, sql):
    c = ph.world_commitment(gess, w)
    i = ph.create_indicator(gess, w["f"], c["id"])
    with pytest.raises(psycopg2.errors.CheckViolation):
        gess.sql(sql, (i["id"],))


def test_a_status_change_needs_a_reason_in_the_database(gess, w):
    c = ph.world_commitment(gess, w)
    with pytest.raises(psycopg2.errors.CheckViolation):
        gess.sql("UPDATE commitments SET status = 'at_risk', status_changed_at = now()"
                 " WHERE id = %s", (c["id"],))


def test_progress_never_reads_above_its_level(gess, w):
    c = ph.world_commitment(gess, w)
    i = ph.create_indicator(gess, w["f"], c["id"], target={"value": 100000, "date": ph.day(300)})
    out = ph.add_measurement(gess, w["f"], i["id"], value=99999.5)
    got = ph.commitment_read(gess, c["id"], w["f"])["indicators"][0]
    assert out["status"] == "verified"
    assert (got["progress"], got["completion"]) == (0.9999, "substantial"), got


def test_a_stranger_cannot_learn_of_an_unverified_value(gess, w):
    c = ph.world_commitment(gess, w)
    i = ph.create_indicator(gess, w["f"], c["id"])
    m = ph.add_measurement(gess, w["contact"], i["id"])
    assert m["status"] == "submitted"
    stranger = h.fast_user(gess)
    r = gess.req("POST", f"/v1/measurements/{m['id']}/review", headers=stranger["headers"],
                 json={"decision": "verified", "comment": "ok"})
    h.assert_problem(r, 404, "not-found")
    # a contact of another party still learns it is not theirs to review
    r = gess.req("POST", f"/v1/measurements/{m['id']}/review", headers=w["co_contact"]["headers"],
                 json={"decision": "verified", "comment": "ok"})
    h.assert_problem(r, 403, "forbidden")


def test_carry_over_into_a_draft_pact_stays_hidden_and_leaves_overdue(gess, staff, w):
    c = ph.world_commitment(gess, w, starts_on=ph.day(-300), due_on=ph.day(-3))
    # the overdue list has it
    def overdue_ids():
        r = gess.req("GET", "/v1/commitments/overdue", headers=staff.organizer["headers"],
                     params={"edition": w["edition"]["slug"]})
        return [x["id"] for x in h.assert_json(r, 200)["items"]]
    assert overdue_ids() == [c["id"]]
    later = h.create_edition(gess, staff.organizer, year=ph.today().year + 8)
    draft = ph.create_pact(gess, w["f"], later["slug"], status="draft", signed_on=h.DROP)
    r = gess.req("POST", f"/v1/commitments/{c['id']}/carry-over", headers=w["f"]["headers"],
                 json={"pact_id": draft["id"]})
    copy = h.assert_json(r, 201)
    assert copy["status_reason"].startswith("Trasladado del pacto"), copy
    # the public does not learn the draft pact's ids; staff do
    assert ph.commitment_read(gess, c["id"])["carried_over_to"] == []
    assert ph.commitment_read(gess, c["id"], w["f"])["carried_over_to"] == [
        {"id": copy["id"], "pact_id": draft["id"]}]
    # followed in the later pact from now on
    assert overdue_ids() == []


def test_carry_over_refusal_in_spanish(gess, staff, w):
    c = ph.world_commitment(gess, w)
    r = gess.req("POST", f"/v1/commitments/{c['id']}/carry-over",
                 headers=dict(w["f"]["headers"], **{"Accept-Language": "es"}),
                 json={"pact_id": w["pact"]})
    body = h.assert_problem(r, 422, "validation-failed")
    assert body["errors"] == [{"field": "pact_id", "message":
                               "debe ser un pacto de una edición posterior a la del compromiso"}]


def test_commitment_refusals_found_by_sql_in_spanish(gess, staff, w):
    other = ph.world_commitment(gess, ph.pact_world(gess, staff))
    r = gess.req("POST", f"/v1/pacts/{w['pact']}/commitments",
                 headers=dict(w["f"]["headers"], **{"Accept-Language": "es"}),
                 json=ph.commitment_body(parent_id=other["id"]))
    body = h.assert_problem(r, 422, "validation-failed")
    assert body["errors"] == [{"field": "parent_id", "message":
                               "debe ser el id de un compromiso de primer nivel de este pacto"}]
