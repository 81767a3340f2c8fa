"""Every route of organizations, pacts, parties and history (issue 5) x every role: exactly
the status each gets.

Roles: anonymous, attendee (here: a contact of a party of the pacts the rows make, so it sees
their drafts), other (signed in, nothing to do with them), organizer, followup and admin
(implies both). Each row builds its own fixtures, so no call depends on another row."""
import pytest

import gesshelp as h
import pacthelp as ph

ROLES = h.ROLES


class Ctx:
    def __init__(self, gess, staff):
        self.gess = gess
        self.staff = staff
        self.fu = staff.followup
        self.attendee, self.other = h.fast_users(gess, 2, prefix="pactrole")
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

# (name, setup(ctx) -> request dict, expected statuses in ROLES order)
ROUTES = [
    ("POST organizations",
     lambda c: {"method": "POST", "path": "/v1/organizations", "json": ph.organization_body()},
     STAFF_WRITE),
    ("GET organizations", lambda c: {"method": "GET", "path": "/v1/organizations"}, [200] * 6),
    ("GET organization",
     lambda c: {"method": "GET", "path": f"/v1/organizations/{c.org['id']}"}, [200] * 6),
    ("PATCH organization",
     lambda c: {"method": "PATCH", "path": f"/v1/organizations/{c.new_org()['id']}",
                "json": {"region": "Apurímac"}},
     [401, 403, 403, 200, 200, 200]),
    ("POST pacts",
     lambda c: {"method": "POST", "path": f"/v1/editions/{c.ed['slug']}/pacts",
                "json": ph.pact_body()},
     FOLLOWUP_NEW),
    ("GET pacts", lambda c: {"method": "GET", "path": f"/v1/editions/{c.ed['slug']}/pacts"},
     [200] * 6),
    ("GET pacts (draft edition)",
     lambda c: {"method": "GET", "path": f"/v1/editions/{c.draft_ed['slug']}/pacts"},
     [404, 404, 404, 200, 200, 200]),
    ("GET pact (signed)", lambda c: {"method": "GET", "path": f"/v1/pacts/{c.pact()['id']}"},
     [200] * 6),
    ("GET pact (draft)", lambda c: {"method": "GET", "path": f"/v1/pacts/{c.draft()['id']}"},
     [404, 200, 404, 200, 200, 200]),
    ("PATCH pact",
     lambda c: {"method": "PATCH", "path": f"/v1/pacts/{c.pact()['id']}",
                "json": {"summary": "Resumen revisado"}},
     FOLLOWUP),
    ("POST parties",
     lambda c: {"method": "POST", "path": f"/v1/pacts/{c.pact()['id']}/parties",
                "json": {"organization_id": c.new_org()["id"], "role": "verifier",
                         "contact_account_ids": []}},
     FOLLOWUP_NEW),
    ("GET history",
     lambda c: {"method": "GET", "path": f"/v1/pacts/{c.pact()['id']}/history"},
     [401, 403, 403, 200, 200, 200]),
]


def _headers(ctx, role):
    who = h.role_actor(role, ctx.staff, ctx.attendee, ctx.other)
    return who["headers"] if who else None


@pytest.mark.parametrize("name,setup,expected", ROUTES, ids=[r[0] for r in ROUTES])
def test_route_role_matrix(gess, ctx, name, setup, expected):
    got = []
    for role in ROLES:
        spec = setup(ctx)
        kw = {"json": spec["json"]} if "json" in spec else {}
        r = gess.req(spec["method"], spec["path"], headers=_headers(ctx, role), **kw)
        got.append(r.status_code)
        want = expected[ROLES.index(role)]
        if r.status_code == want:
            h.assert_role_answer(r, want, f"{name} as {role}")
    assert got == expected, dict(zip(ROLES, got))


def test_draft_listed_for_staff_and_contacts_only(gess, ctx):
    d = ctx.draft()
    for role in ROLES:
        items, _ = h.walk_pages(gess, f"/v1/editions/{ctx.ed['slug']}/pacts",
                                headers=_headers(ctx, role), limit=200)
        seen = d["id"] in {i["id"] for i in items}
        assert seen == (role not in ("anonymous", "other")), role
