"""Helpers for the page tests (issue 18): GET a page as a browser would, check what every
page must hold (HTML, one h1, no style= attribute, no inline script, under 60 KB), and read
numbers back out of the HTML."""
import html
import math
import re

import gesshelp as h

PAGE_LIMIT = 60 * 1024
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def get(base, path, status=200, **kw):
    """GET path as a browser does; the response, its status and Content-Type checked."""
    headers = {"Accept": BROWSER_ACCEPT, **kw.pop("headers", {})}
    r = h.call("GET", base + path, headers=headers, **kw)
    assert r.status_code == status, f"{path}: expected {status}, got {r.status_code}: {r.text[:500]}"
    ct = r.headers.get("Content-Type", "")
    assert ct.split(";")[0].strip() == "text/html", f"{path}: Content-Type {ct!r}"
    return r


def check_page(r, limit=PAGE_LIMIT):
    """What every page holds: one h1, no style= attribute, no inline script or handler, and
    under the weight limit (the HTML itself; CSS and JS are shared assets)."""
    text = r.text
    assert len(r.content) < limit, f"{r.url}: {len(r.content)} bytes of HTML"
    assert len(re.findall(r"<h1[\s>]", text)) == 1, f"{r.url}: not one <h1>"
    assert not re.search(r"<[^>]+\sstyle\s*=", text), f"{r.url}: a style= attribute"
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", text), f"{r.url}: an inline event handler"
    for m in re.finditer(r"<script\b([^>]*)>", text):
        assert "src=" in m.group(1), f"{r.url}: an inline <script>"
    return text


def num(x):
    """A number as the template layer writes it (JSON's shortest form: 1, 0.25)."""
    x = float(x)
    return str(int(x)) if x.is_integer() else repr(x)


def percent(progress):
    """The whole percentage a page shows beside a progress (truncated, as progress is)."""
    return math.floor(float(progress) * 100 + 1e-6)


def text_of(fragment):
    """The text of an HTML fragment: tags dropped, entities undone, blanks folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())
