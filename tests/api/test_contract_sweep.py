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
