"""kill -9 of gessd under registration write load (issue 12): every
registration the server acknowledged is there and live, the seat count
equals the registrations holding a seat, nobody is registered twice, and a
new gessd on the same database serves within 2 s of its start. The load
goes to an instance of its own, so the session's gessd is undisturbed."""
import collections
import concurrent.futures
import threading
import time

import requests

import gesshelp as h

N = 400          # accounts, one registration attempt each
SEATS = 60       # fewer than N: confirmed and waitlisted both occur
THREADS = 16
KILL_AFTER = 120  # acknowledged registrations before the kill: mid-load, seats already gone
RESTART_S = 2.0


def test_kill_9_under_registration_load(gess, staff):
    users = h.fast_users(gess, N, prefix="crash", sector="community")
    ed = h.create_edition(gess, staff.organizer)
    cat = h.create_category(gess, staff.organizer, ed["slug"], code="crash",
                            modes={"in_person": SEATS})
    inst = gess.spawn(name="gessd-crash")
    path = f"/v1/editions/{ed['slug']}/registrations"
    body = {"category": "crash", "mode": "in_person"}

    acked = {}        # registration id -> (account id, status) of each 201
    unacked = []      # users whose request got no 201 (killed, refused, cut off)
    lock = threading.Lock()
    enough = threading.Event()

    def run(share):
        s = requests.Session()
        for u in share:
            try:
                r = s.post(inst.base + path, json=body, headers=u["headers"], timeout=10)
            except requests.RequestException:
                s = requests.Session()
                with lock:
                    unacked.append(u)
                continue
            with lock:
                if r.status_code == 201:
                    reg = r.json()
                    acked[reg["id"]] = (u["account"]["id"], reg["status"])
                    if len(acked) >= KILL_AFTER:
                        enough.set()
                else:
                    assert r.status_code == 503, f"{r.status_code}: {r.text[:300]}"
                    unacked.append(u)

    shares = [users[i::THREADS] for i in range(THREADS)]
    with concurrent.futures.ThreadPoolExecutor(THREADS) as ex:
        futs = [ex.submit(run, sh) for sh in shares]
        assert enough.wait(30), f"only {len(acked)} registrations acknowledged in 30 s"
        inst.proc.kill()  # SIGKILL, while the threads are still sending
        for f in futs:
            f.result()
    assert inst.stop() == -9
    with lock:
        n_acked, n_unacked = len(acked), len(unacked)
    assert n_unacked > 0, "the load had finished before the kill"
    assert n_acked + n_unacked == N

    # A new gessd on the same database: from its start to a database-backed answer
    # (the token lookup of GET /v1/me), not just /healthz.
    probe = users[0]["headers"]
    t0 = time.monotonic()
    inst2 = gess.spawn(name="gessd-crash-restart", wait=False)

    def serves():
        return h.call("GET", inst2.base + "/v1/me", headers=probe, timeout=2).status_code == 200

    took = h.time_until_served(serves, 10, since=t0)
    print(f"\nkill -9 after {n_acked} acknowledged registrations ({n_unacked} not);"
          f" restart served the database in {took:.2f}s")
    assert took < RESTART_S, f"serving {took:.2f}s after the restart"

    def check_seats():
        rows = gess.sql("SELECT id::text, account_id::text, status FROM registrations"
                        " WHERE edition_id = %s", (ed["id"],))
        per_account = collections.Counter(a for _, a, _ in rows)
        dup = {a: n for a, n in per_account.items() if n > 1}
        assert dup == {}, f"registered twice: {dup}"
        taken = gess.sql("SELECT taken FROM category_modes WHERE category_id = %s",
                         (cat["id"],))[0][0]
        holding = sum(1 for _, _, st in rows if st in h.SEAT_STATUSES)
        assert taken == holding <= SEATS, (taken, holding)
        assert h.seat_violations(gess, ed["id"]) == []
        return {i: (a, st) for i, a, st in rows}, taken, holding

    # Every acknowledged registration is there, live, as it was answered.
    db, taken, holding = check_seats()
    missing = set(acked) - set(db)
    assert not missing, f"{len(missing)} acknowledged registrations lost"
    changed = {i: (acked[i], db[i]) for i in acked if db[i] != acked[i]}
    assert changed == {}, f"acknowledged registrations changed: {changed}"
    assert all(st in h.LIVE_STATUSES for _, st in db.values())
    print(f"after the kill: {len(db)} registrations in the database, seats taken {taken},"
          f" holding a seat {holding}")

    # Those who got no answer try again: 201, or 409 when their first try had committed.
    redo = collections.Counter()
    s = requests.Session()
    for u in unacked:
        r = s.post(inst2.base + path, json=body, headers=u["headers"], timeout=10)
        h.check_common(r)
        if r.status_code == 409:
            h.assert_problem(r, 409, "already-registered")
        else:
            h.assert_json(r, 201)
        redo[r.status_code] += 1
    db, taken, holding = check_seats()
    assert len(db) == N and taken == holding == SEATS, (len(db), taken, holding)
    assert inst2.proc.poll() is None
    inst2.stop()
    print(f"retries of the unanswered: {dict(redo)}; all {N} registered once, seats {taken}/{SEATS}")
