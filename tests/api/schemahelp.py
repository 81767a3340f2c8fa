"""Scratch databases for the schema tests (test_schema_files.py, test_schema_upgrade.py):
each in the session cluster, made with CREATE DATABASE and dropped at the end, so that
the session database and its gessd are never touched."""
import glob
import hashlib
import os
import shutil
import subprocess
import time
import uuid

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# The project's functions: schema public, not an extension's, not aggregates
# (what services/core/schema_functions.c loads, drops and digests).
PROJECT_FUNCTIONS = """
    FROM pg_proc p
    WHERE p.pronamespace = 'public'::regnamespace AND p.prokind <> 'a'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                      AND d.objid = p.oid AND d.deptype = 'e')"""


class ScratchDb:
    def __init__(self, gess, prefix="schema"):
        self.gess = gess
        self.name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        gess.sql(f"CREATE DATABASE {self.name} OWNER gess")
        self.url = gess.db_url.rsplit("/", 1)[0] + "/" + self.name
        self._conn = None

    def sql(self, query, params=None):
        if self._conn is None or self._conn.closed:
            self._conn = self.gess.connect(self.url)
        with self._conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else []

    def migrate(self):
        return self.gess.cli(["migrate"], db_url=self.url, timeout=120)

    def drop(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        for _ in range(40):
            try:
                self.gess.sql(f"DROP DATABASE IF EXISTS {self.name}")
                return
            except Exception:  # noqa: BLE001
                time.sleep(0.25)


def functions(sql):
    """{signature: pg_get_functiondef} of the project's functions."""
    return dict(sql("SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid)"
                    + PROJECT_FUNCTIONS))


def triggers(sql):
    """{(table, trigger): pg_get_triggerdef} of the triggers of the app's tables."""
    rows = sql("""SELECT t.tgrelid::regclass::text, t.tgname, pg_get_triggerdef(t.oid)
                  FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid
                  WHERE NOT t.tgisinternal AND r.relnamespace = 'public'::regnamespace""")
    return {(t, n): d for (t, n, d) in rows}


def snapshot(sql):
    """What migrate may change: its two tables (when they exist) and every definition."""
    snap = {"functions": functions(sql), "triggers": triggers(sql)}
    for table in ("schema_migrations", "schema_functions"):
        if sql("SELECT to_regclass(%s)", (table,))[0][0] is None:
            snap[table] = None
        else:
            snap[table] = sql(f"SELECT to_jsonb(x)::text FROM {table} x ORDER BY 1")
    return snap


def row_counts(sql):
    tables = [t for (t,) in sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
    return {t: sql(f'SELECT count(*) FROM "{t}"')[0][0] for t in tables}


def baseline():
    """(version, replaced versions, sha256) of the migration with a '-- replaces:' line,
    or None."""
    for path in sorted(glob.glob(os.path.join(REPO, "schema", "migrations", "*.sql"))):
        with open(path, "rb") as f:
            data = f.read()
        for line in data.decode("utf-8").splitlines():
            if not line.startswith("--"):
                break
            if line.startswith("-- replaces:"):
                version = os.path.basename(path)[:-4]
                return version, line.split(":", 1)[1].split(), hashlib.sha256(data).hexdigest()
    return None


def pg_bin(name):
    """A PostgreSQL client binary, found as tools/pgcluster.sh finds the server's."""
    if shutil.which("pg_config"):
        b = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        if b and os.access(os.path.join(b, name), os.X_OK):
            return os.path.join(b, name)
    p = f"/usr/lib/postgresql/15/bin/{name}"
    if os.access(p, os.X_OK):
        return p
    return shutil.which(name)
