"""Every programme route (issue 4) x every role: exactly the status each gets.

Roles: anonymous, attendee (a confirmed registrant of the edition), other
(signed in, not registered), organizer, followup (not an organizer) and
admin (implies organizer). Each row builds its own fixtures, so a call that
consumes state (a DELETE, a reservation) never depends on another row."""
import pytest

import gesshelp as h
from test_programme import at, mk_room, mk_session, mk_speaker, mk_track, release, session_body

ROLES = h.ROLES


class Ctx:
    def __init__(self, gess, staff):
        self.gess = gess
        self.staff = staff
        self.org = staff.organizer
        self.attendee, self.other = h.fast_users(gess, 2, prefix="progrole")
        self.ed = h.create_edition(gess, self.org)
        cat = h.create_category(gess, self.org, self.ed["slug"], modes={"in_person": None})
        h.register_ok(gess, self.attendee, self.ed["slug"], cat["code"], status="confirmed")
        self.draft = h.create_edition(gess, self.org, status="draft")
        self.hour = 0

    def slot(self):
        """A fresh hour of the edition, so sessions made per row never clash."""
        self.hour += 1
        day, half = divmod(self.hour, 28)  # 08:00 .. 21:30, 20 minutes each
        hh, mm = 8 + half // 2, 30 * (half % 2)
        assert day < 3, "more sessions than the edition has half hours"
        return {"starts_at": at(self.ed, day, f"{hh:02d}:{mm:02d}"),
                "ends_at": at(self.ed, day, f"{hh:02d}:{mm + 20:02d}")}

    def session(self, released=True, **over):
        s = mk_session(self.gess, self.org, self.ed, **dict(self.slot(), **over))
        if released:
            release(self.gess, self.org, self.ed)
        return s


@pytest.fixture(scope="module")
def ctx(gess, staff):
    return Ctx(gess, staff)


def _slug_path(tail, draft=False):
    return lambda c: {"method": "GET",
                      "path": f"/v1/editions/{(c.draft if draft else c.ed)['slug']}/{tail}"}


# (name, setup(ctx) -> request dict, expected statuses in ROLES order)
ROUTES = [
    ("POST rooms", lambda c: {"method": "POST", "path": f"/v1/editions/{c.ed['slug']}/rooms",
                              "json": {"name": "Sala " + h.letters()}},
     [401, 403, 403, 201, 403, 201]),
    ("GET rooms", _slug_path("rooms"), [200] * 6),
    ("GET rooms (draft edition)", _slug_path("rooms", True), [404, 404, 404, 200, 404, 200]),
    ("POST tracks", lambda c: {"method": "POST", "path": f"/v1/editions/{c.ed['slug']}/tracks",
                               "json": {"name": "Eje " + h.letters(), "color": "#aa3300"}},
     [401, 403, 403, 201, 403, 201]),
    ("GET tracks", _slug_path("tracks"), [200] * 6),
    ("GET tracks (draft edition)", _slug_path("tracks", True), [404, 404, 404, 200, 404, 200]),
    ("POST speakers",
     lambda c: {"method": "POST", "path": f"/v1/editions/{c.ed['slug']}/speakers",
                "json": {"name": "Ponente " + h.letters(), "organization": "Profonanpe"}},
     [401, 403, 403, 201, 403, 201]),
    ("GET speakers", _slug_path("speakers"), [200] * 6),
    ("GET speakers (draft edition)", _slug_path("speakers", True),
     [404, 404, 404, 200, 404, 200]),
    ("POST sessions",
     lambda c: {"method": "POST", "path": f"/v1/editions/{c.ed['slug']}/sessions",
                "json": session_body(c.ed, **c.slot())},
     [401, 403, 403, 201, 403, 201]),
    ("GET sessions", _slug_path("sessions"), [200] * 6),
    ("GET sessions (draft edition)", _slug_path("sessions", True),
     [404, 404, 404, 200, 404, 200]),
    ("GET session (released)",
     lambda c: {"method": "GET", "path": f"/v1/sessions/{c.session()['id']}"}, [200] * 6),
    ("GET session (unreleased)",
     lambda c: {"method": "GET", "path": f"/v1/sessions/{c.session(False)['id']}"},
     [404, 404, 404, 200, 404, 200]),
    ("PATCH session",
     lambda c: {"method": "PATCH", "path": f"/v1/sessions/{c.session(False)['id']}",
                "json": {"title": "Mesa temática renombrada"}},
     [401, 403, 403, 200, 403, 200]),
    ("DELETE session",
     lambda c: {"method": "DELETE", "path": f"/v1/sessions/{c.session(False)['id']}"},
     [401, 403, 403, 204, 403, 204]),
    ("POST reservation",
     lambda c: {"method": "POST",
                "path": f"/v1/sessions/{c.session(kind='workshop', capacity=30)['id']}"
                        "/reservation"},
     [401, 201, 403, 403, 403, 403]),
    ("DELETE reservation",
     lambda c: {"method": "DELETE",
                "path": f"/v1/sessions/{c.session(kind='workshop', capacity=30)['id']}"
                        "/reservation"},
     [401, 204, 204, 204, 204, 204]),
    ("GET agenda", lambda c: {"method": "GET", "path": "/v1/me/agenda"},
     [401, 200, 200, 200, 200, 200]),
    ("GET agenda ics", lambda c: {"method": "GET", "path": "/v1/me/agenda?format=ics"},
     [401, 200, 200, 200, 200, 200]),
    ("PUT agenda", lambda c: {"method": "PUT", "path": f"/v1/me/agenda/{c.session()['id']}"},
     [401, 204, 204, 204, 204, 204]),
    ("DELETE agenda",
     lambda c: {"method": "DELETE", "path": f"/v1/me/agenda/{c.session()['id']}"},
     [401, 204, 204, 204, 204, 204]),
]

EXTRA_PROBLEM = {("POST reservation", 403): "registration-required"}


def _headers(ctx, role):
    who = h.role_actor(role, ctx.staff, ctx.attendee, ctx.other)
    return who["headers"] if who else None


@pytest.mark.parametrize("name,setup,expected", ROUTES, ids=[r[0] for r in ROUTES])
def test_route_role_matrix(gess, ctx, name, setup, expected):
    got = []
    for role in ROLES:
        spec = setup(ctx)
        kw = {}
        if "json" in spec:
            kw["json"] = spec["json"]
        r = gess.req(spec["method"], spec["path"], headers=_headers(ctx, role), **kw)
        got.append(r.status_code)
        want = expected[ROLES.index(role)]
        if r.status_code == want:
            h.assert_role_answer(r, want, f"{name} as {role}",
                                 {want: EXTRA_PROBLEM.get((name, want))})
    assert got == expected, dict(zip(ROLES, got))


def test_setup_objects_visible(gess, ctx):
    # the fixtures of the matrix exist as the public sees them
    mk_room(gess, ctx.org, ctx.ed)
    mk_track(gess, ctx.org, ctx.ed)
    mk_speaker(gess, ctx.org, ctx.ed)
    for tail in ("rooms", "tracks", "speakers"):
        got = h.assert_json(gess.req("GET", f"/v1/editions/{ctx.ed['slug']}/{tail}"), 200)
        assert got["items"], tail
