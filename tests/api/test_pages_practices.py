"""The practices pages for people (issue 18): GET /practices (the search: q and facets as
GET form fields, facet counts, marked snippets, "did you mean", pages by the API's cursor)
and GET /practices/{id} (a published case, its Markdown through libcmark's safe mode).
Real HTTP against gessd, cases made through the API (practicehelp), plus the demo."""
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

import gesshelp as h
import pagehelp as pg
import practicehelp as xh
from schemahelp import ScratchDb


@pytest.fixture(scope="module")
def world(gess):
    """Two published cases sharing a made-up accented word (so a search finds exactly them),
    one with <script>, raw HTML and a javascript: link in its texts; and a draft."""
    author = h.fast_user(gess)
    curator = xh.curators(gess)[0]
    word = f"montaña{h.letters(7)}"
    evil = xh.published_case(
        gess, author, curator,
        title=f"Vigilancia del agua en la {word} <script>alert('t')</script>",
        summary="Resumen con <b>etiquetas</b> y <script>alert('s')</script>",
        context=(f"La comunidad de la {word} vigila el río. <script>alert('c')</script>\n\n"
                 "<div onclick=\"x()\">bloque crudo</div>\n\n"
                 "**Mesa de diálogo** con [enlace](javascript:alert(1)) y "
                 "[informe](https://gess.pe/informe.pdf).\n\n# Un título dentro\n"),
        themes=["agua"], sdgs=[6], kind="practice")
    other = xh.published_case(gess, author, curator,
                              title=f"Lección de la {word} sobre el diálogo", kind="lesson",
                              context=f"Una lección aprendida en la {word}.", themes=["agua"],
                              what_did_not="El primer acuerdo sin actas.", sdgs=[6, 17])
    draft = xh.create_case(gess, author, title=f"Borrador de la {word}")
    return dict(word=word, evil=evil, other=other, draft=draft, author=author)


def api_search(gess, **params):
    return h.assert_json(h.call("GET", gess.base + "/v1/practices", params=params), 200)


def items_of(text):
    return re.findall(r'<li class="practices-item">.*?</li>\s*(?=<li class="practices-item">|</ol>)',
                      text, re.S)


# --- the search -------------------------------------------------------------------------------

def test_search_without_accents_finds_the_accented_cases_with_marks(gess, world):
    plain_word = world["word"].replace("ñ", "n")
    r = pg.get(gess.base, "/practices", params={"q": plain_word})
    text = pg.check_page(r)
    api = api_search(gess, q=plain_word)
    assert api["total"] == 2, api
    assert f"{api['total']} casos encontrados" in pg.text_of(text)
    for it in api["items"]:
        assert f'href="/practices/{it["id"]}"' in text
    assert world["draft"]["id"] not in text
    # the snippet: matches inside <mark>, everything else escaped
    marks = re.findall(r"<mark>(.*?)</mark>", text)
    assert marks and all(html.unescape(m).lower() == world["word"] for m in marks), marks
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(" in text  # the evil title, shown as text
    # the form keeps what was typed
    assert f'value="{plain_word}"' in text
    assert '<label for="q">' in text and 'id="q"' in text


def test_facets_are_form_fields_with_counts(gess, world):
    r = pg.get(gess.base, "/practices", params={"q": world["word"], "kind": "lesson"})
    text = pg.check_page(r)
    api = api_search(gess, q=world["word"], kind="lesson")
    assert api["total"] == 1 and api["items"][0]["id"] == world["other"]["id"]
    assert f'href="/practices/{world["evil"]["id"]}"' not in text
    # the kind facet (disjunctive: both kinds counted) with the lesson box checked
    assert re.search(r'name="kind" value="lesson" checked>', text)
    assert re.search(r'name="kind" value="practice">', text)
    for value, n in api["facets"]["kind"].items():
        label = re.search(rf'<label for="f-kind-{value}">(.*?)</label>', text, re.S).group(1)
        assert f"({n})" in pg.text_of(label)
    assert "Lección aprendida" in pg.text_of(text)
    # themes by name, sdg facet
    assert re.search(r'name="theme" value="agua"', text)
    assert re.search(r'name="sdg" value="6"', text)
    assert '<form class="practices-search" method="get" action="/practices"' in text


def test_did_you_mean_is_a_link(gess, world):
    typo = world["word"][:-1]
    api = api_search(gess, q=typo)
    assert api.get("did_you_mean"), api
    text = pg.check_page(pg.get(gess.base, "/practices", params={"q": typo}))
    m = re.search(r'<p class="practices-dym">.*?<a href="([^"]+)">([^<]+)</a>', text, re.S)
    assert m, text[-3000:]
    assert html.unescape(m.group(2)) == api["did_you_mean"]
    url = urlsplit(html.unescape(m.group(1)))
    assert url.path == "/practices" and parse_qs(url.query)["q"] == [api["did_you_mean"]]


def test_pages_follow_the_apis_cursor(gess, world):
    first = pg.check_page(pg.get(gess.base, "/practices",
                                 params={"q": world["word"], "limit": 1}))
    api = api_search(gess, q=world["word"], limit=1)
    assert api["next_cursor"]
    m = re.search(r'<a rel="next" href="([^"]+)">', first)
    assert m and 'rel="prev"' not in first
    nxt = html.unescape(m.group(1))
    assert parse_qs(urlsplit(nxt).query)["cursor"] == [api["next_cursor"]]
    second = pg.check_page(pg.get(gess.base, nxt))
    api2 = api_search(gess, q=world["word"], limit=1, cursor=api["next_cursor"])
    assert f'href="/practices/{api2["items"][0]["id"]}"' in second
    prev = re.search(r'<a rel="prev" href="([^"]+)">', second)
    assert prev and "cursor" not in html.unescape(prev.group(1))
    assert 'rel="next"' not in second


def test_search_in_english_and_a_bad_facet(gess, world):
    text = pg.check_page(pg.get(gess.base, "/practices?lang=en", params={"q": world["word"]}))
    assert '<html lang="en"' in text
    assert "2 cases found" in pg.text_of(text) and "Water" in pg.text_of(text)
    pg.get(gess.base, "/practices", params={"sdg": "99"}, status=422)


# --- a case -------------------------------------------------------------------------------------

def test_case_page_renders_markdown_safely(gess, world):
    case = world["evil"]
    r = pg.get(gess.base, f"/practices/{case['id']}")
    text = pg.check_page(r)
    # markdown rendered, Spanish intact
    assert "<strong>Mesa de diálogo</strong>" in text
    assert '<a href="https://gess.pe/informe.pdf">informe</a>' in text
    # nothing dangerous survives: scripts, raw HTML, javascript: links
    # (cmark drops the tags; the words between them stay, as text)
    assert "<script>" not in text and "<script>alert" not in text
    assert "onclick" not in text and "<div onclick" not in text
    assert "javascript:" not in text
    # people's plain text is escaped; a '# heading' in a case is no second h1
    assert "&lt;script&gt;alert(" in text and "&lt;b&gt;etiquetas&lt;/b&gt;" in text
    assert "<h3>Un título dentro</h3>" in text
    plain = pg.text_of(text)
    assert "Contexto" in plain and "Agua" in plain and "ODS 6" in plain
    assert "CC-BY-4.0" in plain


def test_case_page_shows_blocks_taxonomies_and_adoptions(gess, staff, world):
    case = world["other"]
    org = h.assert_json(gess.req("POST", "/v1/organizations", headers=staff.followup["headers"],
                                 json={"name": f"Municipalidad {h.letters(8)}",
                                       "sector": "public", "region": "Moquegua"}), 201)
    h.assert_json(gess.req("POST", f"/v1/practices/{case['id']}/adoptions",
                           headers=world["author"]["headers"],
                           json={"organization_id": org["id"], "territory": "18",
                                 "note": "Replicado en Moquegua"}), 201)
    text = pg.check_page(pg.get(gess.base, f"/practices/{case['id']}"))
    plain = pg.text_of(text)
    assert "Lección aprendida" in plain and "Qué no funcionó" in plain
    assert "El primer acuerdo sin actas." in plain
    assert "Mesa multiactor" in plain and "Reuniones mensuales." in plain  # a building block
    assert "Lima (1505)" in plain  # a province shown with its department
    assert org["name"] in plain and "Moquegua" in plain and "Replicado en Moquegua" in plain
    assert '<th scope="col">' in text
    en = pg.text_of(pg.check_page(pg.get(gess.base, f"/practices/{case['id']}?lang=en")))
    assert "Lesson learned" in en and "What did not work" in en and "Water" in en


def test_unknown_draft_or_malformed_case_is_404(gess, world):
    pg.get(gess.base, "/practices/00000000-0000-4000-8000-000000000000", status=404)
    pg.get(gess.base, f"/practices/{world['draft']['id']}", status=404)
    pg.get(gess.base, "/practices/nope", status=404)


# --- the demo ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(gess):
    db = ScratchDb(gess, prefix="pgpract")
    inst = None
    try:
        r = gess.cli(["demo"], db_url=db.url, timeout=120)
        assert r.returncode == 0, f"gessd demo failed:\n{r.stdout}\n{r.stderr}"
        inst = gess.spawn(env={"GESS_DATABASE_URL": db.url})
        yield inst
    finally:
        if inst is not None:
            inst.stop()
        db.drop()


def test_demo_search_without_accents_and_every_case_light(demo):
    text = pg.check_page(pg.get(demo.base, "/practices", params={"q": "dialogo"}))
    marks = [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", text)]
    assert any(m.lower() == "diálogo" for m in marks), marks
    everything = h.assert_json(h.call("GET", demo.base + "/v1/practices",
                                      params={"limit": 200}), 200)
    assert len(everything["items"]) >= 10
    pg.check_page(pg.get(demo.base, "/practices"))
    for it in everything["items"]:
        page = pg.check_page(pg.get(demo.base, f"/practices/{it['id']}"))
        assert html.escape(it["title"], quote=False) in page or it["title"] in pg.text_of(page)
