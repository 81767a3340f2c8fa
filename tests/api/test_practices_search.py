"""GET /v1/practices (issue 15, search): Spanish full text over both vectors
(accents and inflections both ways), phrases, exclusion against either
vector, synonyms both ways, did_you_mean with real words, disjunctive facet
counts equal to direct SQL counts, pages, snippets, 422 naming the
parameter, and nothing unpublished ever. Fixture cases are published rows
inserted straight into practices (searchhelp.py) with exact expected ids;
GET/PUT /v1/practice-synonyms too."""
import pytest

import gesshelp as h
import searchhelp as sh

FACETS = {"theme": "themes", "sector": "sectors", "territory": "departments", "sdg": "sdgs",
          "kind": "kind", "stage": "stage"}


@pytest.fixture(scope="module")
def cases(gess):
    org = sh.new_org()
    word = sh.nonce_word()
    c = sh.case
    ids = {
        "A": sh.insert(gess, org, c(
            "Gestión del agua en Moquegua", "La minería y el agua: participación de las juntas.",
            what_worked="Cuidar los bofedales de la cuenca.", themes=["agua"],
            sectors=["community"], territories=["180101"], sdgs=[6], stage="operation"),
            days_ago=5),
        "B": sh.insert(gess, org, c(
            "Agua potable sin mineria", "Un sistema de agua potable rural.",
            kind="lesson", what_did_not="Faltó mantenimiento del agua.", themes=["agua", "bionegocios"],
            sectors=["private"], territories=["CL"], sdgs=[6, 8], stage="closure"), days_ago=4),
        "C": sh.insert(gess, org, c(
            "Bionegocios de castaña", "La responsabilidad social empresarial en la Amazonía.",
            themes=["bionegocios"], sectors=["private", "community"], territories=["170101"],
            sdgs=[8, 15], stage="not_applicable"), days_ago=3),
        "D": sh.insert(gess, org, c(
            "La RSE con las comunidades campesinas", "Acuerdos con tres comunidades.",
            themes=["relaciones_comunitarias"], sectors=["private"], territories=["0601"],
            sdgs=[16], stage="exploration"), days_ago=2),
        "E": sh.insert(gess, org, c(
            "Mesas de diálogo multiactor", f"Las participaciones en el humedal de {word}.",
            themes=["dialogo_multiactor"], sectors=["public"], territories=["18"], sdgs=[16, 17],
            stage="operation"), days_ago=1),
        "F": sh.insert(gess, org, c(
            "Agua para riego", "Riego tecnificado <script>alert(1)</script> & más.",
            themes=["agua"], sectors=["public"], territories=["0401"], sdgs=[6, 2],
            stage="operation"), days_ago=0),
    }
    hidden = {
        "H": sh.insert(gess, org, c("Agua escondida", "agua minería RSE", themes=["agua"],
                                    territories=["18"], sdgs=[6]), status="hidden"),
        "W": sh.insert(gess, org, c("Agua retirada", "agua", themes=["agua"], sdgs=[6]),
                       status="withdrawn"),
        "S": sh.insert(gess, org, {}, status="submitted", published=False),
    }
    return {"org": org, "word": word, "ids": ids, "hidden": hidden}


@pytest.fixture(scope="module")
def synonyms(gess, cases):
    curator = h.fast_user(gess, roles=["curator"])
    before = h.assert_json(gess.req("GET", "/v1/practice-synonyms"), 200)["items"]
    items = [{"term": "RSE", "means": "responsabilidad social empresarial"},
             {"term": "bofedal", "means": "humedal"}]
    r = gess.req("PUT", "/v1/practice-synonyms", headers=curator["headers"],
                 json={"items": before + [i for i in items if i["term"] not in
                                          {b["term"] for b in before}]})
    h.assert_json(r, 200)
    yield curator
    h.assert_json(gess.req("PUT", "/v1/practice-synonyms", headers=curator["headers"],
                           json={"items": before}), 200)


def search(gess, cases, status=200, **params):
    params.setdefault("organization_id", cases["org"])
    r = gess.req("GET", "/v1/practices", params=params)
    return h.assert_json(r, status)


def found(gess, cases, q=None, **params):
    if q is not None:
        params["q"] = q
    body = search(gess, cases, limit=200, **params)
    ids = [i["id"] for i in body["items"]]
    assert not set(ids) & set(cases["hidden"].values()), body
    by_id = {v: k for k, v in cases["ids"].items()}
    return {by_id[i] for i in ids}


def test_accents_both_ways(gess, cases):
    assert found(gess, cases, "minería") == {"A", "B"}
    assert found(gess, cases, "mineria") == {"A", "B"}
    assert found(gess, cases, "DIALOGO") == {"E"}
    assert found(gess, cases, "diálogo") == {"E"}
    assert found(gess, cases, "castana") == {"C"}


def test_inflections_the_stemmer_conflates(gess, cases):
    # participación / participaciones: 'particip' in the spanish vector
    assert found(gess, cases, "participaciones") == {"A", "E"}
    assert found(gess, cases, "comunidad") == {"D"}


def test_phrases_and_or(gess, cases):
    assert found(gess, cases, '"agua potable"') == {"B"}
    assert found(gess, cases, "agua") == {"A", "B", "F"}
    assert found(gess, cases, "riego or castaña") == {"C", "F"}


def test_exclusion_against_both_vectors(gess, cases):
    # A says minería, B says mineria: each is excluded however the word is typed
    assert found(gess, cases, "agua -mineria") == {"F"}
    assert found(gess, cases, "agua -minería") == {"F"}
    assert found(gess, cases, 'agua -"agua potable"') == {"A", "F"}
    assert found(gess, cases, "-agua") == {"C", "D", "E"}


def test_synonyms_both_ways(gess, cases, synonyms):
    assert found(gess, cases, "RSE") == {"C", "D"}
    assert found(gess, cases, '"responsabilidad social empresarial"') == {"C", "D"}
    assert found(gess, cases, "responsabilidad social empresarial") == {"C", "D"}
    assert found(gess, cases, "bofedal") == {"A", "E"}
    assert found(gess, cases, "humedales") == {"A", "E"}
    assert found(gess, cases, "agua -humedal") == {"B", "F"}


def test_did_you_mean_gives_a_real_word(gess, cases):
    word = cases["word"]
    typo = word[:4] + word[5:]
    body = search(gess, cases, q=typo)
    assert body["items"] == [] and body["total"] == 0
    assert body["did_you_mean"] == word
    # a word that is there needs no correction; enough found: none offered
    assert "did_you_mean" not in search(gess, cases, q=word)
    assert "did_you_mean" not in search(gess, cases, q="agua")
    # the words are surface words, never stems
    assert gess.count("practice_words", "word = 'participaciones'") == 1
    assert gess.count("practice_words", "word = 'particip'") == 0


def test_unpublished_words_are_not_offered(gess, cases):
    org = cases["org"]
    secret = sh.nonce_word()
    pid = sh.insert(gess, org, sh.case("Borrador", f"{secret}"), status="hidden")
    assert gess.count("practice_words", "word = %s", (secret,)) == 0
    gess.sql("UPDATE practices SET status = 'published' WHERE id = %s", (pid,))
    assert gess.count("practice_words", "word = %s", (secret,)) == 1
    gess.sql("UPDATE practices SET status = 'withdrawn' WHERE id = %s", (pid,))
    assert gess.count("practice_words", "word = %s", (secret,)) == 0


def sql_facets(gess, org, q, filters):
    """The disjunctive counts, counted directly: each facet with every
    filter but its own."""
    match = "true"
    args = []
    if q:
        match = ("(search_es @@ websearch_to_tsquery('spanish', %s)"
                 " OR search_unaccent @@ websearch_to_tsquery('spanish', practices_unaccent(%s)))")
        args = [q, q]
    out = {}
    for facet, col in FACETS.items():
        where = [f"status = 'published'", f"'{org}' = ANY (organization_ids)", match]
        wargs = list(args)
        for other, values in filters.items():
            if other == facet:
                continue
            ocol = FACETS[other]
            if ocol in ("kind", "stage"):
                where.append(f"{ocol} = ANY (%s)")
            elif ocol == "sdgs":
                where.append(f"{ocol} && %s::integer[]")
                values = [int(v) for v in values]
            else:
                where.append(f"{ocol} && %s::text[]")
            wargs.append(list(values))
        expr = f"unnest({col})::text" if col not in ("kind", "stage") else col
        rows = gess.sql(f"SELECT v, count(*) FROM (SELECT {expr} AS v FROM practices"
                        f" WHERE {' AND '.join(where)}) x WHERE v IS NOT NULL GROUP BY v",
                        wargs)
        out[facet] = {v: n for v, n in rows}
    return out


@pytest.mark.parametrize("q, filters", [
    (None, {}),
    ("agua", {}),
    ("agua", {"theme": ["bionegocios"]}),
    (None, {"theme": ["agua", "bionegocios"], "kind": ["practice"]}),
    (None, {"sdg": ["8", "16"], "territory": ["17", "CL", "06"]}),
    ("agua or comunidades", {"sector": ["private"], "stage": ["closure", "exploration"]}),
])
def test_facet_counts_equal_sql(gess, cases, q, filters):
    params = dict(filters)
    if q:
        params["q"] = q
    body = search(gess, cases, **params)
    want = sql_facets(gess, cases["org"], q, filters)
    got = {k: v for k, v in body["facets"].items() if k != "edition"}
    assert got == want, (got, want)
    assert body["facets"]["edition"] == {}
    assert body["total"] == len(body["items"])


def test_facets_are_disjunctive(gess, cases):
    body = search(gess, cases, theme="bionegocios")
    assert found(gess, cases, theme="bionegocios") == {"B", "C"}
    # the theme facet ignores its own filter: every theme is still counted
    assert body["facets"]["theme"] == {"agua": 3, "bionegocios": 2, "relaciones_comunitarias": 1,
                                       "dialogo_multiactor": 1}
    # the others apply it
    assert body["facets"]["kind"] == {"practice": 1, "lesson": 1}
    assert body["facets"]["territory"] == {"CL": 1, "17": 1}
    # OR within one facet, AND across
    assert found(gess, cases, theme=["agua", "bionegocios"]) == {"A", "B", "C", "F"}
    assert found(gess, cases, theme=["agua", "bionegocios"], sdg="8") == {"B", "C"}
    assert found(gess, cases, territory="18", kind="practice") == {"A", "E"}


def test_pages_and_sort(gess, cases):
    newest = search(gess, cases, limit=2, sort="newest")
    ids = [i["id"] for i in newest["items"]]
    assert ids == [cases["ids"]["F"], cases["ids"]["E"]]
    assert newest["next_cursor"] is not None and newest["total"] == 6
    seen = list(ids)
    cursor = newest["next_cursor"]
    while cursor:
        page = search(gess, cases, limit=2, sort="newest", cursor=cursor)
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert seen == [cases["ids"][k] for k in "FEDCBA"]
    # relevance: the case that says agua most comes first
    rel = search(gess, cases, q="agua")
    assert rel["items"][0]["id"] == cases["ids"]["B"]


def test_items_and_snippets(gess, cases):
    body = search(gess, cases, q="riego")
    (item,) = body["items"]
    assert item["id"] == cases["ids"]["F"]
    assert item["themes"] == ["agua"] and item["sdgs"] == [6, 2] and item["stage"] == "operation"
    assert item["territories"] == ["0401"] and item["adopted_count"] == 0
    s = item["snippet"]
    assert "<mark>Riego</mark>" in s, s
    assert "&lt;script&gt;" in s and "<script>" not in s and "&amp; más" in s
    assert s.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    # an accent-free query marks the accented word
    s = search(gess, cases, q="mineria")["items"]
    assert any("<mark>minería</mark>" in i["snippet"] for i in s), s
    # no query: no snippet
    assert all(i["snippet"] is None for i in search(gess, cases)["items"])


def test_nothing_unpublished(gess, cases):
    body = search(gess, cases)
    assert body["total"] == 6
    assert {i["id"] for i in body["items"]} == set(cases["ids"].values())
    assert sum(body["facets"]["kind"].values()) == 6
    assert found(gess, cases, "escondida or retirada") == set()


@pytest.mark.parametrize("param, value", [
    ("theme", "Agua"), ("theme", "agua;drop"), ("sector", "nope"), ("territory", "180101"),
    ("territory", "pe"), ("sdg", "0"), ("sdg", "18"), ("sdg", "x"), ("kind", "case"),
    ("stage", "mining"), ("edition", "Not A Slug"), ("organization_id", "nope"),
    ("sort", "oldest"), ("cursor", "abc"), ("limit", "0"), ("q", "a" * 201), ("format", "xml"),
])
def test_bad_parameters_are_422_naming_them(gess, cases, param, value):
    r = gess.req("GET", "/v1/practices", params={param: value})
    h.assert_problem(r, 422, "validation-failed")
    assert h.error_fields(r.json()) == [param], r.json()


def test_synonyms_routes(gess, synonyms):
    got = h.assert_json(gess.req("GET", "/v1/practice-synonyms"), 200)["items"]
    assert {"term": "RSE", "means": "responsabilidad social empresarial"} in got
    assert [i["term"] for i in got] == sorted(i["term"] for i in got)
    body = {"items": [{"term": "EIA", "means": "estudio de impacto ambiental"}]}
    h.assert_problem(gess.req("PUT", "/v1/practice-synonyms", json=body), 401)
    attendee = h.fast_user(gess)
    h.assert_problem(gess.req("PUT", "/v1/practice-synonyms", headers=attendee["headers"],
                              json=body), 403, "forbidden")
    for bad, field in [({}, "items"), ({"items": [{"term": "", "means": "x"}]}, "items[0].term"),
                       ({"items": [{"term": "x"}]}, "items[0].means"),
                       ({"items": [{"term": "x", "means": "a"}, {"term": "x", "means": "b"}]},
                        "items[1].term"),
                       ({"items": ["x"]}, "items[0]")]:
        r = gess.req("PUT", "/v1/practice-synonyms", headers=synonyms["headers"], json=bad)
        h.assert_problem(r, 422, "validation-failed")
        assert h.error_fields(r.json()) == [field], (bad, r.json())
    assert h.assert_json(gess.req("GET", "/v1/practice-synonyms"), 200)["items"] == got


def test_words_that_are_stop_words_in_one_normalization_only(gess, cases):
    # 'más' is a Spanish stop word, 'mas' is not; 'éste' is a word, 'este'
    # a stop word: a query that is empty in one vector matches in the other
    # and neither drops every case nor is ignored
    assert found(gess, cases, "más") == {"F"}
    assert found(gess, cases, "agua -más") == {"A", "B"}
    assert found(gess, cases, "agua -éste") == {"A", "B", "F"}
    assert found(gess, cases, "agua -cómo") == {"A", "B", "F"}


def test_a_huge_cursor_is_an_empty_page_not_an_error(gess, cases):
    body = search(gess, cases, cursor="99999999999")
    assert body["items"] == [] and body["next_cursor"] is None


def test_filters_are_named_as_req_query_param_reads_them(gess, cases):
    assert found(gess, cases, Theme="bionegocios") == {"B", "C"}


@pytest.mark.parametrize("q", ["agua", "más agua", "cómo agua -minería", "agua -más",
                               '"gestión del agua" or bofedales', "más", "cómo",
                               "más -cómo", "cómo -más agua"])
def test_every_search_can_use_the_word_indexes(gess, q):
    """The WHERE a search runs (practices_where over the query's tsqueries) leaves the @@ bare,
    never wrapped (a coalesce() for a stop word of one normalization hid it from the planner,
    which then read every case's vectors: 130 ms for a rare word over 10,000 cases). With
    sequential and plain index scans priced out, the plan must reach the cases through the
    GIN indexes."""
    conn = gess.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT practices_where(qp, '{}'), qp.pos_es, qp.pos_un, qp.neg_es, "
                        "qp.neg_un FROM practices_query_parts(%s) qp", (q,))
            where, *tsq = cur.fetchone()
            # on so few cases the planner prefers the index of published cases by date,
            # which any WHERE can use: out of the way, in a transaction rolled back
            cur.execute("BEGIN; DROP INDEX practices_published_at; "
                        "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
            cur.execute("PREPARE s(tsquery, tsquery, tsquery, tsquery, jsonb) AS "
                        f"SELECT p.id FROM practices p WHERE {where}")
            cur.execute("EXPLAIN EXECUTE s(%s, %s, %s, %s, '{}')", tsq)
            plan = "\n".join(r[0] for r in cur.fetchall())
            cur.execute("ROLLBACK")
    finally:
        conn.close()
    assert "Seq Scan" not in plan and "COALESCE" not in plan.upper(), plan
    assert "Index Cond: (search_" in plan or "Index Cond: ((search_" in plan, plan
