"""Browser tests of the pages (issue 18): Debian's chromium driven by
playwright-core (npm, package-lock.json) from Node scripts (tests/web/*.mjs),
against a real gessd, PostgreSQL and `gessd notify` writing into a maildir.

The cluster and gessd come from tests/api/conftest.py (its `gess` session
fixture, loaded here under another module name and re-exported, so tests/web
runs on its own: `pytest tests/web`). The session fixture `web` loads the demo
data (`gessd demo`), starts a gessd whose public_url is its own address (the
links in the pages and the mails then lead back to it) and a `gessd notify`
delivering into a maildir, and runs the scripts: `web.run("signup.mjs",
js=True, ...)` passes one JSON object (base URL, maildir, screenshot folder,
JavaScript on or off, the accounts) and answers the JSON line the script
printed, failing the test with the script's own message when it exits non-zero.

Without chromium (or Node) and not root, every test here is skipped, saying
why; as root (`make test`, CI) the tests run and fail if it is missing, since
`make deps` installs it.
"""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
API = os.path.join(os.path.dirname(HERE), "api")
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, API)

_spec = importlib.util.spec_from_file_location("gess_api_conftest", os.path.join(API, "conftest.py"))
api_conftest = importlib.util.module_from_spec(_spec)
sys.modules["gess_api_conftest"] = api_conftest
_spec.loader.exec_module(api_conftest)

import gesshelp as h  # noqa: E402
import smtphelp  # noqa: E402

# What tests/api's helpers import from `conftest` (smtphelp.start_notify) and
# the fixtures and hooks re-exported for the tests here.
Instance = api_conftest.Instance
gess = api_conftest.gess
staff = api_conftest.staff
_stop_spawned_instances = api_conftest._stop_spawned_instances
pytest_runtest_makereport = api_conftest.pytest_runtest_makereport

CHROMIUM = os.environ.get("GESS_CHROMIUM", "/usr/bin/chromium")
NODE = shutil.which("node")
SHOTS = os.path.join(REPO, "build", "screenshots")
SCRIPT_TIMEOUT = 180


def _missing():
    out = []
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        out.append(f"chromium ({CHROMIUM}; Debian package chromium)")
    if NODE is None:
        out.append("node (Debian package nodejs)")
    return out


def pytest_collection_modifyitems(config, items):
    missing = _missing()
    if not missing or os.geteuid() == 0:
        return
    skip = pytest.mark.skip(reason="browser tests need " + " and ".join(missing)
                            + ": `sudo make deps` installs them")
    for item in items:
        if str(item.fspath).startswith(HERE):
            item.add_marker(skip)


class MaildirSink:
    """What gess.mailed_token reads a delivered mail from (smtphelp.Sink's
    by_message_id), over the maildir: notify drops a sent token from its
    outbox row, so gess.user() finds it in the mail."""

    def __init__(self, maildir):
        self.maildir = maildir

    def by_message_id(self, message_id):
        want = f"<{message_id}@gess>".encode()
        out = []
        for f in smtphelp.maildir_files(self.maildir):
            with open(f, "rb") as fh:
                raw = fh.read()
            if re.search(rb"^Message-ID: " + re.escape(want), raw, re.M | re.I):
                out.append(raw)
        return out


class Web:
    def __init__(self, gess):
        self.gess = gess
        missing = _missing()
        if missing:
            pytest.fail("browser tests need " + " and ".join(missing) + " (make deps installs them)",
                        pytrace=False)
        if not os.path.isfile(os.path.join(REPO, "node_modules", "playwright-core", "package.json")):
            pytest.fail("node_modules lacks playwright-core: run `npm ci` "
                        "(PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1), as make test does", pytrace=False)
        r = gess.cli(["demo"], timeout=180)
        assert r.returncode == 0, f"gessd demo failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
        port = h.free_port()
        base = f"http://127.0.0.1:{port}"
        self.inst = gess.spawn(env={"GESS_LISTEN": f"127.0.0.1:{port}", "GESS_PUBLIC_URL": base},
                               name="gessd-web", wait=False)
        self.inst.port, self.inst.base = port, base
        self.inst.wait_healthy()
        self.base = base
        self.maildir = os.path.join(gess.tmp, "maildir")
        os.makedirs(self.maildir, exist_ok=True)
        smtphelp.set_aside_pending(gess)
        self.notify = smtphelp.start_notify(gess, maildir=self.maildir, name="notify-web",
                                            env={"GESS_PUBLIC_URL": base})
        gess.mail_sink = MaildirSink(self.maildir)
        # the folder shows the last run only
        shutil.rmtree(SHOTS, ignore_errors=True)
        os.makedirs(SHOTS, exist_ok=True)
        self.shots = SHOTS
        self.timings = []

    def url(self, path):
        return self.base + path

    def get(self, path, **kw):
        return h.call("GET", self.base + path, **kw)

    def run(self, script, **args):
        """Runs tests/web/<script> with the JSON arguments; answers its result."""
        a = {"base": self.base, "maildir": self.maildir, "shots": self.shots}
        a.update(args)
        argv = [NODE, os.path.join(HERE, script), json.dumps(a)]
        env = dict(os.environ, GESS_CHROMIUM=CHROMIUM, NODE_PATH=os.path.join(REPO, "node_modules"))
        t0 = time.monotonic()
        try:
            p = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True,
                               timeout=SCRIPT_TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            pytest.fail(f"{script} did not end within {SCRIPT_TIMEOUT}s:\n{e.stdout}\n{e.stderr}",
                        pytrace=False)
        self.timings.append((script, args.get("js"), round(time.monotonic() - t0, 1)))
        lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
        res = None
        if lines:
            try:
                res = json.loads(lines[-1])
            except ValueError:
                res = None
        if p.returncode != 0 or res is None or not res.get("ok"):
            if res is not None:
                msg = (f"{script} ({'JS on' if args.get('js', True) else 'JS off'}"
                       f"{', keyboard only' if args.get('keyboard') else ''}) failed at step "
                       f"{res.get('step')!r}: {res.get('error')}\n  at {res.get('url')}")
                if res.get("text"):
                    msg += "\n  page text: " + res["text"][:800].replace("\n", " | ")
                if res.get("screenshot"):
                    msg += "\n  screenshot: " + res["screenshot"]
                if res.get("notes"):
                    msg += "\n  notes: " + "; ".join(res["notes"])
            else:
                msg = f"{script} exited {p.returncode} without a result"
            if p.stderr.strip():
                msg += "\n  stderr: " + p.stderr.strip()[-2000:]
            pytest.fail(msg, pytrace=False)
        for n in res.get("notes") or []:
            print(f"note ({script}): {n}")
        return res


@pytest.fixture(scope="session")
def web(gess):
    w = Web(gess)
    _WEB.append(w)
    yield w
    # the web gessd and notify are stopped with the rest by gess's cleanup


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def js(request):
    """Each journey twice: JavaScript on (keys only: Tab, Enter, Space, arrows)
    and JavaScript off (fill and click)."""
    return request.param


_WEB = []


def pytest_terminal_summary(terminalreporter):
    """How long each browser script took (the budget: tests/web under 4 minutes)."""
    for w in _WEB:
        if w.timings:
            total = sum(t for _, _, t in w.timings)
            terminalreporter.write_line(
                f"tests/web: {len(w.timings)} browser scripts, {total:.0f} s: "
                + ", ".join(f"{s}{'' if j is None else ('/js' if j else '/nojs')} {t}s"
                            for s, j, t in w.timings))
