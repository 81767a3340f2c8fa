"""Failed-login limits and the indistinguishable invalid-credentials answer."""
import statistics
import time

import gesshelp as h


def _login(gess, email, password, **kw):
    return gess.req("POST", "/v1/tokens", json={"email": email, "password": password}, **kw)


def test_brute_force_gets_429(gess):
    gess.reset_login_limits()
    try:
        body, _ = gess.signup()
        statuses = []
        got = None
        for i in range(20):
            r = _login(gess, body["email"], f"wrong-password-{i}-Xy9#")
            statuses.append(r.status_code)
            if r.status_code == 429:
                got = r
                break
            h.assert_problem(r, 401, "invalid-credentials")
        assert got is not None, f"no 429 after 20 wrong passwords: {statuses}"
        # login_pair_max defaults to 5: then this address backs off for
        # login_backoff_s (30 s), doubled with each further failure.
        assert statuses.count(401) == 5, statuses
        h.assert_problem(got, 429, "too-many-requests")
        ra = got.headers.get("Retry-After")
        assert ra is not None and ra.isdigit() and 0 < int(ra) <= 30, f"Retry-After: {ra!r}"

        # Still limited on the next try, and the limit is per email and
        # address: another account from the same address can log in.
        h.assert_problem(_login(gess, body["email"], "another-wrong-one-Xy9#"), 429,
                         "too-many-requests")
        other, _ = gess.signup()
        gess.login(other["email"], other["password"])
        # The counters live in PostgreSQL.
        assert gess.count("login_attempts") >= 1
        # Once the counters are gone, the right password works again.
        gess.reset_login_limits()
        gess.login(body["email"], body["password"])
    finally:
        gess.reset_login_limits()


def test_per_address_limit(gess):
    """login_max_per_address: many emails from one address -> 429 (own instance, small limit)."""
    inst = gess.spawn(env={"GESS_LOGIN_MAX_PER_ADDRESS": "5", "GESS_LOGIN_MAX_PER_EMAIL": "100",
                           "GESS_WORKERS": "1"})
    gess.reset_login_limits()
    try:
        statuses = []
        for i in range(10):
            r = h.call("POST", inst.base + "/v1/tokens",
                       json={"email": h.unique_email("addr"), "password": "Wrong-pass-123-Xy"})
            statuses.append(r.status_code)
            if r.status_code == 429:
                h.assert_problem(r, 429, "too-many-requests")
                assert r.headers.get("Retry-After", "").isdigit()
                break
        assert 429 in statuses and statuses.count(401) == 5, statuses
    finally:
        gess.reset_login_limits()
        assert inst.stop() == 0


def test_refused_for_load_does_not_count_as_failed_login(gess):
    """Correct-password logins refused with 503 (hash queue full) are not failed logins."""
    import concurrent.futures
    # The burst must stay under every limit, the pair's too: attempts are
    # counted before the hash, so eight in flight at once count eight.
    inst = gess.spawn(env={"GESS_HASH_THREADS": "1", "GESS_HASH_QUEUE_MAX": "1",
                           "GESS_WORKERS": "1", "GESS_LOGIN_PAIR_MAX": "20"})
    gess.reset_login_limits()
    try:
        body, _ = gess.signup()
        creds = {"email": body["email"], "password": body["password"]}

        def login(_):
            return h.call("POST", inst.base + "/v1/tokens", json=creds).status_code

        # Eight at once (under every limit, so no 429 from the burst itself).
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
            statuses = list(ex.map(login, range(8)))
        assert statuses.count(503) >= 1, f"hash queue never overflowed: {statuses}"
        assert set(statuses) <= {201, 503}, statuses
        # Only correct passwords were sent: no failed login may be left on the books
        # (neither for the email nor for the address).
        # (sign-ups count too, under 's:' keys: not failed logins)
        left = gess.sql("SELECT key, count FROM login_attempts"
                        " WHERE count > 0 AND key NOT LIKE 's:%%'")
        assert left == [], (f"after {statuses.count(503)} logins refused with 503, "
                            f"login_attempts still holds {left}")
    finally:
        gess.reset_login_limits()
        assert inst.stop() == 0


def test_unknown_email_and_wrong_password_are_identical(gess):
    gess.reset_login_limits()
    try:
        body, _ = gess.signup()
        unknown = _login(gess, h.unique_email("nobody"), body["password"])
        wrong = _login(gess, body["email"], "definitely-Wrong-pw-42")
        assert unknown.status_code == wrong.status_code == 401
        h.assert_problem(wrong, 401, "invalid-credentials")
        assert unknown.content == wrong.content, (unknown.content, wrong.content)
        assert unknown.headers.get("Content-Type") == wrong.headers.get("Content-Type")
        assert unknown.headers.get("WWW-Authenticate") == wrong.headers.get("WWW-Authenticate")
        # Spanish too.
        es = {"Accept-Language": "es"}
        u2 = _login(gess, h.unique_email("nobody"), body["password"], headers=es)
        w2 = _login(gess, body["email"], "definitely-Wrong-pw-43", headers=es)
        assert u2.status_code == w2.status_code == 401
        assert u2.content == w2.content
        assert u2.content != wrong.content, "Spanish answer not translated"
    finally:
        gess.reset_login_limits()


def test_unknown_email_takes_as_long_as_wrong_password(gess):
    """An unknown email must cost a hash too, or timing tells which emails exist."""
    gess.reset_login_limits()
    try:
        body, _ = gess.signup()

        def timed(email, pw):
            t = time.perf_counter()
            r = _login(gess, email, pw)
            assert r.status_code == 401, r.text
            return time.perf_counter() - t

        unknown, wrong = [], []
        for i in range(4):
            unknown.append(timed(h.unique_email("ghost"), "Wrong-pass-123-Xy"))
            wrong.append(timed(body["email"], f"Wrong-pass-{i}-Xy"))
        mu, mw = statistics.median(unknown), statistics.median(wrong)
        assert mu > 0.4 * mw, f"unknown email {mu * 1000:.1f} ms vs wrong password {mw * 1000:.1f} ms"
    finally:
        gess.reset_login_limits()
