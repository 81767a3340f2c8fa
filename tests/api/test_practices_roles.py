"""Every route of the practices workflow (issue 15) x every role: exactly the status each gets.

Roles: anonymous, attendee (signed in, nothing to do with the case), author (who drafted the
case the row makes), curator, organizer, followup and admin (implies curator). Each row builds
its own case for each role, so no call depends on another."""
import pytest

import gesshelp as h
import pacthelp as ph
import practicehelp as xh
import rolehelp as rh
from rolehelp import route

ROLES = ["anonymous", "attendee", "author", "curator", "organizer", "followup", "admin"]

ALL_200 = [200] * 7
SIGNED_IN_201 = [401, 201, 201, 201, 201, 201, 201]
CURATOR_200 = [401, 403, 403, 200, 403, 403, 200]
CURATOR_201 = [401, 403, 403, 201, 403, 403, 201]
MINE_200 = [401, 404, 200, 200, 404, 404, 200]       # an unpublished case: author, curators
MINE_OR_403 = [401, 403, 200, 200, 403, 403, 200]    # a published case, author and curators act


class Ctx(rh.Ctx):
    def __init__(self, gess, staff):
        super().__init__(gess, staff, rh.two_people(gess, prefix="practrole"))
        self.author = self.other
        self.curator = xh.curators(gess)[0]
        self.org_record = ph.create_organization(gess, staff.followup)

    def actor(self, role):
        if role == "author":
            return self.author
        if role == "curator":
            return self.curator
        return super().actor(role)

    def draft(self):
        return xh.create_case(self.gess, self.author)

    def submitted(self):
        case = self.draft()
        xh.submit(self.gess, self.author, case["id"])
        return case

    def published(self):
        return xh.published_case(self.gess, self.author, self.curator)

    def hidden(self):
        case = self.published()
        for who in h.fast_users(self.gess, 3, prefix="practrep"):
            xh.report(self.gess, who, case["id"])
        return case


@pytest.fixture(scope="module")
def ctx(gess, staff):
    return Ctx(gess, staff)


def _case(kind, tail=""):
    return lambda c: f"/v1/practices/{getattr(c, kind)()['id']}{tail}"


ROUTES = [
    route("POST practices", "POST", "/v1/practices", SIGNED_IN_201,
          json=lambda c: xh.case_body()),
    route("GET practice (published)", "GET", _case("published"), ALL_200),
    route("GET practice (draft)", "GET", _case("draft"), [404, 404, 200, 200, 404, 404, 200]),
    route("GET practice (submitted)", "GET", _case("submitted"),
          [404, 404, 200, 200, 404, 404, 200]),
    route("GET practice (hidden)", "GET", _case("hidden"), [404, 404, 200, 200, 404, 404, 200]),
    route("PATCH practice (draft)", "PATCH", _case("draft"), MINE_200,
          json={"summary": "Resumen revisado."}),
    route("PATCH practice (published)", "PATCH", _case("published"), MINE_OR_403,
          json={"summary": "Resumen revisado."}),
    route("POST submit", "POST", _case("draft", "/submit"), [401, 404, 200, 403, 404, 404, 403]),
    route("POST review", "POST", _case("submitted", "/review"), CURATOR_200,
          json={"decision": "published", "comment": "Cumple"}),
    route("GET revisions (draft)", "GET", _case("draft", "/revisions"), MINE_200),
    route("GET revisions (published)", "GET", _case("published", "/revisions"), MINE_OR_403),
    route("POST reports", "POST", _case("published", "/reports"), SIGNED_IN_201,
          json={"reason": "Datos sin fuente"}),
    route("POST reports (draft)", "POST", _case("draft", "/reports"),
          [401, 404, 409, 409, 404, 404, 409], json={"reason": "Datos sin fuente"}),
    route("GET practice-reports", "GET", "/v1/practice-reports", CURATOR_200),
    route("GET practice-submissions", "GET", "/v1/practice-submissions", CURATOR_200),
    route("POST moderation", "POST", _case("hidden", "/moderation"), CURATOR_200,
          json={"action": "restore", "comment": "Sin fundamento"}),
    route("POST adoptions", "POST", _case("published", "/adoptions"), SIGNED_IN_201,
          json=lambda c: {"organization_id": c.org_record["id"], "territory": "1801"}),
    route("GET adoptions (published)", "GET", _case("published", "/adoptions"), ALL_200),
    route("GET adoptions (draft)", "GET", _case("draft", "/adoptions"),
          [404, 404, 200, 200, 404, 404, 200]),
    route("GET practice-themes", "GET", "/v1/practice-themes", ALL_200),
    route("POST practice-themes", "POST", "/v1/practice-themes", CURATOR_201,
          json=lambda c: {"code": "tema_" + h.letters(8), "name_es": "Tema", "name_en": "Theme"}),
    # search: public to everyone, in each of its three media types; the synonyms are the
    # curators' to replace (a PUT of the list as it stands, so the rows change nothing)
    route("GET practices", "GET", "/v1/practices?q=agua&theme=agua", ALL_200,
          content_type="application/json"),
    route("GET practices (CSV)", "GET", "/v1/practices?q=agua", ALL_200,
          headers={"Accept": "text/csv"}, content_type="text/csv"),
    route("GET practices (Atom)", "GET", "/v1/practices?format=atom", ALL_200,
          content_type="application/atom+xml"),
    route("GET practice-synonyms", "GET", "/v1/practice-synonyms", ALL_200),
    route("PUT practice-synonyms", "PUT", "/v1/practice-synonyms", CURATOR_200,
          json=lambda c: c.gess.req("GET", "/v1/practice-synonyms").json()),
]

PROBLEMS = {("POST reports (draft)", 409): "invalid-state"}


@pytest.mark.parametrize("name,setup,expected", ROUTES, ids=[r[0] for r in ROUTES])
def test_route_role_matrix(gess, ctx, name, setup, expected):
    rh.check_row(gess, ctx, name, setup, expected, problems=PROBLEMS, roles=ROLES)
