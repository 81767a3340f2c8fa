"""Compression (issue 19): text answers over 1 KB go gzipped to a client whose
Accept-Encoding takes gzip (q-values, `*`, `gzip;q=0`), with `Vary:
Accept-Encoding` and an ETag per encoding ("abc" -> "abc-gzip"); the cached
ones (schedule JSON and ICS, the pact dashboard, the assets) are compressed
once beside the plain bytes. Read over http.client, which never decodes, so
the bytes on the wire are what is checked: gzip.decompress of the gzip answer
is the plain answer, byte for byte, and a 304 answers each encoding's tag."""
import gzip
import http.client
import urllib.parse

import pytest

import gesshelp as h
import pacthelp as ph
import searchhelp as sh
from test_schedule import Draft, publish

GZ = "gzip, deflate"


def fetch(gess, path, ae=None, headers=None, method="GET"):
    """(status, headers as a dict of lower-case names -> list, body bytes as sent)."""
    u = urllib.parse.urlsplit(gess.base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        c.putrequest(method, path, skip_accept_encoding=True)
        hdrs = list((headers or {}).items())
        if ae is not None:
            for v in ae if isinstance(ae, list) else [ae]:
                hdrs.append(("Accept-Encoding", v))
        for k, v in hdrs:
            c.putheader(k, v)
        c.endheaders()
        r = c.getresponse()
        body = r.read()
        out = {}
        for k, v in r.getheaders():
            out.setdefault(k.lower(), []).append(v)
        return r.status, out, body
    finally:
        c.close()


def one(hdrs, name):
    v = hdrs.get(name.lower(), [])
    assert len(v) <= 1, (name, v)
    return v[0] if v else None


def varies(hdrs):
    return any("accept-encoding" in [x.strip().lower() for x in v.split(",")]
               for v in hdrs.get("vary", []))


@pytest.fixture
def world(gess, staff, edition):
    """A released programme of 12 sessions, a pact dashboard of some commitments and a few
    published cases: each answer over 1 KB."""
    slug = edition["slug"]
    d = Draft(gess, edition)
    rooms = [d.room("Auditorio Principal"), d.room("Sala Cumbe Mayo")]
    tr = d.track("Agua y territorio", "#2266aa")
    for i in range(12):
        sp = d.speaker(f"Ponente {i} Ñahui Quispe")
        d.session(f"Sesión {i}: minería, agua y diálogo territorial", rooms[i % 2], 14 + i // 2,
                  speakers=[sp], track=tr)
    publish(gess, staff.organizer, slug)
    w = ph.pact_world(gess, staff)
    for i in range(4):
        ph.world_commitment(gess, w, title=f"Compromiso {i}: fondo concursable para proyectos")
    org = sh.new_org()
    for i in range(6):
        sh.insert(gess, org, sh.case(f"Caso {i} {h.letters(8)}",
                                     "Mesa de diálogo con las comunidades campesinas. " * 4,
                                     themes=["agua"]))
    return {"slug": slug, "pacts_slug": w["edition"]["slug"]}


def paths(world):
    s, p = world["slug"], world["pacts_slug"]
    return [
        (f"/editions/{s}/programme", {"Accept": "text/html"}),
        (f"/editions/{p}/pacts", {"Accept": "text/html"}),
        (f"/v1/editions/{s}/schedule", {}),
        (f"/v1/editions/{s}/schedule?format=ics", {}),
        (f"/v1/editions/{p}/pacts/dashboard", {}),
        ("/assets/gess.css", {}),
        ("/v1/practices?format=csv&limit=200", {}),
    ]


def test_gzip_answers_decompress_to_the_plain_bytes(gess, world):
    for path, hdrs in paths(world):
        st, ph_, plain = fetch(gess, path, ae="identity", headers=hdrs)
        assert st == 200, (path, st, plain[:300])
        assert len(plain) >= 1024, (path, len(plain))
        assert one(ph_, "Content-Encoding") is None, path
        assert varies(ph_), (path, ph_.get("vary"))
        for _ in range(2):  # the second from the cache's gzip copy where there is one
            st, gh, body = fetch(gess, path, ae=GZ, headers=hdrs)
            assert st == 200, (path, st)
            assert one(gh, "Content-Encoding") == "gzip", (path, gh)
            assert varies(gh), path
            assert int(one(gh, "Content-Length")) == len(body) < len(plain), path
            assert gzip.decompress(body) == plain, path
            assert one(gh, "Content-Type") == one(ph_, "Content-Type"), path


def test_an_etag_per_encoding_and_a_304_for_each(gess, world):
    tagged = 0
    for path, hdrs in paths(world):
        _, ph_, _ = fetch(gess, path, ae="identity", headers=hdrs)
        plain_tag = one(ph_, "ETag")
        if plain_tag is None:
            continue  # the CSV carries no ETag
        tagged += 1
        _, gh, _ = fetch(gess, path, ae=GZ, headers=hdrs)
        gz_tag = one(gh, "ETag")
        assert gz_tag == plain_tag[:-1] + '-gzip"', (path, plain_tag, gz_tag)
        for ae, tag, other in (("identity", plain_tag, gz_tag), (GZ, gz_tag, plain_tag)):
            st, nh, body = fetch(gess, path, ae=ae, headers={**hdrs, "If-None-Match": tag})
            assert st == 304 and body == b"", (path, ae, st)
            assert one(nh, "ETag") == tag and varies(nh), (path, ae, nh)
            assert one(nh, "Content-Encoding") is None
            # the other encoding's tag is not this representation's: a full answer
            st, nh, body = fetch(gess, path, ae=ae, headers={**hdrs, "If-None-Match": other})
            assert st == 200 and one(nh, "ETag") == tag, (path, ae, st)
            assert (one(nh, "Content-Encoding") == "gzip") == (ae == GZ)
    assert tagged == 6, "schedule JSON and ICS, dashboard, the stylesheet, the programme and pacts pages (anonymous: core/page_cache.h)"


@pytest.mark.parametrize("ae,gz", [
    ("gzip", True), ("GZIP", True), ("x-gzip", True), ("br, gzip;q=0.5", True),
    ("*", True), ("identity, *;q=0.1", True), ("deflate, gzip ; q=1.0", True),
    ("gzip;q=0", False), ("gzip; q=0.000", False), ("gzip;q=0, *", False),
    ("*;q=0", False), ("identity", False), ("br", False), ("", False), (None, False),
    ("gzip;q=2", False), ("gzip;q=abc", False), ("gzipx", False),
])
def test_accept_encoding_is_read_with_its_q_values(gess, ae, gz):
    st, hd, body = fetch(gess, "/assets/gess.css", ae=ae)
    assert st == 200
    assert (one(hd, "Content-Encoding") == "gzip") == gz, (ae, hd)
    assert varies(hd)


def test_several_accept_encoding_lines_are_one_list(gess):
    st, hd, _ = fetch(gess, "/assets/gess.css", ae=["identity", "gzip"])
    assert st == 200 and one(hd, "Content-Encoding") == "gzip"
    st, hd, _ = fetch(gess, "/assets/gess.css", ae=["*", "gzip;q=0"])
    assert st == 200 and one(hd, "Content-Encoding") is None


def test_nothing_under_1_kb_nor_without_a_body(gess, world):
    u = gess.user()
    st, hd, body = fetch(gess, "/v1/me", ae=GZ, headers={"Authorization": f"Bearer {u['token']}"})
    assert st == 200 and len(body) < 1024 and one(hd, "Content-Encoding") is None, len(body)
    st, hd, body = fetch(gess, "/healthz", ae=GZ)
    assert st == 200 and len(body) < 1024 and one(hd, "Content-Encoding") is None
    assert varies(hd), "Vary on every compressible type, compressed or not"
    st, hd, body = fetch(gess, "/v1/editions/no-such-edition-x/schedule", ae=GZ)
    assert st == 404 and one(hd, "Content-Encoding") is None and varies(hd)


def test_head_is_answered_as_its_get(gess, world):
    path = f"/v1/editions/{world['slug']}/schedule"
    _, gh, body = fetch(gess, path, ae=GZ)
    st, hh, hb = fetch(gess, path, ae=GZ, method="HEAD")
    if st == 405:
        pytest.skip("no HEAD on this route")
    assert st == 200 and hb == b""
    assert one(hh, "Content-Encoding") == "gzip" and one(hh, "ETag") == one(gh, "ETag")


def test_metrics_count_the_gzipped_answers(gess, world):
    def counters():
        st, _, body = fetch(gess, "/metrics", ae="identity")
        assert st == 200
        s = h.parse_metrics(body.decode())
        return (h.metric_sum(s, "gess_http_gzip_responses_total"),
                h.metric_sum(s, "gess_http_gzip_plain_bytes_total"),
                h.metric_sum(s, "gess_http_gzip_bytes_total"))
    n0, p0, z0 = counters()
    _, _, plain = fetch(gess, "/assets/gess.css", ae="identity")
    _, _, body = fetch(gess, "/assets/gess.css", ae=GZ)
    n1, p1, z1 = counters()
    assert n1 - n0 >= 1 and p1 - p0 >= len(plain) and z1 - z0 >= len(body)
    assert (p1 - p0) > (z1 - z0)


def test_pages_with_a_csrf_token_are_gzipped_with_the_token_masked_anew(gess, world):
    """BREACH: a secret compressed beside text the requester chose leaks through the sizes. Form
    pages and signed-in pages (the logout form's token) are gzipped all the same, because the
    token is written masked with a fresh pad in every answer: two answers never repeat its
    bytes, and each unmasks to the one token of the session."""
    import re
    from test_pages_core import csrf_for, unmask
    st, hd, body = fetch(gess, "/login", ae=GZ, headers={"Accept": "text/html"})
    assert st == 200 and one(hd, "Content-Encoding") == "gzip" and varies(hd)
    assert b'name="csrf_token"' in gzip.decompress(body)
    u = gess.user()
    path = f"/editions/{world['slug']}/programme"
    seen = []
    for _ in range(2):
        st, hd, body = fetch(gess, path, ae=GZ, headers={"Accept": "text/html",
                                                         "Cookie": f"gess_session={u['token']}"})
        assert st == 200 and one(hd, "Content-Encoding") == "gzip"
        m = re.search(rb'name="csrf_token" value="([A-Za-z0-9_-]{86})"', gzip.decompress(body))
        assert m, body[:200]
        seen.append(m.group(1).decode())
    assert seen[0] != seen[1]
    assert unmask(seen[0]) == unmask(seen[1]) == csrf_for(u["token"])
    # the API takes the masked token as X-CSRF-Token too
    r = gess.req("PATCH", "/v1/me", cookies={"gess_session": u["token"]},
                 headers={"X-CSRF-Token": seen[0]}, json={"full_name": "Nombre Enmascarado"})
    assert r.status_code == 200, r.text
