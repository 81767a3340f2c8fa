"""The journeys of issue 18, each with JavaScript on (keys only: Tab, Enter,
Space, arrows; no mouse) and with it off (fill and click): sign up → the
verification mail's link → log in → /me; forgot password → the mail → the new
password works, the old session is gone; a search typed without accents finds
a demo case; the dashboard shows each pact's progress as the API reports it."""
import gesshelp as h

# A demo case whose title has an accent the query leaves out.
SEARCH_QUERY = "pucara"
SEARCH_CASE = ("6e55de00-0018-4000-8000-000000000004",
               "Obras por impuestos para el agua y saneamiento de Alto Pucará")
DASHBOARD_EDITION = "gess-2026"


def variant(js):
    return {"js": js, "keyboard": js}


def test_signup_verify_login_me(web, gess, js):
    acc = {
        "email": h.unique_email("web-signup"),
        "password": h.strong_password(),
        "full_name": "Rosa Ñahui Quispe",
        "organization": "Comunidad Campesina de Alto Pucará",
        "sector": "community",
        "country": "PE",
        "region": "Moquegua",
    }
    res = web.run("signup.mjs", account=acc, name="signup", **variant(js))
    assert res["verify_status"] == 200, res
    # the cookie lives as long as the token behind it (one row of tokens, the API's table)
    rows = gess.sql("SELECT extract(epoch FROM t.expires_at) FROM tokens t JOIN accounts a"
                    " ON a.id = t.account_id WHERE lower(a.email) = lower(%s)", (acc["email"],))
    assert len(rows) == 1, rows
    assert abs(float(rows[0][0]) - res["session_expires"]) < 10, (rows, res["session_expires"])
    # the account exists as typed, and opening the link verified it
    token = gess.login(acc["email"], acc["password"])
    me = h.assert_json(gess.req("GET", "/v1/me", headers=h.bearer(token)), 200)
    assert me["email"] == acc["email"] and me["full_name"] == acc["full_name"], me
    assert me["email_verified"] is True, me
    assert me.get("organization") == acc["organization"], me
    assert me.get("sector") == "community" and me.get("country") == "PE" and me.get("region") == "Moquegua", me


def test_forgot_password_reset_old_session_gone(web, gess, js):
    u = gess.user(full_name="Teodoro Huamán")
    new_password = h.strong_password()
    web.run("reset.mjs", account={"email": u["email"], "password": u["password"]},
            new_password=new_password, name="reset", **variant(js))
    assert gess.login(u["email"], new_password)
    r = gess.req("POST", "/v1/tokens", json={"email": u["email"], "password": u["password"]})
    assert r.status_code == 401, r.text
    # the API token made before the reset is gone too
    r = gess.req("GET", "/v1/me", headers=u["headers"])
    assert r.status_code == 401, r.text


def test_search_without_accents_finds_the_case(web, js):
    pid, title = SEARCH_CASE
    api = h.assert_json(web.get("/v1/practices", params={"q": SEARCH_QUERY}), 200)
    assert pid in [p["id"] for p in api["items"]], "the API itself does not find the case"
    res = web.run("search.mjs", query=SEARCH_QUERY, expect={"id": pid, "title": title},
                  name="search", **variant(js))
    assert any("pucar" in m.lower() for m in res["marks"]), res["marks"]


def test_dashboard_shows_each_pacts_progress_as_the_api(web, js):
    dash = h.assert_json(web.get(f"/v1/editions/{DASHBOARD_EDITION}/pacts/dashboard"), 200)
    pacts = [{"id": p["id"], "title": p["title"], "progress": p["progress"]} for p in dash["pacts"]]
    assert len(pacts) >= 3
    res = web.run("dashboard.mjs", slug=DASHBOARD_EDITION, pacts=pacts, name="dashboard", **variant(js))
    wrong = []
    for p in pacts:
        got = res["pacts"][p["id"]]
        if not got["links"]:
            wrong.append(f"{p['title']}: no link to /pacts/{p['id']}")
            continue
        if not got["bars"]:
            wrong.append(f"{p['title']}: no <progress>/<meter>/role=progressbar beside its link")
            continue
        ratios = [b["ratio"] for b in got["bars"]]
        # the bar nearest the title is the pact's own (others may be commitments')
        if abs(ratios[0] - p["progress"]) > 0.005:
            wrong.append(f"{p['title']}: the page's bar is {got['bars'][0]}, the API says "
                         f"progress {p['progress']}")
        pct = round(p["progress"] * 100)
        if f"{pct}" not in got["text"]:
            print(f"note: {p['title']}: the text beside it does not read {pct} %")
    assert not wrong, "\n".join(wrong)
