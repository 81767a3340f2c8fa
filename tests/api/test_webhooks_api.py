"""The admins' webhook routes (issue 17): endpoints registered, listed,
changed and deleted, the secret shown once, every refusal of the body named
by its field, the delivery log and a redelivery. Delivery itself (gessd
notify's webhook lane, the signature on the wire) is tested elsewhere; here
the queue and the log are written by SQL."""
import base64
import json
import re

import pytest

import gesshelp as h
import rolehelp as rh
from rolehelp import ADMIN_200, route

people = rh.people_fixture("public")

ADMIN_201 = [401, 403, 403, 403, 403, 201]
ADMIN_202 = [401, 403, 403, 403, 403, 202]
ADMIN_204 = [401, 403, 403, 403, 403, 204]
SECRET = re.compile(r"^whsec_[A-Za-z0-9+/=]{44}$")
EVENTS = ["registration.created", "registration.confirmed", "registration.cancelled",
          "registration.checked_in", "schedule.released", "series_event.changed",
          "pact.updated", "measurement.verified", "practice.published"]


def body(**kw):
    b = {"url": f"https://hooks.example.org/{h.letters(8)}", "events": ["registration.created"],
         "description": "CRM"}
    b.update(kw)
    return {k: v for k, v in b.items() if v is not h.DROP}


def create(gess, admin, **kw):
    return h.assert_json(gess.req("POST", "/v1/webhooks", headers=admin, json=body(**kw)), 201)


def queue_row(gess, wid, status="sent", payload=None, kind="registration.created"):
    """An outbox row of the endpoint, as the lead's triggers write them: (id, message_id)."""
    payload = payload if payload is not None else {
        "type": kind, "timestamp": "2026-05-01T09:00:00Z", "data": {"id": h.letters(6)}}
    [(oid, mid)] = gess.sql(
        "INSERT INTO outbox (kind, channel, webhook_id, payload) VALUES (%s, 'webhook', %s, %s)"
        " RETURNING id, message_id::text", (kind, wid, json.dumps(payload)))
    if status != "pending":
        gess.sql("UPDATE outbox SET status = %s, attempts = 3, last_error = 'x',"
                 " sent_at = CASE WHEN %s = 'sent' THEN now() END WHERE id = %s",
                 (status, status, oid))
    return oid, mid


def delivery_row(gess, wid, oid, attempt=1, status=200, ago_s=0, error=None):
    [(did,)] = gess.sql(
        "INSERT INTO webhook_deliveries (webhook_id, outbox_id, attempt, url, request_headers,"
        " request_body, response_status, response_body, error, duration_ms, created_at)"
        " VALUES (%s, %s, %s, 'https://hooks.example.org/x',"
        " '{\"webhook-id\": \"m\", \"content-type\": \"application/json\"}', '{\"type\": \"t\"}',"
        " %s, 'ok', %s, 12, now() - make_interval(secs => %s)) RETURNING id::text",
        (wid, oid, attempt, status, error, ago_s))
    return did


def _webhook(c):
    return create(c.gess, c.staff.admin["headers"])["id"]


def _delivery(c):
    wid = _webhook(c)
    oid, _ = queue_row(c.gess, wid)
    return delivery_row(c.gess, wid, oid)


ROUTES = [
    route("POST /v1/webhooks", "POST", "/v1/webhooks", ADMIN_201, json=lambda c: body()),
    route("GET /v1/webhooks", "GET", "/v1/webhooks", ADMIN_200),
    route("GET /v1/webhooks/{id}", "GET", lambda c: f"/v1/webhooks/{_webhook(c)}", ADMIN_200),
    route("PATCH /v1/webhooks/{id}", "PATCH", lambda c: f"/v1/webhooks/{_webhook(c)}", ADMIN_200,
          json={"description": "changed"}),
    route("DELETE /v1/webhooks/{id}", "DELETE", lambda c: f"/v1/webhooks/{_webhook(c)}",
          ADMIN_204),
    route("GET /v1/webhooks/{id}/deliveries", "GET",
          lambda c: f"/v1/webhooks/{_webhook(c)}/deliveries", ADMIN_200),
    route("POST /v1/webhook-deliveries/{id}/redeliver", "POST",
          lambda c: f"/v1/webhook-deliveries/{_delivery(c)}/redeliver", ADMIN_202),
]
CASES, CASE_IDS = rh.cases(ROUTES)


@pytest.mark.parametrize("name,setup,role,want", CASES, ids=CASE_IDS)
def test_route_role_matrix(gess, staff, people, name, setup, role, want):
    ctx = rh.Ctx(gess, staff, people)
    rh.check_cell(gess, setup(ctx), ctx.actor(role), name, role, want,
                  tables=["webhooks", "webhook_deliveries", "outbox"])


def test_matrix_covers_every_route(gess):
    have = h.served_routes(gess, lambda p: p.startswith(("/v1/webhooks", "/v1/webhook-")))
    table = {re.sub(r"\{[^}]*\}", "{}", n.split(" (")[0]) for n, _, _ in ROUTES}
    assert table == have, sorted(table ^ have)


@pytest.fixture
def admin(staff):
    return staff.admin["headers"]


def test_create_shows_the_secret_once_and_stores_its_bytes(gess, staff, admin):
    w = create(gess, admin, events=["registration.created", "pact.updated"], active=h.DROP)
    assert SECRET.match(w["secret"]), w["secret"]
    key = base64.b64decode(w["secret"][len("whsec_"):], validate=True)
    assert len(key) == 32
    [(stored, by)] = gess.sql("SELECT secret, created_by::text FROM webhooks WHERE id = %s",
                              (w["id"],))
    assert bytes(stored) == key
    me = h.assert_json(gess.req("GET", "/v1/me", headers=admin), 200)
    assert by == me["id"]
    assert w["active"] is True and w["pending"] == 0 and w["disabled_at"] is None
    assert w["events"] == ["registration.created", "pact.updated"]
    assert w["description"] == "CRM" and w["created_at"] == w["updated_at"]
    # never again
    for path in (f"/v1/webhooks/{w['id']}", "/v1/webhooks?limit=200"):
        r = gess.req("GET", path, headers=admin)
        assert r.status_code == 200 and "secret" not in r.text and w["secret"][6:] not in r.text
    r = gess.req("PATCH", f"/v1/webhooks/{w['id']}", headers=admin, json={"description": "x"})
    assert "secret" not in h.assert_json(r, 200)
    # two endpoints, two secrets
    assert create(gess, admin)["secret"] != w["secret"]


def test_create_takes_every_event_and_active_false(gess, admin):
    w = create(gess, admin, events=EVENTS, active=False, description=h.DROP)
    assert w["events"] == EVENTS and w["active"] is False and w["description"] == ""
    # a literal private address is for the connect-time check, not this one
    w = create(gess, admin, url="http://127.0.0.1:8080/hook?x=1")
    assert w["url"] == "http://127.0.0.1:8080/hook?x=1"


BAD = [
    ({"url": "ftp://hooks.example.org/x"}, "url"),
    ({"url": "https://"}, "url"),
    ({"url": "https:///path"}, "url"),
    ({"url": "hooks.example.org/x"}, "url"),
    ({"url": "https://user:pass@hooks.example.org/x"}, "url"),
    ({"url": "https://user@hooks.example.org/x"}, "url"),
    ({"url": "https://hooks.example.org/x#part"}, "url"),
    ({"url": "https://hooks.example.org/" + "x" * 2000}, "url"),
    ({"url": "https://hooks.example.org/a b"}, "url"),
    ({"url": 42}, "url"),
    ({"url": h.DROP}, "url"),
    ({"events": []}, "events"),
    ({"events": h.DROP}, "events"),
    ({"events": "registration.created"}, "events"),
    ({"events": ["registration.created", "nope.happened"]}, "events[1]"),
    ({"events": ["pact.updated", "pact.updated"]}, "events[1]"),
    ({"events": [7]}, "events[0]"),
    ({"description": "d" * 501}, "description"),
    ({"description": 5}, "description"),
    ({"active": "yes"}, "active"),
    ({"active": None}, "active"),
]


@pytest.mark.parametrize("bad,field", BAD, ids=[f"{i}-{f}" for i, (_, f) in enumerate(BAD)])
def test_create_refuses_each_bad_member_by_name(gess, admin, bad, field):
    before = gess.count("webhooks")
    r = gess.req("POST", "/v1/webhooks", headers=admin, json=body(**bad))
    p = h.assert_problem(r, 422, "validation-failed")
    assert [e["field"] for e in p["errors"]] == [field], p["errors"]
    assert gess.count("webhooks") == before


def test_messages_are_worded_in_both_languages(gess, admin):
    for lang, words in (("en", "password"), ("es", "contraseña")):
        r = gess.req("POST", "/v1/webhooks", headers={**admin, "Accept-Language": lang},
                     json=body(url="https://a:b@hooks.example.org/"))
        p = h.assert_problem(r, 422, "validation-failed")
        assert words in p["errors"][0]["message"], p
    r = gess.req("POST", "/v1/webhooks", headers=admin, json=body(url="https://h.example.org/#f"))
    assert "fragment" in h.assert_problem(r, 422)["errors"][0]["message"]


@pytest.mark.parametrize("bad,field", [
    ({"url": None}, "url"), ({"events": None}, "events"), ({"events": []}, "events"),
    ({"url": "http://x.example.org/#top"}, "url"), ({"active": 1}, "active"),
    ({"events": ["schedule.released", "x"]}, "events[1]"),
])
def test_patch_refuses_each_bad_member_by_name(gess, admin, bad, field):
    w = create(gess, admin)
    r = gess.req("PATCH", f"/v1/webhooks/{w['id']}", headers=admin, json=bad)
    p = h.assert_problem(r, 422, "validation-failed")
    assert [e["field"] for e in p["errors"]] == [field], p["errors"]
    got = h.assert_json(gess.req("GET", f"/v1/webhooks/{w['id']}", headers=admin), 200)
    assert got["url"] == w["url"] and got["events"] == w["events"]


def test_get_patch_and_reactivation(gess, admin):
    w = create(gess, admin)
    got = h.assert_json(gess.req("GET", f"/v1/webhooks/{w['id']}", headers=admin), 200)
    assert got == {k: v for k, v in w.items() if k != "secret"}
    # nothing sent, nothing changes (not even updated_at)
    same = h.assert_json(gess.req("PATCH", f"/v1/webhooks/{w['id']}", headers=admin, json={}), 200)
    assert same == got
    new = {"url": "http://hooks.example.org:8443/in?k=v", "events": ["practice.published"],
           "description": "Badge printer\nhall B", "active": False}
    r = gess.req("PATCH", f"/v1/webhooks/{w['id']}", headers=admin, json=new)
    ch = h.assert_json(r, 200)
    assert {k: ch[k] for k in new} == new and ch["updated_at"] > got["updated_at"]
    r = gess.req("PATCH", f"/v1/webhooks/{w['id']}", headers=admin, json={"description": None})
    assert h.assert_json(r, 200)["description"] == ""
    # gess disabled it (a 410): active again clears why
    gess.sql("UPDATE webhooks SET active = false, disabled_at = now(),"
             " disabled_reason = '410 Gone from the receiver' WHERE id = %s", (w["id"],))
    off = h.assert_json(gess.req("GET", f"/v1/webhooks/{w['id']}", headers=admin), 200)
    assert off["disabled_at"] is not None and off["disabled_reason"].startswith("410")
    r = gess.req("PATCH", f"/v1/webhooks/{w['id']}", headers=admin, json={"active": True})
    on = h.assert_json(r, 200)
    assert on["active"] is True and on["disabled_at"] is None and on["disabled_reason"] is None
    [(at, why)] = gess.sql("SELECT disabled_at, disabled_reason FROM webhooks WHERE id = %s",
                           (w["id"],))
    assert at is None and why is None


def test_unknown_ids_are_404(gess, admin):
    nobody = "00000000-0000-4000-8000-000000000000"
    for method, path, kw in [("GET", f"/v1/webhooks/{nobody}", {}),
                             ("PATCH", f"/v1/webhooks/{nobody}", {"json": {"active": True}}),
                             ("DELETE", f"/v1/webhooks/{nobody}", {}),
                             ("GET", f"/v1/webhooks/{nobody}/deliveries", {}),
                             ("POST", f"/v1/webhook-deliveries/{nobody}/redeliver", {})]:
        h.assert_problem(gess.req(method, path, headers=admin, **kw), 404, "not-found")


def test_list_is_paged_oldest_first(gess, admin):
    made = [create(gess, admin)["id"] for _ in range(3)]
    items, pages = h.walk_pages(gess, "/v1/webhooks", headers=admin, limit=2)
    ids = [i["id"] for i in items]
    assert pages >= 2 and len(ids) == len(set(ids))
    order = [r[0] for r in gess.sql("SELECT id::text FROM webhooks ORDER BY created_at, id")]
    assert ids == order and ids[-3:] == made
    h.assert_problem(gess.req("GET", "/v1/webhooks?cursor=nope", headers=admin), 422)


def test_pending_counts_the_queue_and_delete_takes_queue_and_log(gess, admin):
    w = create(gess, admin)
    other = create(gess, admin)
    rows = [queue_row(gess, w["id"], status="pending") for _ in range(2)]
    sent, _ = queue_row(gess, w["id"], status="sent")
    delivery_row(gess, w["id"], sent)
    delivery_row(gess, w["id"], rows[0][0], status=None, error="refused: 10.0.0.1")
    kept, _ = queue_row(gess, other["id"], status="pending")
    delivery_row(gess, other["id"], kept, status=500)
    got = h.assert_json(gess.req("GET", f"/v1/webhooks/{w['id']}", headers=admin), 200)
    assert got["pending"] == 2
    r = gess.req("DELETE", f"/v1/webhooks/{w['id']}", headers=admin)
    assert r.status_code == 204 and r.content == b""
    h.assert_problem(gess.req("GET", f"/v1/webhooks/{w['id']}", headers=admin), 404)
    h.assert_problem(gess.req("DELETE", f"/v1/webhooks/{w['id']}", headers=admin), 404)
    assert gess.count("outbox", "webhook_id = %s", (w["id"],)) == 0
    assert gess.count("outbox", "id = ANY(%s)", ([o for o, _ in rows] + [sent],)) == 0
    assert gess.count("webhook_deliveries", "webhook_id = %s", (w["id"],)) == 0
    # the other endpoint keeps its own
    assert gess.count("outbox", "webhook_id = %s", (other["id"],)) == 1
    assert gess.count("webhook_deliveries", "webhook_id = %s", (other["id"],)) == 1


def test_deliveries_are_newest_first_paged_with_what_was_sent(gess, admin):
    w = create(gess, admin)
    oid, mid = queue_row(gess, w["id"], kind="pact.updated")
    made = [delivery_row(gess, w["id"], oid, attempt=1, status=503, ago_s=30),
            delivery_row(gess, w["id"], oid, attempt=2, status=None, ago_s=20,
                         error="timed out after 15 s"),
            delivery_row(gess, w["id"], oid, attempt=3, status=204, ago_s=10)]
    other = create(gess, admin)
    o2, _ = queue_row(gess, other["id"])
    delivery_row(gess, other["id"], o2)
    items, pages = h.walk_pages(gess, f"/v1/webhooks/{w['id']}/deliveries", headers=admin,
                                limit=2)
    assert pages == 2 and [i["id"] for i in items] == made[::-1]
    newest, lost, first = items
    assert newest == {
        "id": made[2], "webhook_id": w["id"], "message_id": mid, "event": "pact.updated",
        "attempt": 3, "url": "https://hooks.example.org/x",
        "request": {"headers": {"webhook-id": "m", "content-type": "application/json"},
                    "body": '{"type": "t"}'},
        "response": {"status": 204, "body": "ok"}, "error": None, "duration_ms": 12,
        "succeeded": True, "created_at": newest["created_at"]}
    assert lost["response"]["status"] is None and lost["succeeded"] is False
    assert lost["error"] == "timed out after 15 s"
    assert first["response"]["status"] == 503 and first["succeeded"] is False
    # a cursor of another endpoint's log is no place in this one
    r = gess.req("GET", f"/v1/webhooks/{other['id']}/deliveries", headers=admin)
    assert len(h.assert_json(r, 200)["items"]) == 1
    empty = create(gess, admin)
    r = gess.req("GET", f"/v1/webhooks/{empty['id']}/deliveries", headers=admin)
    assert h.assert_json(r, 200) == {"items": [], "next_cursor": None}


def test_redeliver_queues_the_same_message_again(gess, admin):
    w = create(gess, admin)
    oid, mid = queue_row(gess, w["id"], status="sent", kind="registration.cancelled")
    did = delivery_row(gess, w["id"], oid)
    gess.sql("UPDATE outbox SET next_attempt_at = now() - interval '1 day',"
             " due_since = now() - interval '2 days' WHERE id = %s", (oid,))
    r = gess.req("POST", f"/v1/webhook-deliveries/{did}/redeliver", headers=admin)
    assert h.assert_json(r, 202) == {"id": mid, "event": "registration.cancelled",
                                     "status": "pending", "webhook_id": w["id"]}
    [row] = gess.sql("SELECT status, attempts, message_id::text, locked_until, last_error,"
                     " next_attempt_at > now() - interval '1 minute',"
                     " due_since > now() - interval '1 minute', sent_at FROM outbox WHERE id = %s",
                     (oid,))
    assert row == ("pending", 0, mid, None, None, True, True, None)
    got = h.assert_json(gess.req("GET", f"/v1/webhooks/{w['id']}", headers=admin), 200)
    assert got["pending"] == 1
    # already pending (queued or in flight)
    r = gess.req("POST", f"/v1/webhook-deliveries/{did}/redeliver", headers=admin, json={})
    h.assert_problem(r, 409, "invalid-state")


def test_redeliver_refuses_a_disabled_endpoint_and_a_purged_payload(gess, admin):
    w = create(gess, admin)
    dead, _ = queue_row(gess, w["id"], status="dead")
    did = delivery_row(gess, w["id"], dead, status=500)
    gess.sql("UPDATE webhooks SET active = false WHERE id = %s", (w["id"],))
    r = gess.req("POST", f"/v1/webhook-deliveries/{did}/redeliver", headers=admin)
    h.assert_problem(r, 409, "webhook-disabled")
    assert gess.sql("SELECT status FROM outbox WHERE id = %s", (dead,))[0][0] == "dead"
    h.assert_json(gess.req("PATCH", f"/v1/webhooks/{w['id']}", headers=admin,
                           json={"active": True}), 200)
    h.assert_json(gess.req("POST", f"/v1/webhook-deliveries/{did}/redeliver", headers=admin), 202)
    # the purge emptied it: nothing left to send
    purged, _ = queue_row(gess, w["id"], status="sent")
    gess.sql("UPDATE outbox SET payload = '{}' WHERE id = %s", (purged,))
    did = delivery_row(gess, w["id"], purged)
    r = gess.req("POST", f"/v1/webhook-deliveries/{did}/redeliver", headers=admin)
    h.assert_problem(r, 409, "invalid-state")
    assert gess.sql("SELECT status FROM outbox WHERE id = %s", (purged,))[0][0] == "sent"
