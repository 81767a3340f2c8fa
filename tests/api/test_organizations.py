"""Organizations as records (issue 5): create, list (name search, sector, pages), read, change;
one record per name in any letter case and per tax id; accounts and speakers link one by
organization_id while keeping their free-text organization."""
import pytest

import gesshelp as h
import pacthelp as ph

ORG_KEYS = {"id", "name", "sector", "tax_id", "region", "created_at", "updated_at"}


def ruc():
    """An 11-digit RUC nobody else in the session uses."""
    return "20" + "".join(str(ord(c) % 10) for c in h.letters(9))


def test_create_and_read(gess, staff):
    body = ph.organization_body(tax_id=ruc(), region="Moquegua")
    r = gess.req("POST", "/v1/organizations", headers=staff.organizer["headers"], json=body)
    org = h.assert_json(r, 201)
    assert set(org) == ORG_KEYS, org
    assert (org["name"], org["sector"], org["tax_id"], org["region"]) == \
        (body["name"], "community", body["tax_id"], "Moquegua")
    h.parse_instant(org["created_at"])
    assert h.assert_json(gess.req("GET", f"/v1/organizations/{org['id']}"), 200) == org
    # followup creates too; tax id and region are optional
    other = ph.create_organization(gess, staff.followup, region=h.DROP)
    assert other["tax_id"] is None and other["region"] == ""


def test_unknown_and_malformed_ids_are_404(gess, staff):
    h.assert_problem(gess.req("GET", "/v1/organizations/00000000-0000-4000-8000-000000000000"),
                     404, "not-found")
    h.assert_problem(gess.req("GET", "/v1/organizations/nope"), 404, "not-found")
    h.assert_problem(gess.req("PATCH", "/v1/organizations/00000000-0000-4000-8000-000000000000",
                              headers=staff.followup["headers"], json={"region": "Puno"}),
                     404, "not-found")


def test_name_and_tax_id_are_unique(gess, staff):
    tax = ruc()
    org = ph.create_organization(gess, staff.followup, tax_id=tax)
    before = ph.pact_counts(gess)
    for over in ({"name": org["name"].upper()}, {"name": org["name"].lower(), "sector": "public"},
                 {"tax_id": tax}):
        r = gess.req("POST", "/v1/organizations", headers=staff.followup["headers"],
                     json=ph.organization_body(**over))
        p = h.assert_problem(r, 409, "organization-taken")
        assert p["organization"] == {"id": org["id"], "name": org["name"]}, p
    assert ph.pact_counts(gess) == before
    # a change into another's name or tax id is refused the same way
    mine = ph.create_organization(gess, staff.followup)
    for over in ({"name": org["name"].swapcase()}, {"tax_id": tax}):
        r = gess.req("PATCH", f"/v1/organizations/{mine['id']}",
                     headers=staff.followup["headers"], json=over)
        assert h.assert_problem(r, 409, "organization-taken")["organization"]["id"] == org["id"]
    assert h.assert_json(gess.req("GET", f"/v1/organizations/{mine['id']}"), 200) == mine


BAD_FIELDS = [
    ("name", h.DROP), ("name", ""), ("name", "   "), ("name", "x" * 201), ("name", 7),
    ("name", "Dos\nlíneas"), ("sector", h.DROP), ("sector", "mining"), ("sector", None),
    ("tax_id", "ab"), ("tax_id", "2045 678901"), ("tax_id", "x" * 21), ("tax_id", 20456789012),
    ("region", "r" * 101), ("region", 3),
]


@pytest.mark.parametrize("field,value", BAD_FIELDS, ids=[f"{f}={v!r}"[:40] for f, v in BAD_FIELDS])
def test_bad_field_is_422_and_writes_nothing(gess, staff, field, value):
    before = ph.pact_counts(gess)
    r = gess.req("POST", "/v1/organizations", headers=staff.followup["headers"],
                 json=ph.organization_body(**{field: value}))
    body = h.assert_problem(r, 422, "validation-failed")
    assert h.error_fields(body) == [field], body
    assert ph.pact_counts(gess) == before


def test_every_bad_field_named_at_once(gess, staff):
    r = gess.req("POST", "/v1/organizations", headers=staff.organizer["headers"],
                 json={"name": "", "sector": "x", "tax_id": "?", "region": 1})
    body = h.assert_problem(r, 422, "validation-failed")
    assert sorted(h.error_fields(body)) == ["name", "region", "sector", "tax_id"]


def test_patch(gess, staff):
    org = ph.create_organization(gess, staff.organizer, tax_id=ruc())
    r = gess.req("PATCH", f"/v1/organizations/{org['id']}", headers=staff.followup["headers"],
                 json={"name": org["name"] + " (sede Lima)", "sector": "private", "region": None,
                       "tax_id": None})
    got = h.assert_json(r, 200)
    assert (got["name"], got["sector"], got["region"], got["tax_id"]) == \
        (org["name"] + " (sede Lima)", "private", "", None)
    assert got["created_at"] == org["created_at"] and got["updated_at"] >= org["updated_at"]
    # nothing asked: nothing changes
    same = h.assert_json(gess.req("PATCH", f"/v1/organizations/{org['id']}",
                                  headers=staff.followup["headers"], json={}), 200)
    assert same == got
    before = ph.pact_counts(gess)
    for field, value in (("name", None), ("name", ""), ("sector", None), ("sector", "x"),
                         ("tax_id", "1"), ("region", "r" * 101)):
        r = gess.req("PATCH", f"/v1/organizations/{org['id']}", headers=staff.followup["headers"],
                     json={field: value})
        assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == [field]
    assert ph.pact_counts(gess) == before
    assert h.assert_json(gess.req("GET", f"/v1/organizations/{org['id']}"), 200) == got


def test_list_search_sector_and_pages(gess, staff):
    tag = h.letters(8)
    names = [f"Asociación Ñuñoa {tag} {i}" for i in range(5)]
    made = [ph.create_organization(gess, staff.followup, name=n,
                                   sector="civil_society" if i % 2 else "academia")
            for i, n in enumerate(names)]
    # a substring, in any letter case and without the accents
    items, pages = h.walk_pages(gess, "/v1/organizations", limit=2,
                                params={"q": f"asociacion nunoa {tag.upper()}"})
    assert [o["id"] for o in items] == [o["id"] for o in made] and pages == 3
    assert items[0] == made[0]
    items, _ = h.walk_pages(gess, "/v1/organizations", params={"q": tag, "sector": "academia"})
    assert [o["name"] for o in items] == names[0::2]
    upper = ph.create_organization(gess, staff.followup, name=f"MUNICIPALIDAD DE ÁNCASH {tag}")
    for q in (f"ancash {tag}", f"Áncash {tag}", f"áNCASH {tag}"):
        items, _ = h.walk_pages(gess, "/v1/organizations", params={"q": q})
        assert [o["id"] for o in items] == [upper["id"]], q
    page = h.assert_json(gess.req("GET", "/v1/organizations", params={"q": "zz" + tag}), 200)
    assert page == {"items": [], "next_cursor": None}
    for params, field in (({"sector": "mining"}, "sector"), ({"limit": "0"}, "limit"),
                          ({"cursor": "x"}, "cursor"), ({"q": "q" * 201}, "q")):
        r = gess.req("GET", "/v1/organizations", params=params)
        assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == [field]


# --- accounts and speakers link a record -----------------------------------------------------

def test_signup_links_an_organization(gess, staff):
    org = ph.create_organization(gess, staff.followup)
    body, acc = gess.signup(organization="Comunidad (como la escribo)", organization_id=org["id"])
    assert acc["organization_id"] == org["id"]
    assert acc["organization"] == "Comunidad (como la escribo)"
    token = gess.login(body["email"], body["password"])
    me = h.assert_json(gess.req("GET", "/v1/me", headers=h.bearer(token)), 200)
    assert me["organization_id"] == org["id"]
    ex = h.assert_json(gess.req("GET", "/v1/me/export", headers=h.bearer(token)), 200)
    assert ex["account"]["organization_id"] == org["id"]
    # without one: null
    _, plain = gess.signup()
    assert plain["organization_id"] is None


def test_signup_with_unknown_organization_is_422(gess):
    n = gess.count("accounts")
    for value, slug_field in (("00000000-0000-4000-8000-000000000000", "organization_id"),
                              ("not-a-uuid", "organization_id"), (5, "organization_id")):
        r = gess.req("POST", "/v1/accounts", json=h.signup_body(organization_id=value))
        assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == [slug_field]
    assert gess.count("accounts") == n


def test_speaker_links_an_organization(gess, staff, edition):
    org = ph.create_organization(gess, staff.followup, sector="academia")
    slug = edition["slug"]
    r = gess.req("POST", f"/v1/editions/{slug}/speakers", headers=staff.organizer["headers"],
                 json={"name": "Ponente " + h.letters(), "organization_id": org["id"]})
    sp = h.assert_json(r, 201)
    assert sp["organization_id"] == org["id"] and sp["organization"] == org["name"]
    assert sp["sector"] == "academia"
    # an account's link carries over to the speaker made from it
    who = gess.user(organization_id=org["id"])
    r = gess.req("POST", f"/v1/editions/{slug}/speakers", headers=staff.organizer["headers"],
                 json={"account_id": who["account"]["id"]})
    assert h.assert_json(r, 201)["organization_id"] == org["id"]
    listed = h.assert_json(gess.req("GET", f"/v1/editions/{slug}/speakers"), 200)["items"]
    assert {s["id"]: s["organization_id"] for s in listed}[sp["id"]] == org["id"]
    n = gess.count("speakers")
    for value in ("00000000-0000-4000-8000-000000000000", "nope"):
        r = gess.req("POST", f"/v1/editions/{slug}/speakers", headers=staff.organizer["headers"],
                     json={"name": "Otro " + h.letters(), "organization_id": value})
        assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == ["organization_id"]
    assert gess.count("speakers") == n
