"""The database goes away and comes back; gessd stays up."""
import time

import requests

import gesshelp as h


def _retry_after(r):
    ra = r.headers.get("Retry-After")
    assert ra is not None and ra.strip().isdigit() and int(ra) >= 1, f"Retry-After: {ra!r}"


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
        h.assert_problem(r, 503, "service-unavailable")
        _retry_after(r)

        t0 = time.monotonic()
        r = gess.req("GET", "/v1/me", headers=u["headers"])
        elapsed = time.monotonic() - t0
        h.assert_problem(r, 503, "service-unavailable")
        _retry_after(r)
        assert elapsed < 8, f"503 took {elapsed:.1f}s"

        r = gess.req("POST", "/v1/tokens", json={"email": u["email"], "password": u["password"]})
        h.assert_problem(r, 503, "service-unavailable")
        _retry_after(r)

        email = h.unique_email("outage")
        r = gess.req("POST", "/v1/accounts", json=h.signup_body(email=email))
        h.assert_problem(r, 503, "service-unavailable")

        # No token at all is still 401 (no database needed to say so) or 503.
        r = gess.req("GET", "/v1/me")
        assert r.status_code in (401, 503), r.text

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
