"""Every route of issue 3 x every role: exactly the status each gets.

Roles: anonymous, attendee (the registrant where a registration is
involved), another attendee, organizer, followup (not an organizer) and
admin (implies organizer). Each row builds its own fixtures, so a call that
consumes state (a cancellation, an approval, DELETE /v1/me) never depends
on another row."""
import re

import pytest

import gesshelp as h

ROLES = h.ROLES


@pytest.fixture(scope="module")
def people(gess):
    attendee, other = h.fast_users(gess, 2, sector="public")
    return {"attendee": attendee, "other": other}


class Ctx:
    def __init__(self, gess, staff, people):
        self.gess = gess
        self.staff = staff
        self.org = staff.organizer
        self.attendee = people["attendee"]
        self.other = people["other"]

    def edition(self, status="published"):
        ed = h.create_edition(self.gess, self.org, status=status)
        h.create_category(self.gess, self.org, ed["slug"], code="general",
                          modes={"in_person": 10, "online": None})
        h.create_category(self.gess, self.org, ed["slug"], code="apr", requires_approval=True,
                          modes={"in_person": 10})
        h.create_question(self.gess, self.org, ed["slug"], code="cargo", type="text")
        return ed

    def registration(self, category="general"):
        ed = self.edition()
        reg = h.register_ok(self.gess, self.attendee, ed["slug"], category)
        return ed, reg


def _fresh_actor(role):
    def setup(ctx):
        roles = {"organizer": ["organizer"], "followup": ["followup"], "admin": ["admin"]}.get(
            role, [])
        return h.fast_user(ctx.gess, roles=roles, prefix="erase")
    return setup


# (name, setup(ctx) -> request dict, expected statuses in ROLES order)
ROUTES = [
    ("POST /v1/editions",
     lambda c: {"method": "POST", "path": "/v1/editions", "json": h.edition_body()},
     [401, 403, 403, 201, 403, 201]),
    ("GET /v1/editions",
     lambda c: {"method": "GET", "path": "/v1/editions"},
     [200, 200, 200, 200, 200, 200]),
    ("GET /v1/editions/{slug}",
     lambda c: {"method": "GET", "path": f"/v1/editions/{c.edition()['slug']}"},
     [200, 200, 200, 200, 200, 200]),
    ("GET /v1/editions/{slug} (draft)",
     lambda c: {"method": "GET", "path": f"/v1/editions/{c.edition('draft')['slug']}"},
     [404, 404, 404, 200, 404, 200]),
    ("PATCH /v1/editions/{slug}",
     lambda c: {"method": "PATCH", "path": f"/v1/editions/{c.edition()['slug']}",
                "json": {"motto": "Nuevo lema"}},
     [401, 403, 403, 200, 403, 200]),
    ("POST /v1/editions/{slug}/next",
     lambda c: {"method": "POST", "path": f"/v1/editions/{c.edition()['slug']}/next", "json": {}},
     [401, 403, 403, 201, 403, 201]),
    ("POST /v1/editions/{slug}/categories",
     lambda c: {"method": "POST", "path": f"/v1/editions/{c.edition()['slug']}/categories",
                "json": h.category_body()},
     [401, 403, 403, 201, 403, 201]),
    ("GET /v1/editions/{slug}/categories",
     lambda c: {"method": "GET", "path": f"/v1/editions/{c.edition()['slug']}/categories"},
     [200, 200, 200, 200, 200, 200]),
    ("GET /v1/editions/{slug}/categories (draft)",
     lambda c: {"method": "GET", "path": f"/v1/editions/{c.edition('draft')['slug']}/categories"},
     [404, 404, 404, 200, 404, 200]),
    ("POST /v1/editions/{slug}/questions",
     lambda c: {"method": "POST", "path": f"/v1/editions/{c.edition()['slug']}/questions",
                "json": h.question_body()},
     [401, 403, 403, 201, 403, 201]),
    ("GET /v1/editions/{slug}/questions",
     lambda c: {"method": "GET", "path": f"/v1/editions/{c.edition()['slug']}/questions"},
     [200, 200, 200, 200, 200, 200]),
    ("GET /v1/editions/{slug}/questions (draft)",
     lambda c: {"method": "GET", "path": f"/v1/editions/{c.edition('draft')['slug']}/questions"},
     [404, 404, 404, 200, 404, 200]),
    ("POST /v1/editions/{slug}/registrations",
     lambda c: {"method": "POST", "path": f"/v1/editions/{c.edition()['slug']}/registrations",
                "json": {"category": "general", "mode": "online"}},
     [401, 201, 201, 201, 201, 201]),
    ("POST /v1/editions/{slug}/registrations (draft)",
     lambda c: {"method": "POST",
                "path": f"/v1/editions/{c.edition('draft')['slug']}/registrations",
                "json": {"category": "general", "mode": "online"}},
     [401, 404, 404, 404, 404, 404]),
    ("GET /v1/editions/{slug}/registrations",
     lambda c: {"method": "GET",
                "path": f"/v1/editions/{c.registration()[0]['slug']}/registrations"},
     [401, 403, 403, 200, 403, 200]),
    ("GET /v1/editions/{slug}/registrations (csv)",
     lambda c: {"method": "GET", "headers": {"Accept": "text/csv"},
                "path": f"/v1/editions/{c.registration()[0]['slug']}/registrations"},
     [401, 403, 403, 200, 403, 200]),
    ("GET /v1/editions/{slug}/stats",
     lambda c: {"method": "GET", "path": f"/v1/editions/{c.registration()[0]['slug']}/stats"},
     [401, 403, 403, 200, 403, 200]),
    ("POST /v1/editions/{slug}/checkins",
     lambda c: (lambda ed, reg: {"method": "POST", "path": f"/v1/editions/{ed['slug']}/checkins",
                                 "json": {"badge_code": reg["badge_code"]}})(*c.registration()),
     [401, 403, 403, 200, 403, 200]),
    ("GET /v1/me/registrations",
     lambda c: {"method": "GET", "path": "/v1/me/registrations"},
     [401, 200, 200, 200, 200, 200]),
    ("DELETE /v1/registrations/{id}",
     lambda c: {"method": "DELETE", "path": f"/v1/registrations/{c.registration()[1]['id']}"},
     [401, 204, 404, 204, 404, 204]),
    ("PATCH /v1/registrations/{id}",
     lambda c: {"method": "PATCH", "path": f"/v1/registrations/{c.registration()[1]['id']}",
                "json": {"paid": True}},
     [401, 403, 403, 200, 403, 200]),
    ("POST /v1/registrations/{id}/approve",
     lambda c: {"method": "POST",
                "path": f"/v1/registrations/{c.registration('apr')[1]['id']}/approve",
                "json": {}},
     [401, 403, 403, 200, 403, 200]),
    ("POST /v1/registrations/{id}/reject",
     lambda c: {"method": "POST",
                "path": f"/v1/registrations/{c.registration('apr')[1]['id']}/reject",
                "json": {}},
     [401, 403, 403, 200, 403, 200]),
    ("GET /v1/me/export",
     lambda c: {"method": "GET", "path": "/v1/me/export"},
     [401, 200, 200, 200, 200, 200]),
    ("DELETE /v1/me",
     lambda c: {"method": "DELETE", "path": "/v1/me", "fresh_actor": True},
     [401, 204, 204, 204, 204, 204]),
]

CASES = [(name, setup, role, want)
         for name, setup, wants in ROUTES for role, want in zip(ROLES, wants)]


def _actor(ctx, role, fresh):
    if role == "anonymous":
        return None
    if fresh:
        return _fresh_actor(role)(ctx)
    return h.role_actor(role, ctx.staff, ctx.attendee, ctx.other)


@pytest.mark.parametrize("name,setup,role,want", CASES,
                         ids=[f"{c[0]} as {c[2]}" for c in CASES])
def test_route_role_matrix(gess, staff, people, name, setup, role, want):
    ctx = Ctx(gess, staff, people)
    req = setup(ctx)
    actor = _actor(ctx, role, req.pop("fresh_actor", False))
    headers = dict(req.pop("headers", {}))
    if actor is not None:
        headers.update(actor["headers"])
    before = h.row_counts(gess) if want >= 400 else None
    r = gess.req(req["method"], req["path"], headers=headers, json=req.get("json"))
    h.assert_role_answer(r, want, f"{name} as {role}")
    if want >= 400:
        assert h.row_counts(gess) == before, "a refused request wrote rows"
    elif "csv" in name:
        assert r.headers["Content-Type"].startswith("text/csv"), r.headers["Content-Type"]
    elif want != 204:
        h.assert_json(r, want)
    if name == "DELETE /v1/me" and actor is not None:
        gone = gess.count("accounts", "id = %s", (actor["account"]["id"],)) == 0
        assert gone == (want == 204)


ISSUE3_ROUTES = {
    "POST /v1/editions", "GET /v1/editions", "GET /v1/editions/{}", "PATCH /v1/editions/{}",
    "POST /v1/editions/{}/next", "POST /v1/editions/{}/categories",
    "GET /v1/editions/{}/categories", "POST /v1/editions/{}/questions",
    "GET /v1/editions/{}/questions", "POST /v1/editions/{}/registrations",
    "GET /v1/editions/{}/registrations", "GET /v1/editions/{}/stats",
    "POST /v1/editions/{}/checkins", "GET /v1/me/registrations", "DELETE /v1/registrations/{}",
    "PATCH /v1/registrations/{}",
    "POST /v1/registrations/{}/approve", "POST /v1/registrations/{}/reject",
    "GET /v1/me/export", "DELETE /v1/me",
}


def _norm(s):
    return re.sub(r"\{[^}]*\}", "{}", s.strip())


def test_matrix_covers_every_route(gess):
    """The table has a row for every route of issue 3, and gessd serves them all."""
    have = h.served_routes(gess)
    table = {_norm(name.split(" (")[0]) for name, _, _ in ROUTES}
    assert table == ISSUE3_ROUTES, sorted(table ^ ISSUE3_ROUTES)
    missing = ISSUE3_ROUTES - have
    assert not missing, f"gessd routes lacks {sorted(missing)}"
