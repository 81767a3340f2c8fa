"""GET /v1/editions/{slug}/pacts/dashboard: the public record of an edition's pacts, built by
one SQL function, cached per worker with a strong ETag and dropped by NOTIFY from statement-level
triggers on every pact table (also in another gessd process)."""
import pytest

import gesshelp as h
import pacthelp as ph

STATUSES = ph.COMMITMENT_STATUSES


def dash_path(slug):
    return f"/v1/editions/{slug}/pacts/dashboard"


def get_dash(gess, slug, base=None, headers=None):
    # check=False: a 304 has no Content-Type, which gesshelp's common check wants
    return h.call("GET", (base or gess.base) + dash_path(slug), headers=headers, check=False)


def wait_dash(gess, slug, pred, base=None, what="the dashboard to change"):
    def probe():
        r = get_dash(gess, slug, base)
        assert r.status_code == 200, r.text[:300]
        return r if pred(r.json()) else None
    return h.wait_until(probe, 10, what=what)


@pytest.fixture
def world(gess, staff, edition):
    """A signed pact with a responsible party (with a contact), a verifier party, one commitment
    with an indicator (one verified measurement), a milestone, an overdue commitment, and a
    draft pact that must never show."""
    f = staff.followup
    contact = h.fast_user(gess)
    org = ph.create_organization(gess, f, sector="community")
    ver = ph.create_organization(gess, f, name=f"Veeduría {h.letters(6)}", sector="civil_society")
    pact = ph.create_pact(gess, f, edition["slug"])
    ph.add_party(gess, f, pact["id"], org["id"], "responsible", contacts=[contact["account"]["id"]])
    ph.add_party(gess, f, pact["id"], ver["id"], "verifier")
    c = ph.create_commitment(gess, f, pact["id"], responsible_organization_id=org["id"])
    ind = ph.create_indicator(gess, f, c["id"])  # 0 -> 10, up
    ph.add_measurement(gess, f, ind["id"], value=4)
    ms = ph.create_milestone(gess, f, c["id"])
    late = ph.create_commitment(gess, f, pact["id"], title="Compromiso vencido",
                                starts_on=ph.day(-300), due_on=ph.day(-3))
    draft = ph.create_pact(gess, f, edition["slug"], title="Borrador reservado", status="draft",
                           signed_on=None)
    return dict(slug=edition["slug"], pact=pact, org=org, ver=ver, c=c, ind=ind, ms=ms, late=late,
                draft=draft, contact=contact)


def test_public_shape_without_drafts_or_contacts(gess, world):
    r = get_dash(gess, world["slug"])
    body = h.assert_json(r, 200)
    assert r.headers["Cache-Control"] == "public, no-cache"
    etag = r.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/"), etag
    assert body["edition"]["slug"] == world["slug"]
    ids = [p["id"] for p in body["pacts"]]
    assert ids == [world["pact"]["id"]], "only the signed pact, never the draft"
    assert world["draft"]["title"] not in r.text
    p = body["pacts"][0]
    assert p["commitment_count"] == 2 and p["overdue"] == 1
    assert p["commitments_by_status"] == {s: (2 if s == "not_started" else 0) for s in STATUSES}
    assert p["last_update"] is not None
    roles = sorted(x["role"] for x in p["parties"])
    assert roles == ["responsible", "verifier"]
    for party in p["parties"]:
        assert set(party) == {"id", "role", "organization"}, "no contacts in public"
        assert set(party["organization"]) == {"id", "name", "sector"}
    assert world["contact"]["account"]["id"] not in r.text
    cs = {c["id"]: c for c in p["commitments"]}
    c = cs[world["c"]["id"]]
    assert c["overdue"] is False and cs[world["late"]["id"]]["overdue"] is True
    assert c["responsible_organization"]["id"] == world["org"]["id"]
    assert c["progress"] == 0.4 and c["completion"] == "limited"
    ind = c["indicators"][0]
    assert ind["baseline"]["value"] == 0 and ind["target"]["value"] == 10
    assert ind["latest"]["value"] == 4 and ind["progress"] == 0.4
    assert "measurements" not in ind
    assert c["milestones"][0]["id"] == world["ms"]["id"] and c["milestones"][0]["overdue"] is False
    assert c["sub_commitments"] == []
    assert p["progress"] == 0.2 and p["completion"] == "limited"
    t = body["totals"]
    assert t["pacts"] == 1 and t["commitments"] == 2 and t["overdue"] == 1
    assert t["commitments_by_status"]["not_started"] == 2
    assert body["as_of"] == ph.day(0) or body["as_of"] in (ph.day(-1), ph.day(1))
    # stable while nothing changes
    r2 = get_dash(gess, world["slug"])
    assert r2.content == r.content and r2.headers["ETag"] == etag


def test_etag_and_304(gess, world):
    r = get_dash(gess, world["slug"])
    etag = r.headers["ETag"]
    for inm in (etag, "W/" + etag, f'"nope", {etag}', "*", f'"x",W/{etag} , "y"'):
        r304 = get_dash(gess, world["slug"], headers={"If-None-Match": inm})
        assert r304.status_code == 304, (inm, r304.status_code)
        assert r304.content == b"" and r304.headers["ETag"] == etag
        assert r304.headers["Cache-Control"] == "public, no-cache"
        assert r304.headers.get("X-Request-Id")
    for inm in ('"other"', etag[:-2] + '"', 'W/"x"', etag.strip('"')):
        r200 = get_dash(gess, world["slug"], headers={"If-None-Match": inm})
        assert r200.status_code == 200 and r200.content == r.content, inm
    # HEAD: the same headers, no body
    rh = h.call("HEAD", gess.base + dash_path(world["slug"]), check=False)
    assert rh.status_code == 200 and rh.content == b"" and rh.headers["ETag"] == etag
    # a 304 on a cold cache too (a fill answers conditionally as well)
    gess.sql("UPDATE pacts SET summary = summary || ' ' WHERE id = %s", (world["pact"]["id"],))
    new = wait_dash(gess, world["slug"], lambda b: b["pacts"][0]["summary"].endswith(" "))
    assert new.headers["ETag"] != etag
    gess.sql("UPDATE pacts SET title = title WHERE id = %s", (world["pact"]["id"],))
    r304 = h.wait_until(lambda: get_dash(gess, world["slug"],
                                         headers={"If-None-Match": new.headers["ETag"]}), 5)
    assert r304.status_code == 304


def test_unverified_measurements_never_move_it(gess, staff, world):
    f = staff.followup
    before = get_dash(gess, world["slug"])
    # a contact of the responsible party submits; the verifier team rejects one of them
    sub = ph.add_measurement(gess, world["contact"], world["ind"]["id"], value=9)
    assert sub["status"] == "submitted"
    rej = ph.add_measurement(gess, world["contact"], world["ind"]["id"], value=10)
    r = gess.req("POST", f"/v1/measurements/{rej['id']}/review", headers=f["headers"],
                 json={"decision": "rejected", "comment": "Sin acta de respaldo"})
    assert r.status_code == 200, r.text
    assert gess.count("measurements", "indicator_id = %s", (world["ind"]["id"],)) == 3
    # the triggers did invalidate (statement-level NOTIFY); whatever copy is served now was
    # rebuilt from the database, and it is byte-identical
    for _ in range(5):
        after = get_dash(gess, world["slug"])
        assert after.content == before.content
        assert after.headers["ETag"] == before.headers["ETag"]
    # ... while a verified value does move it
    ph.add_measurement(gess, f, world["ind"]["id"], value=8, as_of=ph.day(-1))
    r = wait_dash(gess, world["slug"],
                  lambda b: b["pacts"][0]["commitments"][0]["indicators"][0]["progress"] == 0.8)
    assert r.headers["ETag"] != before.headers["ETag"]


def test_changes_invalidate_in_two_processes(gess, staff, world):
    other = gess.spawn()
    try:
        slug = world["slug"]
        first = get_dash(gess, slug)
        assert get_dash(gess, slug, other.base).content == first.content  # warm both caches
        # a status change through the API
        ph.set_status(gess, staff.followup, world["c"]["id"], "on_track")
        for base in (None, other.base):
            wait_dash(gess, slug, lambda b: b["totals"]["commitments_by_status"]["on_track"] == 1,
                      base=base)
        # an organization renamed (dashboard:*), an edition retitled, a milestone done, a row
        # changed behind the API's back: every one reaches both processes
        new_name = f"Comunidad Renombrada {h.letters(6)}"
        gess.sql("UPDATE organizations SET name = %s WHERE id = %s", (new_name, world["org"]["id"]))
        for base in (None, other.base):
            wait_dash(gess, slug, lambda b: new_name in str(b), base=base)
        gess.sql("UPDATE editions SET title = 'GESS renombrado' WHERE slug = %s", (slug,))
        for base in (None, other.base):
            wait_dash(gess, slug, lambda b: b["edition"]["title"] == "GESS renombrado", base=base)
        r = gess.req("PATCH", f"/v1/milestones/{world['ms']['id']}",
                     headers=staff.followup["headers"], json={"done_on": ph.day(-1)})
        assert r.status_code == 200, r.text
        for base in (None, other.base):
            wait_dash(gess, slug,
                      lambda b: b["pacts"][0]["commitments"][0]["milestones"][0]["done_on"]
                      is not None, base=base)
        gess.sql("UPDATE pacts SET status = 'draft' WHERE id = %s", (world["pact"]["id"],))
        for base in (None, other.base):
            wait_dash(gess, slug, lambda b: b["pacts"] == [] and b["totals"]["pacts"] == 0,
                      base=base)
    finally:
        other.stop()


def test_draft_or_unknown_edition_is_404(gess, staff):
    ed = h.create_edition(gess, staff.organizer, status="draft")
    for who in (None, staff.organizer, staff.followup):
        r = get_dash(gess, ed["slug"], headers=(who or {}).get("headers"))
        h.assert_problem(r, 404, "not-found")
    h.assert_problem(get_dash(gess, "no-such-edition-" + h.letters(6)), 404, "not-found")
    h.assert_problem(get_dash(gess, "Not_A_Slug"), 404, "not-found")
    # published later: it appears (the edition trigger dropped nothing stale)
    r = gess.req("PATCH", f"/v1/editions/{ed['slug']}", headers=staff.organizer["headers"],
                 json={"status": "published"})
    assert r.status_code == 200, r.text
    body = h.assert_json(get_dash(gess, ed["slug"]), 200)
    assert body["pacts"] == [] and body["totals"]["pacts"] == 0


def test_edition_without_pacts(gess, edition):
    body = h.assert_json(get_dash(gess, edition["slug"]), 200)
    assert body["pacts"] == []
    assert body["totals"]["commitments"] == 0 and body["totals"]["progress"] == 0
    assert body["totals"]["completion"] == "no_evidence"


def test_sub_commitments_nest(gess, staff, world):
    f = staff.followup
    sub = ph.create_commitment(gess, f, world["pact"]["id"], parent_id=world["c"]["id"],
                               title="Subcompromiso")
    b = wait_dash(gess, world["slug"], lambda b: b["totals"]["commitments"] == 3).json()
    top = {c["id"]: c for c in b["pacts"][0]["commitments"]}
    assert sub["id"] not in top
    assert [s["id"] for s in top[world["c"]["id"]]["sub_commitments"]] == [sub["id"]]


def test_many_requests_after_a_change_get_one_answer(gess, staff, world):
    """After an invalidation, requests arriving together share one fill per worker (they wait
    for the query in flight); each still gets the whole new body, and a draft edition's
    waiters all get 404."""
    import concurrent.futures as cf
    slug = world["slug"]
    old = get_dash(gess, slug)
    ph.set_status(gess, staff.followup, world["c"]["id"], "delayed")
    new = wait_dash(gess, slug, lambda b: b["totals"]["commitments_by_status"]["delayed"] == 1)
    gess.sql("UPDATE pacts SET summary = summary WHERE id = %s", (world["pact"]["id"],))  # notify
    with cf.ThreadPoolExecutor(24) as ex:
        rs = list(ex.map(lambda _: get_dash(gess, slug), range(48)))
    assert {r.status_code for r in rs} == {200}
    assert {r.content for r in rs} == {new.content} and new.content != old.content
    gess.sql("UPDATE editions SET status = 'draft' WHERE slug = %s", (slug,))
    h.wait_until(lambda: get_dash(gess, slug).status_code == 404 or None, 5)
    with cf.ThreadPoolExecutor(24) as ex:
        rs = list(ex.map(lambda _: get_dash(gess, slug), range(24)))
    assert {r.status_code for r in rs} == {404}


def test_a_cached_copy_ends_at_the_editions_midnight(gess, staff):
    """`overdue` turns with the edition's local date: followup_dashboard() says when its body stops
    being right (the next local midnight of the edition's zone), and gessd drops the copy then."""
    import datetime as dt
    from zoneinfo import ZoneInfo
    for tz in ("America/Lima", "Asia/Tokyo"):
        ed = h.create_edition(gess, staff.organizer, timezone=tz)
        until, as_of = gess.sql("SELECT valid_until, body::jsonb->>'as_of'"
                                "  FROM followup_dashboard(%s)", (ed["slug"],))[0]
        now = dt.datetime.now(ZoneInfo(tz))
        assert as_of == now.date().isoformat()
        midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), ZoneInfo(tz))
        assert until == midnight.timestamp(), (tz, until, midnight)


def test_a_deleted_or_moved_pact_leaves_the_dashboard(gess, staff, world):
    """Rows removed (the app role cannot delete pacts, the owner can) or a pact moved to
    another edition: both editions' copies go."""
    other = h.create_edition(gess, staff.organizer)
    assert get_dash(gess, other["slug"]).json()["pacts"] == []
    assert len(get_dash(gess, world["slug"]).json()["pacts"]) == 1
    gess.sql("UPDATE pacts SET edition_id = (SELECT id FROM editions WHERE slug = %s)"
             " WHERE id = %s", (other["slug"], world["pact"]["id"]))
    wait_dash(gess, world["slug"], lambda b: b["pacts"] == [])
    wait_dash(gess, other["slug"], lambda b: len(b["pacts"]) == 1)
    gess.sql("DELETE FROM pacts WHERE id = %s", (world["pact"]["id"],))
    wait_dash(gess, other["slug"], lambda b: b["pacts"] == [])
