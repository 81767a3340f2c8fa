"""Black-box API tests: a throwaway PostgreSQL cluster and a real gessd.

GESSD names the binary (default: build/gessd of this checkout). The session
fixture `gess` starts a private cluster (tools/pgcluster.sh start --fast) in a
temporary directory, migrates, serves on a free port and tears everything
down at the end, also on failure. The server's stderr (JSON log lines) goes
to a file; the session fails if it shows AddressSanitizer, LeakSanitizer or
UBSan reports (SANITIZE=1 builds), or if any line of it, or of the stderr of a
`gess.cli()` run, is not a JSON object (loghelp.py).
"""
import atexit
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import psycopg2
import pytest
import requests

sys.path.insert(0, os.path.dirname(__file__))
import contract  # noqa: E402
import gesshelp as h  # noqa: E402
import loghelp  # noqa: E402

# Every response from gessd is checked against services/openapi.json.
contract.install()

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PGCLUSTER = os.path.join(REPO, "tools", "pgcluster.sh")
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer")

BASE_ENV = {
    "GESS_WORKERS": "2",
    "GESS_ARGON2_OPSLIMIT": "2",
    "GESS_ARGON2_MEMLIMIT_KIB": "65536",
    # reminders only where a test asks for them (test_reminders.py)
    "GESS_REMINDER_INTERVAL": "0",
    # housekeeping only where a test asks for it (test_throttle.py)
    "GESS_HOUSEKEEPING_INTERVAL": "0",
    # the whole suite signs up (and logs in) from 127.0.0.1: the per-address
    # limits are tested on their own instances (test_login_limits.py,
    # test_throttle.py), with the defaults or small values
    "GESS_SIGNUP_MAX_PER_ADDRESS": "1000000",
    "GESS_LOGIN_MAX_PER_ADDRESS": "1000000",
    "GESS_LOG_LEVEL": "info",
    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
}


def gessd_path():
    p = os.environ.get("GESSD") or os.path.join(REPO, "build", "gessd")
    return os.path.abspath(p)


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GESS_")}
    env.update(BASE_ENV)
    if extra:
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = str(v)
    return env


class Instance:
    """One gessd process with its own log file."""

    def __init__(self, gess, env, args, name, preexec_fn=None):
        self.gess = gess
        self.port = h.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(gess.tmp, f"{name}.log")
        e = {"GESS_DATABASE_URL": gess.db_url, "GESS_LISTEN": f"127.0.0.1:{self.port}"}
        e.update(env or {})
        self.env = clean_env(e)
        self.args = list(args)
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [gess.gessd] + self.args,
            env=self.env,
            cwd=gess.tmp,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
            preexec_fn=preexec_fn,  # e.g. resource limits of the child (test_hostile.py)
        )
        gess.instances.append(self)

    def wait_healthy(self, timeout=20):
        def up():
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"gessd exited with {self.proc.returncode} before /healthz answered:\n"
                    + self.log_text()[-3000:]
                )
            try:
                return requests.get(self.base + "/healthz", timeout=2).status_code == 200
            except requests.ConnectionError:
                return False

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if up():
                return self
            time.sleep(0.05)
        raise AssertionError(f"gessd did not answer /healthz within {timeout}s:\n" + self.log_text()[-3000:])

    def log_text(self):
        if not self._log.closed:
            self._log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self._log.closed:
            self._log.close()
        return self.proc.returncode


class Gess:
    def __init__(self):
        self.gessd = gessd_path()
        self.tmp = tempfile.mkdtemp(prefix="gess-api-")
        self.cluster = os.path.join(self.tmp, "cluster")
        self.db_url = None
        self.instances = []
        self.cli_runs = []  # (argv, stderr) of every cli() run: loghelp checks them
        self.main = None
        self._conn = None
        self._cluster_started = False
        self._cleaned = False

    # --- lifecycle -------------------------------------------------------
    def start(self):
        if not os.access(self.gessd, os.X_OK):
            raise RuntimeError(f"GESSD={self.gessd} is not an executable (run make first)")
        self.db_url = self._pgcluster("start", "--fast")
        self._cluster_started = True
        r = self.cli(["migrate"])
        if r.returncode != 0:
            raise RuntimeError(f"gessd migrate failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
        self.main = Instance(self, {}, ["serve"], "gessd-main")
        self.main.wait_healthy()
        self.base = self.main.base
        self.port = self.main.port

    def _pgcluster(self, *args):
        argv = ["sh", PGCLUSTER, args[0]] + list(args[1:]) + [self.cluster]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"pgcluster.sh {' '.join(args)} failed:\n{r.stderr}")
        return r.stdout.strip()

    def cleanup(self):
        if self._cleaned:
            return
        self._cleaned = True
        for inst in self.instances:
            try:
                inst.stop()
            except Exception:  # noqa: BLE001
                pass
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001
                pass
        if self._cluster_started:
            try:
                self._pgcluster("destroy")
            except Exception as e:  # noqa: BLE001
                print(f"warning: could not destroy the test cluster: {e}", file=sys.stderr)
        if os.environ.get("GESS_KEEP_TMP"):
            print(f"kept {self.tmp}", file=sys.stderr)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def sanitizer_reports(self):
        bad = []
        for path in glob.glob(os.path.join(self.tmp, "*.log")):
            with open(path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            for marker in SANITIZER_MARKERS:
                i = text.find(marker)
                if i >= 0:
                    bad.append(f"{os.path.basename(path)}: {text[max(0, i - 200): i + 3000]}")
        return bad

    # --- database ----------------------------------------------------------
    def connect(self, url=None):
        c = psycopg2.connect(url or self.db_url)
        c.autocommit = True
        return c

    def sql(self, query, params=None):
        """Runs one statement as the owner role; returns all rows (or [])."""
        for attempt in (1, 2):
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = self.connect()
                with self._conn.cursor() as cur:
                    cur.execute(query, params)
                    return cur.fetchall() if cur.description else []
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                self._conn = None
                if attempt == 2:
                    raise
        return []

    def count(self, table, where="true", params=None):
        return self.sql(f"SELECT count(*) FROM {table} WHERE {where}", params)[0][0]

    def reset_login_limits(self):
        self.sql("DELETE FROM login_attempts")

    def db_stop(self, immediate=False):
        """Stops the cluster: a fast shutdown, or with immediate=True
        `pg_ctl stop -m immediate` (every backend killed at once, as in a
        crash; recovery runs on the next start)."""
        self._pgcluster("stop", *(["--immediate"] if immediate else []))
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001
                pass
            self._conn = None

    def db_start(self):
        url = self._pgcluster("start")
        assert url == self.db_url, f"the cluster came back elsewhere: {url} != {self.db_url}"

    # --- gessd ---------------------------------------------------------------
    def cli(self, args, env=None, input=None, timeout=60, db_url=None):
        e = {"GESS_DATABASE_URL": db_url or self.db_url}
        e.update(env or {})
        r = subprocess.run(
            [self.gessd] + list(args),
            env=clean_env(e),
            cwd=self.tmp,
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        self.cli_runs.append((list(args), r.stderr))
        return r

    def spawn(self, env=None, args=("serve",), name=None, wait=True, preexec_fn=None):
        name = name or f"gessd-{len(self.instances)}"
        inst = Instance(self, env, args, name, preexec_fn=preexec_fn)
        if wait:
            inst.wait_healthy()
        return inst

    # --- API shortcuts ---------------------------------------------------------
    def url(self, path):
        return self.base + path

    def req(self, method, path, **kw):
        return h.call(method, self.url(path), **kw)

    def signup(self, **overrides):
        body = h.signup_body(**overrides)
        r = self.req("POST", "/v1/accounts", json=body)
        acc = h.assert_json(r, 201)
        return body, acc

    def login(self, email, password):
        r = self.req("POST", "/v1/tokens", json={"email": email, "password": password})
        body = h.assert_json(r, 201)
        return body["token"]

    # a test module that runs `gessd notify` sets this to its smtphelp.Sink:
    # a sent token is dropped from its row (outbox_delivered), so it is read
    # from the mail received
    mail_sink = None

    def mailed_token(self, account_id, kind="email_verification"):
        """The token of the newest mail of that kind to the account, read from
        its outbox row (nothing delivers mail in most API tests), or from the
        mail itself once notify sent it (mail_sink)."""
        rows = self.sql("SELECT payload->>'token', message_id FROM outbox"
                        " WHERE account_id = %s AND kind = %s ORDER BY id DESC LIMIT 1",
                        (account_id, kind))
        assert rows, f"no {kind} mail to {account_id}"
        token, mid = rows[0]
        if token is None and self.mail_sink is not None:
            import re  # noqa: WPS433 (only this path needs it)
            import email as email_pkg  # noqa: WPS433
            import email.policy  # noqa: WPS433,F401
            [raw] = self.mail_sink.by_message_id(mid)
            msg = email_pkg.message_from_bytes(raw, policy=email_pkg.policy.default)
            text = msg.get_body(("plain",)).get_content()
            token = re.search(r"\?token=([A-Za-z0-9_-]{43})\b", text).group(1)
        return token

    def verify(self, account_id):
        """Verifies the account's email through the real route, with the token
        its sign-up mailed; returns the account."""
        r = self.req("POST", "/v1/email-verifications",
                     json={"token": self.mailed_token(account_id)})
        acc = h.assert_json(r, 200)
        assert acc["email_verified"] is True, acc
        return acc

    def user(self, verified=True, **overrides):
        """A fresh account with a token: dict(email, password, account, token,
        headers); its email verified (as require_verified_email wants for
        registering) unless verified=False."""
        body, acc = self.signup(**overrides)
        if verified:
            acc = self.verify(acc["id"])
        token = self.login(body["email"], body["password"])
        return {
            "email": body["email"].lower(),
            "password": body["password"],
            "account": acc,
            "token": token,
            "headers": h.bearer(token),
        }

    def admin(self, email=None, name="Admin Test", password=None):
        """An admin made with `gessd admin create` (password on stdin), logged in."""
        email = email or h.unique_email("admin")
        password = password or h.strong_password()
        r = self.cli(["admin", "create", "--email", email, "--name", name], input=password + "\n")
        assert r.returncode == 0, f"admin create failed ({r.returncode}): {r.stdout}\n{r.stderr}"
        token = self.login(email, password)
        return {"email": email, "password": password, "token": token, "headers": h.bearer(token)}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A response that broke the document fails the test that received it,
    also when the test swallowed the AssertionError (wait_until, threads)."""
    outcome = yield
    rep = outcome.get_result()
    bad = contract.take_failures()
    if bad and rep.passed:
        rep.outcome = "failed"
        rep.longrepr = "responses that break services/openapi.json:\n\n" + "\n\n".join(bad)


_session = {}


def _atexit_cleanup():
    g = _session.get("gess")
    if g is not None:
        g.cleanup()


atexit.register(_atexit_cleanup)


@pytest.fixture(scope="session")
def gess():
    g = Gess()
    _session["gess"] = g
    try:
        g.start()
    except BaseException:
        g.cleanup()
        raise
    try:
        yield g
    finally:
        main_rc = None
        if g.main is not None:
            main_rc = g.main.stop()
        reports = g.sanitizer_reports()
        not_json = loghelp.session_problems(g)
        main_log = g.main.log_text() if g.main is not None else ""
        g.cleanup()
    if reports:
        pytest.fail("sanitizer reports in gessd's stderr:\n\n" + "\n\n".join(reports), pytrace=False)
    if not_json:
        pytest.fail(f"{len(not_json)} lines gessd wrote are not JSON objects:\n"
                    + "\n".join(not_json[:50]), pytrace=False)
    if main_rc not in (0, None):
        pytest.fail(f"the main gessd exited with {main_rc} on SIGTERM:\n{main_log[-3000:]}", pytrace=False)


@pytest.fixture(autouse=True)
def _stop_spawned_instances():
    """A gessd a test spawned itself stops when the test ends (those of session and
    module fixtures are spawned before this runs and live on). Left running, every
    idle one holds its pool and LISTEN connections to the shared cluster, and all of
    them reconnect at once after a database outage (test_outage.py)."""
    g = _session.get("gess")
    before = len(g.instances) if g is not None else 0
    yield
    g = _session.get("gess")
    if g is None:
        return
    for inst in g.instances[before:]:
        if inst is not g.main:
            inst.stop()


@pytest.fixture(scope="module", params=["batched", "one_by_one"])
def admission(request, gess):
    """Where a registration test sends its load, run once each way: the
    session's gessd (batched admission, the default window) and a gessd
    with admission_batch_ms = 0, every registration its own transaction
    (issue 20: what must hold holds both ways)."""
    if request.param == "batched":
        yield gess
        return
    inst = gess.spawn(name="gessd-one-by-one", env={"GESS_ADMISSION_BATCH_MS": "0"})
    yield h.Via(gess, inst)
    inst.stop()


@pytest.fixture
def user(gess):
    return gess.user()


# --- editions and registration (issue 3) -----------------------------------------------------

class Staff:
    """Session accounts with roles: admin (gessd admin create), organizer and
    followup (sign-ups granted the role by the admin)."""

    def __init__(self, gess):
        h.NUMBER_SOURCE = gess
        self.admin = gess.admin(name="Admin Congreso")
        self.organizer = gess.user(full_name="Olga Organizadora")
        acc = h.set_roles(gess, self.admin, self.organizer["account"]["id"], ["organizer"])
        assert acc["roles"] == ["organizer"], acc
        self.followup = gess.user(full_name="Fausto Seguimiento")
        acc = h.set_roles(gess, self.admin, self.followup["account"]["id"], ["followup"])
        assert acc["roles"] == ["followup"], acc


@pytest.fixture(scope="session")
def staff(gess):
    return Staff(gess)


@pytest.fixture
def organizer(staff):
    return staff.organizer


@pytest.fixture
def edition(gess, staff):
    """A fresh published edition whose registration window is open now."""
    return h.create_edition(gess, staff.organizer)
