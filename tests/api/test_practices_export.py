"""The exports of GET /v1/practices (issue 15): `Accept: text/csv` (every
published case the search matches, one row each, taxonomies ;-joined,
formula-safe) and `?format=atom` (RFC 4287, parsed by Debian's
python3-feedparser with bozo == 0, its required elements checked here since
feedparser accepts feeds without them). Nothing unpublished in either."""
import csv
import io
import xml.etree.ElementTree as ET

import feedparser
import pytest

import gesshelp as h
import searchhelp as sh

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def cases(gess):
    org = sh.new_org()
    c = sh.case
    ids = {
        "A": sh.insert(gess, org, c("=HYPERLINK(\"http://x\")", "-2+3, con \"comillas\"",
                                    themes=["agua", "bionegocios"], sectors=["private"],
                                    territories=["180101", "CL"], sdgs=[6, 8]), days_ago=2),
        "B": sh.insert(gess, org, c("Turismo sostenible en Lomas & <Lachay>", "Visitas guiadas.",
                                    kind="lesson", themes=["turismo_sostenible"],
                                    territories=["15"], sdgs=[8], stage="closure"), days_ago=1),
    }
    hidden = [
        sh.insert(gess, org, c("Escondido", "agua"), status="hidden"),
        sh.insert(gess, org, c("Retirado", "agua"), status="withdrawn"),
        sh.insert(gess, org, {}, status="draft", published=False),
    ]
    return {"org": org, "ids": ids, "hidden": hidden}


def test_csv_lists_published_cases(gess, cases):
    r = gess.req("GET", "/v1/practices", params={"organization_id": cases["org"]},
                 headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/csv")
    assert "practices.csv" in r.headers["Content-Disposition"]
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [x["id"] for x in rows] == [cases["ids"]["B"], cases["ids"]["A"]]
    a = rows[1]
    assert a["title"] == "'=HYPERLINK(\"http://x\")"
    assert a["summary"] == "'-2+3, con \"comillas\""
    assert (a["themes"], a["sectors"], a["territories"], a["sdgs"]) == \
        ("agua;bionegocios", "private", "180101;CL", "6;8")
    assert a["kind"] == "practice" and rows[0]["kind"] == "lesson"
    assert a["organization_ids"] == cases["org"] and a["license"] == "CC-BY-4.0"
    # the search and filters apply; ?format=csv is the same
    r = gess.req("GET", "/v1/practices", params={"organization_id": cases["org"],
                                                 "format": "csv", "kind": "lesson"})
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8")[1:])))
    assert [x["id"] for x in rows] == [cases["ids"]["B"]]
    r = gess.req("GET", "/v1/practices", params={"organization_id": cases["org"], "q": "agua"},
                 headers={"Accept": "text/csv"})
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8")[1:])))
    assert rows == []


def test_csv_has_nothing_unpublished(gess, cases):
    r = gess.req("GET", "/v1/practices", headers={"Accept": "text/csv"})
    assert r.status_code == 200
    text = r.content.decode("utf-8")
    for pid in cases["hidden"]:
        assert pid not in text
    published = {row[0] for row in gess.sql("SELECT id::text FROM practices"
                                            " WHERE status = 'published'")}
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert {x["id"] for x in rows} == published


def test_atom_feed(gess, cases):
    r = gess.req("GET", "/v1/practices", params={"format": "atom",
                                                 "organization_id": cases["org"]},
                 headers={"Host": "evil.example"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(r.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert [e.id for e in parsed.entries] == [f"urn:uuid:{cases['ids'][k]}" for k in "BA"]
    # the required elements (RFC 4287 §4.1.1, §4.1.2), checked on the XML itself
    root = ET.fromstring(r.content)
    assert root.tag == ATOM + "feed"
    for name in ("id", "title", "updated"):
        assert (root.findtext(ATOM + name) or "").strip(), name
    links = root.findall(ATOM + "link")
    # links from the configured public_url, never from the Host sent; the self link (and
    # the id) of a search's feed name the search
    self_href = [link.get("href") for link in links if link.get("rel") == "self"]
    assert self_href == [f"http://127.0.0.1:8080/v1/practices?{r.request.url.split('?', 1)[1]}"]
    assert root.findtext(ATOM + "id") == self_href[0]
    assert all(link.get("href").startswith("http://127.0.0.1:8080/") for link in links)
    assert root.find(ATOM + "author/" + ATOM + "name") is not None
    h.parse_instant(root.findtext(ATOM + "updated"))
    entries = root.findall(ATOM + "entry")
    assert len(entries) == 2
    for e in entries:
        for name in ("id", "title", "updated", "summary"):
            assert e.find(ATOM + name) is not None, name
        h.parse_instant(e.findtext(ATOM + "updated"))
        pid = e.findtext(ATOM + "id").removeprefix("urn:uuid:")
        assert e.find(ATOM + "link").get("href").endswith(f"/v1/practices/{pid}")
    assert entries[0].findtext(ATOM + "title") == "Turismo sostenible en Lomas & <Lachay>"
    # Accept names it too; nothing unpublished in the whole feed
    r = gess.req("GET", "/v1/practices", headers={"Accept": "application/atom+xml"},
                 params={"limit": 200})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/atom+xml")
    text = r.content.decode("utf-8")
    assert feedparser.parse(r.content).bozo == 0
    whole = ET.fromstring(r.content).findtext(ATOM + "id")
    assert whole != self_href[0] and whole.startswith("http://127.0.0.1:8080/v1/practices?")
    for pid in cases["hidden"]:
        assert pid not in text


def test_json_wins_and_406(gess, cases):
    r = gess.req("GET", "/v1/practices", params={"organization_id": cases["org"]})
    assert r.headers["Content-Type"].startswith("application/json")
    h.assert_problem(gess.req("GET", "/v1/practices", headers={"Accept": "image/png"}), 406)
