"""Every 'Rumbo al GESS' route x every role: exactly the status each gets,
and who sees an event's online link.

Roles: anonymous, attendee (holds the RSVP where one is involved), another
signed-in person, organizer, followup (not an organizer) and admin (implies
organizer). Each row builds its own event, so rows never depend on each
other; a refused request writes nothing."""
import datetime as dt
import re

import pytest

import gesshelp as h
from test_series import SERIES_TABLES, event_body, future

import rolehelp as rh
from rolehelp import (DRAFT_404, EVERYONE_200, ORGANIZER_200, ORGANIZER_201, ORGANIZER_204,
                      SIGNED_IN_201, route)

ROLES = h.ROLES

people = rh.people_fixture("community")


class Ctx(rh.Ctx):
    def edition(self, status="published"):
        return h.create_edition(self.gess, self.org, status=status)

    def event(self, status="published", rsvp=False, past=False):
        ed = self.edition(status)
        over = {}
        if past:
            start = h.now_utc() - dt.timedelta(days=2)
            over = {"starts_at": start.isoformat(),
                    "ends_at": (start + dt.timedelta(hours=2)).isoformat()}
        r = self.gess.req("POST", f"/v1/editions/{ed['slug']}/series-events",
                          headers=self.org["headers"], json=event_body(**over))
        ev = h.assert_json(r, 201)
        if rsvp:
            r = self.gess.req("POST", f"/v1/series-events/{ev['id']}/rsvp",
                              headers=self.attendee["headers"], json={"mode": "online"})
            h.assert_json(r, 201)
        return ed, ev


def _recurring(c):
    start = future(15)
    return {"method": "POST",
            "path": f"/v1/editions/{c.edition()['slug']}/series-events/recurring",
            "json": {"event": event_body(starts_at=start.isoformat(),
                                         ends_at=(start + dt.timedelta(hours=1)).isoformat()),
                     "rule": {"freq": "monthly", "interval": 2, "count": 3}}}


def _of_edition(tail, status="published"):
    """tail under the edition of a fresh event."""
    return lambda c: f"/v1/editions/{c.event(status)[0]['slug']}/{tail}"


def _event(tail="", status="published", **kw):
    """The path of a fresh event (kw: rsvp, past), plus tail."""
    return lambda c: f"/v1/series-events/{c.event(status, **kw)[1]['id']}{tail}"


IN_PERSON = {"mode": "in_person"}

ROUTES = [
    route("POST /v1/editions/{slug}/series-events", "POST",
          lambda c: f"/v1/editions/{c.edition()['slug']}/series-events", ORGANIZER_201,
          json=lambda c: event_body()),
    route("GET /v1/editions/{slug}/series-events", "GET", _of_edition("series-events"),
          EVERYONE_200),
    route("GET /v1/editions/{slug}/series-events (ics)", "GET",
          _of_edition("series-events?format=ics"), EVERYONE_200),
    route("GET /v1/editions/{slug}/series-events (draft)", "GET",
          _of_edition("series-events", "draft"), DRAFT_404),
    ("POST /v1/editions/{slug}/series-events/recurring", _recurring, ORGANIZER_201),
    route("GET /v1/series-events/{id}", "GET", _event(), EVERYONE_200),
    route("GET /v1/series-events/{id} (draft)", "GET", _event("", "draft"), DRAFT_404),
    route("PATCH /v1/series-events/{id}", "PATCH", _event(), ORGANIZER_200,
          json={"title": "Mesa temática: alianzas con la minería"}),
    route("DELETE /v1/series-events/{id}", "DELETE", _event(rsvp=True), ORGANIZER_204),
    route("POST /v1/series-events/{id}/rsvp", "POST", _event("/rsvp"), SIGNED_IN_201,
          json=IN_PERSON),
    route("POST /v1/series-events/{id}/rsvp (draft)", "POST", _event("/rsvp", "draft"),
          [401, 404, 404, 404, 404, 404], json=IN_PERSON),
    route("DELETE /v1/series-events/{id}/rsvp", "DELETE", _event("/rsvp", rsvp=True),
          [401, 204, 404, 404, 404, 404]),
    route("POST /v1/series-events/{id}/attendance", "POST", _event("/attendance", past=True),
          ORGANIZER_201,
          json=lambda c: {"account_id": c.attendee["account"]["id"], "mode": "online"}),
    route("GET /v1/series-events/{id}/attendance", "GET", _event("/attendance"),
          ORGANIZER_200),
    route("GET /v1/editions/{slug}/series-participation", "GET",
          _of_edition("series-participation"), ORGANIZER_200),
]

CASES, CASE_IDS = rh.cases(ROUTES)


@pytest.mark.parametrize("name,setup,role,want", CASES, ids=CASE_IDS)
def test_series_route_role_matrix(gess, staff, people, name, setup, role, want):
    ctx = Ctx(gess, staff, people)
    req = setup(ctx)
    rh.check_cell(gess, req, ctx.actor(role), name, role, want, tables=SERIES_TABLES,
                  content=("(ics)", "text/calendar"))


# who sees the online link of a published event (attendee holds an RSVP)
SEES_LINK = {"anonymous": False, "attendee": True, "other": False, "organizer": True,
             "followup": False, "admin": True}


@pytest.mark.parametrize("role", ROLES)
def test_online_url_by_role(gess, staff, people, role):
    ctx = Ctx(gess, staff, people)
    ed, ev = ctx.event(rsvp=True)
    hd = ctx.headers(role)
    one = h.assert_json(gess.req("GET", f"/v1/series-events/{ev['id']}", headers=hd), 200)
    page = h.assert_json(gess.req("GET", f"/v1/editions/{ed['slug']}/series-events",
                                  headers=hd), 200)
    ics = gess.req("GET", f"/v1/editions/{ed['slug']}/series-events?format=ics", headers=hd)
    assert ics.status_code == 200
    for doc in (one, page["items"][0]):
        assert ("online_url" in doc) == SEES_LINK[role], (role, doc)
    assert ("meet.example.org" in ics.text) == SEES_LINK[role], role


SERIES_ROUTES = {
    "POST /v1/editions/{}/series-events", "GET /v1/editions/{}/series-events",
    "POST /v1/editions/{}/series-events/recurring", "GET /v1/series-events/{}",
    "PATCH /v1/series-events/{}", "DELETE /v1/series-events/{}",
    "POST /v1/series-events/{}/rsvp", "DELETE /v1/series-events/{}/rsvp",
    "POST /v1/series-events/{}/attendance", "GET /v1/series-events/{}/attendance",
    "GET /v1/editions/{}/series-participation",
}


def test_matrix_covers_every_series_route(gess):
    """The table above names every route gessd serves under the series paths."""
    served = h.served_routes(gess, lambda path: path.startswith("/v1/") and "series" in path)
    assert served == SERIES_ROUTES, served ^ SERIES_ROUTES
    tested = {n.split(" (")[0] for n, _, _ in ROUTES}
    tested = {re.sub(r"\{[^}]+\}", "{}", t) for t in tested}
    assert tested == SERIES_ROUTES, tested ^ SERIES_ROUTES
