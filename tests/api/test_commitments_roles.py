"""Every commitments route x every role: exactly the status each gets.

Roles: h.ROLES (anonymous, attendee, other — signed-in people with no role and no part in the
pact —, organizer, followup, admin) plus `contact` (a contact of the party responsible for
the commitment) and `verifier` (a contact of the pact's verifier party). Each call builds what
it acts on afresh, so rows never depend on each other; a refused request writes nothing."""
import pytest

import gesshelp as h
import pacthelp as ph

ROLES = h.ROLES + ["contact", "verifier"]


@pytest.fixture(scope="module")
def people(gess):
    attendee, other = h.fast_users(gess, 2, sector="community")
    return {"attendee": attendee, "other": other}


@pytest.fixture(scope="module")
def worlds(gess, staff):
    return {"signed": ph.pact_world(gess, staff),
            "draft": ph.pact_world(gess, staff, pact_status="draft"),
            "draft_edition": ph.pact_world(gess, staff, edition_status="draft")}


class Ctx:
    def __init__(self, gess, w):
        self.gess = gess
        self.w = w

    def commitment(self):
        return ph.world_commitment(self.gess, self.w)["id"]

    def indicator(self):
        return ph.create_indicator(self.gess, self.w["f"], self.commitment())["id"]

    def milestone(self):
        return ph.create_milestone(self.gess, self.w["f"], self.commitment())["id"]

    def submitted(self):
        """A measurement submitted by the co-responsible party's contact (no role here)."""
        return ph.add_measurement(self.gess, self.w["co_contact"], self.indicator())["id"]


FOLLOWUP_ONLY_201 = [401, 403, 403, 403, 201, 201, 403, 403]
FOLLOWUP_ONLY_200 = [401, 403, 403, 403, 200, 200, 403, 403]

CONTACT_201 = [401, 403, 403, 403, 201, 201, 201, 403]
HIDDEN_CONTACT_201 = [401, 404, 404, 403, 201, 201, 201, 403]  # not public: strangers get 404
# a value not yet verified does not exist for strangers, even on a public pact
VERIFIER_200 = [401, 404, 404, 403, 200, 200, 403, 200]


def _in_worlds(label, make, *worlds):
    """The same call as one row per (world, what the label says of it, wants)."""
    return [(label + note, world, make, wants) for world, note, wants in worlds]


def _post(path, body):
    """A POST of body() to path(ctx)."""
    return lambda c: ("POST", path(c), body())


def _review(decision, comment):
    return lambda c: ("POST", f"/v1/measurements/{c.submitted()}/review",
                      {"decision": decision, "comment": comment})


ROUTES = [
    *_in_worlds("POST /v1/pacts/{id}/commitments",
                _post(lambda c: f"/v1/pacts/{c.w['pact']}/commitments", ph.commitment_body),
                ("signed", "", FOLLOWUP_ONLY_201), ("draft", " (draft pact)", FOLLOWUP_ONLY_201)),
    ("POST /v1/commitments/{id}/status", "signed",
     _post(lambda c: f"/v1/commitments/{c.commitment()}/status",
           lambda: {"status": "on_track", "reason": "Revisión"}),
     FOLLOWUP_ONLY_200),
    ("POST /v1/commitments/{id}/indicators", "signed",
     _post(lambda c: f"/v1/commitments/{c.commitment()}/indicators", ph.indicator_body),
     FOLLOWUP_ONLY_201),
    ("POST /v1/commitments/{id}/milestones", "signed",
     _post(lambda c: f"/v1/commitments/{c.commitment()}/milestones", ph.milestone_body),
     FOLLOWUP_ONLY_201),
    ("PATCH /v1/milestones/{id}", "signed",
     lambda c: ("PATCH", f"/v1/milestones/{c.milestone()}", {"done_on": ph.day(0)}),
     FOLLOWUP_ONLY_200),
    *_in_worlds("POST /v1/indicators/{id}/measurements",
                _post(lambda c: f"/v1/indicators/{c.indicator()}/measurements",
                      ph.measurement_body),
                ("signed", "", CONTACT_201), ("draft", " (draft pact)", HIDDEN_CONTACT_201),
                ("draft_edition", " (draft edition)", HIDDEN_CONTACT_201)),
    ("POST /v1/measurements/{id}/review", "signed", _review("verified", "Conforme"),
     VERIFIER_200),
    ("POST /v1/measurements/{id}/review (draft pact)", "draft",
     _review("rejected", "Sin sustento"), VERIFIER_200),
]


@pytest.mark.parametrize("label,world,make,wants", ROUTES, ids=[r[0] for r in ROUTES])
def test_route_role_table(gess, staff, people, worlds, label, world, make, wants):
    w = worlds[world]
    ctx = Ctx(gess, w)
    assert len(wants) == len(ROLES)
    for role, want in zip(ROLES, wants):
        method, path, body = make(ctx)
        if role in ("contact", "verifier"):
            who = w[role]
        else:
            who = h.role_actor(role, staff, people["attendee"], people["other"])
        before = ph.pact_counts(gess)
        r = gess.req(method, path, headers=who["headers"] if who else None, json=body)
        h.assert_role_answer(r, want, f"{label} as {role}")
        if want >= 400:
            assert ph.pact_counts(gess) == before, f"{label} as {role} wrote something"
        else:
            # a success is in the audit trail with the caller as actor
            actor = gess.sql("SELECT actor_id::text FROM pact_audit ORDER BY id DESC LIMIT 1")
            assert actor[0][0] == who["account"]["id"] if "account" in who else True, label


def test_admin_acts_as_followup_in_audit(gess, staff, worlds):
    """The admin (no account dict from the fixture) is still recorded as the actor."""
    w = worlds["signed"]
    c = ph.create_commitment(gess, staff.admin, w["pact"])
    rows = ph.audit_rows(gess, c["id"])
    assert len(rows) == 1 and rows[0][1] is not None
    email = gess.sql("SELECT email FROM accounts WHERE id = %s", (rows[0][1],))[0][0]
    assert email == staff.admin["email"]
