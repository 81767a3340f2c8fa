"""Anonymous public pages from the per-worker caches (core/page_cache.h):
the programme page under the schedule topic. The cached copy is the same
bytes as a fresh render, a new release shows at once, each language is kept
apart, a signed-in caller is never served from the cache, and gzip holds
the same bytes."""
import gzip

import requests

from test_pages_agenda import BROWSER, _session
from test_pages_programme import org, programme  # noqa: F401 (fixtures)
from test_programme import at, mk_session, release

ANON = {"Accept": "text/html", "Accept-Encoding": "identity"}


def anon(gess, path, **hdrs):
    r = requests.get(gess.url(path), headers={**ANON, **hdrs}, allow_redirects=False)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    return r


def test_programme_cached_same_bytes(gess, programme):  # noqa: F811
    path = f"/editions/{programme['ed']['slug']}/programme"
    first, second = anon(gess, path), anon(gess, path)
    assert first.content == second.content
    assert b"csrf_token" not in first.content and b"logout" not in first.content.lower()
    assert second.headers["Cache-Control"] == "public, no-cache"
    assert "Accept-Language" in second.headers["Vary"] and "Cookie" in second.headers["Vary"]
    tag = second.headers["ETag"]
    r = requests.get(gess.url(path), headers={**ANON, "If-None-Match": tag})
    assert r.status_code == 304 and r.content == b""
    # a query (not cached) renders the same page apart from its own links
    fresh = anon(gess, path + "?track=")
    assert "no-store" in fresh.headers["Cache-Control"]
    # gzip of the cached page decompresses to the same bytes
    z = requests.get(gess.url(path), headers={"Accept": "text/html", "Accept-Encoding": "gzip"},
                     stream=True)
    assert z.headers.get("Content-Encoding") == "gzip"
    assert gzip.decompress(z.raw.read()) == first.content


def test_programme_cache_follows_release(gess, org, programme):  # noqa: F811
    ed = programme["ed"]
    path = f"/editions/{ed['slug']}/programme"
    before = anon(gess, path).text
    assert "Clausura cacheada" not in before
    mk_session(gess, org, ed, title="Clausura cacheada", kind="keynote",
               starts_at=at(ed, 1, "18:00"), ends_at=at(ed, 1, "19:00"))
    assert anon(gess, path).text == before  # the draft is not public
    release(gess, org, ed, "Segunda versión")
    assert "Clausura cacheada" in anon(gess, path).text


def test_programme_cache_per_language(gess, programme):  # noqa: F811
    path = f"/editions/{programme['ed']['slug']}/programme"
    es = anon(gess, path, **{"Accept-Language": "es"})
    en = anon(gess, path, **{"Accept-Language": "en"})
    assert 'lang="es"' in es.text and 'lang="en"' in en.text
    assert "Programa" in es.text and es.content != en.content
    assert anon(gess, path, **{"Accept-Language": "en"}).content == en.content
    assert es.headers["ETag"] != en.headers["ETag"]
    # the cookie decides too
    c = requests.get(gess.url(path), headers=ANON, cookies={"gess_lang": "en"})
    assert c.content == en.content


def test_signed_in_never_cached(gess, programme, staff):  # noqa: F811
    path = f"/editions/{programme['ed']['slug']}/programme"
    anon(gess, path)
    anon(gess, path)  # the cache holds the anonymous page now
    who = staff.organizer
    s = _session(gess, who)
    r = s.get(gess.url(path), headers=BROWSER)
    assert r.status_code == 200
    assert "no-store" in r.headers["Cache-Control"] and "ETag" not in r.headers
    assert 'action="/logout"' in r.text and "csrf_token" in r.text


def test_pacts_page_cache_follows_a_measurement(gess, staff):
    import gesshelp as h
    import pacthelp as ph
    import pagehelp as pg
    f = staff.followup
    ed = h.create_edition(gess, staff.organizer)
    org_ = ph.create_organization(gess, f, sector="community")
    pact = ph.create_pact(gess, f, ed["slug"], title=f"Pacto cacheado {h.letters(5)}")
    ph.add_party(gess, f, pact["id"], org_["id"], "responsible")
    c = ph.create_commitment(gess, f, pact["id"], responsible_organization_id=org_["id"])
    ind = ph.create_indicator(gess, f, c["id"])
    path = f"/editions/{ed['slug']}/pacts"
    first, second = anon(gess, path), anon(gess, path)
    assert first.content == second.content and "ETag" in second.headers
    assert b"csrf_token" not in first.content
    ph.add_measurement(gess, f, ind["id"], value=5, as_of=ph.day(-1))
    after = anon(gess, path)
    assert after.content != first.content
    progress = ph.get_pact(gess, pact["id"])["progress"]
    assert f'value="{pg.num(progress)}"' in after.text
    en = anon(gess, path, **{"Accept-Language": "en"})
    assert 'lang="en"' in en.text and en.content != after.content
