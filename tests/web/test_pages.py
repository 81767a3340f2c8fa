"""What the screenshots showed, held by a test: the home page lists each of
the next Rumbo al GESS events once."""
import re


def test_home_lists_each_next_event_once(web):
    r = web.get("/", headers={"Accept": "text/html"})
    assert r.status_code == 200
    links = re.findall(r'href="(?:[^"]*)(/series-events/[0-9a-f-]{36})"', r.text)
    assert links, "the home page links no Rumbo al GESS event"
    dup = sorted({x for x in links if links.count(x) > 1})
    assert not dup, f"the home page lists these events more than once: {dup} (links: {links})"
