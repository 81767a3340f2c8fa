"""Every programme route (issue 4) x every role: exactly the status each gets.

Roles: anonymous, attendee (a confirmed registrant of the edition), other
(signed in, not registered), organizer, followup (not an organizer) and
admin (implies organizer). Each row builds its own fixtures, so a call that
consumes state (a DELETE, a reservation) never depends on another row."""
import pytest

import gesshelp as h
import rolehelp as rh
from rolehelp import (DRAFT_404, EVERYONE_200, ORGANIZER_200, ORGANIZER_201, ORGANIZER_204,
                      SIGNED_IN_200, SIGNED_IN_204, route)
from test_programme import at, mk_room, mk_session, mk_speaker, mk_track, release, session_body

ROLES = h.ROLES


class Ctx(rh.Ctx):
    def __init__(self, gess, staff):
        super().__init__(gess, staff, rh.two_people(gess, prefix="progrole"))
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
    return lambda c: f"/v1/editions/{(c.draft if draft else c.ed)['slug']}/{tail}"


def _edition_part(tail, body):
    """Creating, listing, and listing in a draft edition, one part of the edition."""
    return [route(f"POST {tail}", "POST", _slug_path(tail), ORGANIZER_201, json=body),
            route(f"GET {tail}", "GET", _slug_path(tail), EVERYONE_200),
            route(f"GET {tail} (draft edition)", "GET", _slug_path(tail, True), DRAFT_404)]


def _session(tail="", released=True, **over):
    """The path of a fresh session, plus tail."""
    return lambda c: f"/v1/sessions/{c.session(released, **over)['id']}{tail}"


def _agenda(c):
    return f"/v1/me/agenda/{c.session()['id']}"


WORKSHOP = {"kind": "workshop", "capacity": 30}

# (name, setup(ctx) -> request dict, expected statuses in ROLES order)
ROUTES = [
    *_edition_part("rooms", lambda c: {"name": "Sala " + h.letters()}),
    *_edition_part("tracks",
                   lambda c: {"name": "Eje " + h.letters(), "color": "#aa3300"}),
    *_edition_part("speakers",
                   lambda c: {"name": "Ponente " + h.letters(), "organization": "Profonanpe"}),
    *_edition_part("sessions", lambda c: session_body(c.ed, **c.slot())),
    route("GET session (released)", "GET", _session(), EVERYONE_200),
    route("GET session (unreleased)", "GET", _session(released=False), DRAFT_404),
    route("PATCH session", "PATCH", _session(released=False), ORGANIZER_200,
          json={"title": "Mesa temática renombrada"}),
    route("DELETE session", "DELETE", _session(released=False), ORGANIZER_204),
    route("POST reservation", "POST", _session("/reservation", **WORKSHOP),
          [401, 201, 403, 403, 403, 403]),
    route("DELETE reservation", "DELETE", _session("/reservation", **WORKSHOP), SIGNED_IN_204),
    route("GET agenda", "GET", "/v1/me/agenda", SIGNED_IN_200),
    route("GET agenda ics", "GET", "/v1/me/agenda?format=ics", SIGNED_IN_200),
    route("PUT agenda", "PUT", _agenda, SIGNED_IN_204),
    route("DELETE agenda", "DELETE", _agenda, SIGNED_IN_204),
]

EXTRA_PROBLEM = {("POST reservation", 403): "registration-required"}


@pytest.mark.parametrize("name,setup,expected", ROUTES, ids=[r[0] for r in ROUTES])
def test_route_role_matrix(gess, ctx, name, setup, expected):
    rh.check_row(gess, ctx, name, setup, expected, EXTRA_PROBLEM)


def test_setup_objects_visible(gess, ctx):
    # the fixtures of the matrix exist as the public sees them
    mk_room(gess, ctx.org, ctx.ed)
    mk_track(gess, ctx.org, ctx.ed)
    mk_speaker(gess, ctx.org, ctx.ed)
    for tail in ("rooms", "tracks", "speakers"):
        got = h.assert_json(gess.req("GET", f"/v1/editions/{ctx.ed['slug']}/{tail}"), 200)
        assert got["items"], tail
