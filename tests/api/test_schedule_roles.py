"""The schedule routes x every role: exactly the status each gets.

Roles: anonymous, attendee (a plain account), organizer, followup (not an
organizer) and admin (implies organizer). Each row builds its own edition
and draft programme, so a publish never depends on another row."""
import pytest

import gesshelp as h
from test_schedule import Draft, small_programme

ROLES = ["anonymous", "attendee", "organizer", "followup", "admin"]


def setup_edition(gess, staff, status="published", released=True):
    ed = h.create_edition(gess, staff.organizer, status=status)
    small_programme(Draft(gess, ed))
    if released:
        r = gess.req("POST", f"/v1/editions/{ed['slug']}/schedule/releases",
                     headers=staff.organizer["headers"], json={"comment": "v1"})
        h.assert_json(r, 201)
    return ed


# (name, edition status, released before the call, method, path suffix, expected in ROLES order)
ROWS = [
    ("POST releases (published edition)", "published", False, "POST", "/schedule/releases",
     [401, 403, 201, 403, 201]),
    ("POST releases (draft edition)", "draft", False, "POST", "/schedule/releases",
     [401, 403, 201, 403, 201]),
    ("GET releases (published edition)", "published", True, "GET", "/schedule/releases",
     [200, 200, 200, 200, 200]),
    ("GET releases (draft edition)", "draft", True, "GET", "/schedule/releases",
     [404, 404, 200, 404, 200]),
    ("GET schedule (published edition)", "published", True, "GET", "/schedule",
     [200, 200, 200, 200, 200]),
    ("GET schedule ics (published edition)", "published", True, "GET", "/schedule?format=ics",
     [200, 200, 200, 200, 200]),
    ("GET schedule (draft edition)", "draft", True, "GET", "/schedule",
     [404, 404, 200, 404, 200]),
    ("GET schedule (no release yet)", "published", False, "GET", "/schedule",
     [404, 404, 404, 404, 404]),
]


@pytest.fixture(scope="module")
def actors(gess, staff):
    return {
        "anonymous": None,
        "attendee": h.fast_user(gess, prefix="schedrole"),
        "organizer": staff.organizer,
        "followup": staff.followup,
        "admin": staff.admin,
    }


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_schedule_route_by_role(gess, staff, actors, row):
    name, status, released, method, suffix, expected = row
    for role, want in zip(ROLES, expected):
        ed = setup_edition(gess, staff, status=status, released=released)
        who = actors[role]
        kw = {"headers": who["headers"] if who else None}
        if method == "POST":
            kw["json"] = {"comment": f"publicado por {role}"}
        r = gess.req(method, f"/v1/editions/{ed['slug']}{suffix}", **kw)
        h.assert_role_answer(r, want, f"{name} as {role}")
        if want in h.PROBLEM_FOR:
            if method == "POST":
                assert gess.count("schedule_releases", "edition_id = %s", (ed["id"],)) == 0
