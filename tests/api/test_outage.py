"""The database goes away and comes back; gessd stays up."""
import collections
import threading
import time

import requests

import gesshelp as h


def test_database_outage_and_recovery(gess):
    u = gess.user()
    h.assert_json(gess.req("GET", "/v1/me", headers=u["headers"]), 200)
    assert h.assert_json(gess.req("GET", "/readyz"), 200) == {"status": "ready"}

    gess.db_stop()
    try:
        # /readyz notices (allow a moment for the pool to see the loss).
        def readyz_503():
            r = gess.req("GET", "/readyz")
            return r if r.status_code == 503 else None

        r = h.wait_until(readyz_503, 10, what="/readyz 503")
        h.assert_unavailable(r)

        t0 = time.monotonic()
        r = gess.req("GET", "/v1/me", headers=u["headers"])
        elapsed = time.monotonic() - t0
        h.assert_unavailable(r)
        assert elapsed < 8, f"503 took {elapsed:.1f}s"

        r = gess.req("POST", "/v1/tokens", json={"email": u["email"], "password": u["password"]})
        h.assert_unavailable(r)

        email = h.unique_email("outage")
        r = gess.req("POST", "/v1/accounts", json=h.signup_body(email=email))
        h.assert_problem(r, 503, "service-unavailable")

        # No token at all is still 401: no database is needed to say so.
        r = gess.req("GET", "/v1/me")
        h.assert_problem(r, 401, "unauthorized")

        # The process is up.
        assert h.assert_json(gess.req("GET", "/healthz"), 200) == {"status": "ok"}
        assert gess.req("GET", "/metrics").status_code == 200
        assert gess.main.proc.poll() is None
        # Still up a bit later (reconnect back-off must not crash it).
        time.sleep(1.5)
        assert gess.main.proc.poll() is None
        r = gess.req("GET", "/readyz")
        h.assert_problem(r, 503, "service-unavailable")
    finally:
        gess.db_start()

    t_start = time.monotonic()

    def recovered():
        r1 = gess.req("GET", "/readyz")
        r2 = gess.req("GET", "/v1/me", headers=u["headers"])
        return r1.status_code == 200 and r2.status_code == 200

    h.wait_until(recovered, 10, interval=0.2, what="recovery after the database restarted")
    took = time.monotonic() - t_start

    # Every connection of every worker works again: a burst of reads all succeed.
    statuses = [gess.req("GET", "/v1/me", headers=u["headers"]).status_code for _ in range(40)]
    assert statuses == [200] * 40, statuses
    r = gess.req("POST", "/v1/accounts", json=h.signup_body(email=email))
    h.assert_json(r, 201)
    assert gess.main.proc.poll() is None
    print(f"recovered in {took:.1f}s")


def test_database_down_at_startup(gess):
    """serve with an unreachable database: either refuses to start (non-zero) or serves 503s."""
    port = h.free_port()
    inst = gess.spawn(env={"GESS_DATABASE_URL": f"postgresql://gess:x@127.0.0.1:{port}/gess"},
                      wait=False)
    deadline = time.monotonic() + 15
    outcome = None
    while time.monotonic() < deadline:
        if inst.proc.poll() is not None:
            outcome = ("exit", inst.proc.returncode)
            break
        try:
            r = requests.get(inst.base + "/readyz", timeout=2)
            outcome = ("http", r.status_code)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    inst.stop()
    assert outcome is not None, "neither exited nor answered"
    if outcome[0] == "exit":
        assert outcome[1] != 0
        assert inst.log_text().strip(), "exited without saying why"
    else:
        assert outcome[1] == 503, outcome


WORKERS = 3
POOL_SIZE = 3
READERS = 12


def test_immediate_stop_under_load(gess):
    """pg_ctl stop -m immediate while requests are using the pool: 503 problems with
    Retry-After at once, gessd stays up, serves within 2 s of PostgreSQL's return and
    gets every pool and LISTEN connection back (/metrics)."""
    u = h.fast_user(gess)
    inst = gess.spawn(name="gessd-immediate",
                      env={"GESS_WORKERS": WORKERS, "GESS_DB_POOL_SIZE": POOL_SIZE})
    h.time_until_served(lambda: h.all_connected(inst.base, WORKERS, POOL_SIZE), 10)
    app = gess.sql("SELECT application_name, count(*) FROM pg_stat_activity"
                   " WHERE application_name LIKE 'gessd%%' GROUP BY 1")
    assert dict(app).get("gessd-listen", 0) >= WORKERS, app
    print(f"\nconnections before the stop: {dict(app)};"
          f" gessd processes alive: {sum(i.proc.poll() is None for i in gess.instances)}")

    me = inst.base + "/v1/me"
    stop = threading.Event()
    down = threading.Event()
    seen = collections.Counter()
    slowest_503 = [0.0]
    bad = []
    lock = threading.Lock()

    def reader():
        s = requests.Session()
        while not stop.is_set():
            t = time.monotonic()
            try:
                r = s.get(me, headers=u["headers"], timeout=10)
            except requests.RequestException as e:
                with lock:
                    bad.append(repr(e))
                s = requests.Session()
                continue
            took = time.monotonic() - t
            try:
                h.check_common(r)
                if r.status_code == 503:
                    h.assert_unavailable(r)
                    with lock:
                        slowest_503[0] = max(slowest_503[0], took)
                else:
                    assert r.status_code == 200, f"{r.status_code}: {r.text[:300]}"
            except AssertionError as e:
                with lock:
                    bad.append(str(e))
            with lock:
                seen[(down.is_set(), r.status_code)] += 1

    threads = [threading.Thread(target=reader) for _ in range(READERS)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.3)  # the readers are using every worker's pool
        down.set()
        t_down = time.monotonic()
        gess.db_stop(immediate=True)

        def unavailable():
            r = h.call("GET", me, headers=u["headers"], timeout=5)
            return r if r.status_code == 503 else None

        h.assert_unavailable(h.wait_until(unavailable, 5, interval=0.05, what="a 503"))
        first_503 = time.monotonic() - t_down
        # Down for a while (the reconnect back-off grows): still up, still 503, fast.
        time.sleep(1.5)
        t = time.monotonic()
        h.assert_unavailable(h.call("GET", me, headers=u["headers"], timeout=5))
        assert time.monotonic() - t < 1, "a 503 while the database is down took over 1 s"
        assert h.assert_json(h.call("GET", inst.base + "/healthz"), 200) == {"status": "ok"}
        pool, listen = h.db_connections(inst.base)
        assert listen == {str(i): 0 for i in range(WORKERS)}, listen
        assert pool.get("idle", 0) + pool.get("in_use", 0) == 0, pool
        assert inst.proc.poll() is None
    finally:
        gess.db_start()
    t_up = time.monotonic()
    try:
        serving = h.time_until_served(
            lambda: h.call("GET", me, headers=u["headers"], timeout=2).status_code == 200,
            10, since=t_up)
        reconnected = h.time_until_served(
            lambda: h.all_connected(inst.base, WORKERS, POOL_SIZE), 10, since=t_up)
    finally:
        stop.set()
        for t in threads:
            t.join(15)
    print(f"\nimmediate stop: first 503 after {first_503:.2f}s, slowest 503 {slowest_503[0]:.2f}s;"
          f" serving {serving:.2f}s and every connection back {reconnected:.2f}s after"
          f" PostgreSQL returned; answers {dict(seen)}")
    assert bad == [], bad[:5]
    # Before the stop every read was served (the pool kept up with the readers).
    assert seen[(False, 200)] > 0 and seen[(False, 503)] == 0 and seen[(True, 503)] > 0, dict(seen)
    assert slowest_503[0] < 2, f"a 503 took {slowest_503[0]:.2f}s"
    assert serving < 2, f"serving {serving:.2f}s after PostgreSQL returned"
    assert reconnected < 2, f"connections back {reconnected:.2f}s after PostgreSQL returned"
    statuses = [h.call("GET", me, headers=u["headers"]).status_code for _ in range(30)]
    assert statuses == [200] * 30, statuses
    assert inst.proc.poll() is None
    inst.stop()
    # The session's gessd is back as well, for the tests after this one.
    h.wait_until(lambda: gess.req("GET", "/readyz").status_code == 200, 10, what="main /readyz")
