"""Every route of issue 3, and the account flows of issue 16, x every role: exactly the
status each gets.

Roles: anonymous, attendee (the registrant where a registration is
involved), another attendee, organizer, followup (not an organizer) and
admin (implies organizer). Each row builds its own fixtures, so a call that
consumes state (a cancellation, an approval, DELETE /v1/me) never depends
on another row."""
import re

import pytest

import gesshelp as h

import rolehelp as rh
from rolehelp import (DRAFT_404, EVERYONE_200, ORGANIZER_200, ORGANIZER_201, SIGNED_IN_200,
                      SIGNED_IN_201, SIGNED_IN_204, route)

ROLES = h.ROLES

people = rh.people_fixture("public")


class Ctx(rh.Ctx):
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


def _ed(tail="", status="published"):
    """The path of a fresh edition (with its categories and question), plus tail."""
    return lambda c: f"/v1/editions/{c.edition(status)['slug']}{tail}"


def _registered(tail=""):
    """The path of the edition of a fresh registration, plus tail."""
    return lambda c: f"/v1/editions/{c.registration()[0]['slug']}{tail}"


def _registration(tail="", category="general"):
    return lambda c: f"/v1/registrations/{c.registration(category)[1]['id']}{tail}"


def _edition_part(tail, body):
    """Creating, listing, and listing in a draft edition, one part of an edition."""
    name = f"/v1/editions/{{slug}}/{tail}"
    return [route(f"POST {name}", "POST", _ed(f"/{tail}"), ORGANIZER_201,
                  json=lambda c: body()),
            route(f"GET {name}", "GET", _ed(f"/{tail}"), EVERYONE_200),
            route(f"GET {name} (draft)", "GET", _ed(f"/{tail}", "draft"), DRAFT_404)]


def _checkin(c):
    ed, reg = c.registration()
    return {"method": "POST", "path": f"/v1/editions/{ed['slug']}/checkins",
            "json": {"badge_code": reg["badge_code"]}}


REGISTER = {"category": "general", "mode": "online"}

# (name, setup(ctx) -> request dict, expected statuses in ROLES order)
ROUTES = [
    route("POST /v1/editions", "POST", "/v1/editions", ORGANIZER_201,
          json=lambda c: h.edition_body()),
    route("GET /v1/editions", "GET", "/v1/editions", EVERYONE_200),
    route("GET /v1/editions/{slug}", "GET", _ed(), EVERYONE_200),
    route("GET /v1/editions/{slug} (draft)", "GET", _ed("", "draft"), DRAFT_404),
    route("PATCH /v1/editions/{slug}", "PATCH", _ed(), ORGANIZER_200,
          json={"motto": "Nuevo lema"}),
    route("POST /v1/editions/{slug}/next", "POST", _ed("/next"), ORGANIZER_201, json={}),
    *_edition_part("categories", h.category_body),
    *_edition_part("questions", h.question_body),
    route("POST /v1/editions/{slug}/registrations", "POST", _ed("/registrations"),
          SIGNED_IN_201, json=REGISTER),
    route("POST /v1/editions/{slug}/registrations (draft)", "POST",
          _ed("/registrations", "draft"), [401, 404, 404, 404, 404, 404], json=REGISTER),
    route("GET /v1/editions/{slug}/registrations", "GET", _registered("/registrations"),
          ORGANIZER_200),
    route("GET /v1/editions/{slug}/registrations (csv)", "GET", _registered("/registrations"),
          ORGANIZER_200, headers={"Accept": "text/csv"}),
    route("GET /v1/editions/{slug}/stats", "GET", _registered("/stats"), ORGANIZER_200),
    ("POST /v1/editions/{slug}/checkins", _checkin, ORGANIZER_200),
    route("GET /v1/me/registrations", "GET", "/v1/me/registrations", SIGNED_IN_200),
    route("DELETE /v1/registrations/{id}", "DELETE", _registration(),
          [401, 204, 404, 204, 404, 204]),
    route("PATCH /v1/registrations/{id}", "PATCH", _registration(), ORGANIZER_200,
          json={"paid": True}),
    route("POST /v1/registrations/{id}/approve", "POST", _registration("/approve", "apr"),
          ORGANIZER_200, json={}),
    route("POST /v1/registrations/{id}/reject", "POST", _registration("/reject", "apr"),
          ORGANIZER_200, json={}),
    route("GET /v1/me/export", "GET", "/v1/me/export", SIGNED_IN_200),
    route("DELETE /v1/me", "DELETE", "/v1/me", SIGNED_IN_204, fresh_actor=True),
]

CASES, CASE_IDS = rh.cases(ROUTES)


@pytest.mark.parametrize("name,setup,role,want", CASES, ids=CASE_IDS)
def test_route_role_matrix(gess, staff, people, name, setup, role, want):
    ctx = Ctx(gess, staff, people)
    req = setup(ctx)
    fresh = req.pop("fresh_actor", False)
    actor = _fresh_actor(role)(ctx) if fresh and role != "anonymous" else ctx.actor(role)
    rh.check_cell(gess, req, actor, name, role, want, content=("csv", "text/csv"))
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


# --- the account flows (issue 16) -------------------------------------------------------------

ACCEPTED_ALL = [202] * 6
SIGNED_IN_202 = [401] + [202] * 5


def _mail_budget(path):
    """path, with the account-mail limits unspent first: they count per client address, and
    every cell asks from 127.0.0.1."""
    def setup(c):
        c.gess.sql("DELETE FROM account_mail_attempts")
        return path
    return setup


def _verification(c):
    _, acc = c.gess.signup()
    return {"token": c.gess.mailed_token(acc["id"])}


def _reset(c):
    who = h.fast_user(c.gess)
    r = c.gess.req("POST", "/v1/password-resets", json={"email": who["email"]})
    assert r.status_code == 202, r.text
    return {"token": c.gess.mailed_token(who["account"]["id"], "password_reset"),
            "new_password": h.strong_password()}


def _unsubscribe(c):
    who = h.fast_user(c.gess)
    key = c.gess.sql("SELECT unsubscribe_key FROM accounts WHERE id = %s",
                     (who["account"]["id"],))[0][0]
    return f"/v1/unsubscribe?token={key}"


ACCOUNT_FLOW_ROUTES = [
    route("PATCH /v1/me", "PATCH", "/v1/me", SIGNED_IN_200, json={"language": "en"},
          fresh_actor=True),
    route("POST /v1/email-verifications", "POST", "/v1/email-verifications", EVERYONE_200,
          json=_verification),
    route("POST /v1/email-verifications/resend", "POST",
          _mail_budget("/v1/email-verifications/resend"), SIGNED_IN_202, json={}),
    route("POST /v1/password-resets", "POST", _mail_budget("/v1/password-resets"), ACCEPTED_ALL,
          json=lambda c: {"email": h.unique_email("nobody")}),
    route("POST /v1/password-resets/confirm", "POST", _mail_budget("/v1/password-resets/confirm"),
          [204] * 6, json=_reset),
    route("POST /v1/unsubscribe", "POST", _unsubscribe, [204] * 6,
          headers={"Content-Type": "application/x-www-form-urlencoded"},
          data="List-Unsubscribe=One-Click"),
]

FLOW_CASES, FLOW_CASE_IDS = rh.cases(ACCOUNT_FLOW_ROUTES)


@pytest.mark.parametrize("name,setup,role,want", FLOW_CASES, ids=FLOW_CASE_IDS)
def test_account_flow_role_matrix(gess, staff, people, name, setup, role, want):
    ctx = Ctx(gess, staff, people)
    req = setup(ctx)
    fresh = req.pop("fresh_actor", False)
    actor = _fresh_actor(role)(ctx) if fresh and role != "anonymous" else ctx.actor(role)
    rh.check_cell(gess, req, actor, name, role, want)


ISSUE16_ROUTES = {
    "PATCH /v1/me", "POST /v1/email-verifications", "POST /v1/email-verifications/resend",
    "POST /v1/password-resets", "POST /v1/password-resets/confirm", "POST /v1/unsubscribe",
}


def test_account_flow_matrix_covers_every_route(gess):
    have = h.served_routes(gess)
    table = {_norm(name.split(" (")[0]) for name, _, _ in ACCOUNT_FLOW_ROUTES}
    assert table == ISSUE16_ROUTES, sorted(table ^ ISSUE16_ROUTES)
    missing = ISSUE16_ROUTES - have
    assert not missing, f"gessd routes lacks {sorted(missing)}"
