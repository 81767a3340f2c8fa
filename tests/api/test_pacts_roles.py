"""Every route of organizations, pacts, parties and history (issue 5) x every role: exactly
the status each gets.

Roles: anonymous, attendee (here: a contact of a party of the pacts the rows make, so it sees
their drafts), other (signed in, nothing to do with them), organizer, followup and admin
(implies both). Each row builds its own fixtures, so no call depends on another row."""
import pytest

import gesshelp as h
import pacthelp as ph
import rolehelp as rh
from rolehelp import EVERYONE_200, route

ROLES = h.ROLES


class Ctx(rh.Ctx):
    def __init__(self, gess, staff):
        super().__init__(gess, staff, rh.two_people(gess, prefix="pactrole"))
        self.fu = staff.followup
        self.ed = h.create_edition(gess, staff.organizer)
        self.draft_ed = h.create_edition(gess, staff.organizer, status="draft")
        ph.create_pact(self.gess, self.fu, self.draft_ed["slug"])
        self.org = ph.create_organization(gess, self.fu)

    def pact(self, **over):
        """A pact of the edition with the attendee as a contact of one of its parties."""
        p = ph.create_pact(self.gess, self.fu, self.ed["slug"], **over)
        ph.add_party(self.gess, self.fu, p["id"], self.org["id"], "signatory",
                     [self.attendee["account"]["id"]])
        return p

    def draft(self):
        return self.pact(status="draft", signed_on=h.DROP)

    def new_org(self):
        return ph.create_organization(self.gess, self.fu)


@pytest.fixture(scope="module")
def ctx(gess, staff):
    return Ctx(gess, staff)


STAFF_WRITE = [401, 403, 403, 201, 201, 201]
FOLLOWUP = [401, 403, 403, 403, 200, 200]
FOLLOWUP_NEW = [401, 403, 403, 403, 201, 201]

def _pact(tail=""):
    return lambda c: f"/v1/pacts/{c.pact()['id']}{tail}"


# (name, setup(ctx) -> request dict, expected statuses in ROLES order)
ROUTES = [
    route("POST organizations", "POST", "/v1/organizations", STAFF_WRITE,
          json=lambda c: ph.organization_body()),
    route("GET organizations", "GET", "/v1/organizations", EVERYONE_200),
    route("GET organization", "GET", lambda c: f"/v1/organizations/{c.org['id']}",
          EVERYONE_200),
    route("PATCH organization", "PATCH", lambda c: f"/v1/organizations/{c.new_org()['id']}",
          [401, 403, 403, 200, 200, 200], json={"region": "Apurímac"}),
    route("POST pacts", "POST", lambda c: f"/v1/editions/{c.ed['slug']}/pacts", FOLLOWUP_NEW,
          json=lambda c: ph.pact_body()),
    route("GET pacts", "GET", lambda c: f"/v1/editions/{c.ed['slug']}/pacts", EVERYONE_200),
    route("GET pacts (draft edition)", "GET",
          lambda c: f"/v1/editions/{c.draft_ed['slug']}/pacts", [404, 404, 404, 200, 200, 200]),
    route("GET pact (signed)", "GET", _pact(), EVERYONE_200),
    route("GET pact (draft)", "GET", lambda c: f"/v1/pacts/{c.draft()['id']}",
          [404, 200, 404, 200, 200, 200]),
    route("PATCH pact", "PATCH", _pact(), FOLLOWUP, json={"summary": "Resumen revisado"}),
    route("POST parties", "POST", _pact("/parties"), FOLLOWUP_NEW,
          json=lambda c: {"organization_id": c.new_org()["id"], "role": "verifier",
                          "contact_account_ids": []}),
    route("GET history", "GET", _pact("/history"), [401, 403, 403, 200, 200, 200]),
]


@pytest.mark.parametrize("name,setup,expected", ROUTES, ids=[r[0] for r in ROUTES])
def test_route_role_matrix(gess, ctx, name, setup, expected):
    rh.check_row(gess, ctx, name, setup, expected)


def test_draft_listed_for_staff_and_contacts_only(gess, ctx):
    d = ctx.draft()
    for role in ROLES:
        items, _ = h.walk_pages(gess, f"/v1/editions/{ctx.ed['slug']}/pacts",
                                headers=ctx.headers(role), limit=200)
        seen = d["id"] in {i["id"] for i in items}
        assert seen == (role not in ("anonymous", "other")), role
