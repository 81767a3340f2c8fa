"""Route × role tables for pact follow-up: the dashboard is public; overdue and pact-review
are for staff (organizer, follow-up, admin: AUTH_USER plus a role check, so an attendee or a
party's contact gets 403); carry-over is the follow-up team's (AUTH_FOLLOWUP)."""
import pytest

import gesshelp as h
import pacthelp as ph

PUBLIC = {"anonymous": 200, "attendee": 200, "other": 200, "organizer": 200, "followup": 200,
          "admin": 200}
STAFF = {"anonymous": 401, "attendee": 403, "other": 403, "organizer": 200, "followup": 200,
         "admin": 200}
FOLLOWUP = {"anonymous": 401, "attendee": 403, "other": 403, "organizer": 403, "followup": 201,
            "admin": 201}


@pytest.fixture(scope="module")
def scene(gess, staff):
    """Two editions (old → new), a signed pact with an overdue commitment in the old one whose
    responsible party has a contact ("other": a party contact is not staff), a pact in the new."""
    f = staff.followup
    old = h.create_edition(gess, staff.organizer)
    new = h.create_edition(gess, staff.organizer)
    gess.sql("UPDATE editions SET previous_id = (SELECT id FROM editions WHERE slug = %s)"
             " WHERE slug = %s", (old["slug"], new["slug"]))
    attendee, contact = h.fast_users(gess, 2)
    org = ph.create_organization(gess, f)
    pact = ph.create_pact(gess, f, old["slug"])
    ph.add_party(gess, f, pact["id"], org["id"], "responsible",
                 contacts=[contact["account"]["id"]])
    target = ph.create_pact(gess, f, new["slug"])
    return dict(old=old, new=new, pact=pact, target=target, org=org, attendee=attendee,
                other=contact)


def actor(role, staff, scene):
    return h.role_actor(role, staff, scene["attendee"], scene["other"])


def headers(who):
    return (who or {}).get("headers")


# (name, who may, call(gess, scene, headers)): the reads, each a GET
READS = [
    ("dashboard", PUBLIC,
     lambda gess, scene, hd: h.call(
         "GET", f"{gess.base}/v1/editions/{scene['old']['slug']}/pacts/dashboard", headers=hd)),
    ("overdue", STAFF,
     lambda gess, scene, hd: gess.req("GET", "/v1/commitments/overdue", headers=hd,
                                      params={"edition": scene["old"]["slug"]})),
    ("pact-review", STAFF,
     lambda gess, scene, hd: gess.req(
         "GET", f"/v1/editions/{scene['new']['slug']}/pact-review", headers=hd)),
]


@pytest.mark.parametrize("role", h.ROLES)
@pytest.mark.parametrize("name,table,call", READS, ids=[r[0] for r in READS])
def test_read(gess, staff, scene, name, table, call, role):
    r = call(gess, scene, headers(actor(role, staff, scene)))
    h.assert_role_answer(r, table[role], f"{name} as {role}")


@pytest.mark.parametrize("role", h.ROLES)
def test_carry_over(gess, staff, scene, role):
    c = ph.create_commitment(gess, staff.followup, scene["pact"]["id"])
    before = ph.pact_counts(gess)
    r = gess.req("POST", f"/v1/commitments/{c['id']}/carry-over",
                 headers=headers(actor(role, staff, scene)),
                 json={"pact_id": scene["target"]["id"]})
    h.assert_role_answer(r, FOLLOWUP[role], f"carry-over as {role}")
    if FOLLOWUP[role] != 201:
        assert ph.pact_counts(gess) == before, "a refusal writes nothing"
