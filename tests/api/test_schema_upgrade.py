"""An upgrade from a database in the field: tests/api/fixtures/upgrade_from_0012.sql.gz is
a database migrated to 0012_throttle and loaded with the demo by the gessd from before the
schema split, as `pg_dump --no-owner --no-privileges` wrote it (kept compressed: it is a
record of what was in the field, restored and never edited, and as text it would hold a
second copy of every function of that time). Restored into a scratch
database, today's `gessd migrate` must take it as having the baseline, leave it with
exactly the functions and triggers of a freshly migrated database, keep its data, and
`gessd serve` must accept it."""
import glob
import gzip
import os
import subprocess

import pytest
import requests

import gesshelp as h
from schemahelp import REPO, ScratchDb, baseline, functions, pg_bin, row_counts, triggers


def schema_dump(url):
    """pg_dump -s without owners and privileges, less the lines that differ
    between any two dumps (psql's \\restrict key) and comments."""
    pg_dump = pg_bin("pg_dump")
    r = subprocess.run([pg_dump, "-s", "--no-owner", "--no-privileges", "-d", url],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return [ln for ln in r.stdout.splitlines()
            if ln and not ln.startswith(("--", "\\restrict", "\\unrestrict"))]


FIXTURE = os.path.join(REPO, "tests", "api", "fixtures", "upgrade_from_0012.sql.gz")


@pytest.fixture
def restored(gess):
    psql = pg_bin("psql")
    if psql is None:
        pytest.fail("psql not found (pg_config --bindir, /usr/lib/postgresql/15/bin)")
    # The dump has no owners and no grants, but the schema's own statements name the
    # app role: it exists in any cluster gessd migrated (0001 creates it), so make
    # sure of it here as an operator restoring into a new cluster would.
    gess.sql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gess_app')"
             " THEN CREATE ROLE gess_app NOLOGIN; END IF; END $$")
    db = ScratchDb(gess, prefix="upgrade")
    try:
        # as the cluster's superuser (the URL's role), stopping at the first error
        with gzip.open(FIXTURE, "rt", encoding="utf-8") as f:
            dump = f.read()
        r = subprocess.run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db.url, "-f", "-"],
                           input=dump, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, f"restoring the fixture failed:\n{r.stderr[-3000:]}"
        yield db
    finally:
        db.drop()


def test_upgrade_from_0012(gess, restored):
    db = restored
    old_versions = [v for (v,) in db.sql("SELECT version FROM schema_migrations ORDER BY 1")]
    assert old_versions[0] == "0001_core" and old_versions[-1] == "0012_throttle", old_versions
    counts = row_counts(db.sql)
    assert counts["pacts"] > 0 and counts["editions"] > 0, counts

    r = db.migrate()
    assert r.returncode == 0, r.stdout + r.stderr
    b = baseline()
    assert b is not None, "no migration declares the versions it replaces"
    version, replaces, sha = b
    assert sorted(replaces) == old_versions
    assert f"taken as having {version}" in r.stdout, r.stdout
    assert f"applied {version}" not in r.stdout, r.stdout
    assert db.sql("SELECT checksum FROM schema_migrations WHERE version = %s",
                  (version,)) == [(sha,)]

    # the same functions, with the same bodies, as a freshly migrated database (the
    # session's), and the same triggers
    want_f, got_f = functions(gess.sql), functions(db.sql)
    assert sorted(set(want_f) - set(got_f)) == [], "functions missing after the upgrade"
    assert sorted(set(got_f) - set(want_f)) == [], "functions left over after the upgrade"
    differ = [k for k in want_f if want_f[k] != got_f[k]]
    assert differ == [], f"definitions differ: {differ}"
    assert triggers(db.sql) == triggers(gess.sql)
    # and everything else too: tables, constraints, indexes, sequences, grants
    # left aside (the dump has none), the two schemas are the same
    assert schema_dump(db.url) == schema_dump(gess.db_url)

    # the data is intact (schema_functions is new, schema_migrations has the baseline)
    after = row_counts(db.sql)
    assert after.pop("schema_functions") == 1
    # the 12 old rows stay; the baseline and every migration after it join them
    migrations = glob.glob(os.path.join(REPO, "schema", "migrations", "*.sql"))
    assert after.pop("schema_migrations") == counts.pop("schema_migrations") + len(migrations)
    # every table the old database had keeps its rows; tables later migrations
    # made hold only what those migrations seeded, as on a fresh database
    assert {k: after[k] for k in counts} == counts
    # 0020: the accounts made before email verification existed count as verified
    assert counts["accounts"] > 0
    assert db.sql("SELECT count(*) FROM accounts WHERE email_verified_at IS NULL") == [(0,)]
    new = set(after) - set(counts)
    if new:
        scratch = ScratchDb(gess, prefix="fresh")
        try:
            r = scratch.migrate()
            assert r.returncode == 0, r.stdout + r.stderr
            fresh = row_counts(scratch.sql)
        finally:
            scratch.drop()
        assert {k: after[k] for k in new} == {k: fresh[k] for k in new}

    # a second migrate is a no-op, and serve's start-up check accepts the database
    r = db.migrate()
    assert r.returncode == 0 and r.stdout.strip() == "", r.stdout + r.stderr
    inst = gess.spawn(env={"GESS_DATABASE_URL": db.url})
    assert h.assert_json(requests.get(inst.base + "/readyz", timeout=10), 200) == {"status": "ready"}
    assert inst.stop() == 0


def test_upgrade_from_a_0006_without_its_later_checks(gess, restored):
    """0006_pacts gained CHECKs after it had shipped; a database migrated in
    between is taken as having the baseline all the same, and 0014 adds them."""
    db = restored
    db.sql("ALTER TABLE commitments DROP CONSTRAINT commitments_reason_check")
    db.sql("ALTER TABLE measurements DROP CONSTRAINT measurements_evidence_given,"
           " DROP CONSTRAINT measurements_rejection_check")
    # (the demo's audit rows name party contacts already: NOT VALID lets the old
    # check stand beside them, as it would have refused the triggers' next row)
    db.sql("ALTER TABLE pact_audit DROP CONSTRAINT pact_audit_entity_check,"
           " ADD CONSTRAINT pact_audit_entity_check CHECK (entity IN ('pact', 'party',"
           " 'commitment', 'indicator', 'measurement', 'milestone')) NOT VALID")
    # a measurement saved without evidence while the CHECK was missing
    (mid,) = db.sql("SELECT id FROM measurements ORDER BY id LIMIT 1")[0]
    db.sql("UPDATE measurements SET evidence = '', evidence_url = NULL WHERE id = %s", (mid,))
    r = db.migrate()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "applied 0014_pact_checks" in r.stdout, r.stdout
    got = dict(db.sql("SELECT conname, convalidated FROM pg_constraint WHERE conname IN"
                      " ('commitments_reason_check', 'measurements_evidence_given',"
                      "  'measurements_rejection_check', 'pact_audit_entity_check')"))
    # enforced for new rows; the one that breaks it keeps it NOT VALID, said
    # as a warning, and the upgrade goes on
    assert got == {"commitments_reason_check": True, "measurements_evidence_given": False,
                   "measurements_rejection_check": True, "pact_audit_entity_check": True}, got
    assert "measurements_evidence_given: rows written before it break it" in r.stderr, r.stderr
    assert '"level":"warn"' in r.stderr.replace(" ", ""), r.stderr
    # once the row is put right, validating it is all that is left
    db.sql("UPDATE measurements SET evidence = 'Acta de la reunión' WHERE id = %s", (mid,))
    db.sql("ALTER TABLE measurements VALIDATE CONSTRAINT measurements_evidence_given")
    assert schema_dump(db.url) == schema_dump(gess.db_url)
