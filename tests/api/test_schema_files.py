"""Schema files an operator can trust (DESIGN.md §4 "Schema files"): `gessd migrate`
records each migration's SHA-256 and refuses an applied one that changed, changing
nothing; a database with only some of the baseline's versions is refused; the function
files are reloaded as a whole and what no file defines is dropped; `gessd serve`
refuses a database whose functions are stale. Each test works on a scratch database
of its own (schemahelp.ScratchDb)."""
import hashlib
import os

import pytest
import requests

import gesshelp as h
import loghelp
from schemahelp import REPO, ScratchDb, baseline, functions, snapshot, triggers


@pytest.fixture
def db(gess):
    d = ScratchDb(gess)
    try:
        yield d
    finally:
        d.drop()


@pytest.fixture
def migrated(db):
    r = db.migrate()
    assert r.returncode == 0, r.stdout + r.stderr
    return db


def _serve_refused(gess, url):
    """Runs `gessd serve` against url: it must exit non-zero at once; returns its message."""
    r = gess.cli(["serve"], db_url=url, env={"GESS_LISTEN": f"127.0.0.1:{h.free_port()}"},
                 timeout=30)
    assert r.returncode == 1, f"serve exit {r.returncode}: {r.stderr}"
    msgs = loghelp.error_messages(r.stderr)
    assert len(msgs) == 1, msgs
    assert "run `gessd migrate`" in msgs[0], msgs[0]
    return msgs[0]


def test_edited_migration_is_refused_and_nothing_changes(gess, migrated):
    db = migrated
    (version,) = db.sql("SELECT max(version) FROM schema_migrations WHERE checksum IS NOT NULL")[0]
    # The binary embeds its files, so an edit after applying is simulated by the
    # recorded checksum; a stray function shows that the loader did not run either.
    db.sql("UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE version = %s", (version,))
    db.sql("CREATE FUNCTION public.gess_stray_fn() RETURNS int LANGUAGE sql AS 'SELECT 1'")
    before = snapshot(db.sql)
    r = db.migrate()
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout == ""
    msgs = loghelp.error_messages(r.stderr)
    assert len(msgs) == 1, msgs
    assert f"schema/migrations/{version}.sql was changed after it was applied" in msgs[0], msgs[0]
    assert "nothing was changed" in msgs[0]
    assert snapshot(db.sql) == before
    # serve refuses the database too
    assert f"schema/migrations/{version}.sql" in _serve_refused(gess, db.url)


def test_some_of_the_squashed_versions_are_refused_by_name(gess, db):
    b = baseline()
    if b is None:
        pytest.skip("no baseline migration (no '-- replaces:' line) in schema/migrations")
    version, replaces, _ = b
    assert len(replaces) >= 6, replaces
    have, missing = replaces[:5], replaces[5:]
    db.sql("CREATE TABLE schema_migrations (version text PRIMARY KEY,"
           " applied_at timestamptz NOT NULL DEFAULT now())")
    for v in have:
        db.sql("INSERT INTO schema_migrations (version) VALUES (%s)", (v,))
    before = snapshot(db.sql)
    r = db.migrate()
    assert r.returncode == 1, r.stdout + r.stderr
    msgs = loghelp.error_messages(r.stderr)
    assert len(msgs) == 1, msgs
    assert version in msgs[0] and f"{len(missing)} missing" in msgs[0], msgs[0]
    for v in missing:
        assert v in msgs[0], (v, msgs[0])
    for v in have:
        assert v not in msgs[0], (v, msgs[0])
    # not even the checksum column or schema_functions was added
    assert snapshot(db.sql) == before
    assert db.sql("SELECT count(*) FROM information_schema.columns"
                  " WHERE table_name = 'schema_migrations' AND column_name = 'checksum'") == [(0,)]


def test_a_version_this_gessd_does_not_know_is_refused(migrated):
    db = migrated
    db.sql("INSERT INTO schema_migrations (version, checksum) VALUES ('9999_from_the_future', 'x')")
    before = snapshot(db.sql)
    r = db.migrate()
    assert r.returncode == 1, r.stdout + r.stderr
    (msg,) = loghelp.error_messages(r.stderr)
    assert "9999_from_the_future" in msg and "newer gessd" in msg, msg
    assert snapshot(db.sql) == before


def test_serve_refuses_stale_functions(gess, migrated):
    db = migrated
    # functions loaded from other files than the binary's
    db.sql("UPDATE schema_functions SET files_checksum = repeat('0', 64)")
    assert "not the ones this gessd was built with" in _serve_refused(gess, db.url)
    r = db.migrate()
    assert r.returncode == 0, r.stderr
    assert "loaded" in r.stdout and "applied" not in r.stdout, r.stdout

    # a function redefined by hand
    sig, body = db.sql("""SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid)
                          FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
                          WHERE p.pronamespace = 'public'::regnamespace AND l.lanname = 'plpgsql'
                            AND p.prorettype <> 'trigger'::regtype
                          ORDER BY 1 LIMIT 1""")[0]
    assert body.count("$function$") == 2, body[:300]
    db.sql(body.replace("$function$", "$function$\n-- changed by hand\n", 1))
    assert "changed by hand" in functions(db.sql)[sig]
    assert "changed since `gessd migrate`" in _serve_refused(gess, db.url)

    # migrate restores it, and serve starts
    r = db.migrate()
    assert r.returncode == 0, r.stderr
    assert "loaded" in r.stdout, r.stdout
    assert "changed by hand" not in functions(db.sql)[sig]
    inst = gess.spawn(env={"GESS_DATABASE_URL": db.url})
    assert h.assert_json(requests.get(inst.base + "/readyz", timeout=10), 200) == {"status": "ready"}
    assert inst.stop() == 0


def test_a_trigger_added_by_hand_is_stale_too(gess, migrated):
    db = migrated
    (fn,) = db.sql("SELECT min(p.oid::regprocedure::text) FROM pg_proc p"
                   " WHERE p.pronamespace = 'public'::regnamespace"
                   "   AND p.prorettype = 'trigger'::regtype")[0]
    assert fn, "no trigger function in the schema"
    db.sql(f"CREATE TRIGGER gess_by_hand BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION {fn}")
    assert "changed since `gessd migrate`" in _serve_refused(gess, db.url)
    # no file defines it, so migrate drops it (as it would a trigger renamed in
    # its file, which would otherwise fire twice) and serve is content again
    want = triggers(db.sql)
    r = db.migrate()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "dropped trigger gess_by_hand ON accounts" in r.stdout, r.stdout
    got = triggers(db.sql)
    assert got == {k: v for k, v in want.items() if "gess_by_hand" not in str(k)}, got
    r = gess.cli(["remind"], db_url=db.url)
    assert r.returncode == 0, r.stderr


def test_leftover_functions_are_dropped(gess, migrated):
    db = migrated
    db.sql("CREATE FUNCTION public.gess_stray_fn() RETURNS int LANGUAGE sql AS 'SELECT 1'")
    db.sql("CREATE FUNCTION public.gess_stray_trg() RETURNS trigger LANGUAGE plpgsql"
           " AS 'BEGIN RETURN NEW; END'")
    db.sql("CREATE FUNCTION public.gess_stray_check(n int) RETURNS boolean LANGUAGE sql"
           " IMMUTABLE AS 'SELECT n >= 0'")
    db.sql("CREATE TABLE gess_stray_t (n int CHECK (gess_stray_check(n)))")
    db.sql("CREATE TRIGGER gess_stray_t_trg BEFORE INSERT ON gess_stray_t"
           " FOR EACH ROW EXECUTE FUNCTION gess_stray_trg()")
    # a procedure, and a leftover that only another leftover needs (a
    # BEGIN ATOMIC body records what it calls)
    db.sql("CREATE PROCEDURE public.gess_stray_proc() LANGUAGE sql AS 'SELECT 1'")
    db.sql("CREATE FUNCTION public.gess_stray_dep() RETURNS int LANGUAGE sql AS 'SELECT 2'")
    db.sql("CREATE FUNCTION public.gess_stray_atomic() RETURNS int LANGUAGE sql"
           " BEGIN ATOMIC SELECT gess_stray_dep(); END")
    before = functions(db.sql)
    r = db.migrate()
    assert r.returncode == 0, r.stdout + r.stderr
    for gone in ("gess_stray_fn()", "gess_stray_trg()", "gess_stray_dep()", "gess_stray_atomic()"):
        assert f"dropped function {gone}" in r.stdout, r.stdout
    assert "dropped procedure gess_stray_proc()" in r.stdout, r.stdout
    assert "dropped trigger gess_stray_t_trg ON gess_stray_t" in r.stdout, r.stdout
    assert "gess_stray_check" not in r.stdout, r.stdout
    after = functions(db.sql)
    assert not [k for k in after if k.startswith("gess_stray_") and k != "gess_stray_check(integer)"]
    assert "gess_stray_check(integer)" in after, "a function a CHECK needs was dropped"
    assert not [k for k in triggers(db.sql) if k[0] == "gess_stray_t"], "the stale trigger stayed"
    # nothing else went
    assert set(before) - set(after) == {"gess_stray_fn()", "gess_stray_trg()", "gess_stray_proc()",
                                        "gess_stray_dep()", "gess_stray_atomic()"}
    # one migrate was enough: the next finds nothing more to drop
    r = db.migrate()
    assert r.returncode == 0 and r.stdout.strip() == "", r.stdout + r.stderr
    # and the result is what the start-up check expects
    r = gess.cli(["remind"], db_url=db.url)
    assert r.returncode == 0, r.stderr


def test_a_function_whose_result_columns_changed_is_replaced(gess, migrated):
    """CREATE OR REPLACE cannot change a function's result columns; a
    database whose function answers another shape (an older release's) is
    still brought to the file's definition by one migrate."""
    db = migrated
    sig = db.sql("SELECT p.oid::regprocedure::text FROM pg_proc p"
                 " WHERE p.proname = 'registration_stats'")[0][0]
    want = db.sql(f"SELECT pg_get_functiondef('{sig}'::regprocedure)")[0][0]
    args = sig[sig.index("(") + 1:-1]
    params = ", ".join(f"p{i} {t}" for i, t in enumerate(args.split(","))) if args else ""
    db.sql(f"DROP FUNCTION {sig}")
    db.sql(f"CREATE FUNCTION registration_stats({params}, OUT old_shape text)"
           " LANGUAGE sql AS $$ SELECT 'x' $$")
    r = db.migrate()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "registration_stats" not in r.stdout, r.stdout  # replaced, not gone
    assert db.sql(f"SELECT pg_get_functiondef('{sig}'::regprocedure)")[0][0] == want
    r = gess.cli(["remind"], db_url=db.url)
    assert r.returncode == 0, r.stderr


def test_second_migrate_is_a_no_op(migrated):
    db = migrated
    oids = "SELECT p.oid::regprocedure::text, p.oid::bigint FROM pg_proc p" \
           " WHERE p.pronamespace = 'public'::regnamespace ORDER BY 1"
    oids_before = db.sql(oids)
    before = snapshot(db.sql)
    r = db.migrate()
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "", r.stdout
    after = snapshot(db.sql)
    # only loaded_at of schema_functions moves
    assert {k: v for k, v in after.items() if k != "schema_functions"} == \
        {k: v for k, v in before.items() if k != "schema_functions"}
    assert db.sql("SELECT count(*) FROM schema_migrations WHERE checksum IS NULL") == [(0,)]
    # functions were replaced in place, not dropped and created again: the
    # prepared statements of a running gessd, and what an operator attached
    # to a function, stay
    assert db.sql(oids) == oids_before


def test_fresh_database_records_every_checksum(migrated):
    db = migrated
    rows = dict(db.sql("SELECT version, checksum FROM schema_migrations"))
    files = sorted(os.listdir(os.path.join(REPO, "schema", "migrations")))
    assert sorted(rows) == [f[:-4] for f in files if f.endswith(".sql")]
    for f in files:
        with open(os.path.join(REPO, "schema", "migrations", f), "rb") as fh:
            assert rows[f[:-4]] == hashlib.sha256(fh.read()).hexdigest(), f
    assert db.sql("SELECT count(*) FROM schema_functions") == [(1,)]


def test_a_search_path_without_public_does_not_look_like_a_hand_edit(gess, migrated):
    """pg_get_functiondef() qualifies what the search_path does not show, so
    the digest is computed under one fixed path, by migrate and by the check."""
    db = migrated
    r = gess.cli(["remind"], db_url=db.url, env={"PGOPTIONS": "-c search_path=pg_catalog"})
    # remind itself may fail later (its statements name public's functions
    # unqualified); the start-up check must not be what refuses
    assert "gessd migrate" not in r.stderr, r.stderr
