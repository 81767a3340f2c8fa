"""Editions, categories and questions (issue 3): create/get/list/patch,
draft visibility, forward-only status, /next, and bad input for every field."""
import datetime
import json

import pytest

import gesshelp as h
from gesshelp import DROP

EDITION_KEYS = {"id", "slug", "number", "title", "motto", "city", "venue", "starts_on", "ends_on",
                "timezone", "registration_opens_at", "registration_closes_at", "status",
                "previous", "registration_open", "created_at"}
CATEGORY_KEYS = {"id", "code", "name", "description", "price_cents", "currency",
                 "requires_approval", "sectors", "modes", "seats_left"}
QUESTION_KEYS = {"id", "code", "label", "type", "choices", "required"}


def _same_instant(a, b):
    return h.parse_instant(a) == h.parse_instant(b)


def _edition_row(gess, slug):
    rows = gess.sql("SELECT row_to_json(e)::text FROM editions e WHERE slug = %s", (slug,))
    return rows[0][0] if rows else None


def _all_editions(gess, headers=None, limit=None):
    items, _ = h.walk_pages(gess, "/v1/editions", headers=headers, limit=limit)
    return items


# --- create / get ---------------------------------------------------------------------------

def test_create_and_get_edition(gess, staff):
    lima = datetime.timezone(datetime.timedelta(hours=-5))
    opens = datetime.datetime(2029, 11, 3, 9, 0, tzinfo=lima)
    closes = datetime.datetime(2030, 5, 1, 23, 59, 59, tzinfo=lima)
    body = h.edition_body(year=2030, status=DROP, registration_opens_at=opens.isoformat(),
                          registration_closes_at=closes.isoformat())
    r = gess.req("POST", "/v1/editions", headers=staff.organizer["headers"], json=body)
    ed = h.assert_json(r, 201)
    assert set(ed) >= EDITION_KEYS, ed
    for k in ("slug", "number", "title", "motto", "city", "venue", "starts_on", "ends_on",
              "timezone"):
        assert ed[k] == body[k], (k, ed[k], body[k])
    assert ed["status"] == "draft"  # the default
    assert ed["previous"] is None
    assert ed["registration_open"] is False  # a draft is never open
    # Instants come back in UTC with an explicit offset, same instant.
    assert ed["registration_opens_at"].endswith("+00:00"), ed["registration_opens_at"]
    assert h.parse_instant(ed["registration_opens_at"]) == opens
    assert h.parse_instant(ed["registration_closes_at"]) == closes
    created = h.parse_instant(ed["created_at"])
    assert abs((created - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) < 60
    row = gess.sql("SELECT id::text, number, status, timezone FROM editions WHERE slug = %s",
                   (body["slug"],))
    assert row == [(ed["id"], body["number"], "draft", "America/Lima")]

    r = gess.req("GET", f"/v1/editions/{body['slug']}", headers=staff.organizer["headers"])
    assert h.assert_json(r, 200) == ed

    # Published: registration_open says whether now is inside the window.
    r = gess.req("PATCH", f"/v1/editions/{body['slug']}", headers=staff.organizer["headers"],
                 json={"status": "published"})
    got = h.assert_json(r, 200)
    assert got["status"] == "published"
    now = datetime.datetime.now(datetime.timezone.utc)
    assert got["registration_open"] is (opens <= now < closes)


def test_defaults_and_open_flag(gess, staff):
    body = h.edition_body(timezone=DROP, motto=DROP, city=DROP, venue=DROP)
    ed = h.assert_json(gess.req("POST", "/v1/editions", headers=staff.organizer["headers"],
                                json=body), 201)
    assert ed["timezone"] == "America/Lima"
    assert ed["status"] == "published"
    assert ed["registration_open"] is True
    for k in ("motto", "city", "venue"):
        assert ed[k] in ("", None), (k, ed[k])
    # Another IANA zone is kept.
    ed2 = h.create_edition(gess, staff.organizer, timezone="America/Argentina/Buenos_Aires")
    assert ed2["timezone"] == "America/Argentina/Buenos_Aires"
    # A window in the future or in the past: published but not open.
    now = h.now_utc()
    fut = h.create_edition(gess, staff.organizer,
                           registration_opens_at=h.iso(now + datetime.timedelta(days=3)),
                           registration_closes_at=h.iso(now + datetime.timedelta(days=9)))
    assert fut["registration_open"] is False
    past = h.create_edition(gess, staff.organizer,
                            registration_opens_at=h.iso(now - datetime.timedelta(days=9)),
                            registration_closes_at=h.iso(now - datetime.timedelta(hours=1)))
    assert past["registration_open"] is False


def test_text_limits_count_characters(gess, staff):
    # 200 'ñ' are 400 bytes but 200 characters: accepted.
    ed = h.create_edition(gess, staff.organizer, title="ñ" * 200, motto="á" * 300,
                          city="ü" * 100, venue="é" * 200, slug=h.letters(60) + "-" + "bcd")
    assert ed["title"] == "ñ" * 200 and ed["motto"] == "á" * 300
    assert ed["city"] == "ü" * 100 and ed["venue"] == "é" * 200
    slug64 = h.letters(64)
    ed = h.create_edition(gess, staff.organizer, slug=slug64)
    assert ed["slug"] == slug64
    # One-day edition: ends_on == starts_on is fine.
    ed = h.create_edition(gess, staff.organizer, starts_on="2031-03-03", ends_on="2031-03-03")
    assert ed["starts_on"] == ed["ends_on"] == "2031-03-03"


def test_slug_taken(gess, staff):
    ed = h.create_edition(gess, staff.organizer)
    before = h.row_counts(gess)
    r = gess.req("POST", "/v1/editions", headers=staff.organizer["headers"],
                 json=h.edition_body(slug=ed["slug"]))
    h.assert_problem(r, 409, "slug-taken")
    assert h.row_counts(gess) == before
    # A taken number is a field error (editions_number_key), nothing written.
    r = gess.req("POST", "/v1/editions", headers=staff.organizer["headers"],
                 json=h.edition_body(number=ed["number"]))
    p = h.assert_problem(r, 422, "validation-failed")
    assert [e["field"] for e in p["errors"]] == ["number"], p
    assert h.row_counts(gess) == before


def test_unknown_edition_is_404(gess, staff):
    org = staff.organizer["headers"]
    for method, path, body in [
        ("GET", "/v1/editions/no-such-edition", None),
        ("PATCH", "/v1/editions/no-such-edition", {"title": "x"}),
        ("POST", "/v1/editions/no-such-edition/next", {}),
        ("GET", "/v1/editions/no-such-edition/categories", None),
        ("POST", "/v1/editions/no-such-edition/categories", h.category_body()),
        ("GET", "/v1/editions/no-such-edition/questions", None),
        ("POST", "/v1/editions/no-such-edition/questions", h.question_body()),
    ]:
        before = h.row_counts(gess)
        r = gess.req(method, path, headers=org, json=body)
        h.assert_problem(r, 404, "not-found")
        assert h.row_counts(gess) == before, (method, path)


# --- drafts --------------------------------------------------------------------------------

def test_draft_hidden_from_anonymous_and_attendees(gess, staff, user):
    draft = h.create_edition(gess, staff.organizer, status="draft")
    pub = h.create_edition(gess, staff.organizer)
    h.create_category(gess, staff.organizer, draft["slug"])
    h.create_question(gess, staff.organizer, draft["slug"])
    path = f"/v1/editions/{draft['slug']}"
    for who in (None, user["headers"], staff.followup["headers"]):
        h.assert_problem(gess.req("GET", path, headers=who), 404, "not-found")
        h.assert_problem(gess.req("GET", path + "/categories", headers=who), 404, "not-found")
        h.assert_problem(gess.req("GET", path + "/questions", headers=who), 404, "not-found")
        slugs = [e["slug"] for e in _all_editions(gess, headers=who)]
        assert draft["slug"] not in slugs
        assert pub["slug"] in slugs
        assert len(slugs) == len(set(slugs))
        # Nobody without the organizer role sees any draft at all.
        assert gess.count("editions", "status <> 'draft'") == len(slugs)
    for who in (staff.organizer, staff.admin):
        got = h.assert_json(gess.req("GET", path, headers=who["headers"]), 200)
        assert got["status"] == "draft" and got["id"] == draft["id"]
        cats = h.assert_json(gess.req("GET", path + "/categories", headers=who["headers"]), 200)
        assert len(cats["items"]) == 1
        slugs = [e["slug"] for e in _all_editions(gess, headers=who["headers"])]
        assert draft["slug"] in slugs and pub["slug"] in slugs
        assert gess.count("editions") == len(slugs)
    # Published: everyone sees it.
    for who in (None, user["headers"], staff.followup["headers"]):
        got = h.assert_json(gess.req("GET", f"/v1/editions/{pub['slug']}", headers=who), 200)
        assert got["id"] == pub["id"]


def test_list_newest_first_and_pagination(gess, staff):
    made = [h.create_edition(gess, staff.organizer, year=2040 + i) for i in range(3)]
    for limit in (1, 2, 7, None):
        items = _all_editions(gess, headers=staff.organizer["headers"], limit=limit)
        ids = [e["id"] for e in items]
        assert len(ids) == len(set(ids)), f"duplicates with limit={limit}"
        assert len(ids) == gess.count("editions"), f"missing editions with limit={limit}"
        pos = [ids.index(e["id"]) for e in made]
        assert pos == sorted(pos, reverse=True), f"not newest first: {pos}"
        for e in items:
            assert set(e) >= EDITION_KEYS, e
    page = h.assert_json(gess.req("GET", "/v1/editions", params={"limit": 1}), 200)
    assert len(page["items"]) == 1 and isinstance(page["next_cursor"], str)
    # Default page size 50, max 200.
    page = h.assert_json(gess.req("GET", "/v1/editions", headers=staff.organizer["headers"]), 200)
    assert len(page["items"]) == min(50, gess.count("editions"))
    page = h.assert_json(gess.req("GET", "/v1/editions", params={"limit": 200},
                                  headers=staff.organizer["headers"]), 200)
    assert len(page["items"]) == min(200, gess.count("editions"))


@pytest.mark.parametrize("params,field", [
    ({"limit": 0}, "limit"),
    ({"limit": 201}, "limit"),
    ({"limit": -1}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"limit": "1.5"}, "limit"),
    ({"limit": 4294967346}, "limit"),  # would wrap to 50 in an int
    ({"cursor": "not-a-cursor!"}, "cursor"),
], ids=["limit0", "limit201", "limit-neg", "limit-word", "limit-frac", "limit-huge",
        "cursor-garbage"])
def test_list_bad_query(gess, staff, params, field):
    r = gess.req("GET", "/v1/editions", params=params, headers=staff.organizer["headers"])
    p = h.assert_problem(r, 422, "validation-failed")
    assert field in h.error_fields(p), p


# --- patch and status ------------------------------------------------------------------------

def test_patch_edition(gess, staff):
    ed = h.create_edition(gess, staff.organizer, status="draft", year=2034)
    path = f"/v1/editions/{ed['slug']}"
    org = staff.organizer["headers"]
    changes = {"title": "GESS 2034: Agua y territorio", "motto": "Diálogo que transforma",
               "city": "Arequipa", "venue": "Centro de Convenciones Cerro Juli",
               "starts_on": "2034-06-01", "ends_on": "2034-06-03", "timezone": "America/Bogota",
               "registration_opens_at": "2033-12-01T14:00:00+00:00",
               "registration_closes_at": "2034-05-25T04:59:59+00:00"}
    got = h.assert_json(gess.req("PATCH", path, headers=org, json=changes), 200)
    for k, v in changes.items():
        if k.startswith("registration_"):
            assert _same_instant(got[k], v), (k, got[k])
        else:
            assert got[k] == v, (k, got[k])
    assert got["slug"] == ed["slug"] and got["number"] == ed["number"]
    assert got["id"] == ed["id"] and got["status"] == "draft"
    assert h.assert_json(gess.req("GET", path, headers=org), 200) == got
    # A subset leaves the rest alone.
    got2 = h.assert_json(gess.req("PATCH", path, headers=org, json={"motto": "Otro lema"}), 200)
    assert got2["motto"] == "Otro lema"
    assert {k: v for k, v in got2.items() if k != "motto"} == \
        {k: v for k, v in got.items() if k != "motto"}
    # number may change too, when free.
    n = h.edition_number()
    got3 = h.assert_json(gess.req("PATCH", path, headers=org, json={"number": n}), 200)
    assert got3["number"] == n
    assert gess.sql("SELECT number FROM editions WHERE id = %s", (ed["id"],)) == [(n,)]


def test_status_only_forward(gess, staff):
    ed = h.create_edition(gess, staff.organizer, status="draft")
    path = f"/v1/editions/{ed['slug']}"
    org = staff.organizer["headers"]
    order = ["draft", "published", "closed", "archived"]
    for i, nxt in enumerate(order[1:], start=1):
        got = h.assert_json(gess.req("PATCH", path, headers=org, json={"status": nxt}), 200)
        assert got["status"] == nxt
        for back in order[:i]:
            row = _edition_row(gess, ed["slug"])
            r = gess.req("PATCH", path, headers=org, json={"status": back})
            p = h.assert_problem(r, 422, "validation-failed")
            assert h.error_fields(p) == ["status"], p
            assert _edition_row(gess, ed["slug"]) == row
        assert gess.sql("SELECT status FROM editions WHERE id = %s", (ed["id"],)) == [(nxt,)]
    # Skipping forward is still forward.
    ed2 = h.create_edition(gess, staff.organizer, status="draft")
    got = h.assert_json(gess.req("PATCH", f"/v1/editions/{ed2['slug']}", headers=org,
                                 json={"status": "closed"}), 200)
    assert got["status"] == "closed"


# --- next -------------------------------------------------------------------------------------

def _cat_view(c):
    return {k: c[k] for k in ("code", "name", "description", "price_cents", "currency",
                              "requires_approval", "sectors", "modes")}


def _q_view(q):
    return {k: q[k] for k in ("code", "label", "type", "choices", "required")}


def _setup_source(gess, staff, **over):
    org = staff.organizer
    src = h.create_edition(gess, org, year=over.pop("year", 2036), **over)
    slug = src["slug"]
    c1 = h.create_category(gess, org, slug, code="general", name="General",
                           modes={"in_person": 3, "online": None}, price_cents=15000,
                           currency="USD")
    c2 = h.create_category(gess, org, slug, code="lideres", name="Líderes comunales",
                           requires_approval=True, sectors=["community"],
                           modes={"in_person": 5})
    c3 = h.create_category(gess, org, slug, code="virtual", name="Virtual",
                           modes={"online": 50})
    q1 = h.create_question(gess, org, slug, code="cargo", label="Cargo", type="text")
    q2 = h.create_question(gess, org, slug, code="taller", label="Taller", type="choice",
                           choices=["agua", "energía", "minería"], required=True)
    q3 = h.create_question(gess, org, slug, code="dieta", label="¿Dieta vegetariana?",
                           type="yes_no")
    return src, [c1, c2, c3], [q1, q2, q3]


def test_next_clones_setup(gess, staff):
    org = staff.organizer
    src, cats, qs = _setup_source(gess, staff)
    slug = src["slug"]
    # Registrations in the source take seats there; the clone starts empty.
    for u in h.fast_users(gess, 2):
        h.register_ok(gess, u, slug, "general", "in_person", answers={"taller": "agua"})
    before = h.assert_json(gess.req("GET", f"/v1/editions/{slug}/categories"), 200)["items"]
    assert {c["code"]: c["seats_left"] for c in before}["general"] == {"in_person": 1,
                                                                      "online": None}
    r = gess.req("POST", f"/v1/editions/{slug}/next", headers=org["headers"], json={})
    new = h.assert_json(r, 201)
    assert set(new) >= EDITION_KEYS, new
    assert new["slug"] == slug[:-4] + "2038", new["slug"]
    assert new["number"] == src["number"] + 1
    assert new["starts_on"] == "2038-05-12" and new["ends_on"] == "2038-05-14"
    for k in ("registration_opens_at", "registration_closes_at"):
        assert h.parse_instant(new[k]) == h.plus_years(h.parse_instant(src[k]), 2), k
    assert new["status"] == "draft"
    assert new["previous"] == slug
    assert new["registration_open"] is False
    assert new["id"] != src["id"]
    for k in ("timezone", "city", "venue"):
        assert new[k] == src[k], k
    got = h.assert_json(gess.req("GET", f"/v1/editions/{new['slug']}", headers=org["headers"]),
                        200)
    assert got == new
    h.assert_problem(gess.req("GET", f"/v1/editions/{new['slug']}"), 404, "not-found")

    ncats = h.assert_json(gess.req("GET", f"/v1/editions/{new['slug']}/categories",
                                   headers=org["headers"]), 200)["items"]
    assert sorted((_cat_view(c) for c in ncats), key=lambda c: c["code"]) == \
        sorted((_cat_view(c) for c in cats), key=lambda c: c["code"])
    for c in ncats:
        assert c["seats_left"] == c["modes"], c  # all seats free
        assert c["id"] not in {x["id"] for x in cats}
    nqs = h.assert_json(gess.req("GET", f"/v1/editions/{new['slug']}/questions",
                                 headers=org["headers"]), 200)["items"]
    assert [_q_view(q) for q in nqs] == [_q_view(q) for q in qs]
    assert gess.count("registrations", "edition_id = %s", (new["id"],)) == 0
    assert gess.sql("SELECT sum(taken) FROM category_modes m JOIN categories c"
                    " ON c.id = m.category_id WHERE c.edition_id = %s", (new["id"],)) == [(0,)]
    assert gess.sql("SELECT p.slug FROM editions e JOIN editions p ON p.id = e.previous_id"
                    " WHERE e.id = %s", (new["id"],)) == [(slug,)]
    # The source is untouched.
    after = h.assert_json(gess.req("GET", f"/v1/editions/{slug}/categories"), 200)["items"]
    assert after == before
    assert gess.count("registrations", "edition_id = %s", (src["id"],)) == 2

    # Again: the slug exists now.
    counts = h.row_counts(gess)
    r = gess.req("POST", f"/v1/editions/{slug}/next", headers=org["headers"], json={})
    h.assert_problem(r, 409, "slug-taken")
    assert h.row_counts(gess) == counts

    # The clone of the clone: 2040, previous = the clone.
    new2 = h.assert_json(gess.req("POST", f"/v1/editions/{new['slug']}/next",
                                  headers=org["headers"], json={"copy": ["questions"]}), 201)
    assert new2["slug"] == slug[:-4] + "2040" and new2["previous"] == new["slug"]
    assert new2["number"] == src["number"] + 2


@pytest.mark.parametrize("copy,want_cats,want_qs", [
    (["categories"], True, False),
    (["questions"], False, True),
    ([], False, False),
    (["categories", "questions"], True, True),
], ids=["categories", "questions", "nothing", "both"])
def test_next_copy_subset(gess, staff, copy, want_cats, want_qs):
    org = staff.organizer
    src, cats, qs = _setup_source(gess, staff)
    new = h.assert_json(gess.req("POST", f"/v1/editions/{src['slug']}/next",
                                 headers=org["headers"], json={"copy": copy}), 201)
    ncats = h.assert_json(gess.req("GET", f"/v1/editions/{new['slug']}/categories",
                                   headers=org["headers"]), 200)["items"]
    nqs = h.assert_json(gess.req("GET", f"/v1/editions/{new['slug']}/questions",
                                 headers=org["headers"]), 200)["items"]
    assert len(ncats) == (3 if want_cats else 0)
    assert len(nqs) == (3 if want_qs else 0)
    assert gess.count("categories", "edition_id = %s", (new["id"],)) == len(ncats)
    assert gess.count("questions", "edition_id = %s", (new["id"],)) == len(nqs)


def test_next_slug_without_year(gess, staff):
    slug = "encuentro-" + h.letters(8)
    src = h.create_edition(gess, staff.organizer, slug=slug, year=2033)
    new = h.assert_json(gess.req("POST", f"/v1/editions/{slug}/next",
                                 headers=staff.organizer["headers"], json={}), 201)
    assert new["slug"] == slug + "-2035"
    assert new["starts_on"] == "2035-05-12"
    assert new["previous"] == src["slug"]


def test_next_of_a_draft_and_closed(gess, staff):
    # The setup of any edition may be cloned; the clone is always a draft.
    for status in ("draft", "closed", "archived"):
        src = h.create_edition(gess, staff.organizer, status=status)
        new = h.assert_json(gess.req("POST", f"/v1/editions/{src['slug']}/next",
                                     headers=staff.organizer["headers"], json={}), 201)
        assert new["status"] == "draft" and new["previous"] == src["slug"]


# --- categories --------------------------------------------------------------------------------

def test_categories(gess, staff):
    org = staff.organizer
    ed = h.create_edition(gess, org)
    slug = ed["slug"]
    full = {"code": "lideres-2026", "name": "Líderes comunales", "description": "Cupos para"
            " dirigentes de comunidades campesinas y nativas", "price_cents": 0,
            "currency": "PEN", "requires_approval": True, "sectors": ["community", "public"],
            "modes": {"in_person": 3, "online": None}}
    r = gess.req("POST", f"/v1/editions/{slug}/categories", headers=org["headers"], json=full)
    c = h.assert_json(r, 201)
    assert set(c) >= CATEGORY_KEYS, c
    for k, v in full.items():
        if k == "sectors":
            assert sorted(c[k]) == sorted(v)
        else:
            assert c[k] == v, (k, c[k])
    assert c["seats_left"] == {"in_person": 3, "online": None}

    d = h.create_category(gess, org, slug, code="general_1", name="General",
                          modes={"online": 0}, price_cents=25050, currency="USD")
    assert d["modes"] == {"online": 0} and d["seats_left"] == {"online": 0}
    assert d["price_cents"] == 25050 and d["currency"] == "USD"
    assert d["requires_approval"] is False and d["sectors"] == []
    e = h.create_category(gess, org, slug, code="0x", modes={"in_person": 1000000},
                          description=DROP, price_cents=DROP, currency=DROP)
    assert e["price_cents"] == 0 and e["currency"] == "PEN"
    assert e["description"] in ("", None)
    assert e["modes"] == {"in_person": 1000000}

    # Same code in the same edition: 409, nothing written.
    before = h.row_counts(gess)
    r = gess.req("POST", f"/v1/editions/{slug}/categories", headers=org["headers"],
                 json=dict(full, name="Otra"))
    h.assert_problem(r, 409, "category-taken")
    assert h.row_counts(gess) == before
    # ... in another edition it is fine.
    ed2 = h.create_edition(gess, org)
    h.create_category(gess, org, ed2["slug"], code="lideres-2026")

    # The list, for anyone, with seats_left following registrations.
    u1, u2 = h.fast_users(gess, 2, sector="community")
    h.register_ok(gess, u1, slug, "lideres-2026", "in_person", status="pending")
    h.register_ok(gess, u2, slug, "lideres-2026", "online", status="pending")
    for who in (None, u1["headers"], org["headers"]):
        items = h.assert_json(gess.req("GET", f"/v1/editions/{slug}/categories", headers=who),
                              200)["items"]
        by = {x["code"]: x for x in items}
        assert set(by) == {"lideres-2026", "general_1", "0x"}
        assert by["lideres-2026"]["seats_left"] == {"in_person": 2, "online": None}
        assert by["lideres-2026"]["modes"] == {"in_person": 3, "online": None}
        assert by["general_1"]["seats_left"] == {"online": 0}
        assert by["0x"]["seats_left"] == {"in_person": 1000000}
        for x in items:
            assert set(x) >= CATEGORY_KEYS, x
            assert set(x["seats_left"]) == set(x["modes"]), x


def test_questions(gess, staff):
    org = staff.organizer
    ed = h.create_edition(gess, org)
    slug = ed["slug"]
    made = [
        h.create_question(gess, org, slug, code="cargo", label="Cargo o función", type="text",
                          required=True),
        h.create_question(gess, org, slug, code="taller", label="Taller preferido",
                          type="choice", choices=["Agua", "Energía", "Minería responsable"]),
        h.create_question(gess, org, slug, code="dieta", label="¿Dieta vegetariana?",
                          type="yes_no", required=DROP),
        h.create_question(gess, org, slug, code="notas", label="ó" * 300, type="text",
                          choices=[]),
    ]
    for q in made:
        assert set(q) >= QUESTION_KEYS, q
    assert made[0]["required"] is True and made[0]["choices"] in ([], None)
    assert made[1]["choices"] == ["Agua", "Energía", "Minería responsable"]
    assert made[1]["required"] is False and made[1]["type"] == "choice"
    assert made[2]["required"] is False and made[2]["type"] == "yes_no"
    assert made[3]["label"] == "ó" * 300
    for who in (None, org["headers"]):
        items = h.assert_json(gess.req("GET", f"/v1/editions/{slug}/questions", headers=who),
                              200)["items"]
        assert [q["code"] for q in items] == ["cargo", "taller", "dieta", "notas"]
        assert items == made
    before = h.row_counts(gess)
    r = gess.req("POST", f"/v1/editions/{slug}/questions", headers=org["headers"],
                 json=h.question_body(code="cargo"))
    h.assert_problem(r, 409, "question-taken")
    assert h.row_counts(gess) == before
    # 50 distinct choices is the maximum.
    q = h.create_question(gess, org, slug, type="choice", choices=[f"op {i}" for i in range(50)])
    assert len(q["choices"]) == 50


# --- bad input ---------------------------------------------------------------------------------

def _check_refused(gess, r, status, field, before, slug=None):
    p = h.assert_problem(r, status, slug)
    if status == 422:
        fields = h.error_fields(p)
        want = field if isinstance(field, tuple) else (field,)
        assert any(f in fields for f in want), f"expected a field among {want}, got {fields}"
    assert h.row_counts(gess) == before, "a refused request wrote rows"
    return p


def _invalid(gess, staff, method, path, body, field):
    """body sent by the organizer is refused as validation-failed naming field; no row written."""
    before = h.row_counts(gess)
    r = gess.req(method, path, headers=staff.organizer["headers"], json=body)
    return _check_refused(gess, r, 422, field, before, "validation-failed")


def _shift(day, n):
    return (datetime.date.fromisoformat(day) + datetime.timedelta(days=n)).isoformat()


def _instant_shift(s, **delta):
    return (h.parse_instant(s) + datetime.timedelta(**delta)).isoformat()


EDITION_POST_BAD = [
    ("slug-missing", {"slug": DROP}, "slug"),
    ("slug-null", {"slug": None}, "slug"),
    ("slug-type", {"slug": 2026}, "slug"),
    ("slug-upper", {"slug": "GESS-2026x"}, "slug"),
    ("slug-underscore", {"slug": "gess_2026x"}, "slug"),
    ("slug-leading-dash", {"slug": "-gessx"}, "slug"),
    ("slug-double-dash", {"slug": "gess--x"}, "slug"),
    ("slug-trailing-dash", {"slug": "gessx-"}, "slug"),
    ("slug-space", {"slug": "gess x"}, "slug"),
    ("slug-accent", {"slug": "gess-ñx"}, "slug"),
    ("slug-empty", {"slug": ""}, "slug"),
    ("slug-65", {"slug": "a" * 65}, "slug"),
    ("number-missing", {"number": DROP}, "number"),
    ("number-string", {"number": "7"}, "number"),
    ("number-zero", {"number": 0}, "number"),
    ("number-negative", {"number": -3}, "number"),
    ("number-fraction", {"number": 1.5}, "number"),
    ("number-bool", {"number": True}, "number"),
    ("number-huge", {"number": 2 ** 40}, "number"),
    ("title-missing", {"title": DROP}, "title"),
    ("title-empty", {"title": ""}, "title"),
    ("title-201", {"title": "ñ" * 201}, "title"),
    ("title-type", {"title": 5}, "title"),
    ("motto-301", {"motto": "a" * 301}, "motto"),
    ("motto-type", {"motto": ["x"]}, "motto"),
    ("city-101", {"city": "c" * 101}, "city"),
    ("city-type", {"city": 1}, "city"),
    ("venue-201", {"venue": "v" * 201}, "venue"),
    ("venue-type", {"venue": {}}, "venue"),
    ("starts_on-missing", {"starts_on": DROP}, "starts_on"),
    ("starts_on-format", {"starts_on": "12/05/2030"}, "starts_on"),
    ("starts_on-month13", {"starts_on": "2030-13-01"}, "starts_on"),
    ("starts_on-feb30", {"starts_on": "2030-02-30"}, "starts_on"),
    ("starts_on-type", {"starts_on": 20300512}, "starts_on"),
    ("starts_on-instant", {"starts_on": "2030-05-12T09:00:00Z"}, "starts_on"),
    ("ends_on-missing", {"ends_on": DROP}, "ends_on"),
    ("ends_on-bad", {"ends_on": "2030-5-14"}, "ends_on"),
    ("ends_on-before-starts_on", lambda b: {"ends_on": _shift(b["starts_on"], -1)}, "ends_on"),
    ("timezone-unknown", {"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ("timezone-empty", {"timezone": ""}, "timezone"),
    ("timezone-type", {"timezone": -5}, "timezone"),
    ("opens-missing", {"registration_opens_at": DROP}, "registration_opens_at"),
    ("opens-garbage", {"registration_opens_at": "mañana"}, "registration_opens_at"),
    ("opens-no-offset", {"registration_opens_at": "2030-01-01T10:00:00"}, "registration_opens_at"),
    ("opens-date-only", {"registration_opens_at": "2030-01-01"}, "registration_opens_at"),
    ("opens-type", {"registration_opens_at": 1700000000}, "registration_opens_at"),
    ("closes-missing", {"registration_closes_at": DROP}, "registration_closes_at"),
    ("closes-before-opens",
     lambda b: {"registration_closes_at": _instant_shift(b["registration_opens_at"], hours=-1)},
     "registration_closes_at"),
    ("closes-equal-opens", lambda b: {"registration_closes_at": b["registration_opens_at"]},
     "registration_closes_at"),
    ("closes-month13", {"registration_closes_at": "2030-13-01T00:00:00Z"}, "registration_closes_at"),
    ("status-unknown", {"status": "open"}, "status"),
    ("status-type", {"status": 1}, "status"),
]


@pytest.mark.parametrize("over,field", [c[1:] for c in EDITION_POST_BAD],
                         ids=[c[0] for c in EDITION_POST_BAD])
def test_edition_post_bad_input(gess, staff, over, field):
    body = h.edition_body()
    over = over(body) if callable(over) else over
    for k, v in over.items():
        if v is DROP:
            body.pop(k, None)
        else:
            body[k] = v
    _invalid(gess, staff, "POST", "/v1/editions", body, field)


def test_edition_post_reports_every_field(gess, staff):
    before = h.row_counts(gess)
    r = gess.req("POST", "/v1/editions", headers=staff.organizer["headers"],
                 json={"slug": "Bad Slug", "number": 0, "title": "", "starts_on": "x"})
    p = _check_refused(gess, r, 422, "slug", before, "validation-failed")
    assert {"slug", "number", "title", "starts_on"} <= set(h.error_fields(p)), p


EDITION_PATCH_BAD = [
    ("title-empty", {"title": ""}, "title"),
    ("title-null", {"title": None}, "title"),
    ("title-201", {"title": "x" * 201}, "title"),
    ("number-zero", {"number": 0}, "number"),
    ("number-type", {"number": "12"}, "number"),
    ("motto-301", {"motto": "m" * 301}, "motto"),
    ("city-101", {"city": "c" * 101}, "city"),
    ("venue-201", {"venue": "v" * 201}, "venue"),
    ("starts_on-bad", {"starts_on": "2030-02-30"}, "starts_on"),
    ("ends_on-before-stored-start", lambda e: {"ends_on": _shift(e["starts_on"], -1)}, "ends_on"),
    ("starts_on-after-stored-end", lambda e: {"starts_on": _shift(e["ends_on"], 1)},
     ("starts_on", "ends_on")),
    ("both-dates-backwards", lambda e: {"starts_on": _shift(e["starts_on"], 10),
                                        "ends_on": _shift(e["starts_on"], 9)}, "ends_on"),
    ("closes-before-stored-opens",
     lambda e: {"registration_closes_at": _instant_shift(e["registration_opens_at"], days=-1)},
     "registration_closes_at"),
    ("opens-after-stored-closes",
     lambda e: {"registration_opens_at": _instant_shift(e["registration_closes_at"], days=1)},
     ("registration_opens_at", "registration_closes_at")),
    ("opens-no-offset", {"registration_opens_at": "2030-01-01T10:00:00"}, "registration_opens_at"),
    ("timezone-unknown", {"timezone": "Lima"}, "timezone"),
    ("status-back", {"status": "draft"}, "status"),
    ("status-unknown", {"status": "open"}, "status"),
    ("status-null", {"status": None}, "status"),
    ("slug-not-patchable", {"slug": "otro-slug"}, "slug"),
    ("good-and-bad", {"title": "Válido", "city": "c" * 101}, "city"),
]


@pytest.mark.parametrize("over,field", [c[1:] for c in EDITION_PATCH_BAD],
                         ids=[c[0] for c in EDITION_PATCH_BAD])
def test_edition_patch_bad_input(gess, staff, edition, over, field):
    body = over(edition) if callable(over) else over
    row = _edition_row(gess, edition["slug"])
    _invalid(gess, staff, "PATCH", f"/v1/editions/{edition['slug']}", body, field)
    assert _edition_row(gess, edition["slug"]) == row, "a refused PATCH changed the edition"


NEXT_BAD = [
    ("copy-unknown", {"copy": ["categories", "bogus"]}, "copy[1]"),
    ("copy-item-type", {"copy": [5]}, "copy[0]"),
    ("copy-type", {"copy": "categories"}, "copy"),
    ("copy-null-item", {"copy": [None]}, "copy[0]"),
]


@pytest.mark.parametrize("body,field", [c[1:] for c in NEXT_BAD], ids=[c[0] for c in NEXT_BAD])
def test_next_bad_input(gess, staff, edition, body, field):
    _invalid(gess, staff, "POST", f"/v1/editions/{edition['slug']}/next", body, field)


CATEGORY_BAD = [
    ("code-missing", {"code": DROP}, "code"),
    ("code-upper", {"code": "VIP"}, "code"),
    ("code-leading-dash", {"code": "-vip"}, "code"),
    ("code-leading-underscore", {"code": "_vip"}, "code"),
    ("code-33", {"code": "a" * 33}, "code"),
    ("code-space", {"code": "v ip"}, "code"),
    ("code-empty", {"code": ""}, "code"),
    ("code-type", {"code": 7}, "code"),
    ("name-missing", {"name": DROP}, "name"),
    ("name-empty", {"name": ""}, "name"),
    ("name-201", {"name": "é" * 201}, "name"),
    ("name-type", {"name": True}, "name"),
    ("description-2001", {"description": "d" * 2001}, "description"),
    ("description-type", {"description": 5}, "description"),
    ("price-negative", {"price_cents": -1}, "price_cents"),
    ("price-string", {"price_cents": "100"}, "price_cents"),
    ("price-fraction", {"price_cents": 10.5}, "price_cents"),
    ("price-bool", {"price_cents": False}, "price_cents"),
    ("currency-lower", {"currency": "pen"}, "currency"),
    ("currency-short", {"currency": "PE"}, "currency"),
    ("currency-long", {"currency": "PENN"}, "currency"),
    ("currency-type", {"currency": 604}, "currency"),
    ("approval-string", {"requires_approval": "yes"}, "requires_approval"),
    ("approval-int", {"requires_approval": 1}, "requires_approval"),
    ("sectors-unknown", {"sectors": ["community", "martians"]}, "sectors[1]"),
    ("sectors-type", {"sectors": "community"}, "sectors"),
    ("sectors-item-type", {"sectors": [5]}, "sectors[0]"),
    ("modes-missing", {"modes": DROP}, "modes"),
    ("modes-empty", {"modes": {}}, "modes"),
    ("modes-type", {"modes": ["in_person"]}, "modes"),
    ("modes-unknown-key", {"modes": {"hybrid": 5}}, ("modes.hybrid", "modes")),
    ("modes-negative", {"modes": {"in_person": -1}}, "modes.in_person"),
    ("modes-over", {"modes": {"in_person": 1000001}}, "modes.in_person"),
    ("modes-string", {"modes": {"in_person": "10"}}, "modes.in_person"),
    ("modes-fraction", {"modes": {"online": 2.5}}, "modes.online"),
    ("modes-bool", {"modes": {"in_person": 5, "online": True}}, "modes.online"),
]


@pytest.mark.parametrize("over,field", [c[1:] for c in CATEGORY_BAD],
                         ids=[c[0] for c in CATEGORY_BAD])
def test_category_bad_input(gess, staff, edition, over, field):
    _invalid(gess, staff, "POST", f"/v1/editions/{edition['slug']}/categories",
             h.category_body(**over), field)


QUESTION_BAD = [
    ("code-missing", {"code": DROP}, "code"),
    ("code-upper", {"code": "Q1"}, "code"),
    ("code-33", {"code": "q" * 33}, "code"),
    ("code-type", {"code": 1}, "code"),
    ("label-missing", {"label": DROP}, "label"),
    ("label-empty", {"label": ""}, "label"),
    ("label-301", {"label": "ó" * 301}, "label"),
    ("label-type", {"label": 1}, "label"),
    ("type-missing", {"type": DROP}, "type"),
    ("type-unknown", {"type": "number"}, "type"),
    ("type-type", {"type": 1}, "type"),
    ("choice-without-choices", {"type": "choice"}, "choices"),
    ("choice-empty-choices", {"type": "choice", "choices": []}, "choices"),
    ("choices-duplicate", {"type": "choice", "choices": ["a", "b", "a"]}, ("choices", "choices[2]")),
    ("choices-item-empty", {"type": "choice", "choices": ["a", ""]}, "choices[1]"),
    ("choices-item-201", {"type": "choice", "choices": ["a", "x" * 201]}, "choices[1]"),
    ("choices-item-type", {"type": "choice", "choices": ["a", 5]}, "choices[1]"),
    ("choices-51", {"type": "choice", "choices": [f"c{i}" for i in range(51)]}, "choices"),
    ("choices-type", {"type": "choice", "choices": "a,b"}, "choices"),
    ("choices-for-text", {"type": "text", "choices": ["a"]}, "choices"),
    ("choices-for-yes_no", {"type": "yes_no", "choices": ["sí", "no"]}, "choices"),
    ("required-type", {"required": "yes"}, "required"),
]


@pytest.mark.parametrize("over,field", [c[1:] for c in QUESTION_BAD],
                         ids=[c[0] for c in QUESTION_BAD])
def test_question_bad_input(gess, staff, edition, over, field):
    _invalid(gess, staff, "POST", f"/v1/editions/{edition['slug']}/questions",
             h.question_body(**over), field)


def _bad_utf8(obj, marker="Ñawpa"):
    data = json.dumps(obj, ensure_ascii=False).encode()
    assert marker.encode() in data
    return data.replace(marker.encode(), b"\xc3\x28awpa \xff")


@pytest.mark.parametrize("route", ["post-edition", "patch-edition", "next", "category",
                                   "question"])
@pytest.mark.parametrize("kind", ["invalid-utf8", "not-json", "truncated", "array"])
def test_malformed_bodies(gess, staff, edition, route, kind):
    slug = edition["slug"]
    method, path, obj = {
        "post-edition": ("POST", "/v1/editions", h.edition_body(venue="Ñawpa")),
        "patch-edition": ("PATCH", f"/v1/editions/{slug}", {"venue": "Ñawpa"}),
        "next": ("POST", f"/v1/editions/{slug}/next", {"copy": ["categories"], "x": "Ñawpa"}),
        "category": ("POST", f"/v1/editions/{slug}/categories", h.category_body(name="Ñawpa")),
        "question": ("POST", f"/v1/editions/{slug}/questions", h.question_body(label="Ñawpa")),
    }[route]
    if kind == "invalid-utf8":
        data, status = _bad_utf8(obj), 400
    elif kind == "not-json":
        data, status = b"slug=gess-2030&number=9", 400
    elif kind == "truncated":
        data, status = json.dumps(obj).encode()[:-7], 400
    else:
        data, status = json.dumps([obj]).encode(), 422
    row = _edition_row(gess, slug)
    before = h.row_counts(gess)
    r = gess.req(method, path, data=data, headers=dict(staff.organizer["headers"],
                                                       **{"Content-Type": "application/json"}))
    h.assert_problem(r, status, "malformed-body" if status == 400 else "validation-failed")
    assert h.row_counts(gess) == before
    assert _edition_row(gess, slug) == row
