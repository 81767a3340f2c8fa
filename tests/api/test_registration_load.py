"""1,000 concurrent registrations for 100 seats, then 30 concurrent
cancellations (issue 3, "Must hold"), with batched admission and with
admission_batch_ms = 0 (issue 20; the `admission` fixture). Accounts and
tokens are written with SQL (an Argon2id hash per account would cost
~90 ms)."""
import collections
import concurrent.futures
import threading
import time

import pytest
import requests

import gesshelp as h

N = 1000
SEATS = 100
CANCELS = 30
WORKERS = 64
DEADLINE_S = 60


@pytest.fixture(scope="module")
def crowd(gess):
    users = h.fast_users(gess, N, prefix="load", sector="community")
    ids = [u["account"]["id"] for u in users]
    assert gess.count("accounts", "id = ANY(%s::uuid[])", (ids,)) == N
    assert gess.count("tokens", "account_id = ANY(%s::uuid[]) AND expires_at > now()",
                      (ids,)) == N
    # The SQL-made tokens work.
    me = h.assert_json(gess.req("GET", "/v1/me", headers=users[0]["headers"]), 200)
    assert me["id"] == ids[0]
    return users


class Client:
    """One requests.Session per thread; honours 503 + Retry-After by sleeping
    and sending the same request again. Anything else 5xx fails the test."""

    def __init__(self, deadline):
        self.local = threading.local()
        self.deadline = deadline
        self.retries = collections.Counter()
        self.lock = threading.Lock()

    def session(self):
        s = getattr(self.local, "s", None)
        if s is None:
            s = self.local.s = requests.Session()
        return s

    def send(self, method, url, **kw):
        while True:
            left = self.deadline - time.monotonic()
            assert left > 0, f"{method} {url}: out of time"
            try:
                r = self.session().request(method, url, timeout=min(20, left), **kw)
            except requests.ConnectionError:
                # A dropped keep-alive connection: start a fresh session once.
                self.local.s = None
                with self.lock:
                    self.retries["connection"] += 1
                continue
            if r.status_code == 503:
                ra = r.headers.get("Retry-After")
                assert ra is not None and ra.strip().isdigit(), \
                    f"503 without a usable Retry-After: {r.headers}"
                with self.lock:
                    self.retries[503] += 1
                time.sleep(min(int(ra), max(0, self.deadline - time.monotonic() - 1)))
                continue
            assert r.status_code < 500, f"{method} {url} -> {r.status_code}: {r.text[:300]}"
            h.check_common(r)
            return r


def test_thousand_registrations_hundred_seats_then_thirty_cancellations(gess, staff, crowd,
                                                                         admission):
    srv = admission
    batches0 = h.batch_metrics(srv.base)
    t0 = time.monotonic()
    client = Client(t0 + DEADLINE_S)
    ed = h.create_edition(gess, staff.organizer)
    cat = h.create_category(gess, staff.organizer, ed["slug"], code="hot",
                            modes={"in_person": SEATS})
    url = srv.url(f"/v1/editions/{ed['slug']}/registrations")
    body = {"category": "hot", "mode": "in_person"}
    start = threading.Barrier(WORKERS)
    started = threading.local()

    def attempt(u):
        if not getattr(started, "ok", False):
            started.ok = True
            try:
                start.wait(10)
            except threading.BrokenBarrierError:
                pass
        return client.send("POST", url, json=body, headers=u["headers"])

    with concurrent.futures.ThreadPoolExecutor(WORKERS) as ex:
        rs = list(ex.map(attempt, crowd))
    t_reg = time.monotonic() - t0
    codes = collections.Counter(r.status_code for r in rs)
    assert codes == {201: N}, f"statuses: {dict(codes)}; first other: " + next(
        (r.text[:300] for r in rs if r.status_code != 201), "")
    regs = [r.json() for r in rs]
    by_status = collections.Counter(x["status"] for x in regs)
    assert by_status == {"confirmed": SEATS, "waitlisted": N - SEATS}, by_status
    badges = {x["badge_code"] for x in regs}
    assert len(badges) == N and all(h.BADGE_RE.match(b) for b in badges)

    db = dict(gess.sql("SELECT status, count(*) FROM registrations WHERE edition_id = %s"
                       " GROUP BY 1", (ed["id"],)))
    assert db == {"confirmed": SEATS, "waitlisted": N - SEATS}, db
    assert gess.sql("SELECT capacity, taken FROM category_modes WHERE category_id = %s",
                    (cat["id"],)) == [(SEATS, SEATS)]
    assert h.seat_violations(gess) == []
    # Each answer is what the database holds.
    db_status = dict(gess.sql("SELECT id::text, status FROM registrations WHERE edition_id = %s",
                              (ed["id"],)))
    assert {x["id"]: x["status"] for x in regs} == db_status
    # Each registration wrote its one mail, with the status it answered
    # (the waitlisted too, however the race for the last seats went).
    mails = dict(gess.sql("SELECT payload->>'registration_id', payload->>'status' FROM outbox"
                          " WHERE kind = 'registration_created' AND payload->'edition'->>'slug' = %s",
                          (ed["slug"],)))
    assert len(mails) == gess.count("outbox", "kind = 'registration_created' AND"
                                    " payload->'edition'->>'slug' = %s", (ed["slug"],))
    assert mails == db_status
    seats = h.assert_json(srv.req("GET", f"/v1/editions/{ed['slug']}/categories"), 200)
    assert seats["items"][0]["seats_left"] == {"in_person": 0}

    # --- 30 concurrent cancellations of confirmed registrations ---------------
    owner = {x["id"]: u for x, u in zip(regs, crowd)}
    to_cancel = [x["id"] for x in regs if x["status"] == "confirmed"][:CANCELS]
    expect_promoted = [r[0] for r in gess.sql(
        "SELECT id::text FROM registrations WHERE edition_id = %s AND status = 'waitlisted'"
        " ORDER BY created_at, id LIMIT %s", (ed["id"], CANCELS))]
    outbox_before = gess.count("outbox")
    outbox_max = gess.sql("SELECT coalesce(max(id), 0) FROM outbox")[0][0]
    barrier = threading.Barrier(CANCELS)

    def cancel(rid):
        barrier.wait(10)
        return client.send("DELETE", srv.url(f"/v1/registrations/{rid}"),
                           headers=owner[rid]["headers"])

    with concurrent.futures.ThreadPoolExecutor(CANCELS) as ex:
        cs = list(ex.map(cancel, to_cancel))
    assert [c.status_code for c in cs] == [204] * CANCELS, [(c.status_code, c.text[:200])
                                                            for c in cs if c.status_code != 204]
    db = dict(gess.sql("SELECT status, count(*) FROM registrations WHERE edition_id = %s"
                       " GROUP BY 1", (ed["id"],)))
    assert db == {"confirmed": SEATS, "waitlisted": N - SEATS - CANCELS, "cancelled": CANCELS}, db
    promoted = [r[0] for r in gess.sql(
        "SELECT id::text FROM registrations WHERE id = ANY(%s::uuid[]) AND status = 'confirmed'",
        (expect_promoted,))]
    assert sorted(promoted) == sorted(expect_promoted), "the promoted are not the 30 oldest waiting"
    assert gess.count("registrations", "id = ANY(%s::uuid[]) AND status = 'cancelled'",
                      (to_cancel,)) == CANCELS
    assert gess.sql("SELECT capacity, taken FROM category_modes WHERE category_id = %s",
                    (cat["id"],)) == [(SEATS, SEATS)]
    assert h.seat_violations(gess) == []
    # One mail per promotion, to the promoted person, and one per
    # cancellation, to the person who cancelled.
    assert gess.count("outbox") - outbox_before == 2 * CANCELS
    promoted_accounts = sorted(owner[rid]["account"]["id"] for rid in expect_promoted)
    got = sorted(r[0] for r in gess.sql(
        "SELECT account_id::text FROM outbox WHERE id > %s AND kind = 'registration_promoted'",
        (outbox_max,)))
    assert got == promoted_accounts
    cancelled_accounts = sorted(owner[rid]["account"]["id"] for rid in to_cancel)
    got = sorted(r[0] for r in gess.sql(
        "SELECT account_id::text FROM outbox WHERE id > %s AND kind = 'registration_cancelled'",
        (outbox_max,)))
    assert got == cancelled_accounts

    # The organizer's views of the crowd: every page walk finds each of the
    # 1,000 exactly once, oldest first; the CSV has 1,000 rows; stats agree.
    org = staff.organizer["headers"]
    path = f"/v1/editions/{ed['slug']}/registrations"
    want = [r[0] for r in gess.sql("SELECT id::text FROM registrations WHERE edition_id = %s"
                                   " ORDER BY created_at, id", (ed["id"],))]
    for limit in (200, 37):
        items, _ = h.walk_pages(srv, path, headers=org, limit=limit)
        assert [x["id"] for x in items] == want, f"limit={limit}"
    items, _ = h.walk_pages(srv, path, headers=org, limit=200, params={"status": "waitlisted"})
    assert len(items) == N - SEATS - CANCELS == len({x["id"] for x in items})
    r = srv.req("GET", path, headers=dict(org, Accept="text/csv"))
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    lines = r.content[3:].decode("utf-8").splitlines()
    assert len(lines) == 1 + N, len(lines)
    st = h.assert_json(srv.req("GET", f"/v1/editions/{ed['slug']}/stats", headers=org), 200)
    assert st["total"] == N
    assert {k: v for k, v in st["by_status"].items() if v} == db
    assert {k: v for k, v in st["by_sector"].items() if v} == {"community": N}

    # Batched, the crowd shared transactions (one batch per worker and
    # window at least once); one by one, nothing was batched.
    batches, items = (a - b for a, b in zip(h.batch_metrics(srv.base), batches0))
    if srv is gess:
        assert items >= N and batches < items, (batches, items)
    else:
        assert (batches, items) == (0, 0)

    elapsed = time.monotonic() - t0
    print(f"\n{N} registrations in {t_reg:.1f}s ({items:.0f} in {batches:.0f} batches);"
          f" all done in {elapsed:.1f}s;"
          f" retries {dict(client.retries)}")
    assert elapsed < DEADLINE_S
