"""Pact reminders: followup_remind() writes outbox rows to the contacts of the parties
responsible for a commitment (milestone due soon, milestone overdue, commitment overdue), once
each, whether `gessd remind` runs twice, two of them run at once, or a served gessd runs it on its
timer; a postponed milestone is reminded again."""
import threading

import pytest

import gesshelp as h
import loghelp
import pacthelp as ph


def reminders_of(gess, commitment_id):
    """(kind, account, subject id, due_on) of the outbox rows about one commitment."""
    rows = gess.sql(
        "SELECT kind, account_id::text, coalesce(payload->'milestone'->>'id', payload->'commitment'->>'id'),"
        "       payload->>'due_on'"
        "  FROM outbox WHERE payload->'commitment'->>'id' = %s ORDER BY 1, 2, 3, 4",
        (commitment_id,))
    return [tuple(r) for r in rows]


def remind(gess, env=None):
    r = gess.cli(["remind"], env=env)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert r.stdout.strip().endswith("reminders written"), r.stdout
    return int(r.stdout.split()[0])


@pytest.fixture
def setup(gess, staff, edition):
    """Responsible org A (contact a1), co-responsible org B (contact b1), a signatory C (contact
    c1, never reminded). The commitment is overdue; milestones due in 5 days (due soon), 3 days
    ago (overdue), in 40 days (not yet), and one already done."""
    f = staff.followup
    a1, b1, c1 = h.fast_users(gess, 3)
    A = ph.create_organization(gess, f)
    B = ph.create_organization(gess, f, name=f"Municipalidad {h.letters(6)}", sector="public")
    C = ph.create_organization(gess, f, name=f"Empresa {h.letters(6)}", sector="private")
    pact = ph.create_pact(gess, f, edition["slug"])
    ph.add_party(gess, f, pact["id"], A["id"], "responsible", contacts=[a1["account"]["id"]])
    ph.add_party(gess, f, pact["id"], B["id"], "co_responsible", contacts=[b1["account"]["id"]])
    ph.add_party(gess, f, pact["id"], C["id"], "signatory", contacts=[c1["account"]["id"]])
    c = ph.create_commitment(gess, f, pact["id"], responsible_organization_id=A["id"],
                             co_responsible_organization_ids=[B["id"]],
                             starts_on=ph.day(-300), due_on=ph.day(-2))
    soon = ph.create_milestone(gess, f, c["id"], title="Pronto", due_on=ph.day(5))
    late = ph.create_milestone(gess, f, c["id"], title="Vencido", due_on=ph.day(-3))
    ph.create_milestone(gess, f, c["id"], title="Lejano", due_on=ph.day(40))
    done = ph.create_milestone(gess, f, c["id"], title="Hecho", due_on=ph.day(-30))
    r = gess.req("PATCH", f"/v1/milestones/{done['id']}", headers=f["headers"],
                 json={"done_on": ph.day(-31)})
    assert r.status_code == 200, r.text
    people = sorted([a1["account"]["id"], b1["account"]["id"]])
    want = sorted(
        [("commitment_overdue", p, c["id"], ph.day(-2)) for p in people]
        + [("milestone_due_soon", p, soon["id"], ph.day(5)) for p in people]
        + [("milestone_overdue", p, late["id"], ph.day(-3)) for p in people])
    return dict(pact=pact, c=c, soon=soon, late=late, want=want, A=A, a1=a1, c1=c1)


def test_remind_twice_writes_each_once(gess, setup):
    remind(gess)
    got = reminders_of(gess, setup["c"]["id"])
    assert got == setup["want"]
    assert setup["c1"]["account"]["id"] not in {g[1] for g in got}, "a signatory is not reminded"
    remind(gess)
    assert reminders_of(gess, setup["c"]["id"]) == setup["want"]
    row = gess.sql("SELECT payload FROM outbox WHERE kind = 'milestone_due_soon'"
                   " AND payload->'milestone'->>'id' = %s LIMIT 1", (setup["soon"]["id"],))[0][0]
    assert row["pact"]["id"] == setup["pact"]["id"] and row["days"] == 5
    assert row["milestone"]["title"] == "Pronto"


def test_an_opted_out_contact_is_not_reminded(gess, setup):
    """A contact who unsubscribed (POST /v1/unsubscribe, issue 16) gets no reminder; the
    others theirs."""
    a1 = setup["a1"]["account"]["id"]
    key = gess.sql("SELECT unsubscribe_key FROM accounts WHERE id = %s", (a1,))[0][0]
    r = gess.req("POST", f"/v1/unsubscribe?token={key}")
    assert r.status_code == 204, r.text
    remind(gess)
    assert reminders_of(gess, setup["c"]["id"]) == [w for w in setup["want"] if w[1] != a1]


def test_two_processes_at_once_write_each_once(gess, setup):
    results = []

    def run():
        results.append(gess.cli(["remind"]))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.returncode == 0 for r in results), [(r.stdout, r.stderr) for r in results]
    assert reminders_of(gess, setup["c"]["id"]) == setup["want"]
    dups = gess.sql("SELECT kind, account_id, payload->'commitment'->>'id',"
                    "       payload->'milestone'->>'id', payload->>'due_on', count(*)"
                    "  FROM outbox WHERE kind IN ('milestone_due_soon', 'milestone_overdue',"
                    "                             'commitment_overdue')"
                    " GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1")
    assert dups == []


def test_postponed_milestone_is_reminded_again(gess, setup):
    remind(gess)
    # postponed: a new due date is a new reminder; done: nothing more
    gess.sql("UPDATE milestones SET due_on = %s WHERE id = %s", (ph.day(7), setup["late"]["id"]))
    remind(gess)
    got = reminders_of(gess, setup["c"]["id"])
    assert sorted(got) == sorted(setup["want"] + [
        ("milestone_due_soon", p, setup["late"]["id"], ph.day(7))
        for p in sorted({w[1] for w in setup["want"]})])
    gess.sql("UPDATE milestones SET done_on = %s WHERE id = %s", (ph.day(0), setup["soon"]["id"]))
    n = len(got)
    remind(gess)
    assert len(reminders_of(gess, setup["c"]["id"])) == n


def responsible_pact(gess, f, edition, org, who, **over):
    """A pact of the edition (over: its fields) in which org is responsible, who its contact."""
    pact = ph.create_pact(gess, f, edition["slug"], **over)
    ph.add_party(gess, f, pact["id"], org["id"], "responsible", contacts=[who["account"]["id"]])
    return pact


def overdue_commitment(gess, f, pact, org, due_on=-1):
    """A commitment of the pact, org responsible, started 100 days ago, due in due_on days."""
    return ph.create_commitment(gess, f, pact["id"], responsible_organization_id=org["id"],
                                starts_on=ph.day(-100), due_on=ph.day(due_on))


def test_fallback_to_responsible_parties(gess, staff, edition):
    """The commitment's organization has no party in the pact: the `responsible` parties'
    contacts are reminded instead."""
    f = staff.followup
    r1 = h.fast_user(gess)
    R = ph.create_organization(gess, f)
    X = ph.create_organization(gess, f, name=f"Sin parte {h.letters(6)}")
    pact = responsible_pact(gess, f, edition, R, r1)
    c = overdue_commitment(gess, f, pact, X)
    remind(gess)
    assert reminders_of(gess, c["id"]) == [("commitment_overdue", r1["account"]["id"], c["id"],
                                           ph.day(-1))]


def test_closed_commitments_and_drafts_are_quiet(gess, staff, edition):
    f = staff.followup
    who = h.fast_user(gess)
    R = ph.create_organization(gess, f)
    pact = responsible_pact(gess, f, edition, R, who)
    done = overdue_commitment(gess, f, pact, R)
    ph.set_status(gess, f, done["id"], "done")
    draft = responsible_pact(gess, f, edition, R, who, status="draft", signed_on=None)
    dc = overdue_commitment(gess, f, draft, R)
    remind(gess)
    assert reminders_of(gess, done["id"]) == [] and reminders_of(gess, dc["id"]) == []


def test_served_gessd_sends_them_on_its_timer(gess, staff, edition):
    f = staff.followup
    who = h.fast_user(gess)
    R = ph.create_organization(gess, f)
    pact = responsible_pact(gess, f, edition, R, who)
    inst = gess.spawn(env={"GESS_REMINDER_INTERVAL": "1", "GESS_REMINDER_DAYS": "3"})
    try:
        c = overdue_commitment(gess, f, pact, R, due_on=30)
        ms = ph.create_milestone(gess, f, c["id"], due_on=ph.day(2))
        far = ph.create_milestone(gess, f, c["id"], due_on=ph.day(5))  # beyond 3 days
        h.wait_until(lambda: reminders_of(gess, c["id"]) or None, 15, what="the timer's reminders")
        import time
        time.sleep(2.5)  # a few more ticks: still once
        assert reminders_of(gess, c["id"]) == [("milestone_due_soon", who["account"]["id"],
                                               ms["id"], ph.day(2))]
        assert far["id"] not in str(reminders_of(gess, c["id"]))
    finally:
        assert inst.stop() == 0


def test_bad_config_is_refused(gess):
    for key, value in (("GESS_REMINDER_INTERVAL", "-1"), ("GESS_REMINDER_DAYS", "400"),
                       ("GESS_REMINDER_INTERVAL", "soon")):
        r = gess.cli(["remind"], env={key: value})
        assert r.returncode == 2, (key, value, r.stderr)
        assert key[5:].lower() in " ".join(loghelp.error_messages(r.stderr)), r.stderr
    r = gess.cli(["remind", "extra"])
    assert r.returncode == 2


# --- GET /v1/commitments/overdue ---------------------------------------------------------------

def test_overdue_list(gess, staff, setup, edition):
    f = staff.followup
    # one more: overdue only through a milestone; one on time; one done
    ms_only = ph.create_commitment(gess, f, setup["pact"]["id"], title="Sólo hito",
                                   starts_on=ph.day(-100), due_on=ph.day(90))
    ph.create_milestone(gess, f, ms_only["id"], due_on=ph.day(-6))
    ph.create_commitment(gess, f, setup["pact"]["id"], title="A tiempo", due_on=ph.day(90))
    done = ph.create_commitment(gess, f, setup["pact"]["id"], title="Cumplido",
                                starts_on=ph.day(-100), due_on=ph.day(-9))
    ph.set_status(gess, f, done["id"], "done")
    items, _ = h.walk_pages(gess, "/v1/commitments/overdue", headers=staff.organizer["headers"],
                            params={"edition": edition["slug"]}, limit=1)
    assert [i["id"] for i in items] == [setup["c"]["id"], ms_only["id"]], "ordered by due date"
    a, b = items
    assert a["overdue"] is True and a["days_overdue"] == 3  # its milestone is a day older
    assert a["pact"]["id"] == setup["pact"]["id"] and a["edition"] == edition["slug"]
    assert a["responsible_organization"]["id"] == setup["A"]["id"]
    assert [m["id"] for m in a["overdue_milestones"]] == [setup["late"]["id"]]
    assert a["overdue_milestones"][0]["days_overdue"] == 3
    assert b["overdue"] is False and b["days_overdue"] == 6 and b["status"] == "not_started"
    # without the filter it is there too, among other editions'
    every, _ = h.walk_pages(gess, "/v1/commitments/overdue", headers=staff.followup["headers"],
                            limit=200)
    ids = [i["id"] for i in every]
    assert setup["c"]["id"] in ids and ms_only["id"] in ids and done["id"] not in ids
    assert len(ids) == len(set(ids))


def test_overdue_bad_input(gess, staff):
    hd = staff.followup["headers"]
    for params, fields in (({"limit": "0"}, ["limit"]), ({"limit": "201"}, ["limit"]),
                           ({"limit": "x"}, ["limit"]), ({"cursor": "nope"}, ["cursor"]),
                           ({"edition": "Bad Slug"}, ["edition"]),
                           ({"edition": "-", "cursor": "1", "limit": "-1"},
                            ["edition", "cursor", "limit"])):
        p = h.assert_problem(gess.req("GET", "/v1/commitments/overdue", headers=hd,
                                      params=params), 422, "validation-failed")
        assert sorted(h.error_fields(p)) == sorted(fields), params
    h.assert_problem(gess.req("GET", "/v1/commitments/overdue", headers=hd,
                              params={"edition": "no-such-" + h.letters(6)}), 404, "not-found")
