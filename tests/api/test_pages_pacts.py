"""The pact pages for people (issue 18): GET /editions/{slug}/pacts (the dashboard) and
GET /pacts/{id} (a pact with its commitments, indicator charts as inline SVG, milestones).
Real HTTP against gessd, data made through the API (pacthelp), plus the demo: the progress
a page shows is the API's, the chart's points are the verified measurements, text from
people is escaped, unknown ids are 404, ?lang=en speaks English."""
import math
import re

import pytest

import gesshelp as h
import pacthelp as ph
import pagehelp as pg
from schemahelp import ScratchDb


@pytest.fixture(scope="module")
def world(gess, staff):
    """An edition with a signed pact: a responsible party with a contact and a verifier; one
    commitment with an indicator (two verified measurements and one only submitted by the
    contact), a milestone, an overdue commitment; and a draft pact that must never show."""
    f = staff.followup
    edition = h.create_edition(gess, staff.organizer)
    contact = h.fast_user(gess)
    org = ph.create_organization(gess, f, sector="community")
    ver = ph.create_organization(gess, f, name=f"Veeduría {h.letters(6)}", sector="civil_society")
    pact = ph.create_pact(gess, f, edition["slug"],
                          title=f"Pacto por el agua de Alto Pucará {h.letters(5)}")
    ph.add_party(gess, f, pact["id"], org["id"], "responsible", contacts=[contact["account"]["id"]])
    ph.add_party(gess, f, pact["id"], ver["id"], "verifier")
    c = ph.create_commitment(gess, f, pact["id"], responsible_organization_id=org["id"])
    ind = ph.create_indicator(gess, f, c["id"])  # 0 -> 10, up, day(-180) -> day(365)
    m1 = ph.add_measurement(gess, f, ind["id"], value=3, as_of=ph.day(-90))
    m2 = ph.add_measurement(gess, f, ind["id"], value=4, as_of=ph.day(-10))
    ph.add_measurement(gess, contact, ind["id"], value=9, as_of=ph.day(-2))  # submitted only
    ms = ph.create_milestone(gess, f, c["id"], title="Primera convocatoria publicada")
    late = ph.create_commitment(gess, f, pact["id"], title="Compromiso vencido de saneamiento",
                                starts_on=ph.day(-300), due_on=ph.day(-3))
    draft = ph.create_pact(gess, f, edition["slug"], title=f"Borrador reservado {h.letters(5)}",
                           status="draft", signed_on=None)
    return dict(slug=edition["slug"], pact=pact, org=org, ver=ver, c=c, ind=ind, m=[m1, m2],
                ms=ms, late=late, draft=draft, contact=contact)


def dashboard_api(gess, slug):
    return h.assert_json(h.call("GET", gess.base + f"/v1/editions/{slug}/pacts/dashboard"), 200)


def progress_shown(text, label):
    """The value of the <progress> whose accessible name ends with label."""
    import html as _html
    for m in re.finditer(r'<progress max="1" value="([^"]+)" aria-label="([^"]*)"', text):
        if _html.unescape(m.group(2)).endswith(label):
            return m.group(1)
    raise AssertionError(f"no <progress> for {label!r}")


# --- the dashboard ----------------------------------------------------------------------------

def test_dashboard_shows_each_pacts_progress_as_the_api_reports_it(gess, world):
    api = dashboard_api(gess, world["slug"])
    r = pg.get(gess.base, f"/editions/{world['slug']}/pacts")
    text = pg.check_page(r)
    assert '<html lang="es"' in text
    assert api["pacts"], api
    for p in api["pacts"]:
        assert f'href="/pacts/{p["id"]}"' in text
        assert progress_shown(text, p["title"]) == pg.num(p["progress"]), p
        assert f'{pg.percent(p["progress"])} %' in text
        for c in p["commitments"]:
            assert progress_shown(text, c["title"]) == pg.num(c["progress"]), c
    # the totals, the overdue counts, the levels in words
    assert progress_shown(text, "Resumen de la edición") == pg.num(api["totals"]["progress"])
    words = {"no_evidence": "Sin evidencia", "not_started": "Sin avance",
             "limited": "Avance limitado", "substantial": "Avance sustancial",
             "complete": "Cumplido"}
    ours = next(p for p in api["pacts"] if p["id"] == world["pact"]["id"])
    assert ours["overdue"] == 1
    plain = pg.text_of(text)
    assert f"Compromisos vencidos: {ours['overdue']}" in plain
    assert words[ours["completion"]] in plain
    assert "Compromiso vencido de saneamiento" in plain and "vencido" in plain
    assert "En curso" in plain or "Sin iniciar" in plain  # commitment status in words
    # the draft never shows; parties with their role
    assert world["draft"]["title"] not in text
    assert f"{world['org']['name']} (responsable)" in plain
    assert f"{world['ver']['name']} (verificador)" in plain
    # tables have header cells with scope
    assert '<th scope="col">' in text and '<th scope="row">' in text


def test_dashboard_in_english(gess, world):
    r = pg.get(gess.base, f"/editions/{world['slug']}/pacts?lang=en")
    text = pg.check_page(r)
    assert '<html lang="en"' in text
    plain = pg.text_of(text)
    assert "Pacts and their follow-up" in plain
    assert "Overdue commitments: 1" in plain
    assert "Compromisos vencidos" not in plain


def test_dashboard_of_an_unknown_or_draft_edition_is_404(gess, staff):
    pg.get(gess.base, "/editions/no-such-edition-here/pacts", status=404)
    draft = h.create_edition(gess, staff.organizer, status="draft")
    pg.get(gess.base, f"/editions/{draft['slug']}/pacts", status=404)


# --- a pact -------------------------------------------------------------------------------------

def expected_points(ind, measurements):
    """The chart's polyline as chart.c computes it: a 600×200 viewBox with the plot inside
    64..584 × 16..168, y from the least to the greatest value, x by date."""
    import datetime as dt

    def d(s):
        return dt.date.fromisoformat(s).toordinal()
    pts = [(d(ind["baseline"]["date"]), float(ind["baseline"]["value"]))]
    pts += [(d(m["as_of"]), float(m["value"])) for m in measurements]
    days = [p[0] for p in pts] + [d(ind["target"]["date"])]
    vals = [p[1] for p in pts] + [float(ind["target"]["value"])]
    dmin, dmax, vmin, vmax = min(days), max(days), min(vals), max(vals)

    def rnd(x):
        return int(math.floor(x + 0.5))
    return " ".join(f"{rnd(64 + 520 * (day - dmin) / (dmax - dmin))},"
                    f"{rnd(16 + 152 * (1 - (v - vmin) / (vmax - vmin)))}" for day, v in pts)


def test_pact_page_shows_commitments_chart_and_milestones(gess, world):
    api = ph.get_pact(gess, world["pact"]["id"])
    r = pg.get(gess.base, f"/pacts/{world['pact']['id']}")
    text = pg.check_page(r)
    plain = pg.text_of(text)
    assert api["title"] in plain and api["summary"] in plain
    assert api["signed_on"] in text
    assert progress_shown(text, api["title"]) == pg.num(api["progress"])
    c = next(x for x in api["commitments"] if x["id"] == world["c"]["id"])
    assert c["title"] in plain and c["due_on"] in text
    assert world["org"]["name"] in plain
    assert progress_shown(text, c["title"]) == pg.num(c["progress"])
    # the indicator: inline SVG with a text alternative, the verified measurements' points
    ind = c["indicators"][0]
    verified = [m for m in ind["measurements"] if m.get("status", "verified") == "verified"]
    assert [m["value"] for m in verified] == [3, 4], ind["measurements"]
    svg = re.search(r'<svg class="pacts-chart"[^>]*>.*?</svg>', text, re.S)
    assert svg, text[:2000]
    svg = svg.group(0)
    assert 'role="img"' in svg and 'viewBox="0 0 600 200"' in svg
    ids = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()
    for i in ids:
        assert f'id="{i}"' in svg
    assert re.search(r"<title[^>]*>[^<]*" + re.escape(ind["name"]), svg)
    points = re.search(r'<polyline class="pacts-actual" points="([^"]+)"', svg).group(1)
    assert points == expected_points(ind, verified)
    assert len(re.findall(r'<circle class="pacts-dot"', svg)) == 2
    # ... and the same data as a table, the submitted 9 nowhere
    table = re.search(r'<table class="pacts-table pacts-chart-data">.*?</table>', text, re.S)
    rows = pg.text_of(table.group(0))
    for m in verified:
        assert f"{m['as_of']} {pg.num(m['value'])}" in rows
    assert ph.day(-2) not in rows
    # milestones: due, done
    assert world["ms"]["title"] in plain and world["ms"]["due_on"] in text
    assert "pendiente" in plain
    # the overdue commitment
    assert "Compromiso vencido de saneamiento" in plain


def test_pact_page_draws_only_verified_values_even_for_its_contact(gess, world):
    """A contact reads the pact whole through the API (the submitted value too); the chart
    on the page still draws what counts."""
    r = pg.get(gess.base, f"/pacts/{world['pact']['id']}", headers=world["contact"]["headers"])
    text = pg.check_page(r)
    assert len(re.findall(r'<circle class="pacts-dot"', text)) == 2


def test_pact_page_in_english(gess, world):
    r = pg.get(gess.base, f"/pacts/{world['pact']['id']}?lang=en")
    plain = pg.text_of(pg.check_page(r))
    assert "Milestones" in plain and "Baseline" in plain and "Target" in plain
    assert "Hitos" not in plain


def test_unknown_draft_or_malformed_pact_is_404(gess, world):
    pg.get(gess.base, "/pacts/00000000-0000-4000-8000-000000000000", status=404)
    pg.get(gess.base, f"/pacts/{world['draft']['id']}", status=404)
    pg.get(gess.base, "/pacts/not-a-uuid", status=404)


def test_text_from_people_is_escaped(gess, staff, world):
    f = staff.followup
    evil = "<script>alert('pacto')</script><b>Rosa</b>"
    p = ph.create_pact(gess, f, world["slug"], title=f"Pacto {evil}", summary=evil)
    c = ph.create_commitment(gess, f, p["id"], title=f"Compromiso {evil}")
    ph.create_indicator(gess, f, c["id"], name=f"Indicador {evil}", unit=evil)
    for path in (f"/pacts/{p['id']}", f"/editions/{world['slug']}/pacts"):
        text = pg.check_page(pg.get(gess.base, path))
        assert "<script>alert" not in text and "<b>Rosa</b>" not in text
        assert "&lt;script&gt;alert(" in text and "&lt;b&gt;Rosa&lt;/b&gt;" in text


# --- the demo ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(gess):
    """A fresh database with the demo, and a gessd serving it."""
    db = ScratchDb(gess, prefix="pgpacts")
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


def test_demo_pages_show_the_apis_progress_and_stay_light(demo):
    api = h.assert_json(h.call("GET", demo.base + "/v1/editions/gess-2026/pacts/dashboard"), 200)
    assert len(api["pacts"]) == 3
    text = pg.check_page(pg.get(demo.base, "/editions/gess-2026/pacts"))
    for p in api["pacts"]:
        assert progress_shown(text, p["title"]) == pg.num(p["progress"])
        page = pg.check_page(pg.get(demo.base, f"/pacts/{p['id']}"))
        assert progress_shown(page, p["title"]) == pg.num(p["progress"])
        n_ind = sum(len(c["indicators"]) + sum(len(s["indicators"]) for s in c["sub_commitments"])
                    for c in p["commitments"])
        assert page.count('<svg class="pacts-chart"') == n_ind
