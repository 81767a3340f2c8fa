"""Every route, asked the ways careless clients ask, answers what the
OpenAPI document says (the response check in contract.py judges each answer):
whatever a route decides about an Accept it cannot satisfy or a body it
does not take, the status it answers must be documented.

Path parameters are unknown ids (the roles matrices cover real ones); no
request here can change anything: bodies are malformed, not sent as JSON or
not an object, and DELETEs go only to unknown ids.
"""
import re
import uuid

import contract
import gesshelp as h

def _routes(gess):
    r = gess.cli(["routes"])
    assert r.returncode == 0, r.stderr
    return [tuple(line.split()[:2]) for line in r.stdout.splitlines() if line.strip()]


def test_every_route_answers_as_documented(gess, staff):
    ed = h.create_edition(gess, staff.organizer)
    mismatches = []

    def ask(method, path, **kw):
        try:
            r = gess.req(method, path, check=False, **kw)
        except AssertionError as e:  # the check's own report
            mismatches.append(str(e))
            return
        # a documented 500 is still a bug: careless clients get 4xx
        if r.status_code >= 500:
            mismatches.append(f"{method} {path} -> {r.status_code}: {r.text[:200]}")

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
                ask(method, path, headers={**auth, "Accept": "image/png"})
                ask(method, path, headers={**auth, "Accept": "application/json;q=0, text/csv;q=0"})
                # a body where none is taken
                ask(method, path, headers={**auth, "Content-Type": "text/plain"}, data=b"x")
            elif method in ("POST", "PUT", "PATCH"):
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


def test_resources_with_only_their_required_members_show_as_documented(gess, staff):
    """Everything made with nothing but what the document requires, then read
    in every view: what was left out must show as the document allows."""
    import pacthelp as ph
    from test_programme import at, session_body
    from test_series import event_body

    schemas = contract.contract().published["components"]["schemas"]

    def minimal(name, body, *keep):
        req = set(schemas[name].get("required", [])) | set(keep)
        return {k: v for k, v in body.items() if k in req}

    def post(who, path, body, status=201):
        return h.assert_json(gess.req("POST", path, headers=who["headers"], json=body), status)

    def read(path, *whos, accept=None):
        for who in whos:
            hd = dict(who["headers"]) if who else {}
            if accept:
                hd["Accept"] = accept
            r = gess.req("GET", path, headers=hd)
            assert r.status_code < 500, f"GET {path} -> {r.status_code}: {r.text[:200]}"

    org, f, anyone = staff.organizer, staff.followup, None
    ed = post(org, "/v1/editions", minimal("EditionCreate", h.edition_body(), "status"))
    s = ed["slug"]
    e = f"/v1/editions/{s}"
    cat = post(org, f"{e}/categories", minimal("CategoryCreate", h.category_body()))
    post(org, f"{e}/questions", minimal("QuestionCreate", h.question_body()))
    u = h.fast_user(gess)
    post(u, f"{e}/registrations", {"category": cat["code"], "mode": "in_person"})
    ev = post(org, f"{e}/series-events", minimal("SeriesEventCreate", event_body(format="online",
                                                 modes={"online": None})))
    post(org, f"{e}/series-events", minimal("SeriesEventCreate", event_body(), "location"))
    post(u, f"/v1/series-events/{ev['id']}/rsvp", {"mode": "online"})
    post(org, f"{e}/rooms", {"name": "Sala " + h.letters(6)})
    post(org, f"{e}/tracks", {"name": "Eje " + h.letters(6)})
    post(org, f"{e}/speakers", {"name": "Invitada " + h.letters(6)})
    ses = post(org, f"{e}/sessions", minimal("SessionCreate", session_body(ed, starts_at=at(
        ed, 0, "10:00"), ends_at=at(ed, 0, "11:00"))))
    post(org, f"{e}/schedule/releases", {"comment": "Primera versión"})
    o = post(f, "/v1/organizations", minimal("OrganizationCreate", ph.organization_body()))
    post(f, f"{e}/pacts", {"title": "Pacto en borrador"})
    pact = post(f, f"{e}/pacts", minimal("PactCreate", ph.pact_body(), "status", "signed_on"))
    post(f, f"/v1/pacts/{pact['id']}/parties", {"organization_id": o["id"], "role": "responsible"})
    com = post(f, f"/v1/pacts/{pact['id']}/commitments",
               minimal("CommitmentCreate", ph.commitment_body(due_on=ph.day(-3))))
    ind = post(f, f"/v1/commitments/{com['id']}/indicators",
               minimal("IndicatorCreate", ph.indicator_body()))
    post(f, f"/v1/indicators/{ind['id']}/measurements",
         minimal("MeasurementCreate", ph.measurement_body(), "evidence"))  # or evidence_url
    post(f, f"/v1/commitments/{com['id']}/milestones", ph.milestone_body(due_on=ph.day(-1)))
    nxt = post(org, f"{e}/next", {})

    read(e, anyone, org)
    read(f"{e}/categories", anyone)
    read(f"{e}/questions", anyone)
    read(f"{e}/registrations", org)
    read(f"{e}/registrations", org, accept="text/csv")
    read(f"{e}/stats", org)
    read("/v1/me/registrations", u)
    read(f"{e}/series-events", anyone, u, org)
    read(f"{e}/series-events?format=ics", anyone)
    read(f"/v1/series-events/{ev['id']}", anyone, u, org)
    read(f"{e}/series-participation", org)
    for part in ("rooms", "tracks", "speakers", "sessions", "schedule", "schedule/releases"):
        read(f"{e}/{part}", anyone, org)
    read(f"/v1/sessions/{ses['id']}", anyone, org)
    read(f"{e}/schedule?format=ics", anyone)
    read(f"/v1/organizations/{o['id']}", anyone)
    read(f"{e}/pacts", anyone, f)
    read(f"/v1/pacts/{pact['id']}", anyone, f)
    read(f"/v1/pacts/{pact['id']}/history", f)
    read(f"{e}/pacts/dashboard", anyone)
    read(f"/v1/commitments/overdue?edition={s}", f)
    read(f"/v1/editions/{nxt['slug']}/pact-review", f)
    read("/v1/me/export", u)
