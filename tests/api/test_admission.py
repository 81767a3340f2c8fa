"""Batched admission (issue 20): registrations for one edition that reach
a worker together are decided in one transaction, each keeping its own
answer. To know what a batch holds, a test holds the category's
seat row locked from a transaction of its own: the first registration then
waits in the database (alone: nothing was in flight), and those sent while
it waits join one batch, in the order they arrived."""
import collections
import concurrent.futures
import time

import psycopg2
import requests

import gesshelp as h

WINDOW_MS = 1000  # long enough that every request a test sends joins the batch


def batching_gessd(gess, name, **env):
    e = {"GESS_WORKERS": "1", "GESS_ADMISSION_BATCH_MS": str(WINDOW_MS),
         "GESS_ADMISSION_BATCH_MAX": "64"}
    e.update(env)
    return gess.spawn(name=name, env=e)


class SeatLock:
    """Holds the category_modes rows of a category locked until release(), as
    a seat change does (FOR NO KEY UPDATE: registrations still go in, their
    foreign key's KEY SHARE does not wait): a batch that gets to its seats
    waits there, in flight."""

    def __init__(self, gess, category_id):
        self.conn = psycopg2.connect(gess.db_url)
        self.cur = self.conn.cursor()  # not autocommit: the lock lasts until commit
        self.cur.execute("SELECT 1 FROM category_modes WHERE category_id = %s FOR NO KEY UPDATE",
                         (category_id,))

    def release(self):
        self.conn.commit()
        self.conn.close()


def waiting_on_lock(gess):
    return gess.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND query LIKE '%%registration_%%'")[0][0]


def send_in_order(via, sends, gap_s=0.03):
    """Starts each (user, body, key) in its own thread, gap_s apart, so that
    they reach gessd in this order; returns the futures, in the same order."""
    ex = concurrent.futures.ThreadPoolExecutor(len(sends))
    futs = []
    for who, slug, body, key in sends:
        hdrs = dict(who["headers"])
        if key is not None:
            hdrs["Idempotency-Key"] = key
        futs.append(ex.submit(requests.post, via.url(f"/v1/editions/{slug}/registrations"),
                              json=body, headers=hdrs, timeout=30))
        time.sleep(gap_s)
    ex.shutdown(wait=False)
    return futs


def first_then_batch(gess, via, category_id, first, rest):
    """Holds the category's seat row; sends `first` (user, slug, body, key),
    which goes alone and waits there, then `rest`, which gather into one
    batch that goes when full and waits there too; lets go. Returns the
    answers in the order sent, each checked against the contract."""
    lock = SeatLock(gess, category_id)
    try:
        futs = send_in_order(via, [first])
        h.wait_until(lambda: waiting_on_lock(gess) >= 1, 10, what="the first at the seat row")
        futs += send_in_order(via, rest)
        h.wait_until(lambda: waiting_on_lock(gess) >= 2, 10, what="the batch at the seat row")
    finally:
        lock.release()
    rs = [f.result() for f in futs]
    for r in rs:
        h.check_common(r)
    return rs


def test_a_batch_seats_and_waitlists_in_arrival_order(gess, staff):
    # the ten after the first fill a batch, which goes while the first waits
    inst = batching_gessd(gess, "gessd-admit-order", GESS_ADMISSION_BATCH_MAX="10")
    via = h.Via(gess, inst)
    ed = h.create_edition(gess, staff.organizer)
    cat = h.create_category(gess, staff.organizer, ed["slug"], code="rush",
                            modes={"in_person": 5})
    users = h.fast_users(gess, 11, prefix="order")
    body = {"category": "rush", "mode": "in_person"}
    before = h.batch_metrics(inst.base)

    rs = first_then_batch(gess, via, cat["id"], (users[0], ed["slug"], body, None),
                          [(u, ed["slug"], body, None) for u in users[1:]])
    regs = [h.assert_json(r, 201) for r in rs]

    # The first went alone, the ten after it as one batch.
    count, total = h.batch_metrics(inst.base)
    assert (count - before[0], total - before[1]) == (2, 11)
    # Five seats. The first and the batch both wait at the seat row, and
    # which takes it first is PostgreSQL's to say (as for two requests
    # alone): the batch read five free (the first had not committed) and
    # wrote five with a seat; if the first went first, the batch found four
    # and waitlisted its fifth then (its mail and answer rewritten), else
    # the first found none. Either way the batch's seats are its first
    # arrivals, and everyone waits in the order they came.
    batch = [x["status"] for x in regs[1:]]
    k = batch.count("confirmed")
    assert k in (4, 5) and batch == ["confirmed"] * k + ["waitlisted"] * (10 - k), batch
    assert regs[0]["status"] == ("confirmed" if k == 4 else "waitlisted")
    line = [r[0] for r in gess.sql(
        "SELECT id::text FROM registrations WHERE category_id = %s AND status = 'waitlisted'"
        " ORDER BY created_at, id", (cat["id"],))]
    assert line == [x["id"] for x in regs if x["status"] == "waitlisted"]
    assert gess.sql("SELECT taken FROM category_modes WHERE category_id = %s",
                    (cat["id"],)) == [(5,)]
    assert h.seat_violations(gess, ed["id"]) == []
    # Each answered what the database holds, and mailed it.
    mails = dict(gess.sql("SELECT payload->>'registration_id', payload->>'status' FROM outbox"
                          " WHERE kind = 'registration_created' AND account_id = ANY(%s::uuid[])",
                          ([u["account"]["id"] for u in users],)))
    assert mails == {x["id"]: x["status"] for x in regs}
    # The waitlisted are promoted in that order: a seat holder cancels, the
    # oldest waiting takes the seat.
    holder = next(i for i, x in enumerate(regs) if x["status"] == "confirmed")
    r = via.req("DELETE", f"/v1/registrations/{regs[holder]['id']}",
                headers=users[holder]["headers"])
    assert r.status_code == 204
    assert gess.sql("SELECT status FROM registrations WHERE id = %s",
                    (line[0],)) == [("confirmed",)]
    inst.stop()


def test_each_item_of_a_batch_keeps_its_own_answer(gess, staff):
    inst = batching_gessd(gess, "gessd-admit-items", GESS_ADMISSION_BATCH_MAX="9")
    via = h.Via(gess, inst)
    ed = h.create_edition(gess, staff.organizer)
    slug = ed["slug"]
    cat = h.create_category(gess, staff.organizer, slug, code="rush", modes={"in_person": 50})
    h.create_question(gess, staff.organizer, slug, code="taller", type="choice",
                      choices=["Agua", "Energía"])
    a, b, c, d, e, f, g, first = h.fast_users(gess, 8, prefix="items")
    body = {"category": "rush", "mode": "in_person"}
    # d registered before under a key (replayed), e under a key with
    # another body (a mismatch), f without one (already registered).
    d_first = h.register(via, d, slug, "rush", key="kd")
    assert d_first.status_code == 201
    h.assert_json(h.register(via, e, slug, "rush", key="ke", answers={"taller": "Agua"}), 201)
    f_reg = h.register_ok(via, f, slug, "rush")
    before = h.batch_metrics(inst.base)

    rs = first_then_batch(gess, via, cat["id"], (first, slug, body, None), [
            (a, slug, body, "ka"),                                   # 1 a, keyed
            (a, slug, body, "ka"),                                   # 2 a again, same key
            (b, slug, body, None),                                   # 3 b
            (b, slug, body, None),                                   # 4 b again
            (c, slug, dict(body, answers={"taller": "Fútbol"}), None),  # 5 a wrong answer
            (d, slug, body, "kd"),                                   # 6 a replay
            (e, slug, body, "ke"),                                   # 7 the key, another body
            (f, slug, body, None),                                   # 8 already registered
            (g, slug, dict(body, answers={"taller": "Energía"}), "kg"),  # 9 good, keyed
    ])
    count, total = h.batch_metrics(inst.base)
    assert (count - before[0], total - before[1]) == (2, 10)

    h.assert_json(rs[0], 201)
    ra = h.assert_json(rs[1], 201)
    # a's second try came after the first committed: its replay, byte for byte
    assert (rs[2].status_code, rs[2].content) == (201, rs[1].content)
    rb = h.assert_json(rs[3], 201)
    p = h.assert_problem(rs[4], 409, "already-registered")
    assert p["registration_id"] == rb["id"]
    p = h.assert_problem(rs[5], 422, "validation-failed")
    assert h.error_fields(p) == ["answers.taller"]
    assert (rs[6].status_code, rs[6].content) == (201, d_first.content)
    h.assert_problem(rs[7], 422, "idempotency-mismatch")
    p = h.assert_problem(rs[8], 409, "already-registered")
    assert p["registration_id"] == f_reg["id"]
    rg = h.assert_json(rs[9], 201)
    assert rg["answers"] == {"taller": "Energía"} and rg["status"] == "confirmed"

    # Nothing was written for the refused; one registration each for the rest.
    per = dict(gess.sql("SELECT account_id::text, count(*) FROM registrations"
                        " WHERE edition_id = %s GROUP BY 1", (ed["id"],)))
    assert per == {u["account"]["id"]: 1 for u in (a, b, d, e, f, g, first)}
    keys = dict(gess.sql("SELECT key, body FROM idempotency_keys WHERE account_id = ANY(%s::uuid[])",
                         ([u["account"]["id"] for u in (a, d, e, g)],)))
    assert set(keys) == {"ka", "kd", "ke", "kg"}
    assert keys["ka"].encode() == rs[1].content and keys["kg"].encode() == rs[9].content
    assert gess.count("outbox", "kind = 'registration_created' AND account_id = ANY(%s::uuid[])",
                      ([u["account"]["id"] for u in (a, b, c, g, first)],)) == 4
    assert ra["status"] == rb["status"] == "confirmed"
    assert h.seat_violations(gess, ed["id"]) == []
    inst.stop()


def test_a_quiet_category_does_not_wait_for_the_window(gess, staff):
    """Nothing of the category in flight: a registration goes at once,
    alone, however long the window."""
    inst = batching_gessd(gess, "gessd-admit-quiet", GESS_ADMISSION_BATCH_MS="100")
    via = h.Via(gess, inst)
    ed = h.create_edition(gess, staff.organizer)
    h.create_category(gess, staff.organizer, ed["slug"], code="calm", modes={"in_person": 10})
    users = h.fast_users(gess, 5, prefix="quiet")
    before = h.batch_metrics(inst.base)
    for u in users:
        h.register_ok(via, u, ed["slug"], "calm", status="confirmed")
    count, total = h.batch_metrics(inst.base)
    assert (count - before[0], total - before[1]) == (5, 5)
    s = h.parse_metrics(h.call("GET", inst.base + "/metrics", timeout=5).text)
    # every wait was below the 100 ms window: the lowest buckets hold them all
    waited = h.metric_sum(s, "gess_batch_wait_seconds_bucket", kind="registration", le="0.01")
    assert waited is not None and waited >= 5
    inst.stop()


def test_kill_9_in_the_middle_of_a_batch(gess, staff):
    """gessd killed while its batch waits for the seat row: what it had
    acknowledged is there, and what the batch wrote is whole (each
    registration with its mail and, when keyed, its stored answer) or not
    there at all; the seat count is the registrations holding one."""
    # batches of 8 go when full, even while the one before waits
    # (four connections: the first and three batches at the seat row)
    inst = batching_gessd(gess, "gessd-admit-kill", GESS_ADMISSION_BATCH_MAX="8",
                          GESS_DB_POOL_SIZE="4")
    via = h.Via(gess, inst)
    ed = h.create_edition(gess, staff.organizer)
    slug = ed["slug"]
    cat = h.create_category(gess, staff.organizer, slug, code="rush", modes={"in_person": 20})
    users = h.fast_users(gess, 40, prefix="kill")
    body = {"category": "rush", "mode": "in_person"}
    acked = {}
    for u in users[:10]:
        reg = h.register_ok(via, u, slug, "rush")
        acked[reg["id"]] = reg["status"]

    lock = SeatLock(gess, cat["id"])
    released = False
    try:
        futs = send_in_order(via, [(users[10], slug, body, "k10")])
        h.wait_until(lambda: waiting_on_lock(gess) >= 1, 10, what="the first at the seat row")
        futs += send_in_order(via, [(u, slug, body, f"k{i}") for i, u in
                                    enumerate(users[11:], start=11)], gap_s=0.005)
        # three full batches of the 29 wait at the seat row too; the last
        # five still gather in gessd
        h.wait_until(lambda: waiting_on_lock(gess) >= 4, 10, what="the batches at the seat row")
        inst.proc.kill()
        assert inst.stop() == -9
        lock.release()
        released = True
    finally:
        if not released:
            lock.release()
    for fu in futs:
        try:
            r = fu.result()
            assert r.status_code >= 500 or r.status_code == 201, r.status_code
            if r.status_code == 201:
                acked[r.json()["id"]] = r.json()["status"]
        except requests.RequestException:
            pass
    # The dead gessd's sessions finish what they started (or roll back).
    h.wait_until(lambda: waiting_on_lock(gess) == 0 and gess.count(
        "pg_stat_activity", "state = 'active' AND pid <> pg_backend_pid()"
        " AND query LIKE '%%registration_admit%%'") == 0,
        10, what="the dead gessd's transactions over")

    rows = gess.sql("SELECT r.id::text, r.account_id::text, r.status, r.xmin::text,"
                    " (SELECT count(*) FROM outbox o WHERE o.kind = 'registration_created'"
                    "    AND o.payload->>'registration_id' = r.id::text"
                    "    AND o.payload->>'status' = r.status),"
                    " (SELECT k.body::json->>'id' FROM idempotency_keys k"
                    "   WHERE k.account_id = r.account_id)"
                    " FROM registrations r WHERE r.edition_id = %s", (ed["id"],))
    db = {i: st for i, _, st, _, _, _ in rows}
    assert {i: db.get(i) for i in acked} == acked, "an acknowledged registration is missing"
    first10 = {u["account"]["id"] for u in users[:10]}
    for rid, account, st, _, mails, keyed in rows:
        assert mails == 1, f"{rid} ({st}) has {mails} mails of its status"
        if account not in first10:
            assert keyed == rid, f"{rid}: stored answer {keyed}"
    assert h.seat_violations(gess, ed["id"]) == []
    # each transaction of the dead gessd wrote a whole batch (8), or the
    # first registration alone, or nothing; the five still gathering, nothing
    per_tx = collections.Counter(x for _, a, _, x, _, _ in rows if a not in first10)
    assert set(per_tx.values()) <= {1, 8}, per_tx
    assert sum(per_tx.values()) <= 25
    print(f"\nafter the kill: {len(rows)} registrations, {len(acked)} acknowledged")


def test_a_batch_spans_categories_and_modes(gess, staff):
    """One batch per edition: the seats of each category and mode are
    counted apart, in arrival order within each."""
    inst = batching_gessd(gess, "gessd-admit-span", GESS_ADMISSION_BATCH_MAX="9")
    via = h.Via(gess, inst)
    ed = h.create_edition(gess, staff.organizer)
    slug = ed["slug"]
    a = h.create_category(gess, staff.organizer, slug, code="taller", modes={"in_person": 2})
    b = h.create_category(gess, staff.organizer, slug, code="foro",
                          modes={"in_person": 1, "online": None})
    users = h.fast_users(gess, 10, prefix="span")
    ta = {"category": "taller", "mode": "in_person"}
    fi = {"category": "foro", "mode": "in_person"}
    fo = {"category": "foro", "mode": "online"}
    before = h.batch_metrics(inst.base)

    rest = [(users[1], slug, ta, None), (users[2], slug, fi, None), (users[3], slug, fo, None),
            (users[4], slug, ta, None), (users[5], slug, ta, None), (users[6], slug, fi, None),
            (users[7], slug, {"category": "taller", "mode": "online"}, None),
            (users[8], slug, {"category": "nada", "mode": "in_person"}, None),
            (users[9], slug, {"category": "nada", "mode": "hybrid"}, None)]
    rs = first_then_batch(gess, via, a["id"], (users[0], slug, ta, None), rest)
    count, total = h.batch_metrics(inst.base)
    assert (count - before[0], total - before[1]) == (2, 10)
    # each one's problems, as registration_create words them alone
    for r, cat, mode, fields in ((rs[7], "taller", "online", ["mode"]),
                                 (rs[8], "nada", "in_person", ["category"]),
                                 (rs[9], "nada", "hybrid", ["mode", "category"])):
        p = h.assert_problem(r, 422, "validation-failed")
        assert h.error_fields(p) == fields, r.text
        alone = h.register(gess, users[0], slug, cat, mode)
        assert h.assert_problem(alone, 422, "validation-failed")["errors"] == p["errors"]
    got = [h.assert_json(r, 201)["status"] for r in rs[:7]]
    # foro: one seat in person (users 2, then 6 waits), online unlimited;
    # taller: two seats for users 0, 1, 4, 5: the first and the batch wait
    # at the row, and whichever goes second finds what the other left
    assert got[2:4] == ["confirmed", "confirmed"] and got[6] == "waitlisted", got
    taller = [got[0], got[1], got[4], got[5]]
    assert taller in (["confirmed", "confirmed", "waitlisted", "waitlisted"],
                      ["waitlisted", "confirmed", "confirmed", "waitlisted"]), got
    assert dict(gess.sql("SELECT category_id::text || ' ' || mode, taken FROM category_modes"
                         " WHERE category_id = ANY(%s::uuid[])", ([a["id"], b["id"]],))) == {
        a["id"] + " in_person": 2, b["id"] + " in_person": 1, b["id"] + " online": 1}
    assert h.seat_violations(gess, ed["id"]) == []
    line = [r[0] for r in gess.sql(
        "SELECT account_id::text FROM registrations WHERE category_id = %s AND status = 'waitlisted'"
        " ORDER BY created_at, id", (a["id"],))]
    assert line == [users[i]["account"]["id"] for i in (0, 1, 4, 5) if got[i] == "waitlisted"]
    inst.stop()
