"""One attendee's journey through GESS 2028 in a real browser (issue 19, "must hold"),
JavaScript on (keys only) and off, with one attendee made here (email verified) from
start to end: registers through /editions/gess-2028/register, sees the badge QR on /me
(the <img> screenshotted to a PNG decodes with zbarimg to the registration's badge code),
stars two released sessions (one on the programme page, one on its own page) and finds
both on /me/agenda and in its .ics (parsed with icalendar); then an organizer, logged in
through /login in a second browser context, checks that very badge in at the desk by
typing its code, and a second scan shows the first time as the database holds it, in
the edition's time zone. The pieces are tested at length in test_register.py,
test_agenda.py and test_manage.py; here they must hold together."""
import re
import shutil
import subprocess

import icalendar

import gesshelp as h
from test_agenda import pair, released

SLUG = "gess-2028"


def creds(u):
    return {"email": u["email"], "password": u["password"]}


def zbar(png):
    assert shutil.which("zbarimg"), "zbarimg (Debian zbar-tools; make deps) is missing"
    p = subprocess.run(["zbarimg", "--raw", "-q", png], capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout.strip(), p.stderr.strip()


def test_one_attendee_registers_plans_and_is_checked_in(web, gess, staff, js):
    a, b, _ = pair(released(web))
    u = gess.user(full_name="Yolanda Mamani Apaza")
    res = web.run("attendee.mjs", account=creds(u), organizer=creds(staff.organizer),
                  slug=SLUG, category="general", mode="in_person",
                  answers={"answers.region": "Puno", "answers.mesa": "Economía circular"},
                  star=[a["id"], b["id"]], name="attendee", js=js, keyboard=js)

    # (1) registered, confirmed, with the answers given in the form
    mine = h.assert_json(gess.req("GET", "/v1/me/registrations", headers=u["headers"]), 200)["items"]
    regs = [r for r in mine if r["edition"] == SLUG]
    assert len(regs) == 1, mine
    reg = regs[0]
    assert reg["answers"] == {"region": "Puno", "mesa": "Economía circular"}, reg
    code = reg["badge_code"]
    assert res["page_code"] == code, (res["page_code"], code)

    # (2) the badge QR on /me decodes to that code
    assert code in res["alt"] and code in res["me_text"], (res["alt"], res["me_text"][:800])
    rc, got, err = zbar(res["png"])
    assert got == code, f"zbarimg read {got!r} (rc {rc}, {err}) from {res['png']}, want {code}"

    # (3) both sessions on /me/agenda and in its .ics
    assert sorted(t.strip() for t in res["titles"]) == sorted([a["title"], b["title"]]), res["titles"]
    assert res["ics_type"].startswith("text/calendar"), res["ics_type"]
    cal = icalendar.Calendar.from_ical(res["ics"])
    events = {str(e.get("uid")): str(e.get("summary")) for e in cal.walk("VEVENT")}
    for s in (a, b):
        assert events.get(f"session-{s['id']}@gess.pe") == s["title"], (s["id"], events)
    agenda = h.assert_json(gess.req("GET", "/v1/me/agenda", headers=u["headers"]), 200)
    assert {i["id"] for i in agenda["items"]} == {a["id"], b["id"]}, agenda

    # (4) that badge checked in, and the second scan told the time the database holds
    rows = gess.sql("SELECT r.status, to_char(r.checked_in_at AT TIME ZONE e.timezone, 'HH24:MI'),"
                    " to_char(r.checked_in_at AT TIME ZONE e.timezone, 'FMDD YYYY')"
                    " FROM registrations r JOIN editions e ON e.id = r.edition_id WHERE r.id = %s",
                    (reg["id"],))
    status, hhmm, day_year = rows[0]
    assert status == "checked_in", rows
    first = res["first_time"]  # e.g. "miércoles 2 de diciembre de 2026, 14:47"
    day, year = day_year.split()
    words = re.findall(r"\w+", first.rsplit(",", 1)[0])
    assert first.endswith(", " + hhmm) and day in words and year in words, (first, hhmm, day_year)
    assert "Yolanda Mamani Apaza" in res["desk_text"], res["desk_text"][:800]
