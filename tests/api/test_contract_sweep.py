"""Every route, asked the ways careless clients ask, answers what the
OpenAPI document says (the response check in contract.py judges each answer).

Path parameters are unknown ids (the roles matrices cover real ones); no
request here can change anything: bodies are malformed, not sent as JSON or
not an object, and DELETEs go only to unknown ids.
"""
import re
import uuid

import contract
import gesshelp as h

# POST /v1/registrations/{id}/approve parses a body the document does not
# define (400, 415, 422): what it should do with one is being settled with
# the content negotiation of issue 10, elsewhere; until then its body
# variants are left out here.
BODY_UNSETTLED = {("POST", "/v1/registrations/{id}/approve")}


def _routes(gess):
    r = gess.cli(["routes"])
    assert r.returncode == 0, r.stderr
    return [tuple(line.split()) for line in r.stdout.splitlines() if line.strip()]


def test_every_route_answers_as_documented(gess, staff):
    ed = h.create_edition(gess, staff.organizer)
    mismatches = []

    def ask(method, path, **kw):
        try:
            gess.req(method, path, check=False, **kw)
        except AssertionError as e:  # the check's own report
            mismatches.append(str(e))

    for method, tpl in _routes(gess):
        path = re.sub(r"\{[a-z_]+\}", lambda m: str(uuid.uuid4()),
                      tpl.replace("{slug}", ed["slug"]))
        ask(method, path)
        ask(method, path, headers={"Authorization": "Bearer not-a-token"})
        ask(method, path + "?limit=abc&cursor=%7B")
        ask("HEAD", path)
        ask("OPTIONS", path)
        for who in (staff.admin, staff.organizer, staff.followup):
            auth = who["headers"]
            if method == "GET":
                ask(method, path, headers=auth)
                ask(method, path + "?limit=0&cursor=zz", headers=auth)
                ask(method, path + "?format=csv", headers=auth)
                ask(method, path + "?format=ics", headers={**auth, "Accept": "text/calendar"})
                ask(method, path, headers={**auth, "Accept": "text/csv"})
            elif method in ("POST", "PUT", "PATCH") and (method, tpl) not in BODY_UNSETTLED:
                ask(method, path, headers={**auth, "Content-Type": "application/json"}, data=b"{")
                ask(method, path, headers={**auth, "Content-Type": "text/plain"}, data=b"{}")
                ask(method, path, headers=auth, json=[{}])
            elif method == "DELETE" and "{" in tpl:
                ask(method, path, headers=auth)
    contract.take_failures()  # reported below, all at once
    assert not mismatches, f"{len(mismatches)} answers break the document:\n\n" + "\n\n".join(
        mismatches[:30])


def test_an_admin_made_on_the_command_line_shows_as_documented(gess, staff):
    """`gessd admin create` gives no sector and no consent: every answer that
    shows such an account must still be one the document allows."""
    import pacthelp as ph
    from test_programme import mk_session, mk_speaker, release
    from test_series import create_event

    org, f = staff.organizer, staff.followup
    a = gess.admin(name="Admin Consola")
    me = h.assert_json(gess.req("GET", "/v1/me", headers=a["headers"]), 200)
    assert me["sector"] is None, me
    ed = h.create_edition(gess, org)
    cat = h.create_category(gess, org, ed["slug"], modes={"in_person": 10})
    reg = h.register_ok(gess, a, ed["slug"], cat["code"])
    lst = f"/v1/editions/{ed['slug']}/registrations"
    h.assert_json(gess.req("GET", lst, headers=org["headers"]), 200)
    gess.req("GET", lst, headers={**org["headers"], "Accept": "text/csv"})
    h.assert_json(gess.req("GET", f"/v1/editions/{ed['slug']}/stats", headers=org["headers"]), 200)
    h.assert_json(gess.req("POST", f"/v1/editions/{ed['slug']}/checkins", headers=org["headers"],
                           json={"badge_code": reg["badge_code"]}), 200)
    # the series
    ev = create_event(gess, org, ed["slug"])
    h.assert_json(gess.req("POST", f"/v1/series-events/{ev['id']}/rsvp", headers=a["headers"],
                           json={"mode": "in_person"}), 201)
    att = f"/v1/series-events/{ev['id']}/attendance"
    h.assert_json(gess.req("POST", att, headers=org["headers"],
                           json={"account_id": me["id"], "mode": "in_person"}), 201)
    h.assert_json(gess.req("GET", att, headers=org["headers"]), 200)
    h.assert_json(gess.req("GET", f"/v1/editions/{ed['slug']}/series-participation",
                           headers=org["headers"]), 200)
    # the programme: a speaker from the account, a reservation, the agenda
    sp = mk_speaker(gess, org, ed, account_id=me["id"], name=h.DROP, organization=h.DROP,
                    sector=h.DROP)
    h.assert_json(gess.req("GET", f"/v1/editions/{ed['slug']}/speakers", headers=org["headers"]),
                  200)
    ses = mk_session(gess, org, ed, speaker_ids=[sp["id"]], capacity=5)
    release(gess, org, ed)
    h.assert_json(gess.req("POST", f"/v1/sessions/{ses['id']}/reservation", headers=a["headers"]),
                  201)
    h.assert_json(gess.req("GET", "/v1/me/agenda", headers=a["headers"]), 200)
    h.assert_json(gess.req("GET", f"/v1/editions/{ed['slug']}/schedule"), 200)
    # pacts: the admin as a party's contact
    o = ph.org_any(gess, f)
    pact = ph.pact_any(gess, f, ed["slug"])
    ph.party_any(gess, f, pact, o["id"], "responsible", [me["id"]])
    h.assert_json(gess.req("GET", f"/v1/pacts/{pact}", headers=f["headers"]), 200)
    h.assert_json(gess.req("GET", f"/v1/pacts/{pact}/history", headers=f["headers"]), 200)
    # and everything held about them
    exp = h.assert_json(gess.req("GET", "/v1/me/export", headers=a["headers"]), 200)
    assert exp["account"]["consent_at"] is None and exp["account"]["sector"] is None, exp["account"]
    assert exp["agenda"] and exp["series_rsvps"] and exp["series_attendance"], exp
    assert exp["speaker_profiles"], exp
