"""Progress arithmetic as the database computes it and every reader returns it (issue 5,
"Must hold"): up-is-good and down-is-good indicators, targets reached and exceeded, values
worse than the baseline, no verified value yet; a commitment's mean of its indicators or
milestones done over all; a pact's mean of its commitments (dropped ones left out); and a
submitted or rejected measurement never moves anything."""
import pytest

import gesshelp as h
import pacthelp as ph


@pytest.fixture(scope="module")
def world(gess, staff):
    ed = h.create_edition(gess, staff.organizer)
    f = staff.followup
    resp = ph.org_any(gess, f)
    verifier_org = ph.org_any(gess, f, name=f"{ph.ORG_NAMES[3]} {h.letters(6)}",
                              sector="academia")
    contact, verifier = h.fast_users(gess, 2)
    pact = ph.pact_any(gess, f, ed["slug"])
    ph.party_any(gess, f, pact, resp["id"], "responsible", [contact["account"]["id"]])
    ph.party_any(gess, f, pact, verifier_org["id"], "verifier", [verifier["account"]["id"]])
    return {"edition": ed, "pact": pact, "resp": resp, "contact": contact,
            "verifier": verifier, "f": f}


def commitment(gess, w, pact=None, **kw):
    return ph.create_commitment(gess, w["f"], pact or w["pact"],
                                responsible_organization_id=w["resp"]["id"], **kw)


def indicator(gess, w, cid, base, target, direction="up"):
    return ph.create_indicator(gess, w["f"], cid, direction=direction,
                               baseline={"value": base, "date": ph.day(-300)},
                               target={"value": target, "date": ph.day(300)})


def measure(gess, w, iid, value, who=None, as_of=-10):
    return ph.add_measurement(gess, who or w["f"], iid, value=value, as_of=ph.day(as_of))


def ind_of(c, iid):
    return next(i for i in c["indicators"] if i["id"] == iid)


@pytest.mark.parametrize("base,target,direction,value,progress,completion", [
    (0, 10, "up", 4, 0.4, "limited"),
    (0, 10, "up", 5, 0.5, "substantial"),
    (0, 10, "up", 10, 1, "complete"),
    (0, 10, "up", 12, 1, "complete"),          # exceeded: clipped to 1
    (20, 30, "up", 15, 0, "not_started"),      # worse than the baseline: 0, with evidence
    (20, 30, "up", 20, 0, "not_started"),
    (100, 40, "down", 70, 0.5, "substantial"),
    (100, 40, "down", 85, 0.25, "limited"),
    (100, 40, "down", 40, 1, "complete"),
    (100, 40, "down", 10, 1, "complete"),      # exceeded downwards
    (100, 40, "down", 120, 0, "not_started"),  # worse (up) for a down-is-good indicator
    (1.5, 2.25, "up", 2, 0.6666, "substantial"),  # truncated, never rounded up
])
def test_indicator_progress(gess, world, base, target, direction, value, progress, completion):
    c = commitment(gess, world)
    i = indicator(gess, world, c["id"], base, target, direction)
    assert i["progress"] == 0 and i["completion"] == "no_evidence" and i["latest"] is None, i
    m = measure(gess, world, i["id"], value)
    assert m["status"] == "verified", m
    got = ind_of(ph.commitment_read(gess, c["id"], world["f"]), i["id"])
    assert got["progress"] == pytest.approx(progress, abs=1e-9), got
    assert got["completion"] == completion, got
    assert got["latest"] == {"value": value, "as_of": ph.day(-10)}, got
    # the commitment of one indicator is that indicator
    cc = ph.commitment_read(gess, c["id"], world["f"])
    assert cc["progress"] == pytest.approx(progress, abs=1e-9)
    assert cc["completion"] == completion


def test_no_verified_measurement(gess, world):
    c = commitment(gess, world)
    i = indicator(gess, world, c["id"], 0, 10)
    got = ph.commitment_read(gess, c["id"], world["f"])
    assert got["progress"] == 0 and got["completion"] == "no_evidence", got
    assert ind_of(got, i["id"])["latest"] is None
    assert ind_of(got, i["id"])["measurements"] == []


def test_latest_by_as_of_counts(gess, world):
    """The latest verified value by as_of date counts, not the last one recorded."""
    c = commitment(gess, world)
    i = indicator(gess, world, c["id"], 0, 10)
    measure(gess, world, i["id"], 6, as_of=-5)
    measure(gess, world, i["id"], 2, as_of=-50)   # an older value, recorded later
    got = ind_of(ph.commitment_read(gess, c["id"], world["f"]), i["id"])
    assert got["progress"] == 0.6 and got["latest"] == {"value": 6, "as_of": ph.day(-5)}, got
    assert [m["value"] for m in got["measurements"]] == [2, 6]


def test_commitment_mean_of_indicators(gess, world):
    c = commitment(gess, world)
    a = indicator(gess, world, c["id"], 0, 10)
    b = indicator(gess, world, c["id"], 100, 40, "down")
    z = indicator(gess, world, c["id"], 0, 4)
    measure(gess, world, a["id"], 4)        # 0.4
    measure(gess, world, b["id"], 70)       # 0.5
    got = ph.commitment_read(gess, c["id"], world["f"])
    assert got["progress"] == pytest.approx((0.4 + 0.5 + 0) / 3, abs=1e-4)  # z counts as 0
    assert got["completion"] == "limited"
    measure(gess, world, z["id"], 4)        # 1
    got = ph.commitment_read(gess, c["id"], world["f"])
    assert got["progress"] == pytest.approx((0.4 + 0.5 + 1) / 3, abs=1e-4)
    assert got["completion"] == "substantial"


def test_milestones_done_over_total(gess, world):
    c = commitment(gess, world)
    ms = [ph.create_milestone(gess, world["f"], c["id"], title=f"Hito {k}", due_on=ph.day(k * 30))
          for k in range(1, 4)]
    got = ph.commitment_read(gess, c["id"], world["f"])
    assert got["progress"] == 0 and got["completion"] == "no_evidence", got
    r = gess.req("PATCH", f"/v1/milestones/{ms[0]['id']}", headers=world["f"]["headers"],
                 json={"done_on": ph.day(-1)})
    assert h.assert_json(r, 200)["done_on"] == ph.day(-1)
    got = ph.commitment_read(gess, c["id"], world["f"])
    assert got["progress"] == 0.3333 and got["completion"] == "limited", got
    for m in ms[1:]:
        h.assert_json(gess.req("PATCH", f"/v1/milestones/{m['id']}",
                               headers=world["f"]["headers"], json={"done_on": ph.day(0)}), 200)
    got = ph.commitment_read(gess, c["id"], world["f"])
    assert got["progress"] == 1 and got["completion"] == "complete", got
    # undoing one (done_on: null) takes it back
    h.assert_json(gess.req("PATCH", f"/v1/milestones/{ms[2]['id']}",
                           headers=world["f"]["headers"], json={"done_on": None}), 200)
    got = ph.commitment_read(gess, c["id"], world["f"])
    assert got["progress"] == 0.6666 and got["completion"] == "substantial", got


def test_indicators_win_over_milestones(gess, world):
    c = commitment(gess, world)
    m = ph.create_milestone(gess, world["f"], c["id"])
    h.assert_json(gess.req("PATCH", f"/v1/milestones/{m['id']}", headers=world["f"]["headers"],
                           json={"done_on": ph.day(-1)}), 200)
    assert ph.commitment_read(gess, c["id"], world["f"])["progress"] == 1
    i = indicator(gess, world, c["id"], 0, 10)
    measure(gess, world, i["id"], 3)
    assert ph.commitment_read(gess, c["id"], world["f"])["progress"] == 0.3


def test_pact_mean_of_commitments_dropped_excluded(gess, world, staff):
    f = staff.followup
    pact = ph.pact_any(gess, f, world["edition"]["slug"], title="Pacto de economía circular")
    ph.party_any(gess, f, pact, world["resp"]["id"], "responsible",
                 [world["contact"]["account"]["id"]])
    assert ph.pact_progress_of(gess, pact) == (0, "no_evidence")
    c1 = commitment(gess, world, pact)
    c2 = commitment(gess, world, pact)
    c3 = commitment(gess, world, pact)
    i1 = indicator(gess, world, c1["id"], 0, 10)
    i2 = indicator(gess, world, c2["id"], 100, 40, "down")
    i3 = indicator(gess, world, c3["id"], 0, 10)
    measure(gess, world, i1["id"], 8)    # 0.8
    measure(gess, world, i2["id"], 85)   # 0.25
    measure(gess, world, i3["id"], 0)    # 0
    assert ph.pact_progress_of(gess, pact) == (pytest.approx(0.35, abs=1e-4), "limited")
    ph.set_status(gess, f, c3["id"], "dropped", "Sin financiamiento; se reemplaza")
    assert ph.pact_progress_of(gess, pact) == (pytest.approx(0.525, abs=1e-4), "substantial")
    # a sub-commitment counts inside its parent, not as a commitment of the pact
    sub = commitment(gess, world, pact, parent_id=c1["id"])
    assert sub["parent_id"] == c1["id"] and "sub_commitments" not in sub
    assert ph.pact_progress_of(gess, pact) == (pytest.approx(0.525, abs=1e-4), "substantial")
    if ph._served(gess, "GET /v1/pacts/{}"):
        p = ph.get_pact(gess, pact, f)
        assert p["progress"] == 0.525 and p["completion"] == "substantial", p


def test_submitted_and_rejected_never_move_progress(gess, world, staff):
    f = staff.followup
    pact = ph.pact_any(gess, f, world["edition"]["slug"], title="Pacto de gestión territorial")
    ph.party_any(gess, f, pact, world["resp"]["id"], "responsible",
                 [world["contact"]["account"]["id"]])
    vorg = ph.org_any(gess, f, name=f"{ph.ORG_NAMES[4]} {h.letters(6)}", sector="civil_society")
    ph.party_any(gess, f, pact, vorg["id"], "verifier", [world["verifier"]["account"]["id"]])
    c = commitment(gess, world, pact)
    i = indicator(gess, world, c["id"], 0, 10)
    measure(gess, world, i["id"], 2)     # verified: 0.2

    def state():
        cc = ph.commitment_read(gess, c["id"], f)
        return (ind_of(cc, i["id"])["progress"], ind_of(cc, i["id"])["latest"], cc["progress"],
                cc["completion"], ph.pact_progress_of(gess, pact))

    before = state()
    assert before[0] == 0.2
    sub = measure(gess, world, i["id"], 9, who=world["contact"], as_of=-1)
    assert sub["status"] == "submitted", sub
    assert state() == before
    # the public never sees it
    pub = ind_of(ph.commitment_read(gess, c["id"], None), i["id"])
    assert [m["status"] for m in pub["measurements"]] == ["verified"], pub
    assert all("reported_by" not in m for m in pub["measurements"]), pub
    rej = measure(gess, world, i["id"], 10, who=world["contact"], as_of=-1)
    r = gess.req("POST", f"/v1/measurements/{rej['id']}/review",
                 headers=world["verifier"]["headers"],
                 json={"decision": "rejected", "comment": "El acta no está firmada"})
    out = h.assert_json(r, 200)
    assert out["status"] == "rejected" and out["indicator"]["progress"] == 0.2, out
    assert state() == before
    # verifying the submitted one moves everything
    out = ph.review(gess, world["verifier"], sub["id"])
    assert out["status"] == "verified" and out["indicator"]["progress"] == 0.9, out
    assert out["indicator"]["latest"] == {"value": 9, "as_of": ph.day(-1)}
    after = state()
    assert after[0] == 0.9 and after[2] == 0.9 and after[4] == (0.9, "substantial"), after
