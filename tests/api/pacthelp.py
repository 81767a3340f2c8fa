"""Helpers for the pact follow-up tests: request bodies shaped as DESIGN.md §6 says, and
one-call builders that make an organization, a pact, a party, a commitment, an indicator,
a measurement or a milestone through the API and check the answer's status.

Every builder takes the caller (a dict from gess.user()/fast_user(), usually staff.followup)
and keyword overrides applied with gesshelp.with_overrides (h.DROP removes a field)."""
import datetime as _dt

import gesshelp as h

PACT_STATUSES = ["draft", "signed", "in_progress", "completed", "lapsed"]
PARTY_ROLES = ["signatory", "responsible", "co_responsible", "verifier"]
COMMITMENT_STATUSES = ["not_started", "on_track", "at_risk", "delayed", "done", "dropped"]
COMPLETION_LEVELS = ["no_evidence", "not_started", "limited", "substantial", "complete"]
PACT_TABLES = ["organizations", "pacts", "pact_parties", "pact_party_contacts", "commitments",
               "commitment_co_responsibles", "indicators", "measurements", "milestones",
               "pact_audit", "outbox"]

ORG_NAMES = [
    "Comunidad Campesina de Michiquillay", "Municipalidad Distrital de La Encañada",
    "Minera Andina del Sur S.A.", "Universidad Nacional de Cajamarca",
    "Mesa de Diálogo de Moquegua", "Profonanpe", "Cooperación Alemana GIZ",
]


def today():
    """Today where the test editions are (America/Lima, their default time
    zone), which the SQL compares with: the machine's date is a day ahead
    from 00:00 to 05:00 UTC."""
    import zoneinfo
    return _dt.datetime.now(zoneinfo.ZoneInfo("America/Lima")).date()


def day(offset):
    """Today plus offset days, as YYYY-MM-DD."""
    return (today() + _dt.timedelta(days=offset)).isoformat()


def organization_body(**overrides):
    body = {
        "name": f"{ORG_NAMES[0]} {h.letters(6)}",
        "sector": "community",
        "tax_id": None,
        "region": "Cajamarca",
    }
    body = h.with_overrides(body, overrides)
    return {k: v for k, v in body.items() if not (k == "tax_id" and v is None)}


def post(gess, who, path, body, status=201):
    """POST body to path as who: the status, and the JSON it answers."""
    return h.assert_json(gess.req("POST", path, headers=who["headers"], json=body), status)


def create_organization(gess, who, **overrides):
    return post(gess, who, "/v1/organizations", organization_body(**overrides))


def pact_body(**overrides):
    body = {
        "title": "Pacto por el financiamiento de proyectos socioambientales",
        "summary": "Mecanismos de financiamiento sostenible para proyectos con las comunidades.",
        "text_url": "https://gess.pe/pactos/financiamiento.pdf",
        "signed_on": day(-200),
        "status": "signed",
    }
    return h.with_overrides(body, overrides)


def create_pact(gess, who, slug, **overrides):
    return post(gess, who, f"/v1/editions/{slug}/pacts", pact_body(**overrides))


def add_party(gess, who, pact_id, organization_id, role="responsible", contacts=(), **overrides):
    body = h.with_overrides({"organization_id": organization_id, "role": role,
                             "contact_account_ids": list(contacts)}, overrides)
    return post(gess, who, f"/v1/pacts/{pact_id}/parties", body)


def commitment_body(**overrides):
    body = {
        "title": "Fondo concursable para proyectos productivos comunales",
        "description": "Convocatoria anual con participación de las comunidades del entorno.",
        "responsible_organization_id": None,
        "co_responsible_organization_ids": [],
        "starts_on": day(-180),
        "due_on": day(365),
    }
    return h.with_overrides(body, overrides)


def create_commitment(gess, who, pact_id, **overrides):
    return post(gess, who, f"/v1/pacts/{pact_id}/commitments", commitment_body(**overrides))


def indicator_body(**overrides):
    body = {
        "name": "Proyectos productivos financiados",
        "unit": "proyectos",
        "baseline": {"value": 0, "date": day(-180)},
        "target": {"value": 10, "date": day(365)},
        "direction": "up",
        "verification": "Actas de adjudicación publicadas por el comité de vigilancia",
    }
    return h.with_overrides(body, overrides)


def create_indicator(gess, who, commitment_id, **overrides):
    return post(gess, who, f"/v1/commitments/{commitment_id}/indicators",
                indicator_body(**overrides))


def measurement_body(**overrides):
    body = {
        "value": 4,
        "as_of": day(-10),
        "evidence": "Informe trimestral del comité de vigilancia ambiental participativa",
    }
    return h.with_overrides(body, overrides)


def add_measurement(gess, who, indicator_id, status=201, **overrides):
    return post(gess, who, f"/v1/indicators/{indicator_id}/measurements",
                measurement_body(**overrides), status)


def review(gess, who, measurement_id, decision="verified", comment="Conforme con las actas"):
    return post(gess, who, f"/v1/measurements/{measurement_id}/review",
                {"decision": decision, "comment": comment}, 200)


def milestone_body(**overrides):
    return h.with_overrides({"title": "Primera convocatoria publicada", "due_on": day(60)},
                            overrides)


def create_milestone(gess, who, commitment_id, **overrides):
    return post(gess, who, f"/v1/commitments/{commitment_id}/milestones",
                milestone_body(**overrides))


def set_status(gess, who, commitment_id, status, reason="Revisión trimestral"):
    return post(gess, who, f"/v1/commitments/{commitment_id}/status",
                {"status": status, "reason": reason}, 200)


def get_pact(gess, pact_id, who=None):
    r = gess.req("GET", f"/v1/pacts/{pact_id}", headers=(who or {}).get("headers"))
    return h.assert_json(r, 200)


def pact_counts(gess):
    return h.row_counts(gess, PACT_TABLES)


# --- commitments helper's additions ------------------------------------------------------
# The pact and organization routes are built in parallel with the commitment ones; these
# builders use the API when gessd serves it and insert the rows as the owner otherwise, so
# commitment tests run either way.

def _served(gess, route):
    cache = getattr(gess, "_pacthelp_served", None)
    if cache is None:
        cache = h.served_routes(gess)
        gess._pacthelp_served = cache
    return route in cache


def org_any(gess, who, **overrides):
    """An organization (API when served, else SQL); returns {id, name}."""
    if _served(gess, "POST /v1/organizations"):
        o = create_organization(gess, who, **overrides)
        return {"id": o["id"], "name": o["name"]}
    body = organization_body(**overrides)
    oid = gess.sql("INSERT INTO organizations (name, sector, region) VALUES (%s, %s, %s)"
                   " RETURNING id::text", (body["name"], body["sector"], body["region"]))[0][0]
    return {"id": oid, "name": body["name"]}


def pact_any(gess, who, slug, **overrides):
    """A pact of edition slug (API when served, else SQL); returns its id."""
    if _served(gess, "POST /v1/editions/{}/pacts"):
        return create_pact(gess, who, slug, **overrides)["id"]
    body = pact_body(**overrides)
    return gess.sql(
        "SELECT pact_set_actor(%s); INSERT INTO pacts (edition_id, title, summary, text_url,"
        " signed_on, status) SELECT id, %s, %s, %s, %s, %s FROM editions WHERE slug = %s"
        " RETURNING id::text",
        (who["account"]["id"] if "account" in who else None, body["title"], body["summary"],
         body["text_url"], body["signed_on"], body["status"], slug))[0][0]


def party_any(gess, who, pact_id, organization_id, role="responsible", contacts=()):
    """A party with contact account ids (API when served, else SQL); returns its id."""
    if _served(gess, "POST /v1/pacts/{}/parties"):
        return add_party(gess, who, pact_id, organization_id, role, contacts)["id"]
    pid = gess.sql("INSERT INTO pact_parties (pact_id, organization_id, role)"
                   " VALUES (%s, %s, %s) RETURNING id::text",
                   (pact_id, organization_id, role))[0][0]
    for c in contacts:
        gess.sql("INSERT INTO pact_party_contacts (party_id, account_id) VALUES (%s, %s)",
                 (pid, c))
    return pid


def commitment_read(gess, commitment_id, who=None):
    """A commitment as its reader sees it: through GET /v1/pacts/{id} when served (who:
    None = anonymous), else commitment_json(c, full) with full for staff/contacts."""
    pact_id = gess.sql("SELECT pact_id::text FROM commitments WHERE id = %s",
                       (commitment_id,))[0][0]
    if _served(gess, "GET /v1/pacts/{}"):
        p = get_pact(gess, pact_id, who)
        for c in p["commitments"]:
            if c["id"] == commitment_id:
                return c
            for s in c.get("sub_commitments", []):
                if s["id"] == commitment_id:
                    return s
        raise AssertionError(f"commitment {commitment_id} not in pact {pact_id}")
    return gess.sql("SELECT commitment_json(c, %s) FROM commitments c WHERE id = %s",
                    (who is not None, commitment_id))[0][0]


def pact_progress_of(gess, pact_id):
    """(progress, completion) of a pact as the database computes them."""
    return tuple(gess.sql("SELECT progress_json(p.progress)::float8,"
                          " completion_level(p.progress, p.evidence) FROM pact_progress(%s) p",
                          (pact_id,))[0])


def audit_rows(gess, entity_id):
    """The audit rows of one entity, oldest first: (action, actor_id, before, after); not the
    rows of its contacts or co-responsible organizations, which are filed under it too."""
    return gess.sql("SELECT action, actor_id::text, before, after FROM pact_audit"
                    " WHERE entity_id = %s AND entity NOT IN ('party_contact', 'co_responsible')"
                    " ORDER BY id", (entity_id,))


def pact_world(gess, staff, edition_status="published", pact_status="signed", **edition):
    """A fresh edition and pact with three parties: a responsible organization with one contact
    (`contact`) and a co-responsible one with another (`co_contact`), and a verifier with one
    (`verifier`). Returns a dict of them, plus `f` (staff.followup). `edition`: overrides of
    the edition's body (e.g. timezone)."""
    f = staff.followup
    ed = h.create_edition(gess, staff.organizer, status=edition_status, **edition)
    resp = org_any(gess, f)
    co = org_any(gess, f, name=f"{ORG_NAMES[1]} {h.letters(6)}", sector="public")
    ver = org_any(gess, f, name=f"{ORG_NAMES[3]} {h.letters(6)}", sector="academia")
    contact, co_contact, verifier = h.fast_users(gess, 3)
    over = {"signed_on": h.DROP} if pact_status == "draft" else {}
    pact = pact_any(gess, f, ed["slug"], status=pact_status, **over)
    party_any(gess, f, pact, resp["id"], "responsible", [contact["account"]["id"]])
    party_any(gess, f, pact, co["id"], "co_responsible", [co_contact["account"]["id"]])
    party_any(gess, f, pact, ver["id"], "verifier", [verifier["account"]["id"]])
    return {"edition": ed, "pact": pact, "resp": resp, "co": co, "ver": ver, "contact": contact,
            "co_contact": co_contact, "verifier": verifier, "f": f}


def world_commitment(gess, w, **overrides):
    """A commitment of w's pact, w's responsible and co-responsible organizations on it."""
    body = {"responsible_organization_id": w["resp"]["id"],
            "co_responsible_organization_ids": [w["co"]["id"]]}
    body.update(overrides)
    return create_commitment(gess, w["f"], w["pact"], **body)
