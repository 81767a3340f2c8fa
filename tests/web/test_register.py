"""Attendee registration in a real browser (issue 19, H2), JavaScript on (keys only)
and off: an attendee (made here, email verified) registers for the demo's GESS 2028
through its page, sees the badge QR on /me, and the QR the browser drew (the <img>
screenshotted to a PNG) decodes with zbarimg to the badge code; axe-core reports no
violation on the register page (the form, its 422), the notices, the cancel page and
/me with a badge."""
import shutil
import subprocess

import pytest

import gesshelp as h

SLUG = "gess-2028"


def variant(js):
    return {"js": js, "keyboard": js}


def _zbar(png):
    assert shutil.which("zbarimg"), "zbarimg (Debian zbar-tools; make deps) is missing"
    out = subprocess.run(["zbarimg", "--raw", "-q", png], capture_output=True, text=True, timeout=30)
    return out.returncode, out.stdout.strip(), out.stderr.strip()


def test_register_for_gess_2028_and_decode_the_badge(web, gess, js):
    u = gess.user(full_name="Julia Quispe Condori")
    res = web.run("register.mjs", account={"email": u["email"], "password": u["password"]},
                  slug=SLUG, category="general", mode="in_person",
                  answers={"answers.region": "Cajamarca", "answers.mesa": "Economía circular"},
                  name="register", **variant(js))
    mine = h.assert_json(gess.req("GET", "/v1/me/registrations", headers=u["headers"]), 200)["items"]
    regs = [r for r in mine if r["edition"] == SLUG]
    assert len(regs) == 1 and regs[0]["status"] == "confirmed", mine
    reg = regs[0]
    assert reg["answers"] == {"region": "Cajamarca", "mesa": "Economía circular"}, reg
    code = reg["badge_code"]
    assert res["page_code"] == code, res
    assert code in res["alt"] and code in res["text"], res
    rc, got, err = _zbar(res["png"])
    assert got == code, f"zbarimg read {got!r} (rc {rc}, {err}) from {res['png']}, want {code}"


@pytest.fixture(scope="module")
def audit(web, gess):
    fresh = gess.user(full_name="Ana Axe Registro")
    done = gess.user(full_name="Benito Axe Credencial")
    reg = h.register_ok(gess, done, SLUG, "general", "in_person")
    path = f"/editions/{SLUG}/register"
    form = web.run("axe.mjs", js=True, out=[], account={"email": fresh["email"], "password": fresh["password"]},
                   name="axe-register", **{"in": [
                       {"path": path, "name": "register"},
                       {"path": path, "name": "register", "invalid": {"mode": "online"}},
                   ]})
    shown = web.run("axe.mjs", js=True, out=[], account={"email": done["email"], "password": done["password"]},
                    name="axe-register-done", **{"in": [
                        {"path": path + "?notice=confirmed", "name": "register_confirmed"},
                        {"path": path + "?notice=waitlisted", "name": "register_waitlisted"},
                        {"path": path + "?notice=pending", "name": "register_pending"},
                        {"path": f"/me/registrations/{reg['id']}/cancel", "name": "register_cancel"},
                        {"path": "/me", "name": "me_badge"},
                        {"path": "/me?lang=en", "lang": "en", "name": "me_badge_en"},
                    ]})
    return form["pages"] + shown["pages"]


def test_axe_on_the_register_pages(audit):
    bad = []
    for p in audit:
        where = p["path"] + (" (422)" if p.get("want") == 422 else "")
        if p.get("error"):
            bad.append(f"{where}: {p['error']}")
            continue
        if p["status"] != p["want"]:
            bad.append(f"{where}: status {p['status']}, want {p['want']}")
        for v in p.get("violations") or []:
            bad.append(f"{where}: {v['id']} ({v['impact']}): {v['help']} at {v['nodes']}")
        if p.get("scroll390", 0) > 391:
            bad.append(f"{where}: {p['scroll390']} px wide at 390 px")
        inline = p.get("inline") or {}
        if any(inline.get(k) for k in ("style_attrs", "inline_scripts", "handlers", "external")):
            bad.append(f"{where}: {inline}")
        if p.get("lang") != p.get("want_lang"):
            bad.append(f"{where}: lang {p.get('lang')}, want {p.get('want_lang')}")
    assert not bad, "\n".join(bad)
