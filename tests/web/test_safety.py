"""A POST without a valid CSRF token is refused (403) and changes nothing;
text typed by a user (`<script>`, `<b>`, `<img onerror>`) is rendered as text;
a form sent back with an error keeps what was typed and sits the error next to
its field. Each with JavaScript on (keys only) and off."""
import gesshelp as h


def test_post_without_csrf_token_is_refused_and_changes_nothing(web, gess, js):
    u = gess.user(full_name="Carmen Sin Cambios")
    aid = u["account"]["id"]
    new_email = h.unique_email("web-csrf")
    resets_before = gess.count("outbox", "account_id = %s AND kind = 'password_reset'", (aid,))
    res = web.run("csrf.mjs", account={"email": u["email"], "password": u["password"],
                                       "full_name": "Carmen Sin Cambios"},
                  new_email=new_email, name="csrf", **variant(js))
    assert set(res["refused"].values()) == {403}, res["refused"]
    # nothing changed: no account made, no reset mail queued, the name kept, the
    # account not erased
    assert gess.count("accounts", "lower(email) = lower(%s)", (new_email,)) == 0
    assert gess.count("outbox", "account_id = %s AND kind = 'password_reset'", (aid,)) == resets_before
    me = h.assert_json(gess.req("GET", "/v1/me", headers=u["headers"]), 200)
    assert me["full_name"] == "Carmen Sin Cambios", me


def test_user_markup_is_text_and_errors_sit_by_their_fields(web, gess, js):
    acc = {
        "email": h.unique_email("web-xss"),
        "password": h.strong_password(),
        "weak_password": "passwordpassword",
        "full_name": "<script>window.__xss=1</script><b>Rosa</b>",
        "organization": '<img src="x" onerror="window.__xss=2">',
        "sector": "civil_society",
        "country": "PE",
        "region": "<b>Rosa</b>",
    }
    res = web.run("forms.mjs", account=acc, name="forms", **variant(js))
    assert "password" in res["invalid_fields"], res
    token = gess.login(acc["email"], acc["password"])
    me = h.assert_json(gess.req("GET", "/v1/me", headers=h.bearer(token)), 200)
    # stored as typed (escaping is the page's business, not the database's)
    assert me["full_name"] == acc["full_name"] and me["organization"] == acc["organization"], me


def variant(js):
    return {"js": js, "keyboard": js}
