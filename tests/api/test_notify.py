"""`gessd notify` (issue 16): the outbox delivered to a real SMTP sink
(aiosmtpd, smtphelp.py) or a maildir, retries and dead rows, leases after a
kill, several senders at once, MIME as Python's email package reads it,
erased accounts and priorities."""
import datetime as dt
import email
import email.policy
import json
import os
import signal
import uuid

import icalendar
import pytest

import smtphelp as s


@pytest.fixture
def sink():
    k = s.Sink()
    yield k
    k.stop()


@pytest.fixture
def admin_headers(staff):
    return staff.admin["headers"]


@pytest.fixture(autouse=True)
def _aside(gess):
    s.set_aside_pending(gess)


def tag():
    return "@" + uuid.uuid4().hex[:10] + ".example.org"


def verify(gess, *account_ids):
    """Marks the accounts' addresses proved: with require_verified_email (the
    default) only the verification and reset mails go to an unproved one."""
    gess.sql("UPDATE accounts SET email_verified_at = now() WHERE id = ANY(%s::uuid[])",
             (list(account_ids),))


def status(gess, oid):
    return gess.sql("SELECT status, attempts, last_error FROM outbox WHERE id = %s", (oid,))[0]


def test_451_then_250_is_delivered_once_after_a_retry(gess, sink):
    t = tag()
    rcpt = "fail451once+a" + t
    [oid] = s.insert_rows(gess, "series_event_changed", [rcpt])
    n = s.start_notify(gess, sink)
    s.wait_for(lambda: status(gess, oid)[0] == "sent", 30, "the retried row sent")
    st, attempts, err = status(gess, oid)
    assert attempts == 2 and err is None
    assert len(sink.to(rcpt)) == 1
    assert sink.rcpt_attempts.count(rcpt) == 2
    assert n.stop() == 0


def test_550_is_dead_at_once_listed_and_retried_by_an_admin(gess, sink, admin_headers):
    t = tag()
    rcpt = "fail550+b" + t
    [oid] = s.insert_rows(gess, "series_event_changed", [rcpt])
    s.start_notify(gess, sink)
    s.wait_for(lambda: status(gess, oid)[0] == "dead", 30, "the refused row dead")
    st, attempts, err = status(gess, oid)
    assert attempts == 1 and "550" in err
    assert sink.to(rcpt) == []
    mid = str(gess.sql("SELECT message_id FROM outbox WHERE id = %s", (oid,))[0][0])
    r = gess.req("GET", "/v1/outbox?status=dead&limit=100", headers=admin_headers)
    assert r.status_code == 200, r.text
    item = next(i for i in r.json()["items"] if i["id"] == mid)
    assert item["status"] == "dead" and item["attempts"] == 1 and "550" in item["last_error"]
    # the relay accepts it now: an admin's retry delivers it
    gess.sql("UPDATE outbox SET to_email = %s WHERE id = %s", ("ok+b" + t, oid))
    r = gess.req("POST", f"/v1/outbox/{mid}/retry", headers=admin_headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "pending" and r.json()["attempts"] == 0
    s.wait_for(lambda: status(gess, oid)[0] == "sent", 30, "the retried row sent")
    assert len(sink.to("ok+b" + t)) == 1
    r = gess.req("POST", f"/v1/outbox/{mid}/retry", headers=admin_headers)
    assert r.status_code == 409, r.text


def test_421_and_a_lost_relay_are_retried(gess, sink):
    t = tag()
    rcpt = "fail421+c" + t
    [oid] = s.insert_rows(gess, "series_event_changed", [rcpt])
    n = s.start_notify(gess, sink)
    s.wait_for(lambda: status(gess, oid)[1] >= 2, 30, "two attempts")
    assert status(gess, oid)[0] == "pending"
    assert n.stop() == 0
    # a relay nobody listens on: the same, never dead before mail_give_up_s
    [oid2] = s.insert_rows(gess, "series_event_changed", ["x" + t])
    s.start_notify(gess, env={"GESS_SMTP_URL": "smtp://127.0.0.1:1"}, sink=sink)
    s.wait_for(lambda: status(gess, oid2)[1] >= 2, 30, "two failed attempts")
    st, _, err = status(gess, oid2)
    assert st == "pending" and "reply 0" in err, err


def test_past_give_up_a_temporary_failure_is_dead(gess, sink):
    [oid] = s.insert_rows(gess, "series_event_changed", ["fail421+d" + tag()])
    gess.sql("UPDATE outbox SET due_since = now() - interval '2 days' WHERE id = %s", (oid,))
    s.start_notify(gess, sink)
    s.wait_for(lambda: status(gess, oid)[0] == "dead", 30, "dead past mail_give_up_s")


def test_give_up_counts_from_when_the_row_became_due_not_from_its_writing(gess, sink):
    # a reminder written weeks before its day (next_attempt_at later than
    # created_at), then due now: a temporary failure is retried, not dead
    t = tag()
    [oid] = s.insert_rows(gess, "series_rsvp_reminder", ["fail451once+due" + t])
    gess.sql("UPDATE outbox SET created_at = now() - interval '30 days' WHERE id = %s", (oid,))
    due = gess.sql("SELECT due_since = next_attempt_at FROM outbox WHERE id = %s", (oid,))[0][0]
    assert due
    s.start_notify(gess, sink)
    s.wait_for(lambda: status(gess, oid)[0] == "sent", 30, "sent after the retry")
    assert status(gess, oid)[1] == 2


def test_kill_9_mid_batch_then_restart_delivers_all_500(gess, sink):
    t = tag()
    ids = s.insert_rows(gess, "series_event_changed", [f"k{i}{t}" for i in range(500)])
    sink.delay_s = 0.005  # long enough to be killed in the middle
    n = s.start_notify(gess, sink)
    s.wait_for(lambda: sink.count(t) >= 100, 60, "100 delivered")
    n.stop(sig=signal.SIGKILL)
    assert sink.count(t) < 500
    s.start_notify(gess, sink)
    s.wait_for(lambda: gess.count("outbox", "id = ANY(%s) AND status = 'sent'", (ids,)) == 500,
               120, "all 500 sent")
    got = {m[0] for m in sink.messages if m[0].endswith(t)}
    assert len(got) == 500


def test_two_senders_never_deliver_a_message_twice(gess, sink):
    t = tag()
    ids = s.insert_rows(gess, "series_event_changed", [f"p{i}{t}" for i in range(500)])
    a = s.start_notify(gess, sink)
    b = s.start_notify(gess, sink)
    s.wait_for(lambda: gess.count("outbox", "id = ANY(%s) AND status = 'sent'", (ids,)) == 500,
               120, "all 500 sent")
    mids = sink.message_ids(t)
    assert len(mids) == 500 and len(set(mids)) == 500
    assert a.stop() == 0 and b.stop() == 0
    # both took part (SKIP LOCKED hands each its own rows)
    for inst in (a, b):
        assert "notify started" in inst.log_text()


def test_four_lanes_of_one_sender_never_deliver_a_message_twice(gess, sink):
    """mail_lanes threads claim as separate processes would: each row goes once."""
    t = tag()
    ids = s.insert_rows(gess, "series_event_changed", [f"l{i}{t}" for i in range(300)])
    a = s.start_notify(gess, sink, env={"GESS_MAIL_LANES": "4"})
    s.wait_for(lambda: gess.count("outbox", "id = ANY(%s) AND status = 'sent'", (ids,)) == 300,
               120, "all 300 sent")
    mids = sink.message_ids(t)
    assert len(mids) == 300 and len(set(mids)) == 300
    assert "4 mail lane(s)" in a.log_text()
    assert a.stop() == 0


def test_maildir_writes_readable_messages_in_new(gess, tmp_path):
    d = str(tmp_path / "mail")
    t = tag()
    ids = s.insert_rows(gess, "series_event_changed", [f"m{i}{t}" for i in range(3)])
    s.start_notify(gess, maildir=d)
    s.wait_for(lambda: gess.count("outbox", "id = ANY(%s) AND status = 'sent'", (ids,)) == 3,
               30, "sent")
    files = s.maildir_files(d)
    assert len(files) >= 3
    assert os.listdir(os.path.join(d, "tmp")) == []
    tos = set()
    for f in files:
        with open(f, "rb") as fh:
            m = email.message_from_binary_file(fh, policy=email.policy.default)
        tos.add(str(m["To"]).strip("<>"))
        assert m["Message-ID"].endswith("@gess>")
    assert {f"m{i}{t}" for i in range(3)} <= tos


def test_mime_as_the_email_package_reads_it(gess, sink):
    t = tag()
    _, acc = gess.signup(full_name="José Ñúñez «el Ágil» & <Co> \"Q\"", email="mime" + t)
    rcpt = acc["email"]
    verify(gess, acc["id"])
    long_line = "ñ" * 700  # 1,400 octets on one line of the text (the edition's title)
    payload = json.dumps({
        "registration_id": str(uuid.uuid4()), "status": "confirmed",
        "status_is": {"confirmed": True}, "badge_code": "ABCDEFGHJK",
        "category": {"code": "general", "name": "General"}, "mode": "in_person",
        "mode_is": {"in_person": True},
        "edition": {"slug": "gess-2026", "title": long_line, "starts_on": "2026-08-13",
                    "ends_on": "2026-08-15", "timezone": "America/Lima", "city": "Lima",
                    "venue": None}})
    [oid] = s.insert_rows(gess, "registration_created", [rcpt], payload=payload,
                          account_id=acc["id"])
    gess.sql("UPDATE outbox SET to_email = NULL WHERE id = %s", (oid,))
    mid = gess.sql("SELECT message_id FROM outbox WHERE id = %s", (oid,))[0][0]
    s.start_notify(gess, sink)
    # the sign-up's verification mail goes to the same address: this row's mail by its id
    s.wait_for(lambda: sink.by_message_id(mid), 30, "the mail")
    raw = sink.by_message_id(mid)[0]
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 998
    m = email.message_from_bytes(raw, policy=email.policy.default)
    assert m["To"].addresses[0].display_name == "José Ñúñez «el Ágil» & <Co> \"Q\""
    assert m["To"].addresses[0].addr_spec == rcpt
    for line in raw.split(b"\r\n\r\n")[0].split(b"\r\n"):
        assert len(line) <= 76 or not line.startswith(b"To:"), line
    assert m["Message-ID"] == "<%s@gess>" % gess.sql(
        "SELECT message_id FROM outbox WHERE id = %s", (oid,))[0][0]
    assert m["Date"].datetime is not None
    assert m["MIME-Version"] == "1.0"
    # registration mail: the alternatives and the edition's .ics, to import (no METHOD, no
    # ORGANIZER), with a UID that stays the edition's
    assert m.get_content_type() == "multipart/mixed"
    [alt] = [p for p in m.iter_parts() if p.get_content_type() == "multipart/alternative"]
    [ics] = [p for p in m.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert ics.get_filename() == "gess-2026.ics"
    cal = icalendar.Calendar.from_ical(ics.get_content())
    assert "METHOD" not in cal
    [ev] = [c for c in cal.walk("VEVENT")]
    assert str(ev["UID"]) == "edition-gess-2026@gess" and "ORGANIZER" not in ev
    assert ev.decoded("DTSTART") == dt.date(2026, 8, 13)
    assert ev.decoded("DTEND") == dt.date(2026, 8, 16)  # exclusive
    assert str(ev["SUMMARY"]) == long_line
    assert alt.get_body(("plain",)) is not None
    text = m.get_body(("plain",))
    html = m.get_body(("html",))
    assert text["Content-Transfer-Encoding"] == "quoted-printable"  # a line over 998 octets
    assert long_line in text.get_content()
    assert "List-Unsubscribe" not in m  # not a reminder
    # the name is HTML-escaped in the HTML part and as written in the text part
    assert "&lt;Co&gt;" in html.get_content() and "<Co>" not in html.get_content()
    assert "& <Co>" in text.get_content()


def test_short_lines_go_8bit_and_an_accented_subject_is_rfc2047(gess, sink):
    t = tag()
    rcpt = "short" + t
    payload = json.dumps({
        "event": {"id": str(uuid.uuid4()), "edition": "gess-2026", "title": "Taller en línea",
                  "starts_at": "2026-07-01T23:00:00Z", "ends_at": "2026-07-02T01:00:00Z",
                  "starts_local": "2026-07-01 18:00", "ends_local": "2026-07-01 20:00",
                  "timezone": "America/Lima", "online_url": "https://meet.example.org/x",
                  "format": "online", "format_is": {"online": True}},
        "mode": "online", "mode_is": {"online": True}, "changed": {"starts_at": True},
        "previous": {"starts_at": "2026-06-30 18:00"}})
    [oid] = s.insert_rows(gess, "series_event_changed", [rcpt], payload=payload)
    s.start_notify(gess, sink)
    s.wait_for(lambda: sink.to(rcpt), 30, "the mail")
    m = sink.parsed(rcpt)[0]
    for part in (m.get_body(("plain",)), m.get_body(("html",))):
        assert part["Content-Transfer-Encoding"] == "8bit"
        assert "línea" in part.get_content()


def test_erased_accounts_pending_mail_is_not_sent(gess, sink):
    t = tag()
    _, acc = gess.signup(email="erased" + t)
    [oid] = s.insert_rows(gess, "series_event_changed", [None], account_id=acc["id"])
    gess.sql("UPDATE outbox SET to_email = NULL WHERE id = %s", (oid,))
    gess.sql("DELETE FROM accounts WHERE id = %s", (acc["id"],))
    s.start_notify(gess, sink)
    s.wait_for(lambda: status(gess, oid)[0] == "dead", 30, "dropped")
    assert status(gess, oid)[2] == "no recipient"
    assert sink.to("erased" + t) == []


def test_a_verification_overtakes_100_reminders_on_a_throttled_relay(gess, sink):
    t = tag()
    s.insert_rows(gess, "series_rsvp_reminder", [f"r{i}{t}" for i in range(100)])
    n = s.start_notify(gess, sink, env={"GESS_SMTP_RATE_PER_MINUTE": "600"})
    s.wait_for(lambda: sink.count(t) >= 1, 30, "the first reminder")
    [vid] = s.insert_rows(gess, "email_verification", ["verify" + t], payload='{"token": "x"}')
    assert gess.sql("SELECT priority FROM outbox WHERE id = %s", (vid,))[0][0] == 0
    s.wait_for(lambda: sink.to("verify" + t), 30, "the verification")
    with sink.lock:
        order = [m[0] for m in sink.messages if m[0].endswith(t)]
    assert order.index("verify" + t) < 30, order.index("verify" + t)
    n.stop()


def test_sigterm_hands_back_the_unsent_claim(gess, sink):
    t = tag()
    ids = s.insert_rows(gess, "series_event_changed", [f"g{i}{t}" for i in range(40)])
    n = s.start_notify(gess, sink, env={"GESS_SMTP_RATE_PER_MINUTE": "600"})
    s.wait_for(lambda: sink.count(t) >= 2, 30, "two delivered")
    assert n.stop() == 0
    leased = gess.count("outbox", "id = ANY(%s) AND status = 'pending' AND locked_until > now()",
                        (ids,))
    assert leased == 0
    sent = gess.count("outbox", "id = ANY(%s) AND status = 'sent'", (ids,))
    assert sent == sink.count(t)


def _has_account_column(gess, name):
    return gess.sql("SELECT count(*) FROM information_schema.columns"
                    " WHERE table_name = 'accounts' AND column_name = %s", (name,))[0][0] == 1


def test_reminders_carry_list_unsubscribe_and_skip_opted_out_accounts(gess, sink):
    if not _has_account_column(gess, "unsubscribe_key"):
        pytest.skip("accounts.unsubscribe_key comes with the account flows (0020)")
    t = tag()
    _, a = gess.signup(email="remind" + t)
    _, b = gess.signup(email="optout" + t)
    gess.sql("UPDATE accounts SET reminders_opt_out = true WHERE id = %s", (b["id"],))
    verify(gess, a["id"], b["id"])
    [ra] = s.insert_rows(gess, "series_rsvp_reminder", [None], account_id=a["id"])
    [rb] = s.insert_rows(gess, "series_rsvp_reminder", [None], account_id=b["id"])
    s.start_notify(gess, sink)
    s.wait_for(lambda: status(gess, ra)[0] == "sent" and status(gess, rb)[0] == "dead", 30,
               "the reminder sent and the opted-out one dropped")
    key = gess.sql("SELECT unsubscribe_key FROM accounts WHERE id = %s", (a["id"],))[0][0]
    mid_a, mid_b = (gess.sql("SELECT message_id FROM outbox WHERE id = %s", (i,))[0][0]
                    for i in (ra, rb))
    [raw] = sink.by_message_id(mid_a)  # (the sign-ups' verification mails go there too)
    m = email.message_from_bytes(raw, policy=email.policy.default)
    assert m["List-Unsubscribe"] == f"<https://gess.test/v1/unsubscribe?token={key}>"
    assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sink.by_message_id(mid_b) == []


def test_a_mail_outlasting_its_lease_is_cut_and_a_late_outcome_changes_nothing(gess, sink):
    # the lease is 3 s (FAST) and the relay takes 10 s to accept: the transfer
    # ends within the lease (less a second), so no other sender has the row
    sink.slow_s = 10
    [oid] = s.insert_rows(gess, "series_event_changed", ["slow+lease" + tag()])
    n = s.start_notify(gess, sink)
    s.wait_for(lambda: status(gess, oid)[2] is not None, 8, "the slow attempt cut")
    st, attempts, err = status(gess, oid)
    assert st == "pending" and attempts == 1 and "imeout" in err, err
    n.stop()
    # an outcome under a lock that is no longer the row's (a lease that ran
    # out and was claimed again) changes nothing
    gess.sql("UPDATE outbox SET next_attempt_at = now(), locked_until = NULL,"
             " last_error = NULL WHERE id = %s", (oid,))
    [(cid, lock)] = gess.sql("SELECT id, locked_until FROM outbox_claim('mail', 10, 60)")
    assert cid == oid
    gess.sql("UPDATE outbox SET locked_until = now() + interval '2 minutes' WHERE id = %s", (oid,))
    assert gess.sql("SELECT outbox_delivered(%s, %s)", ([oid], lock))[0][0] == 0
    gess.sql("SELECT outbox_failed(%s, 'late', NULL, %s)", (oid, lock))
    assert status(gess, oid) == ("pending", 2, None)
    # under the row's own lock it is recorded
    [(cur,)] = gess.sql("SELECT locked_until FROM outbox WHERE id = %s", (oid,))
    assert gess.sql("SELECT outbox_delivered(%s, %s)", ([oid], cur))[0][0] == 1


def test_a_5xx_to_mail_from_is_the_relays_and_retried_not_dead(gess, sink):
    sink.mail_reply = "530 5.7.0 Authentication required"
    t = tag()
    [oid] = s.insert_rows(gess, "series_event_changed", ["auth" + t])
    s.start_notify(gess, sink)
    s.wait_for(lambda: status(gess, oid)[1] >= 2, 30, "two attempts")
    st, _, err = status(gess, oid)
    assert st == "pending" and "530" in err, err
    sink.mail_reply = None  # the relay's configuration fixed: the mail goes
    s.wait_for(lambda: status(gess, oid)[0] == "sent", 30, "sent once the relay takes it")
    assert len(sink.to("auth" + t)) == 1


def test_the_start_line_keeps_the_relays_password_out(gess, sink):
    url = f"smtp://someone:s3cr3tpw@127.0.0.1:{sink.port}"
    n = s.start_notify(gess, sink, env={"GESS_SMTP_URL": url})
    log = n.log_text()
    assert "s3cr3tpw" not in log and "someone" not in log
    assert f"via smtp://127.0.0.1:{sink.port}" in log
    n.stop()


def test_an_error_cut_inside_a_character_is_still_recorded(gess, sink):
    # "not an address: %.100s" cuts this one inside a two-byte ñ: the error
    # text is made valid UTF-8, else the database refused it and the row
    # stayed leased
    bad = "a" + "ñ" * 60 + "<x>@example.org"
    [oid] = s.insert_rows(gess, "series_event_changed", [bad])
    s.start_notify(gess, sink)
    s.wait_for(lambda: status(gess, oid)[0] == "dead", 30, "dead, its error recorded")
    assert "not an address" in status(gess, oid)[2]


def test_unverified_addresses_get_only_the_mail_that_proves_them(gess, sink):
    t = tag()
    _, acc = gess.signup(email="unproved" + t)
    [rid, vid] = [s.insert_rows(gess, k, [None], payload=p, account_id=acc["id"])[0]
                  for k, p in (("series_event_changed", '{"n": 1}'),
                               ("email_verification", '{"token": "tok-x"}'))]
    gess.sql("UPDATE outbox SET to_email = NULL WHERE id = ANY(%s)", ([rid, vid],))
    s.start_notify(gess, sink)
    s.wait_for(lambda: status(gess, rid)[0] == "dead" and status(gess, vid)[0] == "sent", 30,
               "the change notice held back, the verification sent")
    assert status(gess, rid)[2] == "address not verified"
    mids = [gess.sql("SELECT message_id FROM outbox WHERE id = %s", (i,))[0][0]
            for i in (rid, vid)]
    assert sink.by_message_id(mids[0]) == [] and len(sink.by_message_id(mids[1])) == 1
    # a sent token is dropped from the row at once (it stays on a dead one)
    [(payload,)] = gess.sql("SELECT payload FROM outbox WHERE id = %s", (vid,))
    assert "token" not in payload
    # a proved address gets the rest
    verify(gess, acc["id"])
    [oid] = s.insert_rows(gess, "series_event_changed", [None], account_id=acc["id"])
    gess.sql("UPDATE outbox SET to_email = NULL WHERE id = %s", (oid,))
    s.wait_for(lambda: status(gess, oid)[0] == "sent", 30, "sent once proved")


def test_a_dead_row_whose_payload_was_purged_is_not_retried(gess, admin_headers):
    [oid] = s.insert_rows(gess, "series_event_changed", ["purged" + tag()])
    gess.sql("UPDATE outbox SET status = 'dead', payload = '{}' WHERE id = %s", (oid,))
    mid = gess.sql("SELECT message_id FROM outbox WHERE id = %s", (oid,))[0][0]
    r = gess.req("POST", f"/v1/outbox/{mid}/retry", headers=admin_headers)
    assert r.status_code == 409, r.text
    assert r.json()["type"].endswith("invalid-state"), r.text


def test_an_admins_retry_counts_give_up_from_the_retry(gess, admin_headers):
    [oid] = s.insert_rows(gess, "series_event_changed", ["retried" + tag()])
    gess.sql("UPDATE outbox SET status = 'dead', created_at = now() - interval '9 days',"
             " due_since = now() - interval '9 days' WHERE id = %s", (oid,))
    mid = gess.sql("SELECT message_id FROM outbox WHERE id = %s", (oid,))[0][0]
    r = gess.req("POST", f"/v1/outbox/{mid}/retry", headers=admin_headers)
    assert r.status_code == 200, r.text
    assert gess.sql("SELECT due_since > now() - interval '1 minute' FROM outbox WHERE id = %s",
                    (oid,))[0][0]
    idx = gess.sql("SELECT indexdef FROM pg_indexes WHERE indexname = 'outbox_reminder_event'")
    assert idx and "series_rsvp_reminder" in idx[0][0]


def test_a_failed_record_of_delivery_is_kept_and_recorded_later_not_sent_again(gess, sink):
    # recording the delivery fails on a good connection (a statement error:
    # here the lane's role may not run outbox_delivered for a while): the
    # lane keeps its done list and records it on a later try, within the
    # lease, so the mail is not sent a second time once the lease is over
    fn = "outbox_delivered(bigint[], timestamptz)"
    n = s.start_notify(gess, sink, env={"GESS_OUTBOX_LEASE_S": "20"})
    gess.sql(f"REVOKE EXECUTE ON FUNCTION {fn} FROM PUBLIC, gess_app")
    try:
        t = tag()
        [oid] = s.insert_rows(gess, "series_event_changed", ["rec" + t])
        s.wait_for(lambda: sink.to("rec" + t), 30, "the mail received")
        s.wait_for(lambda: "permission denied" in n.log_text(), 10, "the record refused")
        assert status(gess, oid)[0] == "pending"
    finally:
        gess.sql(f"GRANT EXECUTE ON FUNCTION {fn} TO PUBLIC, gess_app")
    s.wait_for(lambda: status(gess, oid)[0] == "sent", 10, "recorded once allowed")
    assert len(sink.to("rec" + t)) == 1 and status(gess, oid)[1] == 1
    assert n.stop() == 0
