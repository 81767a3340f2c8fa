"""Duplicates, login/logout/me, password change, token checks, roles."""
import concurrent.futures
import datetime
import uuid

import pytest

import gesshelp as h


# --- duplicates ----------------------------------------------------------------

def test_duplicate_email_under_concurrency(gess):
    email = h.unique_email("dup")
    bodies = [h.signup_body(email=email) for _ in range(20)]

    def post(body):
        return gess.req("POST", "/v1/accounts", json=body)

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as ex:
        results = list(ex.map(post, bodies))
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(201) == 1, f"statuses: {statuses}"
    assert statuses.count(409) == 19, f"statuses: {statuses}"
    for r in results:
        if r.status_code == 409:
            h.assert_problem(r, 409, "email-taken")
    assert gess.count("accounts", "email = %s", (email,)) == 1

    # The winner's password is the one stored.
    winner = next(b for b, r in zip(bodies, results) if r.status_code == 201)
    gess.login(email, winner["password"])


def test_duplicate_email_other_case(gess):
    body, acc = gess.signup()
    local, domain = body["email"].split("@")
    for variant in (body["email"].upper(), local.capitalize() + "@" + domain.upper()):
        r = gess.req("POST", "/v1/accounts", json=h.signup_body(email=variant))
        h.assert_problem(r, 409, "email-taken")
    assert gess.count("accounts", "lower(email) = %s", (body["email"],)) == 1


# --- login / logout / me ----------------------------------------------------------

def test_login_me_logout(gess):
    body, acc = gess.signup()
    r = gess.req("POST", "/v1/tokens", json={"email": body["email"], "password": body["password"]})
    ans = h.assert_json(r, 201)
    assert set(ans) >= {"token", "expires_at", "account"}
    token = ans["token"]
    assert isinstance(token, str) and len(token) >= 40, token  # 256 bits, encoded
    assert ans["account"]["id"] == acc["id"]
    assert ans["account"]["email"] == body["email"]
    assert "password" not in ans["account"]
    exp = datetime.datetime.fromisoformat(ans["expires_at"].replace("Z", "+00:00"))
    days = (exp - datetime.datetime.now(datetime.timezone.utc)).total_seconds() / 86400
    assert 29.9 < days <= 30.01, f"expires_at {ans['expires_at']} is not ~30 days ahead"

    r = gess.req("GET", "/v1/me", headers=h.bearer(token))
    me = h.assert_json(r, 200)
    assert me["id"] == acc["id"]
    assert me["email"] == body["email"]
    assert me["full_name"] == body["full_name"]
    assert me["sector"] == body["sector"]
    assert me["roles"] == []
    assert not ({"password", "password_hash", "token"} & set(me))

    # Two logins give two different tokens, both valid.
    token2 = gess.login(body["email"], body["password"])
    assert token2 != token
    h.assert_json(gess.req("GET", "/v1/me", headers=h.bearer(token2)), 200)

    r = gess.req("DELETE", "/v1/tokens/current", headers=h.bearer(token))
    assert r.status_code == 204, r.text
    r = gess.req("GET", "/v1/me", headers=h.bearer(token))
    h.assert_problem(r, 401, "unauthorized")
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")
    # Logging out twice: the token is gone.
    r = gess.req("DELETE", "/v1/tokens/current", headers=h.bearer(token))
    h.assert_problem(r, 401, "unauthorized")
    # The other token is untouched.
    h.assert_json(gess.req("GET", "/v1/me", headers=h.bearer(token2)), 200)


def test_login_validation(gess):
    r = gess.req("POST", "/v1/tokens", json={"email": "a@example.org"})
    p = h.assert_problem(r, 422, "validation-failed")
    assert "password" in h.error_fields(p)
    r = gess.req("POST", "/v1/tokens", json={"email": 5, "password": ["x"]})
    p = h.assert_problem(r, 422, "validation-failed")
    assert {"email", "password"} <= set(h.error_fields(p))


def test_password_change(gess):
    u = gess.user()
    other1 = gess.login(u["email"], u["password"])
    other2 = gess.login(u["email"], u["password"])
    new_pw = h.strong_password()
    before_hash = gess.sql("SELECT password_hash FROM accounts WHERE email = %s", (u["email"],))[0][0]

    # Wrong current password: 422 on current_password, nothing changes.
    r = gess.req("PUT", "/v1/me/password", headers=u["headers"],
                 json={"current_password": "not-the-password-at-all", "new_password": new_pw})
    p = h.assert_problem(r, 422, "validation-failed")
    assert "current_password" in h.error_fields(p)
    # Weak new password: 422 on new_password.
    r = gess.req("PUT", "/v1/me/password", headers=u["headers"],
                 json={"current_password": u["password"], "new_password": "password123"})
    p = h.assert_problem(r, 422, "validation-failed")
    assert "new_password" in h.error_fields(p)
    for t in (u["token"], other1, other2):
        h.assert_json(gess.req("GET", "/v1/me", headers=h.bearer(t)), 200)

    # Without a token: 401.
    r = gess.req("PUT", "/v1/me/password",
                 json={"current_password": u["password"], "new_password": new_pw})
    h.assert_problem(r, 401, "unauthorized")

    r = gess.req("PUT", "/v1/me/password", headers=u["headers"],
                 json={"current_password": u["password"], "new_password": new_pw})
    assert r.status_code == 204, r.text

    after_hash = gess.sql("SELECT password_hash FROM accounts WHERE email = %s", (u["email"],))[0][0]
    assert after_hash != before_hash and after_hash.startswith("$argon2id$")
    # The current token still works; the others are revoked.
    h.assert_json(gess.req("GET", "/v1/me", headers=u["headers"]), 200)
    for t in (other1, other2):
        h.assert_problem(gess.req("GET", "/v1/me", headers=h.bearer(t)), 401, "unauthorized")
    acc_id = u["account"]["id"]
    assert gess.count("tokens", "account_id = %s", (acc_id,)) == 1

    gess.reset_login_limits()
    r = gess.req("POST", "/v1/tokens", json={"email": u["email"], "password": u["password"]})
    h.assert_problem(r, 401, "invalid-credentials")
    gess.login(u["email"], new_pw)
    gess.reset_login_limits()


# --- bad tokens -----------------------------------------------------------------------

@pytest.mark.parametrize("header", [
    "Bearer",
    "Bearer ",
    "Basic dXNlcjpwYXNz",
    "Token abcdef",
    "Bearer a b",
    "Bearer " + "A" * 43,
    "Bearer " + "x" * 5000,
    "Bearer \u00e9\u00e9\u00e9",
])
def test_malformed_or_wrong_authorization(gess, header):
    r = gess.req("GET", "/v1/me", headers={"Authorization": header.encode("utf-8")})
    h.assert_problem(r, 401, "unauthorized")
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer"), r.headers


def test_no_authorization(gess):
    r = gess.req("GET", "/v1/me")
    h.assert_problem(r, 401, "unauthorized")
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")


def test_token_with_one_character_changed(gess, user):
    t = user["token"]
    bad = t[:-1] + ("A" if t[-1] != "A" else "B")
    h.assert_problem(gess.req("GET", "/v1/me", headers=h.bearer(bad)), 401, "unauthorized")
    h.assert_json(gess.req("GET", "/v1/me", headers=user["headers"]), 200)


def _aged_token_refused(gess, user, aged):
    """The token serves; aged (SET clauses of tokens) makes its one row so old it is refused."""
    acc_id = user["account"]["id"]
    h.assert_json(gess.req("GET", "/v1/me", headers=user["headers"]), 200)
    n = gess.sql(f"UPDATE tokens SET {aged} WHERE account_id = %s RETURNING id", (acc_id,))
    assert len(n) == 1
    h.assert_problem(gess.req("GET", "/v1/me", headers=user["headers"]), 401, "unauthorized")


def test_expired_token(gess, user):
    _aged_token_refused(gess, user, "created_at = now() - interval '31 days', "
                                    "expires_at = now() - interval '1 day'")


def test_idle_expired_token(gess, user):
    _aged_token_refused(gess, user, "created_at = now() - interval '9 days', "
                                    "last_used_at = now() - interval '8 days'")


def test_recently_used_old_token_still_valid(gess, user):
    # Created 20 days ago but used 6 days ago: neither limit is reached.
    acc_id = user["account"]["id"]
    gess.sql("UPDATE tokens SET created_at = now() - interval '20 days', "
             "last_used_at = now() - interval '6 days' WHERE account_id = %s", (acc_id,))
    h.assert_json(gess.req("GET", "/v1/me", headers=user["headers"]), 200)


# --- roles --------------------------------------------------------------------------------

def test_roles(gess):
    admin = gess.admin()
    me = h.assert_json(gess.req("GET", "/v1/me", headers=admin["headers"]), 200)
    assert {"admin", "organizer", "followup"} <= set(me["roles"]), me["roles"]

    target = gess.user()
    attendee = gess.user()
    tid = target["account"]["id"]
    path = f"/v1/accounts/{tid}/roles"

    # No token: 401; attendee: 403.
    h.assert_problem(gess.req("PUT", path, json={"roles": ["organizer"]}), 401, "unauthorized")
    r = gess.req("PUT", path, headers=attendee["headers"], json={"roles": ["organizer"]})
    h.assert_problem(r, 403, "forbidden")
    assert gess.sql("SELECT roles FROM accounts WHERE id = %s", (tid,))[0][0] in ([], None)

    # Admin grants organizer.
    r = gess.req("PUT", path, headers=admin["headers"], json={"roles": ["organizer"]})
    acc = h.assert_json(r, 200)
    assert acc["id"] == tid
    assert sorted(acc["roles"]) == ["organizer"]
    me = h.assert_json(gess.req("GET", "/v1/me", headers=target["headers"]), 200)
    assert sorted(me["roles"]) == ["organizer"]
    # An organizer still may not grant roles.
    r = gess.req("PUT", f"/v1/accounts/{attendee['account']['id']}/roles",
                 headers=target["headers"], json={"roles": ["organizer"]})
    h.assert_problem(r, 403, "forbidden")

    # admin implies organizer, followup and curator (DESIGN.md §3).
    r = gess.req("PUT", path, headers=admin["headers"], json={"roles": ["admin"]})
    acc = h.assert_json(r, 200)
    assert sorted(acc["roles"]) == ["admin", "curator", "followup", "organizer"]
    me = h.assert_json(gess.req("GET", "/v1/me", headers=target["headers"]), 200)
    assert sorted(me["roles"]) == ["admin", "curator", "followup", "organizer"]
    # ... so the new admin may grant roles now.
    r = gess.req("PUT", f"/v1/accounts/{attendee['account']['id']}/roles",
                 headers=target["headers"], json={"roles": ["followup"]})
    assert sorted(h.assert_json(r, 200)["roles"]) == ["followup"]

    # Back to none.
    r = gess.req("PUT", path, headers=admin["headers"], json={"roles": []})
    assert h.assert_json(r, 200)["roles"] == []
    me = h.assert_json(gess.req("GET", "/v1/me", headers=target["headers"]), 200)
    assert me["roles"] == []
    r = gess.req("PUT", f"/v1/accounts/{attendee['account']['id']}/roles",
                 headers=target["headers"], json={"roles": []})
    h.assert_problem(r, 403, "forbidden")


def test_roles_errors(gess):
    admin = gess.admin()
    target = gess.user()
    path = f"/v1/accounts/{target['account']['id']}/roles"

    r = gess.req("PUT", f"/v1/accounts/{uuid.uuid4()}/roles", headers=admin["headers"],
                 json={"roles": ["organizer"]})
    h.assert_problem(r, 404, "not-found")

    r = gess.req("PUT", "/v1/accounts/not-a-uuid/roles", headers=admin["headers"],
                 json={"roles": ["organizer"]})
    # {id} is a uuid: the router finds no route for anything else
    h.assert_problem(r, 404, "not-found")

    r = gess.req("PUT", path, headers=admin["headers"], json={"roles": ["organizer", "superuser"]})
    p = h.assert_problem(r, 422, "validation-failed")
    assert h.error_fields(p) == ["roles[1]"], p["errors"]

    for bad in ({"roles": "admin"}, {"roles": [1]}, {}, {"roles": None}):
        r = gess.req("PUT", path, headers=admin["headers"], json=bad)
        p = h.assert_problem(r, 422, "validation-failed")
        assert all(f.startswith("roles") for f in h.error_fields(p)), (bad, p)

    assert gess.sql("SELECT roles FROM accounts WHERE id = %s",
                    (target["account"]["id"],))[0][0] in ([], None)
