"""The admins' outbox routes (issue 16): GET /v1/outbox and POST
/v1/outbox/{id}/retry, who may call them, paging, what is never shown, and
serve's outbox tasks (the /metrics gauges, the payload purge). Delivery
itself: test_notify.py."""
import re

import pytest
import requests

import gesshelp as h
import rolehelp as rh
import smtphelp as s
from rolehelp import ADMIN_200, route

people = rh.people_fixture("public")


def _dead_row(c):
    [oid] = s.insert_rows(c.gess, "series_event_changed", [h.unique_email("dead")])
    c.gess.sql("UPDATE outbox SET status = 'dead', attempts = 1, last_error = 'x' WHERE id = %s",
               (oid,))
    return c.gess.sql("SELECT message_id FROM outbox WHERE id = %s", (oid,))[0][0]


ROUTES = [
    route("GET /v1/outbox", "GET", "/v1/outbox", ADMIN_200),
    route("GET /v1/outbox (status)", "GET", "/v1/outbox?status=dead", ADMIN_200),
    route("POST /v1/outbox/{id}/retry", "POST", lambda c: f"/v1/outbox/{_dead_row(c)}/retry",
          ADMIN_200),
]
CASES, CASE_IDS = rh.cases(ROUTES)


@pytest.mark.parametrize("name,setup,role,want", CASES, ids=CASE_IDS)
def test_route_role_matrix(gess, staff, people, name, setup, role, want):
    ctx = rh.Ctx(gess, staff, people)
    rh.check_cell(gess, setup(ctx), ctx.actor(role), name, role, want, tables=["outbox"])


def test_matrix_covers_every_route(gess):
    have = h.served_routes(gess, lambda p: p.startswith("/v1/outbox"))
    table = {re.sub(r"\{[^}]*\}", "{}", n.split(" (")[0]) for n, _, _ in ROUTES}
    assert table == have, sorted(table ^ have)


@pytest.fixture
def admin(staff):
    return staff.admin["headers"]


def test_list_is_newest_first_paged_and_filtered(gess, admin):
    s.insert_rows(gess, "series_event_changed", [h.unique_email("page") for _ in range(5)])
    r = gess.req("GET", "/v1/outbox?limit=2", headers=admin)
    page = h.assert_json(r, 200)
    assert len(page["items"]) == 2 and page["next_cursor"] is not None
    r = gess.req("GET", f"/v1/outbox?limit=2&cursor={page['next_cursor']}", headers=admin)
    page2 = h.assert_json(r, 200)
    ids = [i["id"] for i in page["items"] + page2["items"]]
    order = gess.sql("SELECT message_id::text FROM outbox ORDER BY id DESC LIMIT 4")
    assert ids == [o[0] for o in order]
    r = gess.req("GET", "/v1/outbox?status=sent&limit=100", headers=admin)
    assert all(i["status"] == "sent" for i in h.assert_json(r, 200)["items"])
    r = gess.req("GET", "/v1/outbox?status=lost", headers=admin)
    h.assert_problem(r, 422, "validation-failed")
    assert "status" in r.text


def test_tokens_are_never_listed(gess, admin):
    s.insert_rows(gess, "password_reset", [h.unique_email("reset")],
                  payload='{"token": "secret-token-value"}')
    r = gess.req("GET", "/v1/outbox?limit=5", headers=admin)
    body = h.assert_json(r, 200)
    item = next(i for i in body["items"] if i["kind"] == "password_reset")
    assert item["priority"] == 0 and item["payload"] is None
    assert "secret-token-value" not in r.text


def test_retry_of_a_row_that_is_not_dead_is_409_and_unknown_404(gess, admin):
    [oid] = s.insert_rows(gess, "series_event_changed", [h.unique_email("live")])
    mid = gess.sql("SELECT message_id FROM outbox WHERE id = %s", (oid,))[0][0]
    h.assert_problem(gess.req("POST", f"/v1/outbox/{mid}/retry", headers=admin), 409,
                     "invalid-state")
    h.assert_problem(gess.req("POST", "/v1/outbox/00000000-0000-4000-8000-000000000000/retry",
                              headers=admin), 404, "not-found")


def test_priorities_follow_the_kind(gess):
    ids = s.insert_rows(gess, "email_verification", [h.unique_email("p0")])
    ids += s.insert_rows(gess, "registration_created", [h.unique_email("p1")])
    ids += s.insert_rows(gess, "series_rsvp_reminder", [h.unique_email("p2")])
    got = gess.sql("SELECT priority FROM outbox WHERE id = ANY(%s) ORDER BY id", (ids,))
    assert [g[0] for g in got] == [0, 1, 2]


def test_metrics_gauges_and_purge_on_serve(gess):
    s.set_aside_pending(gess)
    s.insert_rows(gess, "series_event_changed", [h.unique_email("g") for _ in range(3)])
    gess.sql("UPDATE outbox SET next_attempt_at = now() - interval '100 seconds'"
             " WHERE status = 'pending'")
    [old] = s.insert_rows(gess, "series_event_changed", [h.unique_email("old")])
    gess.sql("UPDATE outbox SET status = 'sent', sent_at = now() - interval '40 days'"
             " WHERE id = %s", (old,))
    srv = gess.spawn(env={"GESS_HOUSEKEEPING_INTERVAL": "1"})

    def gauges():
        t = requests.get(srv.base + "/metrics", timeout=5).text
        m = re.search(r'^gess_outbox_backlog\{channel="mail"\} (\d+)$', t, re.M)
        o = re.search(r'^gess_outbox_oldest_due_seconds\{channel="mail"\} ([\d.]+)$', t, re.M)
        w = re.search(r'^gess_outbox_backlog\{channel="webhook"\} 0$', t, re.M)
        if m and o:
            assert w, t  # both channels always printed
        return (int(m.group(1)), float(o.group(1))) if m and o else None

    backlog, oldest = h.wait_until(gauges, 20, what="the outbox gauges")
    assert backlog == 3 and oldest >= 100
    h.wait_until(lambda: gess.sql("SELECT payload::text FROM outbox WHERE id = %s",
                                  (old,))[0][0] == "{}" or None, 20, what="the purge")
