"""The living repository of practices (issue 15), the workflow: a case is drafted, submitted,
published or rejected by a curator; edits to a published case are new revisions the public does
not see until published; three reports hide a case until a curator restores it; adoptions and
the evidence of the pacts a case cites; the controlled list of themes. Nothing unpublished is
ever visible to the public."""
import pytest

import gesshelp as h
import pacthelp as ph
import practicehelp as xh

TABLES = xh.PRACTICE_TABLES


@pytest.fixture(scope="module")
def people(gess):
    author, other, a3, a4 = h.fast_users(gess, 4)
    curator = xh.curators(gess)[0]
    return {"author": author, "other": other, "r3": a3, "r4": a4, "curator": curator}


def read(gess, case_id, who=None):
    return gess.req("GET", f"/v1/practices/{case_id}", headers=who["headers"] if who else None)


def test_create_is_a_draft_seen_only_by_its_author_and_curators(gess, people):
    a, cur = people["author"], people["curator"]
    case = xh.create_case(gess, a, license=h.DROP, language=h.DROP)
    assert (case["status"], case["revision"], case["license"], case["language"]) == \
        ("draft", 1, "CC-BY-4.0", "es")
    assert case["author_id"] == a["account"]["id"]
    assert case["working"]["number"] == 1 and case["working"]["status"] == "draft"
    assert case["adopted_in"] == [] and case["adoption_count"] == 0
    assert case["evidence"] == {"pact": None, "commitments": []}
    # the public and other accounts: 404; the author and curators: the case with working
    h.assert_problem(read(gess, case["id"]), 404, "not-found")
    h.assert_problem(read(gess, case["id"], people["other"]), 404, "not-found")
    assert h.assert_json(read(gess, case["id"], a), 200)["title"] == case["title"]
    assert "working" in h.assert_json(read(gess, case["id"], cur), 200)
    # a submission is not public either
    xh.submit(gess, a, case["id"])
    h.assert_problem(read(gess, case["id"]), 404, "not-found")
    assert h.assert_json(read(gess, case["id"], a), 200)["status"] == "submitted"


def test_publish_then_revise_keeps_the_published_text(gess, people):
    a, cur = people["author"], people["curator"]
    case = xh.create_case(gess, a)
    pub = xh.publish(gess, a, cur, case["id"])
    assert (pub["status"], pub["revision"]) == ("published", 1)
    public = h.assert_json(read(gess, case["id"]), 200)
    assert "working" not in public and public["title"] == case["title"]
    assert public["published_at"] is not None
    # the trigger filled the search columns from the published version
    cols = gess.sql("SELECT themes, departments, search_text <> '' FROM practices WHERE id = %s",
                    (case["id"],))[0]
    assert cols == (["economia_circular", "dialogo_multiactor"], ["15"], True), cols
    # an edit: a new draft revision; the public still reads revision 1
    new_title = "Economía circular en Mala, segunda versión"
    r = gess.req("PATCH", f"/v1/practices/{case['id']}", headers=a["headers"],
                 json={"title": new_title, "results": "200 toneladas al año."})
    changed = h.assert_json(r, 200)
    assert changed["status"] == "published" and changed["title"] == case["title"]
    assert (changed["working"]["number"], changed["working"]["status"]) == (2, "draft")
    assert changed["working"]["content"]["title"] == new_title
    assert h.assert_json(read(gess, case["id"]), 200)["title"] == case["title"]
    # submitted, then rejected: the published version stays
    xh.submit(gess, a, case["id"])
    assert h.assert_json(read(gess, case["id"]), 200)["title"] == case["title"]
    body = h.assert_problem(gess.req("POST", f"/v1/practices/{case['id']}/review",
                                     headers=cur["headers"], json={"decision": "rejected"}),
                            422, "validation-failed")
    assert h.error_fields(body) == ["comment"]
    xh.review(gess, cur, case["id"], "rejected", "Falta la fuente de los resultados")
    after = h.assert_json(read(gess, case["id"]), 200)
    assert (after["status"], after["title"], after["revision"]) == ("published", case["title"], 1)
    # a new edit, submitted and published: the public reads it
    h.assert_json(gess.req("PATCH", f"/v1/practices/{case['id']}", headers=a["headers"],
                           json={"results": "200 toneladas al año (informe 2026)."}), 200)
    xh.publish(gess, a, cur, case["id"])
    now = h.assert_json(read(gess, case["id"]), 200)
    assert (now["title"], now["revision"], now["results"]) == \
        (new_title, 3, "200 toneladas al año (informe 2026).")
    # the outbox told the author of each decision
    rows = gess.sql("SELECT payload->>'decision' FROM outbox WHERE kind = 'practice_reviewed'"
                    " AND account_id = %s AND payload->'practice'->>'id' = %s ORDER BY id",
                    (a["account"]["id"], case["id"]))
    assert [x[0] for x in rows] == ["published", "rejected", "published"]
    # the revisions: who changed what and when
    items, _ = h.walk_pages(gess, f"/v1/practices/{case['id']}/revisions", headers=a["headers"],
                            limit=2)
    assert [(i["number"], i["status"]) for i in items] == \
        [(1, "superseded"), (2, "rejected"), (3, "published")]
    assert items[1]["changed"] == ["results", "title"]
    assert items[2]["changed"] == ["results"]
    assert items[1]["comment"] == "Falta la fuente de los resultados"
    assert items[2]["reviewer_id"] == cur["account"]["id"]
    assert all(i["author_id"] == a["account"]["id"] for i in items)
    # others may not see them
    h.assert_problem(gess.req("GET", f"/v1/practices/{case['id']}/revisions",
                              headers=people["other"]["headers"]), 403, "forbidden")


def test_state_rules(gess, people):
    a, cur = people["author"], people["curator"]
    case = xh.create_case(gess, a)
    xh.review(gess, cur, case["id"], status=409)  # nothing submitted
    xh.submit(gess, a, case["id"])
    xh.submit(gess, a, case["id"], status=409)  # already submitted
    h.assert_problem(gess.req("PATCH", f"/v1/practices/{case['id']}", headers=a["headers"],
                              json={"title": "Otro"}), 409, "invalid-state")
    xh.review(gess, cur, case["id"], "rejected", "Incompleto")
    assert h.assert_json(read(gess, case["id"], a), 200)["status"] == "rejected"
    # after a rejection the author edits (a new draft) and submits again
    ch = h.assert_json(gess.req("PATCH", f"/v1/practices/{case['id']}", headers=a["headers"],
                                json={"summary": "Resumen completo."}), 200)
    assert (ch["status"], ch["working"]["number"]) == ("draft", 2)
    h.assert_problem(read(gess, case["id"]), 404, "not-found")
    # a curator edits too, but only the author submits
    h.assert_json(gess.req("PATCH", f"/v1/practices/{case['id']}", headers=cur["headers"],
                           json={"sdgs": [6]}), 200)
    h.assert_problem(gess.req("POST", f"/v1/practices/{case['id']}/submit",
                              headers=cur["headers"]), 403, "forbidden")


def test_review_rules_four_eyes_and_the_revision_read(gess, people):
    """A curator never reviews their own case, an admin neither; one who copy-edited someone
    else's case may. A review naming the revision read is refused when another is the one
    submitted, and nothing changes."""
    a, cur = people["author"], people["curator"]
    other_cur = xh.curators(gess)[0]
    own = xh.create_case(gess, cur)
    xh.submit(gess, cur, own["id"])
    r = gess.req("POST", f"/v1/practices/{own['id']}/review", headers=cur["headers"],
                 json={"decision": "published"})
    assert "own case" in h.assert_problem(r, 403, "forbidden")["detail"]
    admin = h.fast_users(gess, 1, roles=["admin"], prefix="adm")[0]
    mine = xh.create_case(gess, admin)
    xh.submit(gess, admin, mine["id"])
    xh.review(gess, admin, mine["id"], status=403)
    xh.review(gess, other_cur, own["id"])  # another curator may
    case = xh.create_case(gess, a)
    h.assert_json(gess.req("PATCH", f"/v1/practices/{case['id']}", headers=cur["headers"],
                           json={"sdgs": [6]}), 200)
    xh.submit(gess, a, case["id"])
    before = h.row_counts(gess, TABLES)
    r = gess.req("POST", f"/v1/practices/{case['id']}/review", headers=cur["headers"],
                 json={"decision": "published", "revision": 2})
    assert "Revision 1" in h.assert_problem(r, 409, "invalid-state")["detail"]
    assert h.row_counts(gess, TABLES) == before
    for bad in (0, "1", 1.5, 2**31):
        r = gess.req("POST", f"/v1/practices/{case['id']}/review", headers=cur["headers"],
                     json={"decision": "published", "revision": bad})
        assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == ["revision"]
    ok = h.assert_json(gess.req("POST", f"/v1/practices/{case['id']}/review",
                                headers=cur["headers"],
                                json={"decision": "published", "revision": 1}), 200)
    assert ok["status"] == "published"


def test_lesson_needs_what_did_not(gess, people):
    a = people["author"]
    before = h.row_counts(gess, TABLES)
    for v in (h.DROP, None, "  "):
        r = gess.req("POST", "/v1/practices", headers=a["headers"],
                     json=xh.case_body(kind="lesson", what_did_not=v))
        assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == ["what_did_not"]
    assert h.row_counts(gess, TABLES) == before
    lesson = xh.create_case(gess, a, kind="lesson")
    # clearing it on a PATCH is refused against the merged case
    r = gess.req("PATCH", f"/v1/practices/{lesson['id']}", headers=a["headers"],
                 json={"what_did_not": None})
    assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == ["what_did_not"]
    # a practice may leave it empty
    xh.create_case(gess, a, what_did_not=h.DROP)


BAD_FIELDS = [
    ("title", h.DROP, "title"), ("title", "", "title"), ("title", "x" * 301, "title"),
    ("kind", "story", "kind"), ("kind", h.DROP, "kind"),
    ("summary", h.DROP, "summary"), ("summary", " ", "summary"), ("summary", 3, "summary"),
    ("context", "x" * 20001, "context"), ("what_worked", ["a"], "what_worked"),
    ("themes", ["no_such_theme"], "themes[0]"), ("themes", "agua", "themes"),
    ("sectors", ["mining"], "sectors[0]"),
    ("territories", ["26"], "territories[0]"), ("territories", ["2601"], "territories[0]"),
    ("territories", ["123"], "territories[0]"), ("territories", ["PE"], "territories[0]"),
    ("territories", ["pe"], "territories[0]"), ("territories", ["15", "15"], "territories[1]"),
    ("territories", ["XX"], "territories[0]"), ("territories", ["EU"], "territories[0]"),
    ("sdgs", [0], "sdgs[0]"), ("sdgs", [18], "sdgs[0]"), ("sdgs", [3, 3], "sdgs[1]"),
    ("sdgs", ["3"], "sdgs[0]"),
    ("stage", "mining", "stage"),
    ("links", [{"title": "x", "url": "ftp://gess.pe/a"}], "links[0].url"),
    ("links", [{"url": "https://gess.pe"}], "links[0].title"),
    ("links", ["https://gess.pe"], "links[0]"),
    ("building_blocks", [{"description": "sin título"}], "building_blocks[0].title"),
    ("license", "", "license"), ("language", "qu", "language"),
    ("consent", h.DROP, "consent"), ("consent", False, "consent"),
    ("edition", "no-such-edition", "edition"), ("edition", "Bad Slug", "edition"),
    ("organization_ids", ["00000000-0000-4000-8000-000000000000"], "organization_ids[0]"),
    ("organization_ids", ["nope"], "organization_ids[0]"),
    ("pact_id", "00000000-0000-4000-8000-000000000000", "pact_id"),
    ("session_id", "00000000-0000-4000-8000-000000000000", "session_id"),
    ("series_event_id", "00000000-0000-4000-8000-000000000000", "series_event_id"),
    ("commitment_ids", ["00000000-0000-4000-8000-000000000000"], "commitment_ids[0]"),
]


@pytest.mark.parametrize("field,value,named", BAD_FIELDS,
                         ids=[f"{f}={v!r}"[:40] for f, v, _ in BAD_FIELDS])
def test_bad_field_is_422_naming_it_and_writes_nothing(gess, people, field, value, named):
    before = h.row_counts(gess, TABLES)
    r = gess.req("POST", "/v1/practices", headers=people["author"]["headers"],
                 json=xh.case_body(**{field: value}))
    assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == [named]
    assert h.row_counts(gess, TABLES) == before


def test_every_bad_field_named_at_once_in_spanish(gess, people):
    r = gess.req("POST", "/v1/practices",
                 headers={**people["author"]["headers"], "Accept-Language": "es"},
                 json={"title": "", "kind": "x", "summary": "", "sdgs": [99],
                       "territories": ["PE"]})
    body = h.assert_problem(r, 422, "validation-failed")
    assert h.error_fields(body) == ["title", "kind", "summary", "territories[0]", "sdgs[0]",
                                    "consent"]
    assert "PE" in [e["message"] for e in body["errors"] if e["field"] == "territories[0]"][0]


def test_good_territories_and_abroad(gess, people):
    case = xh.create_case(gess, people["author"], territories=["18", "1801", "180101", "CL"])
    assert case["territories"] == ["18", "1801", "180101", "CL"]


def test_consent_is_recorded_with_its_time_and_licence(gess, people):
    """The author's consent is kept with when it was given and the licence it grants; the
    author and curators see it, the public does not."""
    a, cur = people["author"], people["curator"]
    before = gess.sql("SELECT now()")[0][0]
    case = xh.create_case(gess, a, license="CC-BY-SA-4.0")
    assert case["consent"]["license"] == "CC-BY-SA-4.0"
    at = gess.sql("SELECT consented_at FROM practices WHERE id = %s", (case["id"],))[0][0]
    assert at >= before
    plain = xh.create_case(gess, a)
    assert plain["consent"]["license"] == "CC-BY-4.0"
    xh.submit(gess, a, plain["id"])
    xh.review(gess, cur, plain["id"])
    public = gess.req("GET", f"/v1/practices/{plain['id']}").json()
    assert "consent" not in public and "working" not in public
    assert "consent" in gess.req("GET", f"/v1/practices/{plain['id']}",
                                 headers=cur["headers"]).json()
    # a new licence is the author's to grant, with consent again, and is recorded
    url = f"/v1/practices/{plain['id']}"
    before = h.row_counts(gess, TABLES)
    r = gess.req("PATCH", url, headers=a["headers"], json={"license": "CC-BY-SA-4.0"})
    assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == ["consent"]
    r = gess.req("PATCH", url, headers=cur["headers"],
                 json={"license": "All-rights-reserved", "consent": True})
    assert "author" in h.assert_problem(r, 403, "forbidden")["detail"]
    assert h.row_counts(gess, TABLES) == before
    h.assert_json(gess.req("PATCH", url, headers=cur["headers"], json={"sdgs": [6]}), 200)
    ch = h.assert_json(gess.req("PATCH", url, headers=a["headers"],
                                json={"license": "CC-BY-SA-4.0", "consent": True}), 200)
    assert ch["consent"]["license"] == "CC-BY-SA-4.0" and ch["consent"]["at"] > plain["consent"]["at"]


def test_nobody_moderates_their_own_case(gess, people):
    cur, other_cur = people["curator"], xh.curators(gess)[0]
    case = xh.create_case(gess, cur)
    xh.submit(gess, cur, case["id"])
    xh.review(gess, other_cur, case["id"])
    for who in h.fast_users(gess, 3, prefix="ownrep"):
        xh.report(gess, who, case["id"])
    r = gess.req("POST", f"/v1/practices/{case['id']}/moderation", headers=cur["headers"],
                 json={"action": "restore", "comment": "Es mío y está bien"})
    assert "own case" in h.assert_problem(r, 403, "forbidden")["detail"]
    h.assert_json(gess.req("POST", f"/v1/practices/{case['id']}/moderation",
                           headers=other_cur["headers"],
                           json={"action": "restore", "comment": "Revisado"}), 200)


def test_three_reports_hide_and_a_curator_restores(gess, people):
    a, cur = people["author"], people["curator"]
    case = xh.published_case(gess, a, cur)
    cid = case["id"]
    first = xh.report(gess, people["other"], cid)
    assert first["hidden"] is False
    before = h.row_counts(gess, TABLES)
    h.assert_problem(gess.req("POST", f"/v1/practices/{cid}/reports",
                              headers=people["other"]["headers"], json={"reason": "otra vez"}),
                     409, "already-reported")
    assert h.row_counts(gess, TABLES) == before
    xh.report(gess, people["r3"], cid)
    assert h.assert_json(read(gess, cid), 200)["status"] == "published"
    assert xh.report(gess, people["r4"], cid)["hidden"] is True
    h.assert_problem(read(gess, cid), 404, "not-found")
    assert h.assert_json(read(gess, cid, a), 200)["status"] == "hidden"
    queue, _ = h.walk_pages(gess, "/v1/practice-reports", headers=cur["headers"])
    mine = [q for q in queue if q["practice"]["id"] == cid]
    assert len(mine) == 1 and mine[0]["open_reports"] == 3, mine
    assert mine[0]["practice"]["status"] == "hidden"
    # restore: published again, reports resolved, out of the queue
    r = gess.req("POST", f"/v1/practices/{cid}/moderation", headers=cur["headers"],
                 json={"action": "restore", "comment": "Los reportes no se sostienen"})
    assert h.assert_json(r, 200)["status"] == "published"
    assert h.assert_json(read(gess, cid), 200)["status"] == "published"
    queue, _ = h.walk_pages(gess, "/v1/practice-reports", headers=cur["headers"])
    assert cid not in [q["practice"]["id"] for q in queue]
    assert gess.count("practice_reports", "practice_id = %s AND resolved_at IS NULL", (cid,)) == 0
    # withdraw: gone for the public
    r = gess.req("POST", f"/v1/practices/{cid}/moderation", headers=cur["headers"],
                 json={"action": "withdraw", "comment": "Retirado a pedido de la comunidad"})
    assert h.assert_json(r, 200)["status"] == "withdrawn"
    h.assert_problem(read(gess, cid), 404, "not-found")


def test_reports_only_on_published_cases(gess, people):
    draft = xh.create_case(gess, people["author"])
    xh.report(gess, people["other"], draft["id"], status=404)   # not visible to them
    xh.report(gess, people["author"], draft["id"], status=409)  # visible, not published
    h.assert_problem(gess.req("POST", f"/v1/practices/{draft['id']}/moderation",
                              headers=people["curator"]["headers"],
                              json={"action": "restore", "comment": "x"}), 409, "invalid-state")


def test_adoptions_and_evidence(gess, people, staff, edition):
    a, cur = people["author"], people["curator"]
    org = ph.create_organization(gess, staff.followup)
    pact = ph.create_pact(gess, staff.followup, edition["slug"])
    com = ph.create_commitment(gess, staff.followup, pact["id"])
    case = xh.published_case(gess, a, cur, pact_id=pact["id"], commitment_ids=[com["id"]],
                             organization_ids=[org["id"]], edition=edition["slug"])
    ev = case["evidence"]
    assert ev["pact"]["id"] == pact["id"] and ev["pact"]["completion"] == pact["completion"]
    assert [c["id"] for c in ev["commitments"]] == [com["id"]]
    assert ev["commitments"][0]["completion"] == "no_evidence"
    # an adoption by any account, then the read carries it
    body = {"organization_id": org["id"], "territory": "180101", "note": "Ilo, 2026"}
    ad = h.assert_json(gess.req("POST", f"/v1/practices/{case['id']}/adoptions",
                                headers=people["other"]["headers"], json=body), 201)
    assert ad["organization"] == {"id": org["id"], "name": org["name"]}
    h.assert_problem(gess.req("POST", f"/v1/practices/{case['id']}/adoptions",
                              headers=people["other"]["headers"], json=body), 409,
                     "adoption-exists")
    for bad, field in (({"territory": "PE"}, "territory"), ({"territory": "2601"}, "territory"),
                       ({"organization_id": "00000000-0000-4000-8000-000000000000"},
                        "organization_id")):
        r = gess.req("POST", f"/v1/practices/{case['id']}/adoptions",
                     headers=people["other"]["headers"], json={**body, **bad})
        assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == [field]
    now = h.assert_json(read(gess, case["id"]), 200)
    assert (now["adopted_in"], now["adoption_count"]) == (["180101"], 1)
    items, _ = h.walk_pages(gess, f"/v1/practices/{case['id']}/adoptions")
    assert [i["id"] for i in items] == [ad["id"]]
    # a draft's adoptions are as hidden as the draft
    draft = xh.create_case(gess, a)
    h.assert_problem(gess.req("GET", f"/v1/practices/{draft['id']}/adoptions"), 404, "not-found")


def test_themes(gess, people):
    items = h.assert_json(gess.req("GET", "/v1/practice-themes"), 200)["items"]
    assert {"economia_circular", "obras_por_impuestos", "agua"} <= {i["code"] for i in items}
    code = "mineria_" + h.letters(6).lower()
    body = {"code": code, "name_es": "Minería artesanal", "name_en": "Artisanal mining"}
    t = h.assert_json(gess.req("POST", "/v1/practice-themes",
                               headers=people["curator"]["headers"], json=body), 201)
    assert t == body
    h.assert_problem(gess.req("POST", "/v1/practice-themes", headers=people["curator"]["headers"],
                              json=body), 409, "theme-taken")
    for bad in ("Mayúsculas", "dos__guiones", "_x", ""):
        r = gess.req("POST", "/v1/practice-themes", headers=people["curator"]["headers"],
                     json={**body, "code": bad})
        assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == ["code"]
    # the new theme is usable at once
    xh.create_case(gess, people["author"], themes=[code])


def test_links_and_blocks_keep_only_their_own_members(gess, people):
    case = xh.create_case(gess, people["author"],
                          links=[{"title": "Informe", "url": "https://gess.pe/a",
                                  "extra": {"any": ["nested"]}}],
                          building_blocks=[{"title": "Mesa", "lessons": "Escuchar", "x": 1}])
    assert case["links"] == [{"title": "Informe", "url": "https://gess.pe/a"}]
    assert case["building_blocks"] == [{"title": "Mesa", "lessons": "Escuchar"}]


def test_a_case_cites_only_what_the_public_may_see(gess, people, staff):
    # a signed pact of a draft edition is no evidence anyone may read
    ed = h.create_edition(gess, staff.organizer, status="draft")
    pact = ph.create_pact(gess, staff.followup, ed["slug"])
    before = h.row_counts(gess, TABLES)
    r = gess.req("POST", "/v1/practices", headers=people["author"]["headers"],
                 json=xh.case_body(pact_id=pact["id"], edition=ed["slug"]))
    assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == ["edition", "pact_id"]
    assert h.row_counts(gess, TABLES) == before


def test_blank_reasons_and_comments_are_empty(gess, people):
    case = xh.published_case(gess, people["author"], people["curator"])
    r = gess.req("POST", f"/v1/practices/{case['id']}/reports",
                 headers=people["other"]["headers"], json={"reason": " \n "})
    assert h.error_fields(h.assert_problem(r, 422, "validation-failed")) == ["reason"]


def test_stage_null_clears_it(gess, people):
    case = xh.create_case(gess, people["author"], stage="operation")
    r = gess.req("PATCH", f"/v1/practices/{case['id']}", headers=people["author"]["headers"],
                 json={"stage": None})
    assert h.assert_json(r, 200)["working"]["content"]["stage"] is None
