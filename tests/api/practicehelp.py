"""Helpers for the practices tests (issue 15): a case body shaped as DESIGN.md §6 says, the
people of the workflow (an author, curators), and one-call steps of a case's life through the
API — create_case, submit, publish, reject, report — each checking the answer's status.

Every builder takes the caller (a dict from gess.user()/fast_user()) and keyword overrides
applied with gesshelp.with_overrides (h.DROP removes a field)."""
import gesshelp as h


def _answer(r, status):
    """The JSON of a success, or the problem of a refusal, with the status expected."""
    return h.assert_json(r, status) if status < 400 else h.assert_problem(r, status)

PRACTICE_TABLES = ["practices", "practice_revisions", "practice_reports", "practice_moderation",
                   "practice_adoptions", "practice_themes", "outbox"]
STAGES = ["exploration", "construction", "operation", "closure", "post_closure",
          "not_applicable"]


def case_body(**overrides):
    body = {
        "title": f"Economía circular en Mala: residuos que vuelven a la chacra {h.letters(5)}",
        "kind": "practice",
        "summary": "Una mesa multiactor convirtió residuos orgánicos del valle en compost.",
        "context": "Valle de Mala, provincia de Cañete, Lima.",
        "challenges": "Desconfianza entre productores y empresa.",
        "what_worked": "Acuerdos con las juntas de usuarios y monitoreo participativo.",
        "what_did_not": "El primer acopio sin transporte propio.",
        "results": "120 toneladas de residuos al año convertidas en abono.",
        "enabling_factors": "Una mesa de diálogo con reglas claras.",
        "replicability": "Replicable en valles costeros con agricultura intensiva.",
        "building_blocks": [{"title": "Mesa multiactor", "description": "Reuniones mensuales.",
                             "enabling_factors": "Facilitación neutral",
                             "lessons": "Actas públicas"}],
        "themes": ["economia_circular", "dialogo_multiactor"],
        "sectors": ["private", "community"],
        "territories": ["1505", "150501"],
        "sdgs": [12, 17],
        "stage": "operation",
        "links": [{"title": "Informe", "url": "https://gess.pe/casos/mala.pdf"}],
        "language": "es",
        "consent": True,
    }
    return h.with_overrides(body, overrides)


def curators(gess, n=1):
    """n accounts with the curator role (written straight into the database)."""
    return h.fast_users(gess, n, roles=["curator"], full_name="Carla Curadora", prefix="cur")


def create_case(gess, who, status=201, **overrides):
    r = gess.req("POST", "/v1/practices", headers=who["headers"], json=case_body(**overrides))
    return _answer(r, status)


def submit(gess, who, case_id, status=200):
    return _answer(gess.req("POST", f"/v1/practices/{case_id}/submit",
                                  headers=who["headers"]), status)


def review(gess, curator, case_id, decision="published", comment=None, status=200):
    body = {"decision": decision}
    if comment is not None:
        body["comment"] = comment
    return _answer(gess.req("POST", f"/v1/practices/{case_id}/review",
                                  headers=curator["headers"], json=body), status)


def publish(gess, author, curator, case_id):
    """Submits the case's draft as its author and publishes it as curator: the read."""
    submit(gess, author, case_id)
    return review(gess, curator, case_id, "published", "Cumple los criterios")


def published_case(gess, author, curator, **overrides):
    """A new case, published: the read."""
    case = create_case(gess, author, **overrides)
    return publish(gess, author, curator, case["id"])


def report(gess, who, case_id, reason="Contenido inexacto", status=201):
    return _answer(gess.req("POST", f"/v1/practices/{case_id}/reports",
                                  headers=who["headers"], json={"reason": reason}), status)
