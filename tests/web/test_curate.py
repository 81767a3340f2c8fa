"""Practices for authors and curators in a real browser (issue 19), JavaScript on (keys
only) and off: an author submits a case through /practices/new (first refused without the
consent box, then accepted), a curator publishes it in /manage/practices, and a search
typed without accents finds it; the author, who holds no staff role, gets the 403 page
there. axe-core on /practices/new (and its 422), /manage/practices with a submission and a
reported case, and a case's page as its author sees it (its status)."""
import pytest

import gesshelp as h
import practicehelp as xh


def variant(js):
    return {"js": js, "keyboard": js}


def _login_of(who):
    return {"email": who["email"], "password": who["password"]}


def test_an_author_submits_a_curator_publishes_a_search_without_accents_finds_it(web, gess, js):
    author = h.fast_user(gess)
    curator = xh.curators(gess)[0]
    word = h.letters(8).lower()
    case = {
        "title": f"Diálogo en Chumbivilcas {word}",
        "summary": "Una mesa de diálogo entre comunidades campesinas y una minera en Cusco.",
        "context": "Provincia de Chumbivilcas, **Cusco**.",
        "theme": "dialogo_multiactor",
        "submit_label": "Guardar y enviar a revisión",
        "publish_label": "Publicar",
        "status_text": "Su caso se envió a revisión",
    }
    res = web.run("curate.mjs", author=_login_of(author), curator=_login_of(curator), case=case,
                  query=f"dialogo chumbivilcas {word}", name="curate", **variant(js))
    got = h.assert_json(h.call("GET", web.url(f"/v1/practices/{res['id']}")), 200)
    assert got["status"] == "published" and got["title"] == case["title"], got
    assert got["themes"] == [case["theme"]] and got["author_id"] == author["account"]["id"], got
    found = h.assert_json(h.call("GET", web.url("/v1/practices"),
                                 params={"q": f"dialogo chumbivilcas {word}"}), 200)
    assert [it["id"] for it in found["items"]] == [res["id"]], found


@pytest.fixture(scope="module")
def audit(web, gess):
    author = h.fast_user(gess)
    curator = xh.curators(gess)[0]
    # a submission waiting, a revision of a published case, a reported (hidden) case
    waiting = xh.submit(gess, author, xh.create_case(gess, author)["id"])
    revised = xh.published_case(gess, author, curator)
    h.assert_json(gess.req("PATCH", f"/v1/practices/{revised['id']}", headers=author["headers"],
                           json={"results": "Ahora 200 toneladas al año."}), 200)
    xh.submit(gess, author, revised["id"])
    reported = xh.published_case(gess, author, curator)
    for who in h.fast_users(gess, 3):
        h.assert_json(gess.req("POST", f"/v1/practices/{reported['id']}/reports",
                               headers=who["headers"], json={"reason": "Datos sin fuente"}), 201)
    # the author's own view of a case (its status), audited signed in as the curator
    # (curators see the working copy and its status as its author does)
    pages = [
        {"path": "/practices/new", "name": "practice_new"},
        {"path": "/practices/new", "name": "practice_new", "invalid": {"summary": "Solo un resumen."}},
        {"path": "/manage/practices", "name": "manage_practices"},
        {"path": f"/practices/{waiting['id']}?notice=submitted", "name": "practice_status"},
        {"path": "/practices/new?lang=en", "lang": "en", "name": "practice_new_en"},
        {"path": "/manage/practices", "lang": "en", "name": "manage_practices_en"},
    ]
    res = web.run("axe.mjs", js=True, out=[], **{"in": pages}, account=_login_of(curator),
                  name="axe-curate")
    return res["pages"]


def _label(p):
    return f"{p['path']}{' (422)' if p['want'] == 422 else ''}{' (en)' if p['want_lang'] == 'en' else ''}"


def test_curate_pages_answer_and_axe_finds_no_violation(audit):
    bad = []
    for p in audit:
        if p.get("error"):
            bad.append(f"{_label(p)}: {p['error']}")
            continue
        if p["status"] != p["want"]:
            bad.append(f"{_label(p)}: status {p['status']}, want {p['want']}")
        for v in p.get("violations") or []:
            bad.append(f"{_label(p)}: {v['id']} ({v['impact']}): {v['help']} — "
                       + ", ".join(v["nodes"]))
        if p.get("lang") != p["want_lang"]:
            bad.append(f"{_label(p)}: lang {p.get('lang')!r}")
        if p.get("scroll390", 0) > 391:
            bad.append(f"{_label(p)}: {p['scroll390']} px wide at 390 px")
        if p.get("bytes", 0) > 60 * 1024:
            bad.append(f"{_label(p)}: {p['bytes']} bytes of HTML + CSS + JS")
        i = p.get("inline") or {}
        if i.get("style_attrs") or i.get("inline_scripts") or i.get("handlers") or i.get("external"):
            bad.append(f"{_label(p)}: inline or outside content {i}")
    assert not bad, "\n".join(bad)
