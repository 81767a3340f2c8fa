"""GET /v1/me/export and DELETE /v1/me (issue 3, Ley 29733)."""
import csv
import io
import json

import gesshelp as h

FORBIDDEN_KEYS = {"password", "password_hash", "token", "token_hash", "hash"}


def _keys(obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from _keys(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _keys(v)


def test_export(gess, staff):
    u = gess.user(full_name="María Ñahui Condori", region="Puno")
    token2 = gess.login(u["email"], u["password"])
    ed = h.create_edition(gess, staff.organizer, title="GESS Puno")
    h.create_category(gess, staff.organizer, ed["slug"], code="general")
    h.create_question(gess, staff.organizer, ed["slug"], code="cargo", type="text")
    reg = h.register_ok(gess, u, ed["slug"], "general", answers={"cargo": "Presidenta comunal"})
    other = h.fast_user(gess)
    h.register_ok(gess, other, ed["slug"], "general")

    r = gess.req("GET", "/v1/me/export", headers=u["headers"])
    ex = h.assert_json(r, 200)
    assert set(ex) >= {"account", "registrations", "tokens"}, ex.keys()
    acc = ex["account"]
    assert acc["id"] == u["account"]["id"] and acc["email"] == u["email"]
    assert acc["full_name"] == "María Ñahui Condori" and acc["region"] == "Puno"
    assert acc["sector"] == "civil_society" and acc["organization"] == "Asociación Minera del Sur"
    assert acc["consent_policy"] == "2026-01"
    h.parse_instant(acc["consent_at"])
    h.parse_instant(acc["updated_at"])
    assert [x["id"] for x in ex["registrations"]] == [reg["id"]]
    x = ex["registrations"][0]
    assert x["answers"] == {"cargo": "Presidenta comunal"} and x["status"] == "confirmed"
    assert x["edition"] == ed["slug"] and x["badge_code"] == reg["badge_code"]
    assert len(ex["tokens"]) == 2 == gess.count("tokens", "account_id = %s", (acc["id"],))
    for t in ex["tokens"]:
        assert set(t) >= {"created_at", "last_used_at", "expires_at"}, t
        for k in ("created_at", "last_used_at", "expires_at"):
            h.parse_instant(t[k])
    # Never a secret.
    text = r.text
    pw_hash = gess.sql("SELECT password_hash FROM accounts WHERE id = %s", (acc["id"],))[0][0]
    secrets_ = [pw_hash, "$argon2", u["password"], u["token"], token2,
                h.token_hash(u["token"]).hex(), h.token_hash(token2).hex()]
    for s in secrets_:
        assert s not in text, f"the export leaks a secret ({s[:12]}...)"
    assert not (set(_keys(ex)) & FORBIDDEN_KEYS), set(_keys(ex)) & FORBIDDEN_KEYS
    assert other["email"] not in text
    h.assert_problem(gess.req("GET", "/v1/me/export"), 401, "unauthorized")


def _stats(gess, staff, slug):
    return h.assert_json(gess.req("GET", f"/v1/editions/{slug}/stats",
                                  headers=staff.organizer["headers"]), 200)


def _nz(d):
    return {k: v for k, v in d.items() if v}


def test_erase_account(gess, staff):
    org = staff.organizer
    victim = gess.user(full_name="Ñuñoa Pérez Camaná", sector="community")
    token2 = gess.login(victim["email"], victim["password"])
    vid = victim["account"]["id"]
    w, x = h.fast_users(gess, 2, sector="academia")

    # A: not ended, one seat: the victim holds it, w waits.
    a = h.create_edition(gess, org)
    cat_a = h.create_category(gess, org, a["slug"], code="general", modes={"in_person": 1})
    h.create_question(gess, org, a["slug"], code="cargo", type="text")
    ra = h.register_ok(gess, victim, a["slug"], "general", answers={"cargo": "Teniente gobernador"},
                       key="erase-key", status="confirmed")
    rw = h.register_ok(gess, w, a["slug"], "general", status="waitlisted")
    h.register_ok(gess, x, a["slug"], "general", status="waitlisted")
    # B: an edition that has ended: the registration stays as it is.
    b = h.create_edition(gess, org)
    h.create_category(gess, org, b["slug"], code="general", modes={"in_person": 5})
    rb = h.register_ok(gess, victim, b["slug"], "general", status="confirmed")
    h.assert_json(gess.req("PATCH", f"/v1/editions/{b['slug']}", headers=org["headers"],
                           json={"starts_on": "2024-05-01", "ends_on": "2024-05-03"}), 200)
    # C: not ended, the victim waits.
    c = h.create_edition(gess, org)
    h.create_category(gess, org, c["slug"], code="general", modes={"in_person": 0})
    rc = h.register_ok(gess, victim, c["slug"], "general", status="waitlisted")
    # D: not ended, cancelled long ago.
    d = h.create_edition(gess, org)
    h.create_category(gess, org, d["slug"], code="general")
    rd = h.register_ok(gess, victim, d["slug"], "general")
    assert gess.req("DELETE", f"/v1/registrations/{rd['id']}",
                    headers=victim["headers"]).status_code == 204
    ids = [ra["id"], rb["id"], rc["id"], rd["id"]]
    before = {e["slug"]: _stats(gess, staff, e["slug"]) for e in (a, b, c, d)}
    sectors = dict(gess.sql("SELECT id::text, sector FROM registrations WHERE id = ANY(%s::uuid[])",
                            (ids,)))
    assert set(sectors.values()) == {"community"}
    ob_w = gess.count("outbox", "account_id = %s", (w["account"]["id"],))
    mail_v = [r[0] for r in gess.sql("SELECT message_id FROM outbox WHERE account_id = %s",
                                     (vid,))]
    assert len(mail_v) >= 4  # the verification and the registrations' mail
    assert gess.count("idempotency_keys", "account_id = %s", (vid,)) == 1
    # a mistyped password leaves throttle counts that name the email
    r = gess.req("POST", "/v1/tokens", json={"email": victim["email"], "password": "not it, sorry"})
    h.assert_problem(r, 401, "invalid-credentials")
    assert gess.count("login_attempts", "position(%s in key) > 0", (victim["email"],)) >= 2

    r = gess.req("DELETE", "/v1/me", headers=victim["headers"])
    assert r.status_code == 204, r.text
    assert r.content == b""

    for t in (victim["token"], token2):
        h.assert_problem(gess.req("GET", "/v1/me", headers=h.bearer(t)), 401, "unauthorized")
    h.assert_problem(gess.req("DELETE", "/v1/me", headers=victim["headers"]), 401, "unauthorized")
    assert gess.count("accounts", "id = %s", (vid,)) == 0
    assert gess.count("accounts", "email = %s", (victim["email"],)) == 0
    assert gess.count("tokens", "account_id = %s", (vid,)) == 0
    assert gess.count("idempotency_keys", "account_id = %s", (vid,)) == 0
    assert gess.count("login_attempts", "position(%s in key) > 0", (victim["email"],)) == 0
    # the mail written to the person, sent or not, went with them
    assert gess.count("outbox", "message_id = ANY(%s::uuid[])", ([str(m) for m in mail_v],)) == 0

    rows = {r[0]: r[1:] for r in gess.sql(
        "SELECT id::text, account_id, answers, status, sector, mode FROM registrations"
        " WHERE id = ANY(%s::uuid[])", (ids,))}
    assert set(rows) == set(ids), "registration rows were deleted"
    for rid, (acc, answers, status, sector, mode) in rows.items():
        assert acc is None and answers == {}, (rid, acc, answers)
        assert sector == sectors[rid] and mode == "in_person"
    assert rows[ra["id"]][2] == "cancelled"   # live, edition not ended
    assert rows[rc["id"]][2] == "cancelled"   # waitlisted, edition not ended
    assert rows[rb["id"]][2] == "confirmed"   # edition over: kept for the statistics
    assert rows[rd["id"]][2] == "cancelled"
    # The seat went to w (the oldest waiting), with a mail.
    assert h.reg_status(gess, rw["id"]) == "confirmed"
    assert gess.count("outbox", "account_id = %s", (w["account"]["id"],)) == ob_w + 1
    assert gess.sql("SELECT taken FROM category_modes WHERE category_id = %s",
                    (cat_a["id"],)) == [(1,)]
    assert h.seat_violations(gess) == []

    # Statistics: same totals, sectors, categories and modes; only statuses moved.
    after = {e["slug"]: _stats(gess, staff, e["slug"]) for e in (a, b, c, d)}
    for slug in before:
        for k in ("total", "by_mode", "by_sector", "by_day"):
            assert after[slug][k] == before[slug][k], (slug, k)
        tot = {code: sum(v.values()) for code, v in after[slug]["by_category"].items()}
        assert tot == {code: sum(v.values()) for code, v in before[slug]["by_category"].items()}
    assert after[b["slug"]] == before[b["slug"]]
    assert after[d["slug"]] == before[d["slug"]]
    sa, sb = _nz(after[a["slug"]]["by_status"]), _nz(before[a["slug"]]["by_status"])
    assert sb == {"confirmed": 1, "waitlisted": 2}, sb
    assert sa == {"confirmed": 1, "waitlisted": 1, "cancelled": 1}, sa
    assert _nz(after[c["slug"]]["by_status"]) == {"cancelled": 1}

    # Organizer views: the registration is there, without the person.
    items, _ = h.walk_pages(gess, f"/v1/editions/{a['slug']}/registrations",
                            headers=org["headers"])
    mine = [i for i in items if i["id"] == ra["id"]]
    assert len(mine) == 1 and mine[0]["account"] is None and mine[0]["answers"] == {}
    assert mine[0]["status"] == "cancelled"
    r = gess.req("GET", f"/v1/editions/{a['slug']}/registrations",
                 headers=dict(org["headers"], Accept="text/csv"))
    assert r.status_code == 200
    assert r.content.startswith(b"\xef\xbb\xbf")
    assert "Ñuñoa".encode() not in r.content and victim["email"].encode() not in r.content
    rows_csv = list(csv.reader(io.StringIO(r.content[3:].decode("utf-8"), newline="")))
    assert len(rows_csv) == 1 + 3 and ra["id"] in [x[0] for x in rows_csv[1:]]
    erased = next(x for x in rows_csv[1:] if x[0] == ra["id"])
    assert json.loads(erased[h.CSV_COLUMNS.index("answers")]) == {}

    # The email may sign up again, as a new person with nothing.
    body, acc = gess.signup(email=victim["email"], full_name="Otra Persona")
    assert acc["id"] != vid
    gess.verify(acc["id"])  # to register again below
    tok = gess.login(victim["email"], body["password"])
    mine = h.assert_json(gess.req("GET", "/v1/me/registrations", headers=h.bearer(tok)), 200)
    assert mine["items"] == []
    ex = h.assert_json(gess.req("GET", "/v1/me/export", headers=h.bearer(tok)), 200)
    assert ex["registrations"] == []
    # ... and register again in A (waitlisted: w holds the seat now).
    h.register_ok(gess, {"headers": h.bearer(tok)}, a["slug"], "general", status="waitlisted")
