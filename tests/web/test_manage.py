"""The organizers' pages in a real browser (issue 19), JavaScript on (keys only) and off:
the check-in desk checks a confirmed badge in by its typed code and a second scan shows the
first time (the time the database holds, in the edition's time zone); the registrations page
filters by status and approves a pending registration; an attendee gets the 403 page on each
staff page; axe-core finds no violation on /manage, the registrations page and the desk (also
with its 422 answer and after a scan). The camera scan (BarcodeDetector) cannot run in
headless CI: only typing is tested."""
import pytest

import gesshelp as h


@pytest.fixture
def desk(gess, staff):
    org = staff.organizer
    ed = h.create_edition(gess, org)
    slug = ed["slug"]
    h.create_category(gess, org, slug, code="general")
    h.create_category(gess, org, slug, code="apr", requires_approval=True)
    a, b = gess.user(full_name="Teresa Huillca"), gess.user(full_name="Marco Ccahuana")
    conf = h.register_ok(gess, a, slug, "general", status="confirmed")
    pend = h.register_ok(gess, b, slug, "apr", status="pending")
    return dict(slug=slug, conf=conf, pend=pend, attendee=a)


def creds(u):
    return {"email": u["email"], "password": u["password"]}


def test_checkin_desk_and_registrations(web, gess, staff, desk, js):
    res = web.run("manage.mjs", js=js, keyboard=js, slug=desk["slug"],
                  organizer=creds(staff.organizer), attendee=creds(desk["attendee"]),
                  badge=desk["conf"]["badge_code"], pending=desk["pend"]["badge_code"])
    rows = gess.sql("SELECT r.status, to_char(r.checked_in_at AT TIME ZONE e.timezone, 'HH24:MI')"
                    " FROM registrations r JOIN editions e ON e.id = r.edition_id WHERE r.id = %s",
                    (desk["conf"]["id"],))
    assert rows[0][0] == "checked_in", rows
    assert res["first_time"].endswith(rows[0][1]), (res["first_time"], rows)
    assert h.reg_status(gess, desk["pend"]["id"]) == "confirmed"


def test_axe_on_the_staff_pages(web, gess, staff, desk):
    slug = desk["slug"]
    pages = [
        {"path": "/manage", "name": "manage"},
        {"path": f"/manage/editions/{slug}/registrations", "name": "manage_registrations"},
        {"path": f"/manage/editions/{slug}/registrations?status=pending", "name": "manage_registrations_pending"},
        {"path": f"/manage/editions/{slug}/checkin", "name": "checkin"},
        {"path": f"/manage/editions/{slug}/checkin", "name": "checkin_bad",
         "invalid": {"badge_code": "NOEXISTE1"}},
        {"path": f"/manage/editions/{slug}/checkin?checked={desk['conf']['id']}&scan=again",
         "name": "checkin_result"},
        {"path": "/manage?lang=en", "lang": "en", "name": "manage_en"},
    ]
    res = web.run("axe.mjs", js=True, out=[], **{"in": pages}, account=creds(staff.organizer),
                  name="axe-manage")
    bad = []
    for p in res["pages"]:
        if p.get("error"):
            bad.append(f"{p['path']}: {p['error']}")
            continue
        if p["want"] is not None and p["status"] != p["want"]:
            bad.append(f"{p['path']}: status {p['status']}, want {p['want']}")
        for v in p.get("violations") or []:
            bad.append(f"{p['path']}: {v['id']} ({v['impact']}): {v['help']} — {', '.join(v['nodes'])}")
        if p.get("scroll390", 0) > 390:
            bad.append(f"{p['path']}: {p['scroll390']} px wide on a phone")
        if p.get("inline") and (p["inline"]["style_attrs"] or p["inline"]["handlers"]
                                or p["inline"]["inline_scripts"]):
            bad.append(f"{p['path']}: inline style, handler or script: {p['inline']}")
    assert not bad, "\n".join(bad)
