"""Follow-up in the browser (issue 19), in Debian's chromium with JavaScript on (keys only)
and off: a party contact made by the test reports a value on the commitment's page, the
verifier party's contact verifies it in /manage/measurements, and the public pact page's
progress moves to what the API reports; the follow-up team marks a milestone done; an
attendee opening /manage/measurements gets 403; axe-core finds nothing on the new pages
(the commitment page signed out, with its form, and after a refused value; the queue and
a refused review; the follow-up team's milestone forms)."""
import pytest

import gesshelp as h
import pacthelp as ph


def variant(js):
    return {"js": js, "keyboard": js}


def _world(gess, staff, tag):
    """A signed pact of a fresh edition: a responsible party whose contact is a new
    account, a verifier party with another; a commitment with an indicator (0 -> 10, up)
    and a milestone."""
    f = staff.followup
    edition = h.create_edition(gess, staff.organizer)
    contact, verifier, attendee = h.fast_users(gess, 3, prefix="wfu")
    org = ph.create_organization(gess, f, sector="community")
    ver = ph.create_organization(gess, f, name=f"Veeduría {h.letters(6)}", sector="civil_society")
    pact = ph.create_pact(gess, f, edition["slug"], title=f"Pacto {tag} {h.letters(5)}")
    ph.add_party(gess, f, pact["id"], org["id"], "responsible", contacts=[contact["account"]["id"]])
    ph.add_party(gess, f, pact["id"], ver["id"], "verifier", contacts=[verifier["account"]["id"]])
    c = ph.create_commitment(gess, f, pact["id"], responsible_organization_id=org["id"])
    ind = ph.create_indicator(gess, f, c["id"])
    ms = ph.create_milestone(gess, f, c["id"], title=f"Convocatoria publicada {h.letters(4)}")
    return dict(pact=pact, c=c, ind=ind, ms=ms, contact=contact, verifier=verifier,
                attendee=attendee, followup=f)


def _bar(bars, title):
    found = [b["value"] for b in bars if b["label"].endswith(title)]
    assert found, (title, bars)
    return found[0]


def test_contact_reports_verifier_verifies_progress_moves(web, gess, staff, js):
    wd = _world(gess, staff, "web")
    before = ph.get_pact(gess, wd["pact"]["id"])
    evidence = f"Acta de adjudicación {h.letters(8)}"
    res = web.run("followup.mjs", pact=wd["pact"]["id"], commitment=wd["c"]["id"],
                  indicator={"id": wd["ind"]["id"], "name": wd["ind"]["name"]},
                  milestone={"id": wd["ms"]["id"], "title": wd["ms"]["title"]},
                  value="4,5" if js else "4.5", evidence=evidence, comment="Conforme con el acta",
                  contact={"token": wd["contact"]["token"]},
                  verifier={"token": wd["verifier"]["token"]},
                  followup={"token": wd["followup"]["token"]}, name="followup", **variant(js))
    rows = gess.sql("SELECT value::text, status, reported_by::text, reviewed_by::text"
                    " FROM measurements WHERE evidence = %s", (evidence,))
    assert rows == [("4.5", "verified", wd["contact"]["account"]["id"],
                     wd["verifier"]["account"]["id"])], rows
    api = ph.get_pact(gess, wd["pact"]["id"])
    c = next(x for x in api["commitments"] if x["id"] == wd["c"]["id"])
    assert c["indicators"][0]["latest"]["value"] == 4.5, c["indicators"][0]
    assert api["progress"] > before["progress"], (before["progress"], api["progress"])
    # what the browser showed after the review is what the API reports
    assert _bar(res["bars"], api["title"]) == pytest.approx(api["progress"], abs=1e-9)
    assert _bar(res["bars"], c["title"]) == pytest.approx(c["progress"], abs=1e-9)
    done = gess.sql("SELECT done_on FROM milestones WHERE id = %s", (wd["ms"]["id"],))[0][0]
    assert str(done) == ph.day(0), done
    assert "Cumplido el" in res["milestone_text"], res["milestone_text"]


def test_followup_pages_pass_axe_and_an_attendee_gets_403(web, gess, staff):
    wd = _world(gess, staff, "axe")
    cid = wd["c"]["id"]
    # a value waiting in the verifier's queue
    ph.add_measurement(gess, wd["contact"], wd["ind"]["id"], value=3, as_of=ph.day(-5))
    runs = [
        ("contact", wd["contact"], [
            {"path": f"/commitments/{cid}", "name": "commitment_contact"},
            {"path": f"/commitments/{cid}", "name": "commitment_contact",
             "invalid": {"value": "seis", "evidence": " "}},
            {"path": f"/commitments/{cid}?lang=en", "name": "commitment_en", "lang": "en"},
        ]),
        ("verifier", wd["verifier"], [
            {"path": "/manage/measurements", "name": "manage_measurements"},
            {"path": "/manage/measurements", "name": "manage_measurements",
             "invalid": {"decision": "rejected"}},
        ]),
        ("attendee", wd["attendee"], [
            {"path": "/manage/measurements", "name": "manage_measurements_403", "want": 403},
        ]),
        ("followup", wd["followup"], [
            {"path": f"/commitments/{cid}", "name": "commitment_followup"},
        ]),
    ]
    bad = []
    for who, acc, pages in runs:
        res = web.run("axe.mjs", js=True,
                      out=[{"path": f"/commitments/{cid}", "name": "commitment"}] if who == "contact" else [],
                      **{"in": pages}, account={"email": acc["email"], "password": acc["password"]},
                      name=f"axe-followup-{who}")
        for p in res["pages"]:
            where = f"{p['path']} ({who if p['state'] == 'in' else 'signed out'})"
            if p.get("error"):
                bad.append(f"{where}: {p['error']}")
                continue
            if p["want"] is not None and p["status"] != p["want"]:
                bad.append(f"{where}: status {p['status']}, want {p['want']}")
            if p.get("lang") != p["want_lang"]:
                bad.append(f"{where}: lang {p.get('lang')!r}")
            for v in p.get("violations") or []:
                bad.append(f"{where}: {v['id']} ({v['impact']}): {v['help']} — {', '.join(v['nodes'])}")
            if p.get("scroll390", 0) > 391:
                bad.append(f"{where}: {p['scroll390']} px wide at 390")
            if p.get("bytes", 0) > 60 * 1024:
                bad.append(f"{where}: {p['bytes']} bytes")
            i = p.get("inline") or {}
            if i.get("style_attrs") or i.get("inline_scripts") or i.get("handlers"):
                bad.append(f"{where}: inline style/script/handler {i}")
    assert not bad, "\n".join(bad)
    # the refused review changed nothing
    assert gess.count("measurements", "indicator_id = %s AND status = 'submitted'",
                      (wd["ind"]["id"],)) == 1
