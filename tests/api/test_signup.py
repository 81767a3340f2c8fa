"""POST /v1/accounts: the happy path and every validation failure."""
import datetime
import re
import uuid

import pytest

import gesshelp as h
from gesshelp import DROP

SECRET_KEYS = {"password", "password_hash", "hash", "secret", "token", "token_hash"}


def test_signup_happy_path(gess):
    email = f"Ana.Quispe+{uuid.uuid4().hex[:8]}@Example.ORG"
    body = h.signup_body(email=email)
    r = gess.req("POST", "/v1/accounts", json=body)
    acc = h.assert_json(r, 201)

    assert set(acc) >= {"id", "email", "full_name", "organization", "sector", "country", "region",
                        "roles", "created_at"}, acc
    assert not (SECRET_KEYS & set(acc)), f"secret field in the answer: {acc}"
    assert body["password"] not in r.text
    assert "$argon2" not in r.text
    uuid.UUID(acc["id"])
    assert acc["email"] == email.lower()
    assert acc["full_name"] == body["full_name"]
    assert acc["organization"] == body["organization"]
    assert acc["sector"] == "civil_society"
    assert acc["country"] == "PE"
    assert acc["region"] == "Cajamarca"
    assert acc["roles"] == []
    created = datetime.datetime.fromisoformat(acc["created_at"].replace("Z", "+00:00"))
    assert created.tzinfo is not None, "created_at must carry an offset"
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - created).total_seconds()) < 120

    rows = gess.sql(
        "SELECT email, password_hash, full_name, sector, country, region, roles, consent_at, "
        "consent_policy FROM accounts WHERE id = %s", (acc["id"],))
    assert len(rows) == 1
    em, ph, fn, sector, country, region, roles, consent_at, policy = rows[0]
    assert em == email.lower()
    assert ph.startswith("$argon2id$"), ph
    assert fn == body["full_name"] and sector == "civil_society" and country == "PE"
    assert region == "Cajamarca"
    assert list(roles or []) == []
    assert consent_at is not None
    assert policy == "2026-01"

    # The new account can log in with its (case-insensitive) email.
    tok = gess.login(email.upper(), body["password"])
    assert len(tok) >= 32


def test_signup_minimal_body(gess):
    body = h.signup_body(organization=DROP, country=DROP, region=DROP)
    r = gess.req("POST", "/v1/accounts", json=body)
    acc = h.assert_json(r, 201)
    assert acc["email"] == body["email"]
    assert acc.get("organization") in (None, "")
    assert acc.get("country") is None
    assert acc.get("region") in (None, "")


def test_signup_boundaries_accepted(gess):
    # 128-character password, 200-character name, 100-character region, 254-character email.
    pw = (h.strong_password() * 8)[:128]
    local = "b" * 64
    domain = ("d" * 60 + ".") * 3
    email = local + "@" + domain + "x" * (254 - len(local) - 1 - len(domain) - 4) + ".org"
    assert len(email) == 254
    body = h.signup_body(password=pw, full_name="N" * 200, region="R" * 100,
                         organization="O" * 200, email=email)
    r = gess.req("POST", "/v1/accounts", json=body)
    acc = h.assert_json(r, 201)
    assert acc["full_name"] == "N" * 200
    gess.login(email, pw)


LONG_EMAIL = "a" * 64 + "@" + "e" * 63 + "." + "f" * 63 + "." + "g" * 58 + ".org"
assert len(LONG_EMAIL) == 255
PW_129 = "Zq8-" + "vT3#kP9!wL" * 12 + "mN4$x"
assert len(PW_129) == 129

INVALID = [
    ("email-missing", {"email": DROP}, "email"),
    ("email-wrong-type", {"email": 12345}, "email"),
    ("email-null", {"email": None}, "email"),
    ("email-too-long", {"email": LONG_EMAIL}, "email"),
    ("email-no-at", {"email": "ana.example.org"}, "email"),
    ("email-no-domain", {"email": "ana@"}, "email"),
    ("email-no-local", {"email": "@example.org"}, "email"),
    ("email-space", {"email": "ana quispe@example.org"}, "email"),
    ("email-empty", {"email": ""}, "email"),
    ("password-missing", {"password": DROP}, "password"),
    ("password-wrong-type", {"password": 1234567890123}, "password"),
    ("password-weak", {"password": "password123"}, "password"),
    ("password-weak-2", {"password": "qwertyuiop"}, "password"),
    ("password-too-short", {"password": "Xk9#mQ2!"}, "password"),
    ("password-too-long", {"password": PW_129}, "password"),
    ("full_name-missing", {"full_name": DROP}, "full_name"),
    ("full_name-empty", {"full_name": ""}, "full_name"),
    ("full_name-wrong-type", {"full_name": ["Ana"]}, "full_name"),
    ("full_name-too-long", {"full_name": "N" * 201}, "full_name"),
    ("organization-too-long", {"organization": "O" * 201}, "organization"),
    ("organization-wrong-type", {"organization": 7}, "organization"),
    ("sector-missing", {"sector": DROP}, "sector"),
    ("sector-bad", {"sector": "government"}, "sector"),
    ("sector-wrong-case", {"sector": "Public"}, "sector"),
    ("sector-wrong-type", {"sector": 1}, "sector"),
    ("country-three-letters", {"country": "PER"}, "country"),
    ("country-lower-case", {"country": "pe"}, "country"),
    ("country-digits", {"country": "P1"}, "country"),
    ("country-not-assigned", {"country": "XX"}, "country"),
    ("country-not-iso", {"country": "UK"}, "country"),
    ("country-wrong-type", {"country": 51}, "country"),
    ("region-too-long", {"region": "R" * 101}, "region"),
    ("region-wrong-type", {"region": {"name": "Puno"}}, "region"),
    ("consent-false", {"consent": False}, "consent"),
    ("consent-missing", {"consent": DROP}, "consent"),
    ("consent-string", {"consent": "true"}, "consent"),
    ("consent-one", {"consent": 1}, "consent"),
]


@pytest.mark.parametrize("overrides,field", [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_signup_invalid_field(gess, overrides, field):
    body = h.signup_body(**overrides)
    before = gess.count("accounts")
    r = gess.req("POST", "/v1/accounts", json=body)
    problem = h.assert_problem(r, 422, "validation-failed")
    fields = h.error_fields(problem)
    assert field in fields, f"expected an error on {field!r}, got {problem['errors']}"
    # Only the broken field is reported.
    assert set(fields) == {field}, f"errors on other fields too: {problem['errors']}"
    assert gess.count("accounts") == before, "a refused sign-up wrote a row"
    if isinstance(body.get("email"), str):
        assert gess.count("accounts", "email = lower(%s)", (body["email"],)) == 0


def test_signup_reports_every_invalid_field_at_once(gess):
    body = h.signup_body(email="not-an-email", password="password123", sector="government",
                         full_name=DROP, consent=False, country="Peru")
    before = gess.count("accounts")
    r = gess.req("POST", "/v1/accounts", json=body)
    problem = h.assert_problem(r, 422, "validation-failed")
    fields = set(h.error_fields(problem))
    assert fields == {"email", "password", "sector", "full_name", "consent", "country"}, problem
    assert gess.count("accounts") == before


SPANISH = re.compile(
    r"(\b(el|la|los|las|del|debe|es|una?|válid[oa]|inválid[oa]|obligatori[oa]|"
    r"requerid[oa]|caracteres|contraseña|correo|campo|datos|país|consentimiento)\b)",
    re.IGNORECASE)


def _messages(r):
    problem = h.assert_problem(r, 422, "validation-failed")
    return problem, {e["field"]: e["message"] for e in problem["errors"]}


def test_signup_messages_in_spanish(gess):
    body = h.signup_body(email="nope", password="password123", sector="x")
    en_problem, en = _messages(gess.req("POST", "/v1/accounts", json=body,
                                        headers={"Accept-Language": "en-US,en;q=0.9"}))
    es_problem, es = _messages(gess.req("POST", "/v1/accounts", json=body,
                                        headers={"Accept-Language": "es-PE,es;q=0.9,en;q=0.5"}))
    assert set(en) == set(es) == {"email", "password", "sector"}
    for f in en:
        assert en[f] != es[f], f"message for {f} is not translated: {es[f]!r}"
    es_text = " ".join(list(es.values()) + [es_problem["title"], es_problem.get("detail", "")])
    assert SPANISH.search(es_text), f"does not look Spanish: {es_text!r}"
    assert es_problem["title"] != en_problem["title"]
    # The type (the machine-readable part) does not change with the language.
    assert es_problem["type"] == en_problem["type"]

    # English is preferred here even though Spanish is acceptable.
    _, en2 = _messages(gess.req("POST", "/v1/accounts", json=body,
                                headers={"Accept-Language": "en;q=1.0, es;q=0.5"}))
    assert en2 == en
    # No Accept-Language: English.
    _, en3 = _messages(gess.req("POST", "/v1/accounts", json=body))
    assert en3 == en


def test_signup_spanish_other_problems(gess):
    r = gess.req("GET", "/v1/me", headers={"Accept-Language": "es"})
    es = h.assert_problem(r, 401, "unauthorized")
    r = gess.req("GET", "/v1/me")
    en = h.assert_problem(r, 401, "unauthorized")
    assert es["title"] != en["title"]


def test_signup_wrong_content_type(gess):
    body = h.signup_body()
    r = gess.req("POST", "/v1/accounts", data=h.json_dumps(body).encode(),
                 headers={"Content-Type": "text/plain"})
    h.assert_problem(r, 415, "unsupported-media-type")
    assert gess.count("accounts", "email = %s", (body["email"],)) == 0
    # A charset parameter is fine.
    r = gess.req("POST", "/v1/accounts", data=h.json_dumps(body).encode(),
                 headers={"Content-Type": "application/json; charset=utf-8"})
    h.assert_json(r, 201)
