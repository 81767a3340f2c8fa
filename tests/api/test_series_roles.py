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

ROLES = h.ROLES


@pytest.fixture(scope="module")
def people(gess):
    attendee, other = h.fast_users(gess, 2, sector="community")
    return {"attendee": attendee, "other": other}


class Ctx:
    def __init__(self, gess, staff, people):
        self.gess = gess
        self.staff = staff
        self.org = staff.organizer
        self.attendee = people["attendee"]

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


ROUTES = [
    ("POST /v1/editions/{slug}/series-events",
     lambda c: {"method": "POST", "path": f"/v1/editions/{c.edition()['slug']}/series-events",
                "json": event_body()},
     [401, 403, 403, 201, 403, 201]),
    ("GET /v1/editions/{slug}/series-events",
     lambda c: {"method": "GET", "path": f"/v1/editions/{c.event()[0]['slug']}/series-events"},
     [200, 200, 200, 200, 200, 200]),
    ("GET /v1/editions/{slug}/series-events (ics)",
     lambda c: {"method": "GET",
                "path": f"/v1/editions/{c.event()[0]['slug']}/series-events?format=ics"},
     [200, 200, 200, 200, 200, 200]),
    ("GET /v1/editions/{slug}/series-events (draft)",
     lambda c: {"method": "GET",
                "path": f"/v1/editions/{c.event('draft')[0]['slug']}/series-events"},
     [404, 404, 404, 200, 404, 200]),
    ("POST /v1/editions/{slug}/series-events/recurring", _recurring,
     [401, 403, 403, 201, 403, 201]),
    ("GET /v1/series-events/{id}",
     lambda c: {"method": "GET", "path": f"/v1/series-events/{c.event()[1]['id']}"},
     [200, 200, 200, 200, 200, 200]),
    ("GET /v1/series-events/{id} (draft)",
     lambda c: {"method": "GET", "path": f"/v1/series-events/{c.event('draft')[1]['id']}"},
     [404, 404, 404, 200, 404, 200]),
    ("PATCH /v1/series-events/{id}",
     lambda c: {"method": "PATCH", "path": f"/v1/series-events/{c.event()[1]['id']}",
                "json": {"title": "Mesa temática: alianzas con la minería"}},
     [401, 403, 403, 200, 403, 200]),
    ("DELETE /v1/series-events/{id}",
     lambda c: {"method": "DELETE", "path": f"/v1/series-events/{c.event(rsvp=True)[1]['id']}"},
     [401, 403, 403, 204, 403, 204]),
    ("POST /v1/series-events/{id}/rsvp",
     lambda c: {"method": "POST", "path": f"/v1/series-events/{c.event()[1]['id']}/rsvp",
                "json": {"mode": "in_person"}},
     [401, 201, 201, 201, 201, 201]),
    ("POST /v1/series-events/{id}/rsvp (draft)",
     lambda c: {"method": "POST",
                "path": f"/v1/series-events/{c.event('draft')[1]['id']}/rsvp",
                "json": {"mode": "in_person"}},
     [401, 404, 404, 404, 404, 404]),
    ("DELETE /v1/series-events/{id}/rsvp",
     lambda c: {"method": "DELETE",
                "path": f"/v1/series-events/{c.event(rsvp=True)[1]['id']}/rsvp"},
     [401, 204, 404, 404, 404, 404]),
    ("POST /v1/series-events/{id}/attendance",
     lambda c: {"method": "POST",
                "path": f"/v1/series-events/{c.event(past=True)[1]['id']}/attendance",
                "json": {"account_id": c.attendee["account"]["id"], "mode": "online"}},
     [401, 403, 403, 201, 403, 201]),
    ("GET /v1/series-events/{id}/attendance",
     lambda c: {"method": "GET", "path": f"/v1/series-events/{c.event()[1]['id']}/attendance"},
     [401, 403, 403, 200, 403, 200]),
    ("GET /v1/editions/{slug}/series-participation",
     lambda c: {"method": "GET",
                "path": f"/v1/editions/{c.event()[0]['slug']}/series-participation"},
     [401, 403, 403, 200, 403, 200]),
]

CASES = [(name, setup, role, want)
         for name, setup, wants in ROUTES for role, want in zip(ROLES, wants)]


def _actor(ctx, people, role):
    if role == "anonymous":
        return None
    return h.role_actor(role, ctx.staff, people["attendee"], people["other"])


@pytest.mark.parametrize("name,setup,role,want", CASES,
                         ids=[f"{c[0]} as {c[2]}" for c in CASES])
def test_series_route_role_matrix(gess, staff, people, name, setup, role, want):
    ctx = Ctx(gess, staff, people)
    req = setup(ctx)
    actor = _actor(ctx, people, role)
    headers = dict(req.pop("headers", {}))
    if actor is not None:
        headers.update(actor["headers"])
    before = h.row_counts(gess, SERIES_TABLES) if want >= 400 else None
    r = gess.req(req["method"], req["path"], headers=headers, json=req.get("json"))
    h.assert_role_answer(r, want, f"{name} as {role}")
    if want >= 400:
        assert h.row_counts(gess, SERIES_TABLES) == before, "a refused request wrote rows"
    elif "(ics)" in name:
        assert r.headers["Content-Type"].startswith("text/calendar"), r.headers["Content-Type"]
    elif want != 204:
        h.assert_json(r, want)


# who sees the online link of a published event (attendee holds an RSVP)
SEES_LINK = {"anonymous": False, "attendee": True, "other": False, "organizer": True,
             "followup": False, "admin": True}


@pytest.mark.parametrize("role", ROLES)
def test_online_url_by_role(gess, staff, people, role):
    ctx = Ctx(gess, staff, people)
    ed, ev = ctx.event(rsvp=True)
    actor = _actor(ctx, people, role)
    hd = actor["headers"] if actor else None
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
    served = h.served_routes(gess, lambda path: "series" in path)
    assert served == SERIES_ROUTES, served ^ SERIES_ROUTES
    tested = {n.split(" (")[0] for n, _, _ in ROUTES}
    tested = {re.sub(r"\{[^}]+\}", "{}", t) for t in tested}
    assert tested == SERIES_ROUTES, tested ^ SERIES_ROUTES
