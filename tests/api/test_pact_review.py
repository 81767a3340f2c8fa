"""GET /v1/editions/{slug}/pact-review (the previous edition's pacts at signing and now, with
what changed since) and POST /v1/commitments/{id}/carry-over (a commitment not done, copied into
a pact of a later edition, once per target edition)."""
import threading

import pytest

import gesshelp as h
import pacthelp as ph


@pytest.fixture
def two(gess, staff):
    """Edition `old` (number n) with a signed pact and edition `new` pointing back to it."""
    f = staff.followup
    old = h.create_edition(gess, staff.organizer)
    new = h.create_edition(gess, staff.organizer)
    gess.sql("UPDATE editions SET previous_id = (SELECT id FROM editions WHERE slug = %s)"
             " WHERE slug = %s", (old["slug"], new["slug"]))
    org = ph.create_organization(gess, f)
    co = ph.create_organization(gess, f, name=f"Municipalidad {h.letters(6)}", sector="public")
    pact = ph.create_pact(gess, f, old["slug"], signed_on=ph.day(-200))
    ph.add_party(gess, f, pact["id"], org["id"], "responsible")
    c = ph.create_commitment(gess, f, pact["id"], responsible_organization_id=org["id"],
                             co_responsible_organization_ids=[co["id"]],
                             starts_on=ph.day(-300), due_on=ph.day(100))
    ind = ph.create_indicator(gess, f, c["id"], baseline={"value": 0, "date": ph.day(-300)},
                              target={"value": 10, "date": ph.day(300)})
    m1 = ph.add_measurement(gess, f, ind["id"], value=2, as_of=ph.day(-250))  # before signing
    m2 = ph.add_measurement(gess, f, ind["id"], value=6, as_of=ph.day(-10))   # since
    ms_done = ph.create_milestone(gess, f, c["id"], title="Hecho", due_on=ph.day(-20))
    r = gess.req("PATCH", f"/v1/milestones/{ms_done['id']}", headers=f["headers"],
                 json={"done_on": ph.day(-15)})
    assert r.status_code == 200, r.text
    ms_open = ph.create_milestone(gess, f, c["id"], title="Abierto", due_on=ph.day(50))
    ph.set_status(gess, f, c["id"], "at_risk", reason="Retraso en la convocatoria")
    draft = ph.create_pact(gess, f, old["slug"], title="Borrador", status="draft", signed_on=None)
    target = ph.create_pact(gess, f, new["slug"], title="Pacto renovado", signed_on=ph.day(-1))
    return dict(old=old, new=new, pact=pact, c=c, ind=ind, m1=m1, m2=m2, ms_done=ms_done,
                ms_open=ms_open, draft=draft, target=target, org=org, co=co)


def review(gess, who, slug):
    return gess.req("GET", f"/v1/editions/{slug}/pact-review", headers=who["headers"])


def carry(gess, who, cid, body):
    return gess.req("POST", f"/v1/commitments/{cid}/carry-over", headers=who["headers"], json=body)


def test_review_at_signing_and_now(gess, staff, two):
    body = h.assert_json(review(gess, staff.organizer, two["new"]["slug"]), 200)
    assert body["edition"] == two["new"]["slug"]
    assert body["previous"]["slug"] == two["old"]["slug"]
    assert [p["id"] for p in body["pacts"]] == [two["pact"]["id"]], "no drafts"
    p = body["pacts"][0]
    # at signing: only m1 (0.2); now: m2 (0.6)
    assert p["at_signing"] == {"progress": 0.2, "completion": "limited"}
    assert p["now"] == {"progress": 0.6, "completion": "substantial"}
    c = p["commitments"][0]
    assert c["id"] == two["c"]["id"] and c["status"] == "at_risk"
    assert c["at_signing"]["progress"] == 0.2 and c["now"]["progress"] == 0.6
    ch = c["changes"]
    assert [(s["from"], s["to"], s["reason"]) for s in ch["status_changes"]] == [
        ("not_started", "at_risk", "Retraso en la convocatoria")]
    assert ch["status_changes"][0]["actor"]["id"] == staff.followup["account"]["id"]
    assert [m["id"] for m in ch["measurements_verified"]] == [two["m2"]["id"]]
    assert [m["id"] for m in ch["milestones_done"]] == [two["ms_done"]["id"]]
    assert ch["carried_over_to"] == []


def test_review_by_number_and_without_previous(gess, staff):
    f = staff.followup
    a = h.create_edition(gess, staff.organizer)
    b = h.create_edition(gess, staff.organizer)  # numbers are handed out consecutively
    assert b["number"] == a["number"] + 1
    pact = ph.create_pact(gess, f, a["slug"], signed_on=ph.day(-30))
    body = h.assert_json(review(gess, f, b["slug"]), 200)
    assert body["previous"]["slug"] == a["slug"], "no previous_id: the edition numbered n - 1"
    assert [p["id"] for p in body["pacts"]] == [pact["id"]]
    assert body["pacts"][0]["at_signing"] == {"progress": 0, "completion": "no_evidence"}
    assert body["pacts"][0]["commitments"] == []
    # a first edition (nothing numbered n - 1): no previous, no pacts
    top = gess.sql("SELECT max(number) FROM editions")[0][0]
    gess.sql("UPDATE editions SET number = %s WHERE slug = %s", (top + 1000, b["slug"]))
    body = h.assert_json(review(gess, f, b["slug"]), 200)
    assert body == {"edition": b["slug"], "previous": None, "pacts": []}
    h.assert_problem(review(gess, f, "no-such-" + h.letters(6)), 404, "not-found")
    h.assert_problem(review(gess, f, "Bad_Slug"), 404, "not-found")


def test_carry_over(gess, staff, two):
    f = staff.followup
    before = ph.pact_counts(gess)
    r = carry(gess, f, two["c"]["id"], {"pact_id": two["target"]["id"], "due_on": ph.day(400)})
    new = h.assert_json(r, 201)
    assert new["pact_id"] == two["target"]["id"] and new["id"] != two["c"]["id"]
    assert new["carried_from"] == {"id": two["c"]["id"], "pact_id": two["pact"]["id"]}
    assert new["due_on"] == ph.day(400) and new["title"] == two["c"]["title"]
    assert new["responsible_organization"]["id"] == two["org"]["id"]
    assert [o["id"] for o in new["co_responsible_organizations"]] == [two["co"]["id"]]
    ind = new["indicators"][0]
    assert ind["baseline"]["value"] == 0 and ind["target"]["value"] == 10
    assert ind["progress"] == 0.6 and ind["latest"]["value"] == 6, "progress continues"
    assert [m["title"] for m in new["milestones"]] == ["Abierto"], "open milestones only"
    after = ph.pact_counts(gess)
    assert after["commitments"] == before["commitments"] + 1
    assert after["measurements"] == before["measurements"] + 2
    audit = gess.sql("SELECT actor_id::text FROM pact_audit WHERE entity = 'commitment'"
                     " AND entity_id = %s AND action = 'insert'", (new["id"],))
    assert audit == [(f["account"]["id"],)]
    # once per target edition
    again = ph.create_pact(gess, f, two["new"]["slug"], title="Otro pacto")
    h.assert_problem(carry(gess, f, two["c"]["id"], {"pact_id": again["id"]}), 409,
                     "already-carried-over")
    # the review shows where it went
    body = h.assert_json(review(gess, f, two["new"]["slug"]), 200)
    assert body["pacts"][0]["commitments"][0]["changes"]["carried_over_to"] == [
        {"id": new["id"], "pact_id": two["target"]["id"], "edition": two["new"]["slug"]}]
    src = ph.get_pact(gess, two["pact"]["id"], f)
    assert any(x["id"] == new["id"] for c in src["commitments"] for x in c["carried_over_to"])


def test_carry_over_refusals(gess, staff, two):
    f = staff.followup
    before = ph.pact_counts(gess)
    same = ph.create_pact(gess, f, two["old"]["slug"], title="Mismo congreso")
    before = ph.pact_counts(gess)
    cid = two["c"]["id"]
    bad = [
        ({}, ["pact_id"]),
        ({"pact_id": "not-a-uuid"}, ["pact_id"]),
        ({"pact_id": 7}, ["pact_id"]),
        ({"pact_id": two["target"]["id"], "due_on": "2026-02-30"}, ["due_on"]),
        ({"pact_id": two["target"]["id"], "due_on": 5}, ["due_on"]),
        ({"pact_id": "x", "due_on": "tomorrow"}, ["pact_id", "due_on"]),
        ({"pact_id": same["id"]}, ["pact_id"]),  # not a later edition
        ({"pact_id": "00000000-0000-4000-8000-000000000000"}, ["pact_id"]),  # no such pact
    ]
    for body, fields in bad:
        r = carry(gess, f, cid, body)
        p = h.assert_problem(r, 422, "validation-failed")
        assert sorted(h.error_fields(p)) == sorted(fields), (body, p)
    h.assert_problem(carry(gess, f, "00000000-0000-4000-8000-000000000000",
                           {"pact_id": two["target"]["id"]}), 404, "not-found")
    h.assert_problem(carry(gess, f, "nope", {"pact_id": two["target"]["id"]}), 404, "not-found")
    r = gess.req("POST", f"/v1/commitments/{cid}/carry-over", headers=f["headers"], data="{oops")
    h.assert_problem(r, 400, "malformed-body")
    assert ph.pact_counts(gess) == before
    ph.set_status(gess, f, cid, "done")
    before = ph.pact_counts(gess)
    h.assert_problem(carry(gess, f, cid, {"pact_id": two["target"]["id"]}), 409,
                     "commitment-closed")
    assert ph.pact_counts(gess) == before


def test_concurrent_carry_over_makes_one_copy(gess, staff, two):
    f = staff.followup
    other = ph.create_pact(gess, f, two["new"]["slug"], title="Segundo pacto")
    out = []

    def go(pid):
        out.append(carry(gess, f, two["c"]["id"], {"pact_id": pid}).status_code)

    ts = [threading.Thread(target=go, args=(pid,))
          for pid in (two["target"]["id"], other["id"]) * 3]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert sorted(out) == [201] + [409] * 5, out
    assert gess.count("commitments", "carried_from_id = %s", (two["c"]["id"],)) == 1
