"""What the route x role tables (test_*_roles.py, test_roles_matrix.py) share: the two people
with no role, the context a row builds on, how a row is written, and the checks made on each
cell of a table."""
import pytest

import gesshelp as h

# expected statuses in h.ROLES order
EVERYONE_200 = [200] * 6
ORGANIZER_200 = [401, 403, 403, 200, 403, 200]
ORGANIZER_201 = [401, 403, 403, 201, 403, 201]
ORGANIZER_204 = [401, 403, 403, 204, 403, 204]
SIGNED_IN_200 = [401, 200, 200, 200, 200, 200]
SIGNED_IN_201 = [401, 201, 201, 201, 201, 201]
SIGNED_IN_204 = [401, 204, 204, 204, 204, 204]
ADMIN_200 = [401, 403, 403, 403, 403, 200]
DRAFT_404 = [404, 404, 404, 200, 404, 200]  # a draft exists for organizers (and admins) only


def two_people(gess, **kw):
    """{"attendee", "other"}: two signed-in people with no role (kw: as h.fast_users)."""
    attendee, other = h.fast_users(gess, 2, **kw)
    return {"attendee": attendee, "other": other}


def people_fixture(sector):
    """A module fixture: two_people of sector."""
    @pytest.fixture(scope="module")
    def people(gess):
        return two_people(gess, sector=sector)
    return people


class Ctx:
    """What a row's setup builds on: the server, the staff, and people's attendee and other."""

    def __init__(self, gess, staff, people):
        self.gess = gess
        self.staff = staff
        self.org = staff.organizer
        self.attendee = people["attendee"]
        self.other = people["other"]

    def actor(self, role):
        return h.role_actor(role, self.staff, self.attendee, self.other)

    def headers(self, role):
        who = self.actor(role)
        return who["headers"] if who else None


def route(name, method, path, wants, json=None, **extra):
    """A row (name, setup(ctx) -> request dict, wants in ROLES order). path is a string or a
    function of the context; json a body or a function of the context making a fresh one;
    extra goes into the request dict as it is (headers, markers of the row)."""
    def setup(c):
        req = {"method": method, "path": path(c) if callable(path) else path, **extra}
        if json is not None:
            req["json"] = json(c) if callable(json) else json
        return req
    return (name, setup, wants)


def cases(routes, roles=h.ROLES):
    """One case (name, setup, role, want) for every cell of the table, and their ids."""
    found = [(name, setup, role, want)
             for name, setup, wants in routes for role, want in zip(roles, wants)]
    return found, [f"{c[0]} as {c[2]}" for c in found]


def check_cell(gess, req, actor, name, role, want, tables=None, content=None):
    """One cell, called as actor (None: anonymous), with the row's json or data (a form
    body, with its Content-Type in the row's headers): the status and its problem; a refusal
    writes no rows of tables; a success is JSON, or of content type content[1] where the
    row's name holds content[0]; a 204 has no body."""
    headers = dict(req.pop("headers", {}))
    if actor is not None:
        headers.update(actor["headers"])
    before = h.row_counts(gess, tables) if want >= 400 else None
    r = gess.req(req["method"], req["path"], headers=headers, json=req.get("json"),
                 data=req.get("data"))
    h.assert_role_answer(r, want, f"{name} as {role}")
    if want >= 400:
        assert h.row_counts(gess, tables) == before, "a refused request wrote rows"
    elif content is not None and content[0] in name:
        assert r.headers["Content-Type"].startswith(content[1]), r.headers["Content-Type"]
    elif want != 204:
        h.assert_json(r, want)
    return r


def check_row(gess, ctx, name, setup, expected, problems=None, roles=h.ROLES):
    """A whole row, each role on what setup(ctx) builds afresh: exactly the statuses expected,
    and for each cell that has its status the problem it names (problems: {(name, status):
    slug} where it is not the usual one). A row's headers are sent besides the role's; its
    content_type, when given, is that of each success."""
    got = []
    for role, want in zip(roles, expected):
        spec = setup(ctx)
        kw = {"json": spec["json"]} if "json" in spec else {}
        headers = {**(ctx.headers(role) or {}), **spec.get("headers", {})}
        r = gess.req(spec["method"], spec["path"], headers=headers, **kw)
        got.append(r.status_code)
        if r.status_code == want:
            h.assert_role_answer(r, want, f"{name} as {role}",
                                 {want: (problems or {}).get((name, want))})
            if want < 300 and "content_type" in spec:
                assert r.headers["Content-Type"].startswith(spec["content_type"]), (name, role)
    assert got == expected, dict(zip(roles, got))
