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


ORGANIZER_201 = [401, 403, 201, 403, 201]
EVERYONE_200 = [200] * 5
DRAFT_404 = [404, 404, 200, 404, 200]  # what a draft edition has, organizers only see


def _rows(method, what, suffix, cases):
    """One row per (edition, edition status, released before the call, expected)."""
    return [(f"{method} {what} ({edition})", status, released, method, suffix, expected)
            for edition, status, released, expected in cases]


# (name, edition status, released before the call, method, path suffix, expected in ROLES order)
ROWS = [
    *_rows("POST", "releases", "/schedule/releases",
           [("published edition", "published", False, ORGANIZER_201),
            ("draft edition", "draft", False, ORGANIZER_201)]),
    *_rows("GET", "releases", "/schedule/releases",
           [("published edition", "published", True, EVERYONE_200),
            ("draft edition", "draft", True, DRAFT_404)]),
    *_rows("GET", "schedule", "/schedule",
           [("published edition", "published", True, EVERYONE_200)]),
    *_rows("GET", "schedule ics", "/schedule?format=ics",
           [("published edition", "published", True, EVERYONE_200)]),
    *_rows("GET", "schedule", "/schedule",
           [("draft edition", "draft", True, DRAFT_404),
            ("no release yet", "published", False, [404] * 5)]),
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
