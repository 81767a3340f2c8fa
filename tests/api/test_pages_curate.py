"""The practices pages of authors and curators (issue 19) over real HTTP, as a browser
without JavaScript uses them: GET/POST /practices/new (a draft, or saved and submitted; the
API's checks, each error at its field), the case's status for its author and the submit
button of a draft, GET /manage/practices (the submissions with what they change, the
reports) with publish / reject and restore / withdraw, the curators' list the page reads
(GET /v1/practice-submissions), and 403 for everyone else. A case published here is found
by a search typed without accents."""
import html
import re

import pytest
import requests

import gesshelp as h
import pagehelp as pg
import practicehelp as xh


def _session(gess, who):
    """A browser signed in as who: the session cookie holds an API token (DESIGN.md §9)."""
    s = requests.Session()
    s.cookies.set("gess_session", who["token"])
    return s


def _html(r, status):
    assert r.status_code == status, (r.status_code, r.headers.get("Location"), r.text[:3000])
    assert r.headers["Content-Type"].startswith("text/html"), r.headers
    pg.check_page(r)
    return r.text


def _csrf(text):
    field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', text)
    assert field, text[:3000]
    return html.unescape(re.search(r'value="([^"]*)"', field.group(0)).group(1))


def _post(s, gess, path, data, csrf_from):
    data = dict(data, csrf_token=_csrf(_html(s.get(gess.url(csrf_from)), 200)))
    return s.post(gess.url(path), data=data, allow_redirects=False)


def _see_other(r):
    assert r.status_code == 303, (r.status_code, r.text[:3000])
    return r.headers["Location"]


def _form(**overrides):
    form = {
        "title": f"Diálogo en Chumbivilcas {h.letters(6)}",
        "kind": "practice",
        "summary": "Una mesa de diálogo entre comunidades y la empresa minera en Cusco.",
        "context": "Provincia de Chumbivilcas, Cusco.",
        "what_worked": "Actas públicas y **monitoreo participativo**.",
        "building_blocks_0_title": "Mesa de diálogo",
        "building_blocks_0_description": "Reuniones mensuales.",
        "theme_dialogo_multiactor": "on",
        "sector_community": "on",
        "sector_private": "on",
        "sdg_16": "on",
        "territories": "08, 0807",
        "stage": "operation",
        "links_0_title": "Informe",
        "links_0_url": "https://gess.pe/casos/chumbivilcas.pdf",
        "language": "es",
        "license": "CC-BY-4.0",
        "consent": "on",
        "action": "submit",
    }
    for k, v in overrides.items():
        if v is None:
            form.pop(k, None)
        else:
            form[k] = v
    return form


def _case_id(location):
    m = re.fullmatch(r"/practices/([0-9a-f-]{36})\?notice=(saved|submitted)", location)
    assert m, location
    return m.group(1), m.group(2)


@pytest.fixture(scope="module")
def people(gess):
    author = h.fast_user(gess)
    attendee = h.fast_user(gess)
    curator = xh.curators(gess)[0]
    return dict(author=author, attendee=attendee, curator=curator)


# --- who may ----------------------------------------------------------------------------------

def test_staff_pages_are_403_for_an_attendee_and_new_needs_a_session(gess, people):
    s = _session(gess, people["attendee"])
    _html(s.get(gess.url("/manage/practices")), 403)
    token = _csrf(_html(s.get(gess.url("/practices/new")), 200))
    case = xh.submit(gess, people["author"], xh.create_case(gess, people["author"])["id"])
    for path, data in ((f"/manage/practices/{case['id']}/review", {"decision": "published"}),
                       (f"/manage/practices/{case['id']}/moderation",
                        {"action": "withdraw", "comment": "x"})):
        _html(s.post(gess.url(path), data=dict(data, csrf_token=token), allow_redirects=False),
              403)
    assert gess.sql("SELECT status FROM practices WHERE id = %s", (case["id"],))[0][0] == \
        "submitted"
    # the search page leads to the form; the form asks an anonymous caller to log in
    assert 'href="/practices/new"' in _html(requests.get(gess.url("/practices")), 200)
    r = requests.get(gess.url("/practices/new"), allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("/login?next="), r.headers
    r = h.call("GET", gess.base + "/v1/practice-submissions", headers=people["attendee"]["headers"])
    h.assert_problem(r, 403)


def test_the_form_offers_the_controlled_themes_and_every_member(gess, people):
    s = _session(gess, people["author"])
    text = _html(s.get(gess.url("/practices/new")), 200)
    themes = gess.sql("SELECT code FROM practice_themes ORDER BY code")
    assert themes
    for (code,) in themes:
        assert f'name="theme_{code}"' in text
    for name in ("title", "summary", "context", "challenges", "what_worked", "what_did_not",
                 "results", "enabling_factors", "replicability", "building_blocks_0_title",
                 "building_blocks_2_lessons", "sector_media", "sdg_17", "territories", "stage",
                 "edition", "organization_ids", "session_id", "series_event_id", "pact_id",
                 "commitment_ids", "links_0_url", "language", "license", "consent"):
        assert f'name="{name}"' in text, name
    assert 'value="CC-BY-4.0"' in text
    assert 'value="practice" checked' in text
    # an empty row's field is empty, not a word from elsewhere on the page
    assert re.search(r'name="building_blocks_1_title" type="text" maxlength="200" value=""', text)


# --- an author -------------------------------------------------------------------------------

def test_save_and_submit_then_the_case_page_shows_its_status(gess, people):
    s = _session(gess, people["author"])
    form = _form()
    loc = _see_other(_post(s, gess, "/practices/new", form, csrf_from="/practices/new"))
    case_id, notice = _case_id(loc)
    assert notice == "submitted"
    case = h.assert_json(gess.req("GET", f"/v1/practices/{case_id}",
                                  headers=people["author"]["headers"]), 200)
    assert case["status"] == "submitted" and case["working"]["status"] == "submitted"
    assert case["title"] == form["title"]
    assert case["themes"] == ["dialogo_multiactor"]
    assert sorted(case["sectors"]) == ["community", "private"]
    assert case["sdgs"] == [16] and case["territories"] == ["08", "0807"]
    assert case["building_blocks"][0]["title"] == "Mesa de diálogo"
    assert case["links"] == [{"title": "Informe", "url": form["links_0_url"]}]
    assert case["consent"]["license"] == "CC-BY-4.0" and case["consent"]["at"]
    text = _html(s.get(gess.url(loc)), 200)
    words = pg.text_of(text)
    assert "Su caso se envió a revisión" in words
    assert "espera la revisión" in words
    assert 'action="/practices/' not in text  # no submit button once submitted


def test_a_draft_is_saved_then_submitted_from_its_page(gess, people):
    s = _session(gess, people["author"])
    loc = _see_other(_post(s, gess, "/practices/new", _form(action="draft"),
                           csrf_from="/practices/new"))
    case_id, notice = _case_id(loc)
    assert notice == "saved"
    text = _html(s.get(gess.url(loc)), 200)
    assert "Borrador" in pg.text_of(text)
    assert f'action="/practices/{case_id}/submit"' in text
    loc = _see_other(_post(s, gess, f"/practices/{case_id}/submit", {}, csrf_from=loc))
    assert loc == f"/practices/{case_id}?notice=submitted"
    assert gess.sql("SELECT status FROM practices WHERE id = %s", (case_id,))[0][0] == "submitted"
    # another account's draft: the API's 404
    other = _session(gess, people["attendee"])
    token = _csrf(_html(other.get(gess.url("/practices/new")), 200))
    r = other.post(gess.url(f"/practices/{case_id}/submit"), data={"csrf_token": token},
                   allow_redirects=False)
    _html(r, 404)


def test_a_refused_form_keeps_what_was_typed_and_marks_each_field(gess, people):
    s = _session(gess, people["author"])
    before = gess.sql("SELECT count(*) FROM practices")[0][0]
    r = _post(s, gess, "/practices/new",
              _form(title="", consent=None, kind="lesson", links_0_url="javascript:alert(1)",
                    building_blocks_0_title="", building_blocks_2_title="Tercero <b>",
                    theme_no_such_theme="on", summary="Resumen <script>x</script>"),
              csrf_from="/practices/new")
    text = _html(r, 422)
    assert gess.sql("SELECT count(*) FROM practices")[0][0] == before
    for field in ("title", "consent", "what_did_not", "links_0_url", "building_blocks_0_title"):
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', text), field
        assert f'id="{field}-error"' in text, field
        assert f'href="#{field}"' in text, field
    assert "Resumen &lt;script&gt;x&lt;/script&gt;" in text
    assert 'value="Tercero &lt;b&gt;"' in text
    assert "<script>x" not in text
    assert 'value="lesson" checked' in text
    # the theme off the list is the database's refusal: the C checks passed first
    r = _post(s, gess, "/practices/new", _form(theme_no_such_theme="on"),
              csrf_from="/practices/new")
    text = _html(r, 422)
    assert re.search(r'<fieldset id="themes"[^>]*aria-describedby="themes-error"', text)
    assert gess.sql("SELECT count(*) FROM practices")[0][0] == before


def test_a_form_without_its_csrf_token_changes_nothing(gess, people):
    s = _session(gess, people["author"])
    before = gess.sql("SELECT count(*) FROM practices")[0][0]
    _html(s.post(gess.url("/practices/new"), data=_form(csrf_token="x" * 43),
                 allow_redirects=False), 403)
    assert gess.sql("SELECT count(*) FROM practices")[0][0] == before


# --- curators --------------------------------------------------------------------------------

def test_a_curator_publishes_it_and_a_search_without_accents_finds_it(gess, people):
    author = _session(gess, people["author"])
    word = h.letters(8).lower()
    form = _form(title=f"Diálogo en Chumbivilcas {word}")
    case_id, _ = _case_id(_see_other(_post(author, gess, "/practices/new", form,
                                           csrf_from="/practices/new")))
    cur = _session(gess, people["curator"])
    text = _html(cur.get(gess.url("/manage/practices")), 200)
    item = re.search(rf'<li class="curate-item">(?:(?!</li>).)*/practices/{case_id}".*?</li>',
                     text, re.S)
    assert item, text[:4000]
    words = pg.text_of(item.group(0))
    assert form["title"] in words and "Caso nuevo" in words
    assert "Qué cambia" in words and "Título" in words and "Temas" in words
    api = h.assert_json(gess.req("GET", "/v1/practice-submissions",
                                 headers=people["curator"]["headers"],
                                 params={"limit": 200}), 200)
    mine = [it for it in api["items"] if it["practice"]["id"] == case_id]
    assert mine and mine[0]["revision"] == 1 and not mine[0]["revises_published"]
    assert "title" in mine[0]["changed"]
    loc = _see_other(_post(cur, gess, f"/manage/practices/{case_id}/review",
                           {"decision": "published", "revision": "1", "comment": ""},
                           csrf_from="/manage/practices"))
    assert loc == "/manage/practices?notice=published"
    assert "El caso se publicó" in pg.text_of(_html(cur.get(gess.url(loc)), 200))
    assert gess.sql("SELECT status FROM practices WHERE id = %s", (case_id,))[0][0] == \
        "published"
    found = h.assert_json(h.call("GET", gess.base + "/v1/practices",
                                 params={"q": f"dialogo chumbivilcas {word}"}), 200)
    assert [it["id"] for it in found["items"]] == [case_id]
    page = _html(requests.get(gess.url("/practices"),
                              params={"q": f"dialogo chumbivilcas {word}"}), 200)
    assert f'href="/practices/{case_id}"' in page


def test_a_revision_shows_what_it_changes_and_a_rejection_needs_its_comment(gess, people):
    case = xh.published_case(gess, people["author"], people["curator"])
    h.assert_json(gess.req("PATCH", f"/v1/practices/{case['id']}",
                           headers=people["author"]["headers"],
                           json={"results": "Ahora 200 toneladas al año."}), 200)
    xh.submit(gess, people["author"], case["id"])
    cur = _session(gess, people["curator"])
    text = _html(cur.get(gess.url("/manage/practices")), 200)
    item = re.search(rf'<li class="curate-item">(?:(?!</li>).)*/practices/{case["id"]}".*?</li>',
                     text, re.S)
    words = pg.text_of(item.group(0))
    assert "Revisión de un caso publicado" in words and "Versión 2" in words
    assert "Qué cambia: Resultados Comentario" in words, words
    assert "Enviado el 20" in words
    r = _post(cur, gess, f"/manage/practices/{case['id']}/review",
              {"decision": "rejected", "revision": "2", "comment": ""},
              csrf_from="/manage/practices")
    text = _html(r, 422)
    assert re.search(r'id="comment"[^>]*aria-invalid="true"', text)
    assert 'href="#comment"' in text and 'value="2"' in text
    assert gess.sql("SELECT status FROM practice_revisions WHERE practice_id = %s AND number = 2",
                    (case["id"],))[0][0] == "submitted"
    loc = _see_other(_post(cur, gess, f"/manage/practices/{case['id']}/review",
                           {"decision": "rejected", "revision": "2",
                            "comment": "Falta la fuente de la cifra."},
                           csrf_from="/manage/practices"))
    assert loc == "/manage/practices?notice=rejected"
    rev = gess.sql("SELECT status, comment FROM practice_revisions"
                   " WHERE practice_id = %s AND number = 2", (case["id"],))[0]
    assert rev == ("rejected", "Falta la fuente de la cifra.")
    # the author reads the comment on the case's page
    author = _session(gess, people["author"])
    words = pg.text_of(_html(author.get(gess.url(f"/practices/{case['id']}")), 200))
    assert "Devuelto por el equipo de curaduría" in words
    assert "Falta la fuente de la cifra." in words
    # a stale revision is the API's 409
    r = _post(cur, gess, f"/manage/practices/{case['id']}/review",
              {"decision": "published", "revision": "2"}, csrf_from="/manage/practices")
    _html(r, 409)


def test_reports_are_listed_and_a_curator_withdraws_or_restores(gess, people):
    case = xh.published_case(gess, people["author"], people["curator"])
    reporters = h.fast_users(gess, 3)
    for i, who in enumerate(reporters):
        h.assert_json(gess.req("POST", f"/v1/practices/{case['id']}/reports",
                               headers=who["headers"],
                               json={"reason": f"Datos falsos {i} " + "ñandú " * 300}), 201)
    cur = _session(gess, people["curator"])
    text = _html(cur.get(gess.url("/manage/practices")), 200)
    item = re.search(rf'<li class="curate-item">(?:(?!</li>).)*id="rep-{case["id"]}".*?</form>',
                     text, re.S)
    assert item, text[-4000:]
    words = pg.text_of(item.group(0))
    assert "3 denuncias abiertas" in words and "oculto" in words
    assert all(f"Datos falsos {i}" in words for i in range(3))
    # a long reason is cut at a character, whole on the API's queue
    assert words.count("…") == 3 and "ñandú " * 60 not in words and "\ufffd" not in words
    r = _post(cur, gess, f"/manage/practices/{case['id']}/moderation", {"action": "restore"},
              csrf_from="/manage/practices")
    text = _html(r, 422)
    assert re.search(r'id="comment"[^>]*aria-invalid="true"', text)
    loc = _see_other(_post(cur, gess, f"/manage/practices/{case['id']}/moderation",
                           {"action": "restore", "comment": "Revisado: los datos son correctos."},
                           csrf_from="/manage/practices"))
    assert loc == "/manage/practices?notice=restored"
    assert gess.sql("SELECT status FROM practices WHERE id = %s", (case["id"],))[0][0] == \
        "published"
    assert f'id="rep-{case["id"]}"' not in _html(cur.get(gess.url(loc)), 200)
    h.assert_json(gess.req("POST", f"/v1/practices/{case['id']}/reports",
                           headers=people["attendee"]["headers"], json={"reason": "Otra vez"}),
                  201)
    loc = _see_other(_post(cur, gess, f"/manage/practices/{case['id']}/moderation",
                           {"action": "withdraw", "comment": "Lo pidió la comunidad."},
                           csrf_from="/manage/practices"))
    assert loc == "/manage/practices?notice=withdrawn"
    assert gess.sql("SELECT status FROM practices WHERE id = %s", (case["id"],))[0][0] == \
        "withdrawn"


def test_the_submissions_list_pages_by_cursor(gess, people):
    ids = set()
    for _ in range(3):
        ids.add(xh.submit(gess, people["author"],
                          xh.create_case(gess, people["author"])["id"])["id"])
    items, pages = h.walk_pages(gess, "/v1/practice-submissions",
                                headers=people["curator"]["headers"], limit=2)
    seen = [it["practice"]["id"] for it in items]
    assert ids <= set(seen) and len(seen) == len(set(seen)) and pages >= 2
    r = gess.req("GET", "/v1/practice-submissions", headers=people["curator"]["headers"],
                 params={"cursor": "nope"})
    h.assert_problem(r, 422)


def test_english_pages(gess, people):
    s = _session(gess, people["curator"])
    text = _html(s.get(gess.url("/manage/practices?lang=en")), 200)
    assert "<h1>Practice curation</h1>" in text
    text = _html(s.get(gess.url("/practices/new")), 200)
    assert "<h1>Share a practice</h1>" in text and "Save and submit for review" in text


def test_the_queues_page_by_their_own_cursors_and_stay_light(gess, people):
    author = h.fast_user(gess)
    for _ in range(12):
        xh.submit(gess, author, xh.create_case(gess, author)["id"])
    cur = _session(gess, people["curator"])
    text = _html(cur.get(gess.url("/manage/practices")), 200)
    assert "}}" not in text and len(re.findall(r'<li class="curate-item">', text)) <= 20
    nxt = re.search(r'<a href="(/manage/practices\?submissions_cursor=[0-9a-f-]{36})">', text)
    assert nxt, "no next page of submissions"
    page2 = _html(cur.get(gess.url(html.unescape(nxt.group(1)))), 200)
    first = set(re.findall(r'id="sub-([0-9a-f-]{36})"', text))
    second = set(re.findall(r'id="sub-([0-9a-f-]{36})"', page2))
    assert second and not first & second
    assert 'href="/manage/practices"' in page2  # back to the first page
    text = _html(cur.get(gess.url("/manage/practices?reports_cursor=nope")), 422)
    assert 'href="#reports_cursor"' in text
