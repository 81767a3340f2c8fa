"""Follow-up in the browser (issue 19) over real HTTP, as a browser without JavaScript uses
it (a requests.Session holding the gess_session cookie; each form's csrf_token read from
its hidden field): a commitment's page (GET /commitments/{id}) shows what GET /v1/pacts/{id}
shows its caller and the forms the caller may use; a party contact reports a value there
(the API's check: a decimal comma is a number, a future date is refused at its field);
the verifiers' queue (GET /manage/measurements, on the new GET /v1/measurements) lists it
for the follow-up team and the verifier party's contact, never for its reporter, and a
review there (a rejection needs a comment) moves the pact's progress as the API reports
it; milestones are marked done and not done; an attendee gets 403."""
import html
import re

import pytest
import requests

import gesshelp as h
import pacthelp as ph
import pagehelp as pg


def _session(gess, who):
    """A browser holding who's session: gess_session is the API token itself."""
    s = requests.Session()
    s.cookies.set("gess_session", who["token"], domain="127.0.0.1", path="/")
    return s


def _page(s, gess, path, status=200):
    r = s.get(gess.url(path), headers={"Accept": pg.BROWSER_ACCEPT}, allow_redirects=False)
    assert r.status_code == status, (path, r.status_code, r.text[:2000])
    assert r.headers["Content-Type"].startswith("text/html"), r.headers
    return r


def _csrf(text):
    field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', text)
    assert field, text[:3000]
    return html.unescape(re.search(r'value="([^"]*)"', field.group(0)).group(1))


def _post(s, gess, path, data, csrf_from):
    data = dict(data, csrf_token=_csrf(_page(s, gess, csrf_from).text))
    return s.post(gess.url(path), data=data, allow_redirects=False)


def _see_other(r, to):
    assert r.status_code == 303, (r.status_code, r.text[:2000])
    assert r.headers["Location"] == to, r.headers
    return to


def _api_measurements(gess, who, **params):
    return h.assert_json(gess.req("GET", "/v1/measurements", headers=who["headers"],
                                  params=params), 200)


@pytest.fixture(scope="module")
def world(gess, staff):
    """A signed pact: a responsible party with a contact, a verifier party with another;
    a commitment with an indicator (0 -> 10, up) and a milestone; an attendee."""
    f = staff.followup
    edition = h.create_edition(gess, staff.organizer)
    contact, verifier, attendee = h.fast_users(gess, 3, prefix="fu")
    org = ph.create_organization(gess, f, sector="community")
    ver = ph.create_organization(gess, f, name=f"Veeduría {h.letters(6)}", sector="civil_society")
    pact = ph.create_pact(gess, f, edition["slug"], title=f"Pacto del agua {h.letters(5)}")
    ph.add_party(gess, f, pact["id"], org["id"], "responsible",
                 contacts=[contact["account"]["id"]])
    ph.add_party(gess, f, pact["id"], ver["id"], "verifier", contacts=[verifier["account"]["id"]])
    c = ph.create_commitment(gess, f, pact["id"], responsible_organization_id=org["id"])
    ind = ph.create_indicator(gess, f, c["id"])
    ms = ph.create_milestone(gess, f, c["id"], title="Primera convocatoria publicada")
    return dict(slug=edition["slug"], pact=pact, c=c, ind=ind, ms=ms, contact=contact,
                verifier=verifier, attendee=attendee, followup=f)


def test_the_commitment_page_shows_the_apis_commitment_to_anyone(gess, world):
    ph.add_measurement(gess, world["followup"], world["ind"]["id"], value=2, as_of=ph.day(-30))
    api = ph.get_pact(gess, world["pact"]["id"])
    c = next(x for x in api["commitments"] if x["id"] == world["c"]["id"])
    r = pg.get(gess.base, f"/commitments/{c['id']}")
    text = pg.check_page(r)
    assert f"<h1>{html.escape(c['title'])}</h1>" in text
    assert f'href="/pacts/{world["pact"]["id"]}"' in text
    assert f'value="{pg.num(c["progress"])}"' in text
    ind = c["indicators"][0]
    assert f'value="{pg.num(ind["progress"])}"' in text and f"{pg.percent(ind['progress'])} %" in text
    assert "Verificado" in pg.text_of(text)
    # anonymous: no forms at all
    assert "<form method=\"post\" action=\"/commitments/" not in text
    # the pact's page links each commitment to its page
    pact_page = pg.get(gess.base, f"/pacts/{world['pact']['id']}").text
    assert f'href="/commitments/{c["id"]}"' in pact_page
    en = pg.check_page(pg.get(gess.base, f"/commitments/{c['id']}?lang=en"))
    assert '<html lang="en"' in en and "Back to the pact" in en


def test_unknown_or_malformed_commitment_is_404(gess, world):
    pg.get(gess.base, "/commitments/00000000-0000-4000-8000-000000000000", 404)
    pg.get(gess.base, "/commitments/not-a-uuid", 404)


def test_a_contact_reports_a_value_and_a_verifier_approves_it(gess, world):
    cid, iid = world["c"]["id"], world["ind"]["id"]
    s = _session(gess, world["contact"])
    text = pg.check_page(_page(s, gess, f"/commitments/{cid}"))
    assert f'id="m-{iid}-value"' in text, "the contact sees no measurement form"
    assert "mark_done" not in text and "/milestones/done" not in text, "a contact marks milestones"
    # a future date: refused at its field, what was typed kept (SQL's refusal)
    r = _post(s, gess, f"/commitments/{cid}/measurements",
              {"indicator_id": iid, "value": "6,5", "as_of": ph.day(5),
               "evidence": "Acta <b>de</b> adjudicación"}, f"/commitments/{cid}")
    assert r.status_code == 422, (r.status_code, r.text[:1500])
    text = pg.check_page(r)
    assert f'id="m-{iid}-as_of" name="as_of" type="date"' in text
    assert re.search(rf'id="m-{iid}-as_of"[^>]*aria-invalid="true"[^>]*'
                     rf'aria-describedby="m-{iid}-as_of-error"', text), text[:4000]
    assert f'<p id="m-{iid}-as_of-error" class="field-error">' in text
    assert f'href="#m-{iid}-as_of">Fecha del valor: ' in text  # the summary names the field
    assert 'value="6,5"' in text and "Acta &lt;b&gt;de&lt;/b&gt; adjudicación" in text
    # no evidence and not a number: both refused by the C check at once
    r = _post(s, gess, f"/commitments/{cid}/measurements",
              {"indicator_id": iid, "value": "seis", "as_of": ph.day(-1), "evidence": " "},
              f"/commitments/{cid}")
    assert r.status_code == 422
    assert f'id="m-{iid}-value-error"' in r.text and f'id="m-{iid}-evidence-error"' in r.text
    n = gess.count("measurements", "indicator_id = %s", (iid,))
    # accepted: a decimal comma is a number
    r = _post(s, gess, f"/commitments/{cid}/measurements",
              {"indicator_id": iid, "value": "6,5", "as_of": ph.day(-1),
               "evidence": "Acta de adjudicación del comité", "evidence_url": ""},
              f"/commitments/{cid}")
    _see_other(r, f"/commitments/{cid}?notice=reported")
    assert gess.count("measurements", "indicator_id = %s", (iid,)) == n + 1
    mid, value, status = gess.sql("SELECT id::text, value::text, status FROM measurements"
                                  " WHERE indicator_id = %s ORDER BY reported_at DESC LIMIT 1",
                                  (iid,))[0]
    assert (value, status) == ("6.5", "submitted")
    after = pg.check_page(_page(s, gess, f"/commitments/{cid}?notice=reported"))
    assert "espera la revisión" in after and "Por revisar" in pg.text_of(after)

    # the API list and the queue page: the verifier and followup see it, the reporter not
    ids = [m["id"] for m in _api_measurements(gess, world["verifier"])["items"]]
    assert mid in ids
    assert mid in [m["id"] for m in _api_measurements(gess, world["followup"])["items"]]
    r = gess.req("GET", "/v1/measurements", headers=world["contact"]["headers"])
    assert r.status_code == 403, r.text  # the contact is no verifier
    v = _session(gess, world["verifier"])
    q = pg.check_page(_page(v, gess, "/manage/measurements"))
    assert f'action="/manage/measurements/{mid}/review"' in q
    assert f'href="/commitments/{cid}"' in q
    # a rejection without a comment: 422 at that value's comment
    r = _post(v, gess, f"/manage/measurements/{mid}/review", {"decision": "rejected"},
              "/manage/measurements")
    assert r.status_code == 422, r.text[:1500]
    assert re.search(rf'id="r-{mid}-comment"[^>]*aria-describedby="r-{mid}-comment-hint '
                     rf'r-{mid}-comment-error"[^>]*aria-invalid="true"', r.text), r.text[:4000]
    assert re.search(rf'id="r-{mid}-rejected"[^>]*checked', r.text)
    # verified: 303, the progress moves to what the API reports
    r = _post(v, gess, f"/manage/measurements/{mid}/review",
              {"decision": "verified", "comment": "Conforme con el acta"}, "/manage/measurements")
    _see_other(r, "/manage/measurements?notice=verified")
    assert gess.sql("SELECT status FROM measurements WHERE id = %s", (mid,))[0][0] == "verified"
    api = ph.get_pact(gess, world["pact"]["id"])
    ind = next(x for x in api["commitments"] if x["id"] == cid)["indicators"][0]
    assert ind["latest"]["value"] == 6.5, ind
    page = pg.get(gess.base, f"/pacts/{world['pact']['id']}").text
    assert f'value="{pg.num(api["progress"])}"' in page
    assert mid not in _page(v, gess, "/manage/measurements").text
    # twice: the 409 page
    r = _post(v, gess, f"/manage/measurements/{mid}/review", {"decision": "verified"},
              "/manage/measurements")
    assert r.status_code == 409


def test_followup_marks_a_milestone_done_and_not_done(gess, world):
    cid, msid = world["c"]["id"], world["ms"]["id"]
    s = _session(gess, world["followup"])
    text = pg.check_page(_page(s, gess, f"/commitments/{cid}"))
    assert f'id="ms-{msid}-done_on"' in text
    assert "equipo de seguimiento, su valor queda verificado" in text
    r = _post(s, gess, f"/commitments/{cid}/milestones/done",
              {"milestone_id": msid, "done_on": ph.day(3)}, f"/commitments/{cid}")
    assert r.status_code == 422 and f'id="ms-{msid}-done_on-error"' in r.text
    r = _post(s, gess, f"/commitments/{cid}/milestones/done",
              {"milestone_id": msid, "done_on": ph.day(0)}, f"/commitments/{cid}")
    _see_other(r, f"/commitments/{cid}?notice=milestone_done")
    assert str(gess.sql("SELECT done_on FROM milestones WHERE id = %s", (msid,))[0][0]) == ph.day(0)
    r = _post(s, gess, f"/commitments/{cid}/milestones/undone", {"milestone_id": msid},
              f"/commitments/{cid}")
    _see_other(r, f"/commitments/{cid}?notice=milestone_undone")
    assert gess.sql("SELECT done_on FROM milestones WHERE id = %s", (msid,))[0][0] is None
    # a contact may not: the 403 page, nothing changed
    c = _session(gess, world["contact"])
    r = _post(c, gess, f"/commitments/{cid}/milestones/done",
              {"milestone_id": msid, "done_on": ph.day(0)}, f"/commitments/{cid}")
    assert r.status_code == 403
    assert gess.sql("SELECT done_on FROM milestones WHERE id = %s", (msid,))[0][0] is None


def test_an_attendee_gets_403_and_anonymous_goes_to_login(gess, world):
    a = _session(gess, world["attendee"])
    pg.check_page(_page(a, gess, "/manage/measurements", 403))
    r = gess.req("GET", "/v1/measurements", headers=world["attendee"]["headers"])
    h.assert_problem(r, 403, "forbidden")
    r = requests.get(gess.url("/manage/measurements"), headers={"Accept": pg.BROWSER_ACCEPT},
                     allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("/login?next="), r.headers
    # an attendee's measurement form post is refused by the API's rule (403 page)
    cid, iid = world["c"]["id"], world["ind"]["id"]
    r = _post(a, gess, f"/commitments/{cid}/measurements",
              {"indicator_id": iid, "value": "1", "as_of": ph.day(-1), "evidence": "x"},
              f"/commitments/{cid}")
    assert r.status_code == 403


def test_the_api_list_checks_its_query(gess, world):
    f = world["followup"]
    h.assert_problem(gess.req("GET", "/v1/measurements?status=nope", headers=f["headers"]), 422)
    h.assert_problem(gess.req("GET", "/v1/measurements?cursor=x", headers=f["headers"]), 422)
    # the follow-up team's own value (verified at once) is never in its own list
    own = {m["id"] for m in _api_measurements(gess, f, status="verified")["items"]}
    mine = {i for (i,) in gess.sql("SELECT id::text FROM measurements WHERE reported_by = %s",
                                   (f["account"]["id"],))}
    assert mine and not own & mine
    # the verifier pages through the pact's verified values, oldest first
    v = world["verifier"]
    body = _api_measurements(gess, v, status="verified", limit=1)
    assert len(body["items"]) == 1 and body["next_cursor"], body
    nxt = _api_measurements(gess, v, status="verified", limit=1, cursor=body["next_cursor"])
    assert nxt["items"][0]["id"] != body["items"][0]["id"]
    assert all(m["status"] == "verified" for m in body["items"] + nxt["items"])
    assert nxt["items"][0]["reported_at"] >= body["items"][0]["reported_at"]


def test_a_closed_commitment_says_so_and_takes_no_value(gess, world):
    f = world["followup"]
    org = world["c"]["responsible_organization"]["id"]
    c = ph.create_commitment(gess, f, world["pact"]["id"], title="Compromiso cerrado",
                             responsible_organization_id=org)
    ind = ph.create_indicator(gess, f, c["id"])
    ph.set_status(gess, f, c["id"], "done")
    s = _session(gess, world["contact"])
    text = pg.check_page(_page(s, gess, f"/commitments/{c['id']}"))
    assert "ya no recibe valores" in text and f'id="m-{ind["id"]}-value"' not in text
    r = _post(s, gess, f"/commitments/{c['id']}/measurements",
              {"indicator_id": ind["id"], "value": "1", "as_of": ph.day(-1), "evidence": "x"},
              f"/commitments/{c['id']}")
    assert r.status_code == 409, r.text[:500]
    # the public sees no such note: it is for who could report
    assert "ya no recibe valores" not in pg.get(gess.base, f"/commitments/{c['id']}").text
