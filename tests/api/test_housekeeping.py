"""The housekeeping task: expired tokens, idempotency keys past 24 h and
login_attempts rows past their window go; everything still in force stays.
Run through the real task of a gessd with a one-second interval."""
import uuid

import gesshelp as h


def _token(gess, account, **cols):
    """A token row with the given times; returns its id."""
    sets = {"expires_at": "now() + interval '30 days'", "last_used_at": "now()"}
    sets.update(cols)
    return gess.sql(
        "INSERT INTO tokens (account_id, token_hash, expires_at, last_used_at)"
        " VALUES (%s, decode(md5(random()::text) || md5(random()::text), 'hex'),"
        f" {sets['expires_at']}, {sets['last_used_at']})"
        " RETURNING id", (account,))[0][0]


def test_housekeeping_deletes_what_is_past_and_keeps_the_rest(gess):
    _, acc = gess.signup()
    account = acc["id"]
    tag = uuid.uuid4().hex[:12]
    expired = _token(gess, account, expires_at="now() - interval '1 minute'")
    idle = _token(gess, account, last_used_at="now() - interval '8 days'")  # token_idle_s: 7 days
    live = _token(gess, account, last_used_at="now() - interval '6 days'")
    gess.sql("INSERT INTO idempotency_keys (account_id, key, request_hash, status, body, created_at)"
             " VALUES (%s, %s, '\\x00', 201, '{}', now() - interval '25 hours'),"
             "        (%s, %s, '\\x00', 201, '{}', now() - interval '23 hours')",
             (account, f"old-{tag}", account, f"fresh-{tag}"))
    # login_window_s 600, login_pair_max 5, login_backoff_s 30 (the defaults)
    rows = {
        f"e:old-{tag}@example.org": ("now() - interval '11 minutes'", 3, "now() - interval '11 minutes'"),
        f"e:fresh-{tag}@example.org": ("now() - interval '5 minutes'", 3, "now() - interval '5 minutes'"),
        f"s:old-{tag}": ("now() - interval '11 minutes'", 9, "now() - interval '11 minutes'"),
        # one failure 11 minutes ago: no wait, forgotten after the window
        f"p:192.0.2.1 old-{tag}@example.org": ("now() - interval '11 minutes'", 1,
                                               "now() - interval '11 minutes'"),
        # ten failures, the last 15 minutes ago: a 10-minute wait, then a
        # whole window before it is forgotten (5 minutes from now)
        f"p:192.0.2.1 blocked-{tag}@example.org": ("now() - interval '1 hour'", 10,
                                                   "now() - interval '15 minutes'"),
    }
    for key, (start, count, last) in rows.items():
        gess.sql("INSERT INTO login_attempts (key, window_start, count, last_at)"
                 f" VALUES (%s, {start}, %s, {last})", (key, count))

    inst = gess.spawn(env={"GESS_WORKERS": "1", "GESS_HOUSEKEEPING_INTERVAL": "1"})
    try:
        h.wait_until(lambda: gess.count("tokens", "id = %s", (expired,)) == 0
                     and gess.count("login_attempts", "key LIKE %s", (f"%old-{tag}%",)) == 0,
                     timeout=15, what="housekeeping to run")
        h.wait_until(lambda: "task housekeeping: deleted" in inst.log_text(), timeout=5,
                     what="the housekeeping log line")
    finally:
        assert inst.stop() == 0
    assert gess.count("tokens", "id = %s", (idle,)) == 0
    assert gess.count("tokens", "id = %s", (live,)) == 1
    keys = [k for (k,) in gess.sql("SELECT key FROM idempotency_keys WHERE account_id = %s",
                                    (account,))]
    assert keys == [f"fresh-{tag}"], keys
    left = sorted(k for (k,) in gess.sql("SELECT key FROM login_attempts WHERE key LIKE %s",
                                         (f"%{tag}%",)))
    assert left == sorted([f"e:fresh-{tag}@example.org",
                           f"p:192.0.2.1 blocked-{tag}@example.org"]), left
