"""Attendee registration in the browser (issue 19, H2) over real HTTP, as a browser without
JavaScript uses it (a requests.Session keeps the cookies; each form's csrf_token is read
from its hidden field): /editions/{slug}/register with the categories, seats and
questions; a 422 keeps what was typed and marks each field; confirmed, waitlisted and
pending notices; already registered; a closed window; an unverified email; the badge
QR (GET /v1/registrations/{id}/badge.svg: owner and organizers, 404 for others; the SVG
rasterised here and decoded with zbarimg); cancel from /me; the edition's .ics."""
import html
import re
import shutil
import struct
import subprocess
import zlib

import pytest
import requests

import gesshelp as h
import pagehelp as ph


def _csrf(text):
    field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', text)
    assert field, text[:3000]
    return html.unescape(re.search(r'value="([^"]*)"', field.group(0)).group(1))


def _html(r, status):
    assert r.status_code == status, (r.status_code, r.headers, r.text[:3000])
    assert r.headers["Content-Type"].startswith("text/html"), r.headers
    return r.text


def _checked(r, status):
    """_html, and what every page holds (pagehelp.check_page)."""
    _html(r, status)
    return ph.check_page(r)


def _session(gess, who):
    s = requests.Session()
    page = _html(s.get(gess.url("/login")), 200)
    r = s.post(gess.url("/login"), allow_redirects=False,
               data={"email": who["email"], "password": who["password"], "csrf_token": _csrf(page)})
    assert r.status_code == 303, r.text[:2000]
    assert s.cookies.get("gess_session")
    return s


def _post(s, gess, path, data, csrf_from):
    page = _html(s.get(gess.url(csrf_from)), 200)
    return s.post(gess.url(path), data=dict(data, csrf_token=_csrf(page)), allow_redirects=False)


def _see_other(r, to=None):
    assert r.status_code == 303, (r.status_code, r.text[:3000])
    if to is not None:
        assert r.headers["Location"] == to, r.headers
    return r.headers["Location"]


@pytest.fixture
def setup(gess, staff):
    """An open edition with a general category (2 seats in person, online unlimited),
    one with one seat, one the committee approves, and three questions."""
    org = staff.organizer
    ed = h.create_edition(gess, org)
    slug = ed["slug"]
    general = h.create_category(gess, org, slug, name="Participante general",
                                modes={"in_person": 2, "online": None})
    tiny = h.create_category(gess, org, slug, name="Taller de campo", modes={"in_person": 1})
    vetted = h.create_category(gess, org, slug, name="Prensa acreditada",
                               modes={"in_person": 5}, requires_approval=True)
    role = h.create_question(gess, org, slug, label="¿Cuál es su cargo?", type="text",
                             required=True)
    lunch = h.create_question(gess, org, slug, label="¿Almorzará en la sede?", type="yes_no",
                              required=True)
    size = h.create_question(gess, org, slug, label="Talla de polo", type="choice",
                             choices=["S", "M", "L"], required=False)
    return {"ed": ed, "slug": slug, "general": general, "tiny": tiny, "vetted": vetted,
            "role": role, "lunch": lunch, "size": size, "org": org}


def _form(setup, category="general", mode="in_person", **answers):
    data = {"category": setup[category]["code"] if category else None, "mode": mode,
            f"answers.{setup['role']['code']}": "Presidenta comunal",
            f"yes_no.{setup['lunch']['code']}": "yes",
            f"answers.{setup['size']['code']}": "M"}
    data.update(answers)
    return {k: v for k, v in data.items() if v is not None}


def _mine(gess, account_id, slug):
    return gess.sql("SELECT r.id::text, r.status, r.mode, r.answers, r.badge_code FROM registrations r"
                    " JOIN editions e ON e.id = r.edition_id WHERE e.slug = %s AND r.account_id = %s"
                    " AND r.status NOT IN ('cancelled', 'rejected')", (slug, account_id))


def test_register_page_lists_categories_seats_and_questions(gess, setup):
    who = gess.user()
    s = _session(gess, who)
    r = s.get(gess.url(f"/editions/{setup['slug']}/register"))
    text = _checked(r, 200)
    for name in ("Participante general", "Taller de campo", "Prensa acreditada"):
        assert name in text
    assert "2 plazas libres de 2" in text and "sin límite de plazas" in text
    assert html.escape("¿Cuál es su cargo?", quote=False) in text
    assert f'name="yes_no.{setup["lunch"]["code"]}"' in text
    assert '<option value="L">L</option>' in text
    assert "lista de espera" in text and "Pendiente de aprobación" in text
    assert f'action="/editions/{setup["slug"]}/register"' in text
    # the edition's page links here and to its calendar
    ed = _html(s.get(gess.url(f"/editions/{setup['slug']}")), 200)
    assert f'href="/editions/{setup["slug"]}/register"' in ed
    assert f'href="/v1/editions/{setup["slug"]}?format=ics"' in ed
    # anonymous: the login page first
    r = requests.get(gess.url(f"/editions/{setup['slug']}/register"), allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("/login?next="), r.headers
    # an unknown edition is the 404 page
    _html(s.get(gess.url("/editions/no-such-edition-2099/register")), 404)


def test_register_422_keeps_what_was_typed_then_confirmed(gess, setup):
    who = gess.user()
    s = _session(gess, who)
    path = f"/editions/{setup['slug']}/register"
    # the category missing: refused by the API's check in C, before SQL
    text = _checked(_post(s, gess, path, _form(setup, category=None), path), 422)
    assert 'id="category-error"' in text and 'class="error-summary"' in text
    assert 'href="#category"' not in text or 'id="category"' in text
    # a required answer empty and an unknown mode: the API's SQL names both
    role = setup["role"]["code"]
    bad = _form(setup, mode="hologram", **{f"answers.{role}": ""})
    text = _checked(_post(s, gess, path, bad, path), 422)
    assert 'id="mode-error"' in text
    assert re.search(rf'id="answers\.{role}"[^>]*aria-invalid="true"'
                     rf'[^>]*aria-describedby="answers\.{role}-error"', text), text
    assert f'id="answers.{role}-error"' in text
    # what was typed stays: the yes, the size
    assert re.search(rf'id="answers\.{setup["lunch"]["code"]}" value="yes" checked', text)
    assert '<option value="M" selected>M</option>' in text
    assert not _mine(gess, who["account"]["id"], setup["slug"])
    # a form without its token changes nothing
    r = s.post(gess.url(path), data=_form(setup), allow_redirects=False)
    _html(r, 403)
    assert not _mine(gess, who["account"]["id"], setup["slug"])

    r = _post(s, gess, path, _form(setup), path)
    _see_other(r, path + "?notice=confirmed")
    rows = _mine(gess, who["account"]["id"], setup["slug"])
    assert len(rows) == 1 and rows[0][1] == "confirmed", rows
    assert rows[0][3] == {role: "Presidenta comunal", setup["lunch"]["code"]: True,
                          setup["size"]["code"]: "M"}, rows
    text = _checked(s.get(gess.url(path + "?notice=confirmed")), 200)
    assert "Su inscripción está confirmada" in text and rows[0][4] in text
    assert f'action="{path}"' not in text
    # a second submission: the registration is shown, nothing new
    r = _post(s, gess, path, _form(setup, mode="online"), csrf_from="/me")
    _see_other(r, path)
    assert len(_mine(gess, who["account"]["id"], setup["slug"])) == 1
    # a notice that is not one of the words says nothing
    text = _html(s.get(gess.url(path + "?notice=%3Cb%3Ehola")), 200)
    assert 'class="notice"' not in text and "<b>" not in text


def test_waitlisted_and_pending_notices(gess, setup):
    path = f"/editions/{setup['slug']}/register"
    first = gess.user()
    h.register_ok(gess, first, setup["slug"], setup["tiny"]["code"],
                  answers={setup["role"]["code"]: "x", setup["lunch"]["code"]: False})
    s = _session(gess, gess.user())
    text = _html(s.get(gess.url(path)), 200)
    assert "plazas agotadas" in text
    _see_other(_post(s, gess, path, _form(setup, category="tiny"), path),
               path + "?notice=waitlisted")
    text = _checked(s.get(gess.url(path + "?notice=waitlisted")), 200)
    assert "está en lista de espera" in text and "En lista de espera:" in text

    s = _session(gess, gess.user())
    _see_other(_post(s, gess, path, _form(setup, category="vetted"), path),
               path + "?notice=pending")
    text = _checked(s.get(gess.url(path + "?notice=pending")), 200)
    assert "pendiente de aprobación" in text


def test_unverified_email_gets_the_resend_form(gess, setup):
    who = gess.user(verified=False)
    s = _session(gess, who)
    path = f"/editions/{setup['slug']}/register"
    text = _checked(s.get(gess.url(path)), 200)
    assert "primero confirme su correo" in text and 'action="/verify-email/resend"' in text
    assert f'action="{path}"' not in text
    text = _html(_post(s, gess, path, _form(setup), path), 403)
    assert 'action="/verify-email/resend"' in text
    assert not _mine(gess, who["account"]["id"], setup["slug"])


def test_closed_window_is_said(gess, staff):
    now = h.now_utc()
    import datetime as dt
    ed = h.create_edition(gess, staff.organizer,
                          registration_opens_at=h.iso(now - dt.timedelta(days=10)),
                          registration_closes_at=h.iso(now - dt.timedelta(days=1)))
    cat = h.create_category(gess, staff.organizer, ed["slug"])
    s = _session(gess, gess.user())
    path = f"/editions/{ed['slug']}/register"
    text = _checked(s.get(gess.url(path)), 200)
    assert "están cerradas" in text and f'action="{path}"' not in text
    r = _post(s, gess, path, {"category": cat["code"], "mode": "in_person"}, path)
    _see_other(r, path)


def _png(rows):
    """A grey PNG from rows of 0/255 bytes."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xffffffff)
    hgt, wid = len(rows), len(rows[0])
    raw = b"".join(b"\0" + bytes(r) for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", wid, hgt, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _rasterise(svg, scale=6):
    """The badge SVG's one path (M x y h n v1 h-n z runs) as a PNG, scale pixels a module."""
    side = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).group(1))
    grid = [[255] * side for _ in range(side)]
    paths = re.findall(r'<path[^>]* d="([^"]*)"', svg)
    assert len(paths) == 1, svg
    for x, y, n in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", paths[0]):
        for i in range(int(n)):
            grid[int(y)][int(x) + i] = 0
    rows = []
    for row in grid:
        line = [v for v in row for _ in range(scale)]
        rows.extend([line] * scale)
    return _png(rows), grid, side


def test_badge_svg_decodes_to_the_code_for_owner_and_organizers(gess, setup, tmp_path):
    who = gess.user()
    reg = h.register_ok(gess, who, setup["slug"], setup["general"]["code"],
                        answers={setup["role"]["code"]: "x", setup["lunch"]["code"]: True})
    path = f"/v1/registrations/{reg['id']}/badge.svg"
    r = gess.req("GET", path, headers=who["headers"])
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("image/svg+xml"), r.headers
    assert "private" in r.headers["Cache-Control"], r.headers
    svg = r.text
    assert f"<title>{reg['badge_code']}</title>" in svg and 'shape-rendering="crispEdges"' in svg
    assert "style=" not in svg
    png, grid, side = _rasterise(svg)
    # the quiet zone: four light modules on every side
    for i in range(side):
        for q in range(4):
            assert grid[q][i] == grid[side - 1 - q][i] == grid[i][q] == grid[i][side - 1 - q] == 255
    # ten alphanumeric characters at level M: version 1, 21 modules
    assert side == 21 + 8, side
    if shutil.which("zbarimg"):
        f = tmp_path / "badge.png"
        f.write_bytes(png)
        out = subprocess.run(["zbarimg", "--raw", "-q", str(f)], capture_output=True, text=True,
                             timeout=30)
        assert out.stdout.strip() == reg["badge_code"], (out.returncode, out.stdout, out.stderr)
    # an organizer may see it; anyone else gets 404, anonymous 401
    assert gess.req("GET", path, headers=setup["org"]["headers"]).status_code == 200
    h.assert_problem(gess.req("GET", path, headers=gess.user()["headers"]), 404, "not-found")
    assert gess.req("GET", path).status_code == 401
    h.assert_problem(gess.req("GET", "/v1/registrations/00000000-0000-0000-0000-000000000000"
                              "/badge.svg", headers=who["headers"]), 404)
    # the session cookie works for the <img> on /me
    s = _session(gess, who)
    r = s.get(gess.url(path))
    assert r.status_code == 200 and r.text == svg
    assert r.headers["Cache-Control"] == "private, no-store"


def test_me_shows_badge_calendar_and_cancels(gess, setup):
    who = gess.user()
    reg = h.register_ok(gess, who, setup["slug"], setup["general"]["code"],
                        answers={setup["role"]["code"]: "x", setup["lunch"]["code"]: True})
    s = _session(gess, who)
    me = _checked(s.get(gess.url("/me")), 200)
    assert (f'<img src="/v1/registrations/{reg["id"]}/badge.svg" '
            f'alt="Código QR de su credencial: {reg["badge_code"]}"') in me
    assert f"<code>{reg['badge_code']}</code>" in me
    assert f'href="/v1/editions/{setup["slug"]}?format=ics"' in me
    assert 'href="/me/agenda"' in me
    cancel = f"/me/registrations/{reg['id']}/cancel"
    assert f'href="{cancel}"' in me
    text = _checked(s.get(gess.url(cancel)), 200)
    assert reg["badge_code"] in text and f'action="{cancel}"' in text
    # another person's registration is not found, to look at or to cancel
    other = _session(gess, gess.user())
    _html(other.get(gess.url(cancel)), 404)
    _html(_post(other, gess, cancel, {}, "/me"), 404)
    assert h.reg_status(gess, reg["id"]) == "confirmed"
    # no token, no change
    _html(s.post(gess.url(cancel), data={}, allow_redirects=False), 403)
    assert h.reg_status(gess, reg["id"]) == "confirmed"
    _see_other(_post(s, gess, cancel, {}, cancel), "/me?notice=registration_cancelled")
    assert h.reg_status(gess, reg["id"]) == "cancelled"
    me = _html(s.get(gess.url("/me?notice=registration_cancelled")), 200)
    assert "Su inscripción fue cancelada" in me
    assert f'href="{cancel}"' not in me and "badge.svg" not in me
    text = _html(s.get(gess.url(cancel)), 200)
    assert "ya no se puede cancelar" in text and f'action="{cancel}"' not in text


def test_edition_ics_is_one_all_day_event(gess, setup):
    r = gess.req("GET", f"/v1/editions/{setup['slug']}?format=ics")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/calendar"), r.headers
    text = r.text.replace("\r\n ", "")
    assert text.count("BEGIN:VEVENT") == 1
    y = setup["ed"]["starts_on"][:4]
    assert f"DTSTART;VALUE=DATE:{y}0512" in text and f"DTEND;VALUE=DATE:{y}0515" in text
    assert f"UID:edition-{setup['slug']}@gess" in text
    assert "SUMMARY:" + setup["ed"]["title"] in text
    assert "LOCATION:Centro de Convenciones Ñawpa\\, Cajamarca" in text
    assert re.search(rf"\r\nURL:\S+/editions/{re.escape(setup['slug'])}\r\n", text), text
    # JSON is still the default; a draft stays hidden
    assert h.assert_json(gess.req("GET", f"/v1/editions/{setup['slug']}"), 200)["slug"]
    draft = h.create_edition(gess, setup["org"], status="draft")
    assert gess.req("GET", f"/v1/editions/{draft['slug']}?format=ics").status_code == 404
