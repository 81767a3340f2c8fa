"""The account pages of issue 18 over real HTTP, as a browser without JavaScript uses them
(a requests.Session keeps the cookies; every form's csrf_token is read from its hidden
field): sign up by form, the verification link, log in, /me; a form without its token
changes nothing; a 422 keeps what was typed and marks the fields; forgot → reset ends
every session; the profile persists; erasure ends the account and its cookie; a name is
text, never markup. Mail tokens are read from the outbox rows (gess.mailed_token)."""
import html
import re

import pytest
import requests

import gesshelp as h


@pytest.fixture(autouse=True)
def _fresh_limits(gess):
    """The account-mail and login limits count per client address, and every test here
    asks from 127.0.0.1."""
    gess.sql("DELETE FROM account_mail_attempts")
    gess.reset_login_limits()
    yield


def _html(r, status):
    assert r.status_code == status, (r.status_code, r.headers, r.text[:2000])
    assert r.headers["Content-Type"].startswith("text/html"), r.headers
    return r.text


def _csrf(text):
    field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', text)
    assert field, text[:3000]
    return html.unescape(re.search(r'value="([^"]*)"', field.group(0)).group(1))


def _get_form(s, gess, path, status=200):
    return _csrf(_html(s.get(gess.url(path)), status))


def _post(s, gess, path, data, csrf_from=None):
    """POSTs a form as a browser does, its csrf_token read from the page at csrf_from."""
    if csrf_from is not None:
        data = dict(data, csrf_token=_get_form(s, gess, csrf_from))
    return s.post(gess.url(path), data=data, allow_redirects=False)


def _see_other(r, to=None):
    assert r.status_code == 303, (r.status_code, r.text[:2000])
    if to is not None:
        assert r.headers["Location"] == to, r.headers
    return r.headers["Location"]


def _login(s, gess, email, password):
    r = _post(s, gess, "/login", {"email": email, "password": password}, csrf_from="/login")
    _see_other(r)
    assert s.cookies.get("gess_session"), r.headers
    return s


def _session(gess, who):
    return _login(requests.Session(), gess, who["email"], who["password"])


def _account(gess, email):
    rows = gess.sql("SELECT id, full_name, organization, language, reminders_opt_out,"
                    " email_verified_at IS NOT NULL FROM accounts WHERE email = %s",
                    (email.lower(),))
    return rows[0] if rows else None


def _signup_form(**overrides):
    body = {"email": h.unique_email("page"), "password": h.strong_password(),
            "full_name": "Rosa Huamán Ccori", "organization": "Comunidad de Torata",
            "sector": "community", "country": "PE", "region": "Moquegua", "consent": "true"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def test_signup_by_form_verify_login_and_me(gess):
    s = requests.Session()
    page = _html(s.get(gess.url("/signup")), 200)
    for field, auto in (("email", "email"), ("password", "new-password"),
                        ("full_name", "name"), ("organization", "organization")):
        assert re.search(rf'<label for="{field}"', page), field
        assert re.search(rf'id="{field}" name="{field}"[^>]*autocomplete="{auto}"', page), field
    assert '<option value="PE" selected>' in page
    assert 'href="#privacy"' in page and 'id="privacy"' in page
    # no style attribute, no inline script or handler (the CSP forbids them)
    assert not re.search(r"\sstyle=", page) and not re.search(r"\son[a-z]+=", page)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    form = _signup_form()
    r = _post(s, gess, "/signup", form, csrf_from="/signup")
    done = _see_other(r, "/signup/done")
    _html(s.get(gess.url(done)), 200)
    acc = _account(gess, form["email"])
    assert acc is not None and acc[1] == form["full_name"] and acc[3] == "es", acc
    assert acc[5] is False
    assert gess.count("outbox", "account_id = %s AND kind = 'email_verification'", (acc[0],)) == 1

    token = gess.mailed_token(acc[0])
    # a HEAD (a link checker) spends nothing; the person's GET verifies
    assert s.head(gess.url("/verify-email"), params={"token": token}).status_code == 200
    assert _account(gess, form["email"])[5] is False
    text = _html(s.get(gess.url("/verify-email"), params={"token": token}), 200)
    assert _account(gess, form["email"])[5] is True
    # single use: the link again is the "expired or used" page
    again = _html(s.get(gess.url("/verify-email"), params={"token": token}), 422)
    assert again != text
    _html(s.get(gess.url("/verify-email"), params={"token": "not-a-token"}), 422)

    _login(s, gess, form["email"], form["password"])
    me = _html(s.get(gess.url("/me")), 200)
    assert form["email"].lower() in me and html.escape(form["full_name"]) in me
    assert 'value="Comunidad de Torata"' in me


def test_me_needs_a_session(gess):
    r = requests.get(gess.url("/me"), allow_redirects=False)
    assert _see_other(r).startswith("/login?next=")


def test_a_form_without_its_csrf_token_is_403_and_changes_nothing(gess):
    form = _signup_form()
    s = requests.Session()
    s.get(gess.url("/signup"))  # the pre-session cookie, but no token in the form
    _html(s.post(gess.url("/signup"), data=form, allow_redirects=False), 403)
    _html(s.post(gess.url("/signup"), data=dict(form, csrf_token="x" * 43),
                 allow_redirects=False), 403)
    assert _account(gess, form["email"]) is None

    who = gess.user(full_name="Ana Quispe Mamani")
    s = _session(gess, who)
    _html(s.post(gess.url("/me"), data={"full_name": "Nadie"}, allow_redirects=False), 403)
    _html(s.post(gess.url("/me/data/erase"), data={"password": who["password"],
                                                  "confirm": "true"}, allow_redirects=False),
          403)
    acc = _account(gess, who["email"])
    assert acc is not None and acc[1] == "Ana Quispe Mamani", acc
    # a token of another browser's pre-session is not this session's
    other = requests.Session()
    stolen = _get_form(other, gess, "/forgot-password")
    _html(s.post(gess.url("/me"), data={"full_name": "Nadie", "csrf_token": stolen},
                 allow_redirects=False), 403)
    assert _account(gess, who["email"])[1] == "Ana Quispe Mamani"


def test_a_422_keeps_the_values_and_marks_each_field(gess):
    s = requests.Session()
    form = _signup_form(email="not an email", password="password12", sector="",
                        consent=None, full_name="Rosa <b>Huamán</b>")
    r = _post(s, gess, "/signup", form, csrf_from="/signup")
    page = _html(r, 422)
    for field in ("email", "password", "sector", "consent"):
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page), field
        assert re.search(rf'id="{field}"[^>]*aria-describedby="{field}-error', page), field
        assert f'<p id="{field}-error"' in page, field
        assert f'href="#{field}"' in page, field  # the summary links to the field
    assert not re.search(r'id="full_name"[^>]*aria-invalid', page)
    assert 'value="not an email"' in page
    assert 'value="Rosa &lt;b&gt;Huamán&lt;/b&gt;"' in page
    assert "password12" not in page
    assert 'value="PE" selected' in page and 'value="Moquegua"' in page
    assert _account(gess, "not an email") is None
    # the messages are in the page's language
    assert "correo" in page.lower()

    # an email taken is that field's error, in the API's words
    taken, _ = gess.signup()
    r = _post(s, gess, "/signup", _signup_form(email=taken["email"]), csrf_from="/signup")
    page = _html(r, 422)
    assert re.search(r'id="email"[^>]*aria-invalid="true"', page)
    assert "Ya existe una cuenta con este correo." in page
    r = _post(s, gess, "/signup?lang=en", _signup_form(email=taken["email"]),
              csrf_from="/signup?lang=en")
    assert "An account with this email already exists." in _html(r, 422)


def test_forgot_then_reset_ends_every_session(gess):
    who = gess.user()
    acc_id = who["account"]["id"]
    browser = _session(gess, who)
    _html(browser.get(gess.url("/me")), 200)

    s = requests.Session()
    r = _post(s, gess, "/forgot-password", {"email": who["email"].upper()},
              csrf_from="/forgot-password")
    sent = _see_other(r, "/forgot-password/sent")
    # an address without an account gets the very same answer
    r = _post(s, gess, "/forgot-password", {"email": h.unique_email("nobody")},
              csrf_from="/forgot-password")
    _see_other(r, sent)
    _html(s.get(gess.url(sent)), 200)
    r = _post(s, gess, "/forgot-password", {"email": "nope"}, csrf_from="/forgot-password")
    assert 'aria-invalid="true"' in _html(r, 422)

    token = gess.mailed_token(acc_id, kind="password_reset")
    form = _html(s.get(gess.url("/reset-password"), params={"token": token}), 200)
    assert re.search(rf'name="token" value="{token}"', form)
    assert 'autocomplete="new-password"' in form
    # opening the link spends nothing; a weak password is the field's error
    r = s.post(gess.url("/reset-password"),
               data={"token": token, "new_password": "password12", "csrf_token": _csrf(form)},
               allow_redirects=False)
    page = _html(r, 422)
    assert re.search(r'id="new_password"[^>]*aria-invalid="true"', page)
    assert f'value="{token}"' in page and "password12" not in page

    new = h.strong_password()
    r = s.post(gess.url("/reset-password"),
               data={"token": token, "new_password": new, "csrf_token": _csrf(form)},
               allow_redirects=False)
    assert _see_other(r).startswith("/login")
    # the old session is gone, in the browser and in the API
    assert _see_other(browser.get(gess.url("/me"), allow_redirects=False)).startswith("/login")
    assert gess.req("GET", "/v1/me", headers=who["headers"], check=False).status_code == 401
    assert gess.count("tokens", "account_id = %s", (acc_id,)) == 0
    # the link worked once
    r = s.post(gess.url("/reset-password"),
               data={"token": token, "new_password": h.strong_password(),
                     "csrf_token": _csrf(form)}, allow_redirects=False)
    assert 'href="/forgot-password"' in _html(r, 422)
    _html(s.get(gess.url("/reset-password"), params={"token": "short"}), 422)
    # the new password logs in
    _html(_login(requests.Session(), gess, who["email"], new).get(gess.url("/me")), 200)


def test_profile_edits_persist(gess):
    who = gess.user()
    s = _session(gess, who)
    data = {"full_name": "María Ccama", "organization": "", "language": "en",
            "reminders_opt_out": "true"}
    r = _post(s, gess, "/me", data, csrf_from="/me")
    assert _see_other(r).startswith("/me?notice=saved")
    acc = _account(gess, who["email"])
    assert acc[1:5] == ("María Ccama", "", "en", True), acc
    page = _html(s.get(gess.url("/me?notice=saved")), 200)
    assert 'value="María Ccama"' in page
    assert re.search(r'id="reminders_opt_out"[^>]*checked', page)
    assert re.search(r'<option value="en"[^>]*selected', page)
    # an unchecked box takes the reminders back; an empty name is refused next to it
    r = _post(s, gess, "/me", {"full_name": "María Ccama", "language": "en"}, csrf_from="/me")
    _see_other(r)
    assert _account(gess, who["email"])[4] is False
    r = _post(s, gess, "/me", {"full_name": "  ", "language": "en"}, csrf_from="/me")
    page = _html(r, 422)
    assert re.search(r'id="full_name"[^>]*aria-invalid="true"', page)
    assert _account(gess, who["email"])[1] == "María Ccama"


def test_my_registrations_are_worded_for_people(gess, staff):
    org = staff.organizer
    slug = h.create_edition(gess, org)["slug"]
    open_cat = h.create_category(gess, org, slug, requires_approval=False)["code"]
    vetted = h.create_category(gess, org, slug, requires_approval=True)["code"]
    who = gess.user()
    h.register_ok(gess, who, slug, open_cat, status="confirmed")
    page = _html(_session(gess, who).get(gess.url("/me")), 200)
    assert f'href="/editions/{slug}"' in page
    assert "Confirmada" in page
    other = gess.user()
    h.register_ok(gess, other, slug, vetted, status="pending")
    page = _html(_session(gess, other).get(gess.url("/me?lang=en")), 200)
    assert "Waiting for approval" in page
    # two registrations: one table, each row once
    slug2 = h.create_edition(gess, org)["slug"]
    h.register_ok(gess, who, slug2, h.create_category(gess, org, slug2)["code"])
    page = _html(_session(gess, who).get(gess.url("/me")), 200)
    assert page.count('<table class="registrations">') == 1, page
    assert page.count(f'href="/editions/{slug}"') == 1 and page.count(f'href="/editions/{slug2}"') == 1


def test_erase_ends_the_account_and_its_cookie(gess):
    who = gess.user()
    s = _session(gess, who)
    page = _html(s.get(gess.url("/me/data")), 200)
    assert 'href="/v1/me/export"' in page and 'autocomplete="current-password"' in page
    export = s.get(gess.url("/v1/me/export"))
    assert export.status_code == 200 and export.json()["account"]["email"] == who["email"]

    r = _post(s, gess, "/me/data/erase", {"password": "wrong password!", "confirm": "true"},
              csrf_from="/me/data")
    page = _html(r, 422)
    assert re.search(r'id="password"[^>]*aria-invalid="true"', page)
    r = _post(s, gess, "/me/data/erase", {"password": who["password"]}, csrf_from="/me/data")
    assert re.search(r'id="confirm"[^>]*aria-invalid="true"', _html(r, 422))
    assert _account(gess, who["email"]) is not None

    r = _post(s, gess, "/me/data/erase", {"password": who["password"], "confirm": "true"},
              csrf_from="/me/data")
    _see_other(r, "/?notice=erased")
    cookie = r.headers.get("Set-Cookie", "")
    assert re.search(r"gess_session=;[^,]*Max-Age=0", cookie), cookie
    assert _account(gess, who["email"]) is None
    assert "gess_session" not in s.cookies
    assert gess.req("GET", "/v1/me", headers=who["headers"], check=False).status_code == 401


def test_a_script_as_full_name_is_text_on_me(gess):
    who = gess.user(full_name="<script>alert(1)</script>")
    page = _html(_session(gess, who).get(gess.url("/me")), 200)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_expired_link_offers_a_new_one_when_signed_in(gess):
    who = gess.user(verified=False)
    acc_id = who["account"]["id"]
    first = gess.mailed_token(acc_id)
    gess.sql("UPDATE account_tokens SET expires_at = now() - interval '1 second'"
             " WHERE account_id = %s", (acc_id,))
    anonymous = _html(requests.get(gess.url("/verify-email"), params={"token": first}), 422)
    assert 'action="/verify-email/resend"' not in anonymous and 'href="/login' in anonymous
    s = _session(gess, who)
    page = _html(s.get(gess.url("/verify-email"), params={"token": first}), 422)
    assert 'action="/verify-email/resend"' in page
    _see_other(s.post(gess.url("/verify-email/resend"), data={"csrf_token": _csrf(page)},
                      allow_redirects=False), "/me?notice=verification_sent")
    assert gess.count("outbox", "account_id = %s AND kind = 'email_verification'", (acc_id,)) == 2
    _html(s.get(gess.url("/verify-email"), params={"token": gess.mailed_token(acc_id)}), 200)
    assert _account(gess, who["email"])[5] is True


def test_the_last_admin_cannot_erase_herself(gess):
    """The erasure of DELETE /v1/me, last-admin refusal included (the other admins lose
    the role for the test and get it back after)."""
    rows = gess.sql("UPDATE accounts SET roles = array_remove(roles, 'admin')"
                    " WHERE 'admin' = ANY (roles) RETURNING id::text")
    try:
        admin = h.fast_user(gess, roles=["admin"])
        s = _session(gess, admin)
        r = _post(s, gess, "/me/data/erase", {"password": admin["password"], "confirm": "true"},
                  csrf_from="/me/data")
        page = _html(r, 409)
        assert 'role="alert"' in page and "administra" in page, page
        assert _account(gess, admin["email"]) is not None
        assert s.cookies.get("gess_session")
    finally:
        gess.sql("UPDATE accounts SET roles = array_append(array_remove(roles, 'admin'), 'admin')"
                 " WHERE id = ANY (%s::uuid[])", ([r[0] for r in rows],))
