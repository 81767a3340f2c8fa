"""The command line: admin create, bad configuration, unmigrated databases, migrate."""
import os
import re
import time
import uuid

import pytest
import requests

import gesshelp as h
import loghelp


def _stderr_lines(r):
    """The messages of a failed command: each stderr line is a JSON error line."""
    return loghelp.error_messages(r.stderr)


# --- admin create ---------------------------------------------------------------

def test_admin_create_with_password_on_stdin(gess):
    email = h.unique_email("Admin")
    pw = h.strong_password()
    r = gess.cli(["admin", "create", "--email", email, "--name", "Rosa Admin"], input=pw + "\n")
    assert r.returncode == 0, r.stderr
    assert pw not in r.stdout and pw not in r.stderr, "the given password was echoed"
    token = gess.login(email.lower(), pw)  # trailing newline stripped
    me = h.assert_json(gess.req("GET", "/v1/me", headers=h.bearer(token)), 200)
    assert me["email"] == email.lower()
    assert me["full_name"] == "Rosa Admin"
    assert {"admin", "organizer", "followup"} <= set(me["roles"])
    ph = gess.sql("SELECT password_hash FROM accounts WHERE email = %s", (email.lower(),))[0][0]
    assert ph.startswith("$argon2id$")


def test_admin_create_generates_a_password(gess):
    email = h.unique_email("genadmin")
    r = gess.cli(["admin", "create", "--email", email, "--name", "Generated Admin"], input="")
    assert r.returncode == 0, r.stderr
    out = r.stdout + "\n" + r.stderr
    candidates = [t.strip("'\"`.,;:()[]") for t in re.split(r"\s+", out)]
    candidates = [c for c in candidates
                  if len(c) >= 10 and "@" not in c and not c.lower().startswith("password")
                  and c not in ("Generated", "generated")]
    # A generated password is long and random; try the likely ones (last first).
    gess.reset_login_limits()
    try:
        works = None
        for c in reversed(candidates[-6:]):
            rr = gess.req("POST", "/v1/tokens", json={"email": email, "password": c})
            if rr.status_code == 201:
                works = c
                break
        assert works, f"no printed word logs in; output was:\n{out}"
        assert len(works) >= 16, f"generated password too short: {works!r}"
        assert works in r.stdout, "the generated password should be printed on stdout"
    finally:
        gess.reset_login_limits()


def test_admin_create_refuses_bad_input(gess):
    r = gess.cli(["admin", "create", "--name", "No Email"], input=h.strong_password())
    assert r.returncode != 0
    r = gess.cli(["admin", "create", "--email", "not-an-email", "--name", "X"],
                 input=h.strong_password())
    assert r.returncode != 0
    r = gess.cli(["admin", "create", "--email", h.unique_email(), "--name", "X"], input="password123")
    assert r.returncode != 0, "a weak admin password was accepted"


# --- configuration ----------------------------------------------------------------

@pytest.mark.parametrize("key,value", [
    ("workers", "abc"),
    ("workers", "-1"),
    ("workers", "2x"),
    ("listen", "nonsense"),
    ("listen", "127.0.0.1:99999"),
    ("db_pool_size", "0"),
    ("max_body_bytes", "-5"),
    ("argon2_opslimit", "1"),
    ("argon2_memlimit_kib", "1024"),
    ("log_level", "loud"),
    ("token_ttl_s", "ten"),
])
def test_bad_config_env(gess, key, value):
    env = {"GESS_LISTEN": f"127.0.0.1:{h.free_port()}"}
    env[f"GESS_{key.upper()}"] = value
    r = gess.cli(["serve"], env=env, timeout=10)
    assert r.returncode == 2, f"exit {r.returncode}; stderr: {r.stderr}"
    lines = _stderr_lines(r)
    assert len(lines) == 1, f"expected one stderr line, got: {lines}"
    assert key in lines[0].lower(), f"the line does not name {key}: {lines[0]!r}"


def test_unknown_key_in_config_file(gess):
    path = os.path.join(gess.tmp, f"bad-{uuid.uuid4().hex[:6]}.conf")
    with open(path, "w") as f:
        f.write("# a comment\nlisten = 127.0.0.1:8089\n\nbogus_setting = 1\n")
    r = gess.cli(["--config", path, "serve"], timeout=20)
    assert r.returncode == 2, f"exit {r.returncode}; stderr: {r.stderr}"
    lines = _stderr_lines(r)
    assert len(lines) == 1, lines
    assert "bogus_setting" in lines[0], lines[0]


def test_bad_value_in_config_file(gess):
    path = os.path.join(gess.tmp, f"bad-{uuid.uuid4().hex[:6]}.conf")
    with open(path, "w") as f:
        f.write("workers = many\n")
    r = gess.cli(["--config", path, "serve"], timeout=20)
    assert r.returncode == 2, r.stderr
    lines = _stderr_lines(r)
    assert len(lines) == 1 and "workers" in lines[0], lines


def test_missing_config_file(gess):
    r = gess.cli(["--config", os.path.join(gess.tmp, "does-not-exist.conf"), "serve"], timeout=20)
    assert r.returncode != 0
    assert "does-not-exist.conf" in " ".join(_stderr_lines(r))


def test_config_file_and_env_override(gess):
    file_port = h.free_port()
    env_port = h.free_port()
    path = os.path.join(gess.tmp, f"good-{uuid.uuid4().hex[:6]}.conf")
    with open(path, "w") as f:
        f.write(f"# gess test\nlisten = 127.0.0.1:{file_port}   # trailing comment\nworkers = 1\n")
    inst = gess.spawn(args=("--config", path, "serve"), env={"GESS_LISTEN": None}, wait=False)
    inst.port, inst.base = file_port, f"http://127.0.0.1:{file_port}"
    try:
        inst.wait_healthy()
    finally:
        assert inst.stop() == 0
    inst2 = gess.spawn(args=("--config", path, "serve"), env={"GESS_LISTEN": f"127.0.0.1:{env_port}"},
                       wait=False)
    inst2.port, inst2.base = env_port, f"http://127.0.0.1:{env_port}"
    try:
        inst2.wait_healthy()
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{file_port}/healthz", timeout=2)
    finally:
        assert inst2.stop() == 0


def test_no_database_url(gess):
    r = gess.cli(["serve"], env={"GESS_DATABASE_URL": ""}, timeout=20)
    assert r.returncode != 0
    assert "database_url" in " ".join(_stderr_lines(r)).lower()


def test_unknown_command(gess):
    # the usage text is for a person at a terminal, not a log line
    r = gess.cli(["frobnicate"], timeout=20)
    assert r.returncode != 0
    assert r.stderr.startswith("usage: gessd")


# --- migrations ---------------------------------------------------------------------

def test_serve_refuses_unmigrated_database(gess):
    name = f"fresh_{uuid.uuid4().hex[:8]}"
    gess.sql(f"CREATE DATABASE {name} OWNER gess")
    try:
        url = gess.db_url.rsplit("/", 1)[0] + "/" + name
        port = h.free_port()
        t0 = time.monotonic()
        r = gess.cli(["serve"], db_url=url, env={"GESS_LISTEN": f"127.0.0.1:{port}"}, timeout=30)
        assert r.returncode == 1, f"exit {r.returncode}: {r.stderr}"
        assert "migrat" in " ".join(_stderr_lines(r)).lower(), f"no clear message: {r.stderr}"
        assert time.monotonic() - t0 < 15

        # After `gessd migrate` the same database serves.
        m = gess.cli(["migrate"], db_url=url)
        assert m.returncode == 0, m.stderr
        inst = gess.spawn(env={"GESS_DATABASE_URL": url})
        assert h.assert_json(requests.get(inst.base + "/readyz", timeout=10), 200) == {"status": "ready"}
        assert inst.stop() == 0
    finally:
        # Connections of the stopped instance are gone; drop the database.
        for _ in range(20):
            try:
                gess.sql(f"DROP DATABASE IF EXISTS {name}")
                break
            except Exception:  # noqa: BLE001
                time.sleep(0.25)


def test_migrate_is_idempotent(gess):
    before = gess.sql("SELECT version FROM schema_migrations ORDER BY version")
    assert before, "schema_migrations is empty"
    r = gess.cli(["migrate"])
    assert r.returncode == 0, r.stderr
    after = gess.sql("SELECT version FROM schema_migrations ORDER BY version")
    assert before == after
    # The app role exists and cannot log in.
    rows = gess.sql("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'gess_app'")
    assert rows == [(False,)]


def test_routes_command(gess):
    r = gess.cli(["routes"], env={"GESS_DATABASE_URL": ""})
    assert r.returncode == 0, r.stderr
    lines = [l for l in r.stdout.splitlines() if l.strip()]
    assert "POST /v1/accounts accounts_signup accounts/signup.c" in lines
    assert "PUT /v1/accounts/{id}/roles accounts_roles_set accounts/roles.c" in lines
