"""Account flows (issue 16): email verification, password reset, PATCH /v1/me, the
account's language, one-click unsubscribe, the 403 email-unverified of registration, and
the mail in the export. Nothing delivers mail here: the tokens are read from the outbox
rows (payload {token}) that the flows write in their own transactions."""
import hashlib
import uuid

import pytest

import gesshelp as h

VERIFY = "/v1/email-verifications"
RESEND = "/v1/email-verifications/resend"
RESET = "/v1/password-resets"
CONFIRM = "/v1/password-resets/confirm"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(autouse=True)
def _fresh_mail_budget(gess):
    """Every test here starts with the account-mail limits unspent: they count per client
    address, and every test asks from 127.0.0.1."""
    gess.sql("DELETE FROM account_mail_attempts")
    yield


def _mails(gess, account_id, kind):
    return gess.count("outbox", "account_id = %s AND kind = %s", (account_id, kind))


def _token_hash(token):
    return hashlib.sha256(token.encode()).digest()


def _expire(gess, token):
    gess.sql("UPDATE account_tokens SET expires_at = now() - interval '1 second'"
             " WHERE token_hash = %s", (_token_hash(token),))


def _fields(r):
    return h.error_fields(h.assert_problem(r, 422, "validation-failed"))


# --- sign-up and verification ------------------------------------------------------------------

def test_signup_writes_one_verification_mail_and_keeps_only_its_hash(gess):
    body, acc = gess.signup()
    assert acc["email_verified"] is False and acc["language"] == "es", acc
    assert _mails(gess, acc["id"], "email_verification") == 1
    token = gess.mailed_token(acc["id"])
    assert len(token) == 43, token
    rows = gess.sql("SELECT purpose, token_hash, expires_at - created_at FROM account_tokens"
                    " WHERE account_id = %s", (acc["id"],))
    assert len(rows) == 1 and rows[0][0] == "verify", rows
    assert bytes(rows[0][1]) == _token_hash(token)
    assert rows[0][2].total_seconds() == 48 * 3600


def test_signup_takes_a_language(gess):
    _, acc = gess.signup(language="en")
    assert acc["language"] == "en"
    r = gess.req("POST", "/v1/accounts", json=h.signup_body(language="fr"))
    assert "language" in _fields(r)


def test_verification_is_single_use(gess):
    who = gess.user(verified=False)
    me = h.assert_json(gess.req("GET", "/v1/me", headers=who["headers"]), 200)
    assert me["email_verified"] is False
    token = gess.mailed_token(who["account"]["id"])
    acc = h.assert_json(gess.req("POST", VERIFY, json={"token": token}), 200)
    assert acc["email_verified"] is True and acc["id"] == who["account"]["id"]
    me = h.assert_json(gess.req("GET", "/v1/me", headers=who["headers"]), 200)
    assert me["email_verified"] is True
    again = gess.req("POST", VERIFY, json={"token": token})
    assert _fields(again) == ["token"]


def test_verification_expires(gess):
    _, acc = gess.signup()
    token = gess.mailed_token(acc["id"])
    _expire(gess, token)
    assert _fields(gess.req("POST", VERIFY, json={"token": token})) == ["token"]
    assert gess.sql("SELECT email_verified_at FROM accounts WHERE id = %s",
                    (acc["id"],))[0][0] is None


@pytest.mark.parametrize("token", ["", "short", "x" * 43, "a" * 42 + "!", None, 12])
def test_verification_refuses_what_is_no_token(gess, token):
    x = "A" * 43 if token == "x" * 43 else token  # well-formed but never issued
    assert _fields(gess.req("POST", VERIFY, json={"token": x})) == ["token"]


def test_resend_is_throttled_per_email(gess):
    who = gess.user(verified=False)
    aid = who["account"]["id"]
    for _ in range(3):
        r = gess.req("POST", RESEND, headers=who["headers"])
        assert h.assert_json(r, 202) == {"status": "accepted"}
    assert _mails(gess, aid, "email_verification") == 4  # the sign-up's and three more
    r = gess.req("POST", RESEND, headers=who["headers"])
    h.assert_problem(r, 429, "too-many-requests")
    assert 3000 < int(r.headers["Retry-After"]) <= 3600, r.headers
    assert _mails(gess, aid, "email_verification") == 4
    # every token mailed works until one is used
    token = gess.mailed_token(aid)
    h.assert_json(gess.req("POST", VERIFY, json={"token": token}), 200)


def test_resend_is_throttled_per_address(gess):
    """(The default per address is 200, for a venue's network; 10 here, on an instance of
    its own, so the test stays short.)"""
    inst = gess.spawn(env={"GESS_ACCOUNT_MAIL_MAX_PER_ADDRESS": "10"})
    people = [gess.user(verified=False) for _ in range(4)]
    statuses = [h.call("POST", inst.base + RESEND, headers=p["headers"]).status_code
                for p in people for _ in range(3)]
    assert statuses == [202] * 10 + [429] * 2, statuses


def test_resend_to_a_verified_address_sends_nothing(gess, user):
    before = _mails(gess, user["account"]["id"], "email_verification")
    h.assert_json(gess.req("POST", RESEND, headers=user["headers"], json={}), 202)
    assert _mails(gess, user["account"]["id"], "email_verification") == before


# --- password reset ----------------------------------------------------------------------------

def _reset_token(gess, who):
    h.assert_json(gess.req("POST", RESET, json={"email": who["email"].upper()}), 202)
    return gess.mailed_token(who["account"]["id"], "password_reset")


def test_reset_of_an_unknown_email_is_202_and_writes_no_mail(gess):
    before = gess.count("outbox", "kind = 'password_reset'")
    r = gess.req("POST", RESET, json={"email": h.unique_email("nobody")})
    assert h.assert_json(r, 202) == {"status": "accepted"}
    assert gess.count("outbox", "kind = 'password_reset'") == before
    assert _fields(gess.req("POST", RESET, json={"email": "not an email"})) == ["email"]


def test_a_password_change_spends_a_pending_reset(gess):
    """A reset asked for before a password change must not undo the change afterwards."""
    who = gess.user()
    token = _reset_token(gess, who)
    new = h.strong_password()
    r = gess.req("PUT", "/v1/me/password", headers=who["headers"],
                 json={"current_password": who["password"], "new_password": new})
    assert r.status_code == 204, r.text
    r = gess.req("POST", CONFIRM, json={"token": token, "new_password": h.strong_password()})
    assert _fields(r) == ["token"]
    assert gess.login(who["email"], new)


def test_reset_sets_the_password_and_revokes_every_token(gess):
    who = gess.user()
    second = gess.login(who["email"], who["password"])
    token = _reset_token(gess, who)
    assert _mails(gess, who["account"]["id"], "password_reset") == 1
    new = h.strong_password()
    r = gess.req("POST", CONFIRM, json={"token": token, "new_password": new})
    assert r.status_code == 204, r.text
    for t in (who["token"], second):
        h.assert_problem(gess.req("GET", "/v1/me", headers=h.bearer(t)), 401, "unauthorized")
    r = gess.req("POST", "/v1/tokens", json={"email": who["email"], "password": who["password"]})
    h.assert_problem(r, 401, "invalid-credentials")
    gess.login(who["email"], new)
    # single use
    r = gess.req("POST", CONFIRM, json={"token": token, "new_password": h.strong_password()})
    assert _fields(r) == ["token"]
    gess.login(who["email"], new)


def test_reset_refuses_a_weak_password_and_keeps_the_token(gess):
    who = gess.user()
    token = _reset_token(gess, who)
    for weak in ("password123", who["email"], "corto"):
        r = gess.req("POST", CONFIRM, json={"token": token, "new_password": weak})
        assert _fields(r) == ["new_password"], weak
    gess.login(who["email"], who["password"])  # nothing changed
    # weak because it is the person's own name: known only once the token is read
    name = "Wilfredo Ccahuana Quispe"
    _, acc = gess.signup(full_name=name)
    person = {"email": acc["email"], "account": acc}
    token2 = _reset_token(gess, person)
    r = gess.req("POST", CONFIRM, json={"token": token2, "new_password": name})
    assert _fields(r) == ["new_password"]
    r = gess.req("POST", CONFIRM, json={"token": token, "new_password": h.strong_password()})
    assert r.status_code == 204, r.text


def test_reset_token_expires_and_bad_ones_are_named(gess):
    who = gess.user()
    token = _reset_token(gess, who)
    _expire(gess, token)
    r = gess.req("POST", CONFIRM, json={"token": token, "new_password": h.strong_password()})
    assert _fields(r) == ["token"]
    r = gess.req("POST", CONFIRM, json={"token": "short", "new_password": "x"})
    assert sorted(_fields(r)) == ["new_password", "token"]
    # a verification token is no reset token
    _, acc = gess.signup()
    r = gess.req("POST", CONFIRM, json={"token": gess.mailed_token(acc["id"]),
                                        "new_password": h.strong_password()})
    assert _fields(r) == ["token"]


def test_throttled_reset_is_202_and_writes_no_mail(gess):
    who = gess.user()
    for _ in range(3):
        _reset_token(gess, who)
    assert _mails(gess, who["account"]["id"], "password_reset") == 3
    r = gess.req("POST", RESET, json={"email": who["email"]})
    assert h.assert_json(r, 202) == {"status": "accepted"}
    assert _mails(gess, who["account"]["id"], "password_reset") == 3


def test_a_reset_verifies_the_address(gess):
    _, acc = gess.signup()
    token = _reset_token(gess, {"email": acc["email"], "account": acc})
    r = gess.req("POST", CONFIRM, json={"token": token, "new_password": h.strong_password()})
    assert r.status_code == 204
    assert gess.sql("SELECT email_verified_at IS NOT NULL FROM accounts WHERE id = %s",
                    (acc["id"],))[0][0]


# --- PATCH /v1/me ------------------------------------------------------------------------------

BAD_PATCHES = [
    ("full_name", ""), ("full_name", None), ("full_name", "x" * 201), ("full_name", 7),
    ("full_name", "a\u0007b"), ("organization", "x" * 201), ("organization", []),
    ("sector", "aliens"), ("sector", None), ("country", "pe"), ("country", "PER"),
    ("country", "XX"), ("reminders_opt_out", "no"), ("reminders_opt_out", 0),
    ("region", "x" * 101), ("language", "fr"), ("language", None), ("language", 1),
]


@pytest.mark.parametrize("field,value", BAD_PATCHES, ids=[f"{f}={v!r}"[:40] for f, v in BAD_PATCHES])
def test_patch_me_names_the_bad_field_and_writes_nothing(gess, field, value):
    who = h.fast_user(gess)
    before = h.assert_json(gess.req("GET", "/v1/me", headers=who["headers"]), 200)
    body = {"full_name": "Otro Nombre", "language": "en", field: value}
    r = gess.req("PATCH", "/v1/me", headers=who["headers"], json=body)
    assert _fields(r) == [field]
    after = h.assert_json(gess.req("GET", "/v1/me", headers=who["headers"]), 200)
    assert after == before


def test_patch_me_changes_what_is_sent(gess):
    who = h.fast_user(gess)
    r = gess.req("PATCH", "/v1/me", headers=who["headers"],
                 json={"full_name": "Rosa H. Ccori", "organization": None, "sector": "academia",
                       "country": None, "region": "Puno", "language": "en",
                       "email": "other@example.org", "roles": ["admin"]})
    acc = h.assert_json(r, 200)
    assert (acc["full_name"], acc["organization"], acc["sector"], acc["country"],
            acc["region"], acc["language"]) == ("Rosa H. Ccori", "", "academia", None, "Puno",
                                                "en")
    assert acc["email"] == who["email"] and acc["roles"] == []
    me = h.assert_json(gess.req("GET", "/v1/me", headers=who["headers"]), 200)
    assert me == acc
    acc = h.assert_json(gess.req("PATCH", "/v1/me", headers=who["headers"], json={}), 200)
    assert acc["language"] == "en" and acc["region"] == "Puno"
    acc = h.assert_json(gess.req("PATCH", "/v1/me", headers=who["headers"],
                                 json={"country": "BO", "region": None}), 200)
    assert acc["country"] == "BO" and acc["region"] is None


# --- one-click unsubscribe ---------------------------------------------------------------------

def _key(gess, account_id):
    return str(gess.sql("SELECT unsubscribe_key FROM accounts WHERE id = %s", (account_id,))[0][0])


def _opted_out(gess, account_id):
    return gess.sql("SELECT reminders_opt_out FROM accounts WHERE id = %s", (account_id,))[0][0]


def test_unsubscribe_one_click_form(gess):
    who = h.fast_user(gess)
    aid = who["account"]["id"]
    assert _opted_out(gess, aid) is False
    r = gess.req("POST", f"/v1/unsubscribe?token={_key(gess, aid)}", headers=FORM,
                 data="List-Unsubscribe=One-Click")
    assert r.status_code == 204, r.text
    assert _opted_out(gess, aid) is True
    export = h.assert_json(gess.req("GET", "/v1/me/export", headers=who["headers"]), 200)
    assert export["account"]["reminders_opt_out"] is True
    # again: still 204
    r = gess.req("POST", f"/v1/unsubscribe?token={_key(gess, aid)}", headers=FORM,
                 data="List-Unsubscribe=One-Click")
    assert r.status_code == 204


def test_unsubscribe_as_multipart_form_data(gess):
    """RFC 8058 lets the one-click POST come as multipart/form-data too: taken unread."""
    who = h.fast_user(gess)
    aid = who["account"]["id"]
    r = gess.req("POST", f"/v1/unsubscribe?token={_key(gess, aid)}",
                 files={"List-Unsubscribe": (None, "One-Click")})
    assert r.request.headers["Content-Type"].startswith("multipart/form-data")
    assert r.status_code == 204, r.text
    assert _opted_out(gess, aid) is True


def test_unsubscribe_takes_back_waiting_reminders_and_patch_me_opts_back_in(gess):
    """The reminders already queued go with the unsubscribe (not to end as dead letters);
    other mail stays; PATCH /v1/me {reminders_opt_out: false} is the way back."""
    who = h.fast_user(gess)
    aid = who["account"]["id"]
    ids = [r[0] for r in gess.sql(
        "INSERT INTO outbox (kind, account_id, payload, next_attempt_at) VALUES"
        " ('series_rsvp_reminder', %(a)s, '{}', now() + interval '9 days'),"
        " ('milestone_due_soon', %(a)s, '{}', now()),"
        " ('registration_created', %(a)s, '{}', now()) RETURNING id", {"a": aid})]
    r = gess.req("POST", f"/v1/unsubscribe?token={_key(gess, aid)}", headers=FORM,
                 data="List-Unsubscribe=One-Click")
    assert r.status_code == 204, r.text
    left = gess.sql("SELECT kind FROM outbox WHERE id = ANY(%s)", (ids,))
    assert left == [("registration_created",)]
    acc = h.assert_json(gess.req("PATCH", "/v1/me", headers=who["headers"],
                                 json={"reminders_opt_out": False}), 200)
    assert _opted_out(gess, aid) is False and acc["id"] == aid


def test_unsubscribe_with_an_empty_body(gess):
    who = h.fast_user(gess)
    aid = who["account"]["id"]
    r = gess.req("POST", f"/v1/unsubscribe?token={_key(gess, aid)}")
    assert r.status_code == 204, r.text
    assert _opted_out(gess, aid) is True


def test_unsubscribe_refusals(gess):
    who = h.fast_user(gess)
    key = _key(gess, who["account"]["id"])
    h.assert_problem(gess.req("POST", f"/v1/unsubscribe?token={uuid.uuid4()}", headers=FORM,
                              data="List-Unsubscribe=One-Click"), 404, "not-found")
    assert _fields(gess.req("POST", "/v1/unsubscribe?token=nope")) == ["token"]
    assert _fields(gess.req("POST", "/v1/unsubscribe")) == ["token"]
    r = gess.req("POST", f"/v1/unsubscribe?token={key}", headers=FORM,
                 data="List-Unsubscribe=Yes")
    assert _fields(r) == ["List-Unsubscribe"]
    r = gess.req("POST", f"/v1/unsubscribe?token={key}", headers=FORM,
                 data="List-Unsubscribe=One-Click&List-Unsubscribe=One-Click")
    assert _fields(r) == ["List-Unsubscribe"]
    r = gess.req("POST", f"/v1/unsubscribe?token={key}", headers=FORM, data=b"a=%FF")
    assert _fields(r) == ["body"]
    r = gess.req("POST", f"/v1/unsubscribe?token={key}", headers=FORM, data=b"a\x00=b")
    assert _fields(r) == ["body"]
    r = gess.req("POST", f"/v1/unsubscribe?token={key}",
                 json={"List-Unsubscribe": "One-Click"})
    h.assert_problem(r, 415, "unsupported-media-type")
    assert _opted_out(gess, who["account"]["id"]) is False
    # '+' is a space and %XX decoded, as in a query
    r = gess.req("POST", f"/v1/unsubscribe?token={key}", headers=FORM,
                 data="List-Unsubscribe=One%2DClick&note=a+b")
    assert r.status_code == 204, r.text


# --- registration needs a verified address -----------------------------------------------------

@pytest.fixture(scope="module")
def open_edition(gess, staff):
    ed = h.create_edition(gess, staff.organizer)
    h.create_category(gess, staff.organizer, ed["slug"], code="general",
                      modes={"in_person": None, "online": None})
    return ed


def test_registration_needs_a_verified_email(gess, open_edition):
    who = gess.user(verified=False)
    before = gess.count("registrations")
    r = h.register(gess, who, open_edition["slug"], "general")
    h.assert_problem(r, 403, "email-unverified")
    assert gess.count("registrations") == before
    gess.verify(who["account"]["id"])
    h.register_ok(gess, who, open_edition["slug"], "general")  # the same login token


def test_rsvp_needs_a_verified_email(gess, staff, open_edition):
    """An RSVP mails its confirmation: like a registration, it needs a proved address (else
    anyone could sign up with someone's address and RSVP in a loop to mail them)."""
    import datetime as dt
    start = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)
    ev = h.assert_json(gess.req(
        "POST", f"/v1/editions/{open_edition['slug']}/series-events",
        headers=staff.organizer["headers"],
        json={"title": "Conversatorio", "kind": "webinar", "format": "online",
              "starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
              "online_url": "https://meet.example.org/c", "modes": {"online": None}}), 201)
    who = gess.user(verified=False)
    before = gess.count("outbox")
    r = gess.req("POST", f"/v1/series-events/{ev['id']}/rsvp", headers=who["headers"],
                 json={"mode": "online"})
    h.assert_problem(r, 403, "email-unverified")
    assert gess.count("outbox") == before
    gess.verify(who["account"]["id"])
    h.assert_json(gess.req("POST", f"/v1/series-events/{ev['id']}/rsvp", headers=who["headers"],
                           json={"mode": "online"}), 201)


def test_registration_without_require_verified_email(gess, open_edition):
    inst = gess.spawn(env={"GESS_REQUIRE_VERIFIED_EMAIL": "false"})
    who = gess.user(verified=False)
    r = h.call("POST", inst.base + f"/v1/editions/{open_edition['slug']}/registrations",
               headers=who["headers"], json={"category": "general", "mode": "online"})
    assert h.assert_json(r, 201)["status"] == "confirmed"


def test_require_verified_email_takes_only_true_or_false(gess):
    r = gess.cli(["migrate"], env={"GESS_REQUIRE_VERIFIED_EMAIL": "yes"})
    assert r.returncode != 0 and "require_verified_email" in r.stderr + r.stdout


# --- export and erasure ------------------------------------------------------------------------

def test_export_lists_the_mail_without_tokens(gess):
    who = gess.user(verified=False)
    token = gess.mailed_token(who["account"]["id"])
    r = gess.req("GET", "/v1/me/export", headers=who["headers"])
    export = h.assert_json(r, 200)
    assert token not in r.text
    assert [(m["kind"], m["status"], m["sent_at"]) for m in export["mail"]] == \
        [("email_verification", "pending", None)]
    acc = export["account"]
    assert acc["email_verified"] is False and acc["email_verified_at"] is None
    assert acc["language"] == "es" and acc["reminders_opt_out"] is False


def test_erasure_takes_the_tokens_and_the_mail_counts(gess):
    who = gess.user(verified=False)
    aid = who["account"]["id"]
    h.assert_json(gess.req("POST", RESEND, headers=who["headers"]), 202)
    assert gess.count("account_mail_attempts", "key = %s", ("e:" + who["email"],)) == 1
    r = gess.req("DELETE", "/v1/me", headers=who["headers"])
    assert r.status_code == 204
    assert gess.count("account_tokens", "account_id = %s", (aid,)) == 0
    assert gess.count("account_mail_attempts", "key = %s", ("e:" + who["email"],)) == 0
    assert gess.count("outbox", "account_id = %s", (aid,)) == 0


def test_an_opted_out_account_gets_no_rsvp_reminder(gess, staff, edition):
    from test_series import create_event, rsvp
    ev = create_event(gess, staff.organizer, edition["slug"])
    out, stays = h.fast_users(gess, 2)
    r = gess.req("POST", f"/v1/unsubscribe?token={_key(gess, out['account']['id'])}")
    assert r.status_code == 204
    for who in (out, stays):
        h.assert_json(rsvp(gess, who, ev["id"]), 201)
    reminders = "kind = 'series_rsvp_reminder' AND account_id = %s"
    assert gess.count("outbox", reminders, (out["account"]["id"],)) == 0
    assert gess.count("outbox", reminders, (stays["account"]["id"],)) == 1
