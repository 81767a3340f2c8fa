"""A webhook receiver for the delivery tests (issue 17): http.server's
ThreadingHTTPServer on a free 127.0.0.1 port, on a thread of the test process
(as smtphelp.py runs its SMTP sink), and the Standard Webhooks verifier it
checks every request with.

The first segment of the path chooses the answer, so one receiver serves
every behaviour at once and a test tells its endpoints apart by the rest of
the path (/ok/reg, /ok/sched, ...):
  /ok...         204
  /gone...       410
  /redirect...   302, Location: the same path under /ok on this receiver
  /busy...       429 with Retry-After: 1 the first time this path is seen, then 204
  /fail...       500
  /hang...       204 after `hang_s` seconds
  /hang-once...  the first request of this path waits `hang_once_s` seconds, the later
                 ones answer 204 at once
  /big...        200 with a body of BIG_BODY_BYTES
Anything else is 404. release() ends every wait at once (the waiting
requests then answer 204), so a test's teardown never waits for a hang.

Every request is kept in `requests` (path, headers with lower-case names,
raw body, arrival times) with the verdict of its signature against the
secret set for its path (set_secret): "ok", "bad: <why>" or "no secret".

make_hook() creates an endpoint through POST /v1/webhooks (admins only) and
returns (id, secret); delete_hook() removes it again.
"""
import base64
import hashlib
import hmac
import http.server
import json
import threading
import time

import gesshelp as h

TOLERANCE_S = 300
BIG_BODY_BYTES = 100 * 1024
EVENTS = ("registration.created", "registration.confirmed", "registration.cancelled",
          "registration.checked_in", "schedule.released", "series_event.changed",
          "pact.updated", "measurement.verified", "practice.published")


class VerifyError(Exception):
    pass


def _key(secret):
    """The HMAC key of a secret: the base64 after "whsec_" (a bare base64 key too, as the
    reference libraries accept it)."""
    if secret.startswith("whsec_"):
        secret = secret[len("whsec_"):]
    return base64.b64decode(secret, validate=True)


def sign(secret, msg_id, timestamp, body):
    """The "v1,<base64>" signature of body (bytes or str) for that id and timestamp."""
    if isinstance(body, str):
        body = body.encode()
    content = f"{msg_id}.{timestamp}.".encode() + body
    mac = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def verify(secret, headers, body, now=None, tolerance=TOLERANCE_S):
    """Checks a request as a Standard Webhooks receiver does: the three headers present,
    the timestamp an integer within tolerance of now, and one of the space-separated
    signatures of webhook-signature a "v1," signature equal (constant-time) to the HMAC of
    "{id}.{timestamp}.{body}". Raises VerifyError saying what is wrong."""
    hd = {k.lower(): v for k, v in headers.items()}
    msg_id, ts, sigs = hd.get("webhook-id"), hd.get("webhook-timestamp"), hd.get("webhook-signature")
    if not msg_id or ts is None or not sigs:
        raise VerifyError("missing webhook-id, webhook-timestamp or webhook-signature")
    if not ts.isdigit():
        raise VerifyError(f"webhook-timestamp {ts!r} is not whole seconds")
    now = time.time() if now is None else now
    if abs(now - int(ts)) > tolerance:
        raise VerifyError(f"webhook-timestamp {ts} is {now - int(ts):.0f}s off")
    want = sign(secret, msg_id, ts, body).split(",", 1)[1].encode()
    for sig in sigs.split(" "):
        version, _, value = sig.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), want):
            return True
    raise VerifyError("no signature matches")


class Request:
    def __init__(self, path, headers, body, verdict, answered):
        self.path = path
        self.headers = headers
        self.body = body
        self.verdict = verdict
        self.answered = answered  # the status the receiver answered (or meant to)
        self.at = time.monotonic()
        self.wall = time.time()

    @property
    def id(self):
        return self.headers.get("webhook-id")

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.path} {self.id} {self.verdict} -> {self.answered}>"


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the tests read `requests`
        pass

    def _answer(self, status, body=b"", headers=()):
        try:
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)
            self.wfile.flush()
        except OSError:  # the sender gave up (a timeout, a killed notify)
            self.close_connection = True

    def do_POST(self):  # noqa: N802 (http.server's name)
        rx = self.server.receiver
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        path = self.path
        kind = path.split("/")[1] if path.startswith("/") else ""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, extra, out, wait = rx.plan(kind, path)
        rx.record(Request(path, headers, body, rx.verdict(path, headers, body), status))
        if wait:
            rx.released.wait(wait)
        self._answer(status, out, extra)

    def do_GET(self):  # noqa: N802
        self._answer(405)


class Receiver:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.secrets = {}
        self.seen = set()
        self.hang_s = 20.0
        self.hang_once_s = 30.0
        self.released = threading.Event()
        self.port = h.free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        self.server.daemon_threads = True
        self.server.receiver = self
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                                       name=f"hook-receiver-{self.port}")
        self.thread.start()

    # --- configuration -----------------------------------------------------------------
    def url(self, path, host="127.0.0.1"):
        return f"http://{host}:{self.port}{path}"

    def set_secret(self, path, secret):
        with self.lock:
            self.secrets[path] = secret

    def release(self):
        self.released.set()

    def stop(self):
        self.release()
        self.server.shutdown()
        self.server.server_close()

    # --- what a request gets ------------------------------------------------------------
    def plan(self, kind, path):
        """(status, extra headers, body, seconds to wait first) for a request to path."""
        with self.lock:
            first = path not in self.seen
            self.seen.add(path)
        if kind == "ok":
            return 204, (), b"", 0
        if kind == "gone":
            return 410, (), b"gone for good", 0
        if kind == "redirect":
            to = "/ok" + path[len("/redirect"):]
            return 302, (("Location", self.url(to)),), b"", 0
        if kind == "busy":
            return (429, (("Retry-After", "1"),), b"slow down", 0) if first else (204, (), b"", 0)
        if kind == "fail":
            return 500, (), b"internal trouble", 0
        if kind == "hang":
            return 204, (), b"", self.hang_s
        if kind == "hang-once":
            return 204, (), b"", self.hang_once_s if first else 0
        if kind == "big":
            return 200, (("Content-Type", "text/plain"),), big_body(), 0
        return 404, (), b"no such path", 0

    def verdict(self, path, headers, body):
        with self.lock:
            secret = self.secrets.get(path)
        if secret is None:
            return "no secret"
        try:
            verify(secret, headers, body)
            return "ok"
        except (VerifyError, ValueError) as e:
            return f"bad: {e}"

    def record(self, req):
        with self.lock:
            self.requests.append(req)

    # --- reading ------------------------------------------------------------------------
    def at(self, path):
        """The requests received on path, in arrival order."""
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def under(self, prefix):
        with self.lock:
            return [r for r in self.requests if r.path.startswith(prefix)]


def big_body():
    """BIG_BODY_BYTES of ASCII, not one repeated byte (so a truncation shows where it cut)."""
    line = b"".join(b"%07d " % i for i in range(8)) + b"\n"
    return (line * (BIG_BODY_BYTES // len(line) + 1))[:BIG_BODY_BYTES]


# --- endpoints through the admin API -------------------------------------------------------

def make_hook(gess, admin_token, url, events, description=None):
    """An endpoint created with POST /v1/webhooks as the admin: (id, secret). The 201 is
    the webhook (active, no pending rows yet) plus its whsec_ secret, shown this once."""
    body = {"url": url, "events": list(events)}
    if description is not None:
        body["description"] = description
    r = gess.req("POST", "/v1/webhooks", headers=h.bearer(admin_token), json=body)
    hook = h.assert_json(r, 201)
    assert hook["url"] == url and sorted(hook["events"]) == sorted(events), hook
    assert hook["active"] is True and hook["disabled_at"] is None, hook
    secret = hook["secret"]
    assert secret.startswith("whsec_") and len(_key(secret)) == 32, secret
    return hook["id"], secret


def get_hook(gess, admin_token, hook_id):
    r = gess.req("GET", f"/v1/webhooks/{hook_id}", headers=h.bearer(admin_token))
    hook = h.assert_json(r, 200)
    assert "secret" not in hook, hook
    return hook


def delete_hook(gess, admin_token, hook_id):
    r = gess.req("DELETE", f"/v1/webhooks/{hook_id}", headers=h.bearer(admin_token))
    assert r.status_code in (204, 404), r.text


def deliveries(gess, admin_token, hook_id):
    """Every delivery-log item of the endpoint, newest first (all pages)."""
    items, _ = h.walk_pages(gess, f"/v1/webhooks/{hook_id}/deliveries",
                            headers=h.bearer(admin_token), limit=100)
    return items


def header(d, name):
    """A header of a logged request, whatever case its name was stored in."""
    for k, v in d.items():
        if k.lower() == name:
            return v
    return None
