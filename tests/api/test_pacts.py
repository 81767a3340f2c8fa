"""Pacts of an edition (issue 5): create, list, read, change; parties with their contacts; who
sees a draft; and the history, whose rows the app role can neither change nor remove."""
import psycopg2
import pytest

import gesshelp as h
import pacthelp as ph

PACT_KEYS = {"id", "edition", "title", "summary", "text", "text_url", "signed_on", "status",
             "progress", "completion", "parties", "commitments", "created_at", "updated_at"}
NO_PACT = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def ed(gess, staff):
    return h.create_edition(gess, staff.organizer)


@pytest.fixture(scope="module")
def orgs(gess, staff):
    return [ph.create_organization(gess, staff.followup) for _ in range(3)]


def test_create_and_read(gess, staff, ed):
    body = ph.pact_body(text="Artículo 1.\nLas partes se comprometen a...")
    r = gess.req("POST", f"/v1/editions/{ed['slug']}/pacts", headers=staff.followup["headers"],
                 json=body)
    p = h.assert_json(r, 201)
    assert set(p) == PACT_KEYS, p
    for k in ("title", "summary", "text", "text_url", "signed_on", "status"):
        assert p[k] == body[k], k
    assert p["edition"] == ed["slug"]
    assert (p["progress"], p["completion"], p["parties"], p["commitments"]) == \
        (0, "no_evidence", [], [])
    assert ph.get_pact(gess, p["id"]) == p
    # optional members: a draft needs no date, summary and text default to ""
    d = ph.create_pact(gess, staff.followup, ed["slug"], status="draft", signed_on=h.DROP,
                       summary=h.DROP, text_url=h.DROP)
    assert (d["status"], d["signed_on"], d["summary"], d["text"], d["text_url"]) == \
        ("draft", None, "", "", None)
    d2 = ph.create_pact(gess, staff.followup, ed["slug"], status=h.DROP, signed_on=h.DROP)
    assert d2["status"] == "draft"


def test_unknown_edition_and_pact_are_404(gess, staff):
    h.assert_problem(gess.req("POST", "/v1/editions/no-such-edition/pacts",
                              headers=staff.followup["headers"], json=ph.pact_body()),
                     404, "not-found")
    h.assert_problem(gess.req("GET", "/v1/editions/no-such-edition/pacts"), 404, "not-found")
    for path in (f"/v1/pacts/{NO_PACT}", "/v1/pacts/x"):
        h.assert_problem(gess.req("GET", path, headers=staff.followup["headers"]), 404)
        h.assert_problem(gess.req("PATCH", path, headers=staff.followup["headers"],
                                  json={"title": "t"}), 404)
        h.assert_problem(gess.req("POST", path + "/parties", headers=staff.followup["headers"],
                                  json={"organization_id": NO_PACT, "role": "verifier"}), 404)
        h.assert_problem(gess.req("GET", path + "/history", headers=staff.followup["headers"]),
                         404)


BAD_PACT = [
    ("title", h.DROP), ("title", ""), ("title", "  "), ("title", "t" * 301), ("title", 1),
    ("title", "a\u0007b"), ("summary", "s" * 5001), ("summary", 1), ("summary", "a\u0001"),
    ("text", "t" * 100001), ("text", []), ("text_url", "ftp://gess.pe/x"),
    ("text_url", "https://"), ("text_url", "https://gess.pe/a b"),
    ("text_url", "https://gess.pe/" + "x" * 500), ("signed_on", "2026-02-30"),
    ("signed_on", "ayer"), ("signed_on", 20260101), ("signed_on", h.DROP), ("signed_on", None),
    ("status", "archived"), ("status", None), ("status", 1),
]


@pytest.mark.parametrize("field,value", BAD_PACT, ids=[f"{f}={v!r}"[:40] for f, v in BAD_PACT])
def test_bad_pact_field_is_422_and_writes_nothing(gess, staff, ed, field, value):
    before = ph.pact_counts(gess)
    r = gess.req("POST", f"/v1/editions/{ed['slug']}/pacts", headers=staff.followup["headers"],
                 json=ph.pact_body(**{field: value}))
    body = h.assert_problem(r, 422, "validation-failed")
    assert h.error_fields(body) == [field], body
    assert ph.pact_counts(gess) == before


def test_patch(gess, staff, ed):
    p = ph.create_pact(gess, staff.followup, ed["slug"], status="draft", signed_on=h.DROP)
    path = f"/v1/pacts/{p['id']}"
    hd = staff.followup["headers"]
    # leaving draft needs the signing date: absent in the row, or cleared in the body
    before = ph.pact_counts(gess)
    for body in ({"status": "signed"}, {"status": "signed", "signed_on": None}):
        r = gess.req("PATCH", path, headers=hd, json=body)
        assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == ["signed_on"]
    got = h.assert_json(gess.req("PATCH", path, headers=hd, json={
        "status": "signed", "signed_on": ph.day(-3), "title": "Pacto renovado",
        "summary": None, "text": "Texto", "text_url": None}), 200)
    assert (got["status"], got["signed_on"], got["title"], got["summary"], got["text"],
            got["text_url"]) == ("signed", ph.day(-3), "Pacto renovado", "", "Texto", None)
    assert got["updated_at"] > p["updated_at"]
    # once signed: never back to draft, never without its date
    r = gess.req("PATCH", path, headers=hd, json={"status": "draft"})
    h.assert_problem(r, 409, "invalid-state")
    r = gess.req("PATCH", path, headers=hd, json={"signed_on": None})
    assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == ["signed_on"]
    for field, value in BAD_PACT:
        if value is h.DROP or (field == "signed_on" and value is None):
            continue
        r = gess.req("PATCH", path, headers=hd, json={field: value})
        assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == [field], \
            (field, value)
    # only the pact's own rows moved: one audit row per accepted change
    after = ph.pact_counts(gess)
    assert after["pact_audit"] == before["pact_audit"] + 1
    assert {k: v for k, v in after.items() if k != "pact_audit"} == \
        {k: v for k, v in before.items() if k != "pact_audit"}
    assert ph.get_pact(gess, p["id"], staff.followup) == got
    for status in ("in_progress", "completed", "lapsed"):
        assert h.assert_json(gess.req("PATCH", path, headers=hd, json={"status": status}),
                             200)["status"] == status


def test_parties(gess, staff, ed, orgs):
    p = ph.create_pact(gess, staff.followup, ed["slug"])
    a, b = h.fast_users(gess, 2, prefix="contact", full_name="Juana Quispe")
    party = ph.add_party(gess, staff.followup, p["id"], orgs[0]["id"], "responsible",
                         [a["account"]["id"], b["account"]["id"]])
    assert set(party) >= {"id", "pact_id", "organization", "role", "contacts"}, party
    assert party["pact_id"] == p["id"] and party["role"] == "responsible"
    assert party["organization"] == {k: orgs[0][k] for k in ("id", "name", "sector")}
    assert sorted(c["id"] for c in party["contacts"]) == \
        sorted([a["account"]["id"], b["account"]["id"]])
    assert all(c["full_name"] == "Juana Quispe" for c in party["contacts"])
    # the same organization in another role is another party; no contacts is fine
    ver = ph.add_party(gess, staff.followup, p["id"], orgs[0]["id"], "verifier")
    assert ver["contacts"] == []
    full = ph.get_pact(gess, p["id"], staff.organizer)
    assert [x["id"] for x in full["parties"]] == [party["id"], ver["id"]]
    # the public sees parties without their contacts
    public = ph.get_pact(gess, p["id"])
    assert [x["id"] for x in public["parties"]] == [party["id"], ver["id"]]
    assert all("contacts" not in x for x in public["parties"]), public["parties"]
    # the same organization and role twice: 409, nothing written
    before = ph.pact_counts(gess)
    r = gess.req("POST", f"/v1/pacts/{p['id']}/parties", headers=staff.followup["headers"],
                 json={"organization_id": orgs[0]["id"], "role": "responsible",
                       "contact_account_ids": []})
    assert h.assert_problem(r, 409, "party-exists")["party_id"] == party["id"]
    assert ph.pact_counts(gess) == before


def test_bad_party_fields(gess, staff, ed, orgs):
    p = ph.create_pact(gess, staff.followup, ed["slug"])
    who = h.fast_user(gess, prefix="contact")["account"]["id"]
    cases = [
        ({"organization_id": h.DROP}, ["organization_id"]),
        ({"organization_id": "x"}, ["organization_id"]),
        ({"organization_id": 5}, ["organization_id"]),
        ({"organization_id": NO_PACT}, ["organization_id"]),
        ({"role": h.DROP}, ["role"]),
        ({"role": "observer"}, ["role"]),
        ({"contact_account_ids": "x"}, ["contact_account_ids"]),
        ({"contact_account_ids": [who, "x"]}, ["contact_account_ids[1]"]),
        ({"contact_account_ids": [who, 3]}, ["contact_account_ids[1]"]),
        ({"contact_account_ids": [who, who]}, ["contact_account_ids[1]"]),
        ({"contact_account_ids": [who, NO_PACT]}, ["contact_account_ids[1]"]),
        ({"contact_account_ids": [who] * 51}, ["contact_account_ids"]),
        ({"organization_id": NO_PACT, "contact_account_ids": [NO_PACT, who]},
         ["organization_id", "contact_account_ids[0]"]),
    ]
    before = ph.pact_counts(gess)
    for over, fields in cases:
        body = h.with_overrides({"organization_id": orgs[1]["id"], "role": "signatory",
                                 "contact_account_ids": []}, over)
        r = gess.req("POST", f"/v1/pacts/{p['id']}/parties", headers=staff.followup["headers"],
                     json=body)
        got = h.assert_problem(r, 422, "validation-failed")
        assert h.error_fields(got) == fields, (over, got)
    assert ph.pact_counts(gess) == before
    # worded in Spanish when asked
    r = gess.req("POST", f"/v1/pacts/{p['id']}/parties",
                 headers=dict(staff.followup["headers"], **{"Accept-Language": "es"}),
                 json={"organization_id": NO_PACT, "role": "signatory"})
    assert "organización" in h.assert_problem(r, 422)["errors"][0]["message"]


def test_who_sees_a_draft(gess, staff, ed, orgs):
    contact, other = h.fast_users(gess, 2, prefix="draft")
    d = ph.create_pact(gess, staff.followup, ed["slug"], status="draft", signed_on=h.DROP,
                       title="Borrador " + h.letters())
    party = ph.add_party(gess, staff.followup, d["id"], orgs[2]["id"], "signatory",
                         [contact["account"]["id"]])
    signed = ph.create_pact(gess, staff.followup, ed["slug"], title="Firmado " + h.letters())
    path = f"/v1/pacts/{d['id']}"
    for who in (None, other):
        h.assert_problem(gess.req("GET", path, headers=(who or {}).get("headers")), 404,
                         "not-found")
    for who in (staff.organizer, staff.followup, staff.admin, contact):
        got = ph.get_pact(gess, d["id"], who)
        assert got["status"] == "draft"
        assert got["parties"][0]["contacts"] == [{"id": contact["account"]["id"],
                                                  "full_name": contact["account"]["full_name"]}]
    listing = f"/v1/editions/{ed['slug']}/pacts"

    def ids(who):
        items, _ = h.walk_pages(gess, listing, headers=(who or {}).get("headers"), limit=200)
        return {i["id"] for i in items}
    assert d["id"] not in ids(None) and d["id"] not in ids(other)
    assert signed["id"] in ids(None) and signed["id"] in ids(other)
    assert d["id"] in ids(staff.organizer) and d["id"] in ids(contact)
    assert party["id"]


def test_list_items_and_pages(gess, staff, orgs):
    ed = h.create_edition(gess, staff.organizer)
    made = [ph.create_pact(gess, staff.followup, ed["slug"], title=f"Pacto {i}")
            for i in range(5)]
    ph.add_party(gess, staff.followup, made[0]["id"], orgs[0]["id"])
    items, pages = h.walk_pages(gess, f"/v1/editions/{ed['slug']}/pacts", limit=2)
    assert [i["id"] for i in items] == [p["id"] for p in made] and pages == 3
    first = items[0]
    assert set(first) >= (PACT_KEYS - {"commitments", "text"}) | {"commitment_count"}, first
    assert "text" not in first and "commitments" not in first, first
    assert first["commitment_count"] == 0 and first["completion"] == "no_evidence"
    assert [x["organization"]["id"] for x in first["parties"]] == [orgs[0]["id"]]
    for params, field in (({"limit": "201"}, "limit"), ({"cursor": "x"}, "cursor")):
        r = gess.req("GET", f"/v1/editions/{ed['slug']}/pacts", params=params)
        assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == [field]
    # a draft edition is not there for the public
    draft_ed = h.create_edition(gess, staff.organizer, status="draft")
    ph.create_pact(gess, staff.followup, draft_ed["slug"])
    h.assert_problem(gess.req("GET", f"/v1/editions/{draft_ed['slug']}/pacts"), 404)
    page = h.assert_json(gess.req("GET", f"/v1/editions/{draft_ed['slug']}/pacts",
                                  headers=staff.followup["headers"]), 200)
    assert len(page["items"]) == 1


def test_commitments_in_the_pact(gess, staff, ed, orgs):
    p = ph.create_pact(gess, staff.followup, ed["slug"])
    c = ph.create_commitment(gess, staff.followup, p["id"],
                             responsible_organization_id=orgs[0]["id"])
    sub = ph.create_commitment(gess, staff.followup, p["id"], parent_id=c["id"],
                               title="Sub compromiso")
    got = ph.get_pact(gess, p["id"])
    assert [x["id"] for x in got["commitments"]] == [c["id"]]
    assert [x["id"] for x in got["commitments"][0]["sub_commitments"]] == [sub["id"]]
    items, _ = h.walk_pages(gess, f"/v1/editions/{ed['slug']}/pacts", limit=200)
    assert {i["id"]: i["commitment_count"] for i in items}[p["id"]] == 2


# --- history ---------------------------------------------------------------------------------

def test_history_lists_every_change_with_its_actor(gess, staff, ed, orgs):
    fu = staff.followup
    p = ph.create_pact(gess, fu, ed["slug"], status="draft", signed_on=h.DROP)
    h.assert_json(gess.req("PATCH", f"/v1/pacts/{p['id']}", headers=fu["headers"],
                           json={"status": "signed", "signed_on": ph.day(-1)}), 200)
    # a PATCH that changes nothing records nothing
    h.assert_json(gess.req("PATCH", f"/v1/pacts/{p['id']}", headers=fu["headers"],
                           json={"status": "signed"}), 200)
    party = ph.add_party(gess, fu, p["id"], orgs[0]["id"], "responsible")
    c = ph.create_commitment(gess, fu, p["id"])
    ind = ph.create_indicator(gess, fu, c["id"])
    m = ph.add_measurement(gess, fu, ind["id"])
    ms = ph.create_milestone(gess, fu, c["id"])
    ph.set_status(gess, fu, c["id"], "on_track")
    admin_id = h.assert_json(gess.req("GET", "/v1/me", headers=staff.admin["headers"]),
                             200)["id"]
    h.assert_json(gess.req("PATCH", f"/v1/pacts/{p['id']}", headers=staff.admin["headers"],
                           json={"title": "Pacto corregido"}), 200)
    items, pages = h.walk_pages(gess, f"/v1/pacts/{p['id']}/history",
                                headers=staff.organizer["headers"], limit=2)
    got = [(i["entity"], i["entity_id"], i["action"]) for i in items]
    assert got == [("pact", p["id"], "insert"), ("pact", p["id"], "update"),
                   ("party", party["id"], "insert"), ("commitment", c["id"], "insert"),
                   ("indicator", ind["id"], "insert"), ("measurement", m["id"], "insert"),
                   ("milestone", ms["id"], "insert"), ("commitment", c["id"], "update"),
                   ("pact", p["id"], "update")], got
    assert pages == 5
    fu_actor = {"id": fu["account"]["id"], "full_name": fu["account"]["full_name"]}
    assert [i["actor"] for i in items] == [fu_actor] * 8 + [
        {"id": admin_id, "full_name": "Admin Congreso"}]
    ids = [i["id"] for i in items]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    status = items[7]
    assert (status["before"]["status"], status["after"]["status"]) == ("not_started", "on_track")
    first, change, last = items[0], items[1], items[-1]
    assert first["before"] is None and first["after"]["status"] == "draft"
    assert (change["before"]["status"], change["after"]["status"]) == ("draft", "signed")
    assert change["after"]["signed_on"] == ph.day(-1)
    assert (last["before"]["title"], last["after"]["title"]) == (p["title"], "Pacto corregido")
    times = [h.parse_instant(i["at"]) for i in items]
    assert times == sorted(times)
    # followup reads it too; a bad cursor is 422
    assert h.assert_json(gess.req("GET", f"/v1/pacts/{p['id']}/history",
                                  headers=fu["headers"]), 200)["items"][0] == first
    for params, field in (({"cursor": "abc"}, "cursor"), ({"limit": "0"}, "limit")):
        r = gess.req("GET", f"/v1/pacts/{p['id']}/history", headers=fu["headers"],
                     params=params)
        assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == [field]


def test_history_shows_an_erased_actor_as_null(gess, staff, ed):
    fu = gess.user(full_name="Temporal Seguimiento")
    h.set_roles(gess, staff.admin, fu["account"]["id"], ["followup"])
    p = ph.create_pact(gess, fu, ed["slug"])
    r = gess.req("DELETE", "/v1/me", headers=fu["headers"])
    assert r.status_code == 204, r.text
    items = h.assert_json(gess.req("GET", f"/v1/pacts/{p['id']}/history",
                                   headers=staff.followup["headers"]), 200)["items"]
    # the insert keeps its row, its actor now unknown (erasure also cleared created_by: an
    # update nobody made through the API)
    assert items[0]["action"] == "insert"
    assert all(i["actor"] is None for i in items), items


def _try_as(gess, role, statement, params=None):
    """Runs statement in its own transaction (as the app role when role is set) and returns
    the error it raised, or None; the transaction is always rolled back."""
    conn = gess.connect()
    conn.autocommit = False
    try:
        with conn.cursor() as cur:
            if role:
                cur.execute(f"SET LOCAL ROLE {role}")
            cur.execute(statement, params)
        return None
    except psycopg2.Error as e:
        return e
    finally:
        conn.rollback()
        conn.close()


def test_audit_rows_cannot_be_changed(gess, staff, ed):
    p = ph.create_pact(gess, staff.followup, ed["slug"])
    rows = gess.sql("SELECT id, after::text FROM pact_audit WHERE pact_id = %s", (p["id"],))
    assert len(rows) == 1
    aid = rows[0][0]
    for stmt in ("UPDATE pact_audit SET actor_id = NULL WHERE id = %s",
                 "DELETE FROM pact_audit WHERE id = %s"):
        # the app role has no such privilege at all
        e = _try_as(gess, "gess_app", stmt, (aid,))
        assert e is not None and e.pgcode == "42501", e
        assert "permission denied" in str(e), e
        # the owner has it, and the trigger refuses it anyway
        e = _try_as(gess, None, stmt, (aid,))
        assert e is not None and e.pgcode == "42501", e
        assert "cannot be changed or removed" in str(e), e
    for role in ("gess_app", None):
        e = _try_as(gess, role, "TRUNCATE pact_audit")
        assert e is not None and e.pgcode == "42501", e
    # the app role may read and add (the trigger writes as it), nothing else
    assert _try_as(gess, "gess_app", "SELECT count(*) FROM pact_audit") is None
    assert gess.sql("SELECT id, after::text FROM pact_audit WHERE pact_id = %s",
                    (p["id"],)) == rows
