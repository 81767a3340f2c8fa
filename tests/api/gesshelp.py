"""Small helpers shared by the API tests (imported by conftest and the tests)."""
import json
import re
import secrets
import socket
import time
import uuid

import requests

import contract

PROBLEM_BASE = "https://gess.pe/problems/"
SECTORS = ["public", "private", "academia", "civil_society", "community", "cooperation", "media"]
TIMEOUT = 30


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def unique_email(prefix="t"):
    return f"{prefix}-{uuid.uuid4().hex[:16]}@example.org"


def strong_password():
    # 24 random url-safe characters: zxcvbn scores this 4.
    return "Gz-" + secrets.token_urlsafe(18)


def signup_body(**overrides):
    body = {
        "email": unique_email(),
        "password": strong_password(),
        "full_name": "Ana Quispe Mamani",
        "organization": "Asociación Minera del Sur",
        "sector": "civil_society",
        "country": "PE",
        "region": "Cajamarca",
        "consent": True,
    }
    return with_overrides(body, overrides)


class _Drop:
    def __repr__(self):
        return "DROP"


DROP = _Drop()


def with_overrides(body, overrides):
    """body with overrides applied; a DROP value removes the key."""
    for k, v in overrides.items():
        if v is DROP:
            body.pop(k, None)
        else:
            body[k] = v
    return body


def check_common(r):
    """Checks every response of gessd's own must pass."""
    rid = r.headers.get("X-Request-Id")
    assert rid, f"{r.request.method} {r.request.url} -> {r.status_code} without X-Request-Id"
    if r.status_code != 204:
        assert r.headers.get("Content-Type"), (
            f"{r.request.method} {r.request.url} -> {r.status_code} without Content-Type"
        )
        # The request id travels in the header, never in the body.
        assert rid not in r.text, f"request id {rid!r} leaked into the body: {r.text[:300]}"
    else:
        assert r.content == b"", f"204 with a body: {r.content[:200]!r}"


def call(method, url, check=True, **kw):
    kw.setdefault("timeout", TIMEOUT)
    r = requests.request(method, url, **kw)
    if check:
        check_common(r)
    return r


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def assert_json(r, status):
    assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text[:500]}"
    ct = r.headers.get("Content-Type", "")
    assert ct.split(";")[0].strip() == "application/json", f"Content-Type {ct!r}"
    return r.json()


def assert_problem(r, status, slug=None):
    assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text[:500]}"
    ct = r.headers.get("Content-Type", "")
    assert ct.split(";")[0].strip() == "application/problem+json", (
        f"Content-Type {ct!r} for a {status}: {r.text[:300]}"
    )
    body = r.json()
    assert isinstance(body, dict), body
    assert body.get("status") == status, body
    assert isinstance(body.get("title"), str) and body["title"], body
    assert isinstance(body.get("type"), str) and body["type"].startswith(PROBLEM_BASE), body
    if slug is not None:
        assert body["type"] == PROBLEM_BASE + slug, body
    if "detail" in body:
        assert isinstance(body["detail"], str), body
    return body


def error_fields(body):
    errs = body.get("errors")
    assert isinstance(errs, list) and errs, f"422 without errors[]: {body}"
    for e in errs:
        assert isinstance(e, dict), body
        assert isinstance(e.get("field"), str) and e["field"], body
        assert isinstance(e.get("message"), str) and e["message"], body
    return [e["field"] for e in errs]


def parse_metrics(text):
    """Prometheus text -> list of (name, labels dict, value)."""
    out = []
    line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$')
    label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = line_re.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        labels = dict(label_re.findall(m.group(3) or ""))
        out.append((m.group(1), labels, float(m.group(4))))
    return out


def metric_sum(samples, name, **labels):
    total = 0.0
    found = False
    for n, lab, v in samples:
        if n == name and all(lab.get(k) == val for k, val in labels.items()):
            total += v
            found = True
    return total if found else None


def wait_until(pred, timeout, interval=0.1, what="condition"):
    """Polls pred until it returns something other than None/False (a
    requests.Response counts as a value even when it is falsy, e.g. a 503)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = pred()
            if last is not None and last is not False:
                return last
        except Exception as e:  # noqa: BLE001 - keep polling
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {last!r}")


def raw_http(port, data, timeout=10.0, read=True):
    """Sends raw bytes, returns what came back (b'' if the server closed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if not read:
            return b""
        chunks = []
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    break
                chunks.append(c)
                if _complete(b"".join(chunks)):
                    break
        except (ConnectionResetError, socket.timeout):
            pass
        out = b"".join(chunks)
        contract.check_raw(data, out)  # what comes back is checked as requests' answers are
        return out
    finally:
        s.close()


def _complete(buf):
    head, sep, body = buf.partition(b"\r\n\r\n")
    if not sep:
        return False
    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    if m:
        return len(body) >= int(m.group(1))
    return False


def http_request_bytes(method, path, port, body=b"", headers=None, close=True):
    if isinstance(body, str):
        body = body.encode()
    h = {"Host": f"127.0.0.1:{port}"}
    if body or method in ("POST", "PUT", "PATCH"):
        h["Content-Type"] = "application/json"
        h["Content-Length"] = str(len(body))
    if close:
        h["Connection"] = "close"
    h.update(headers or {})
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
    return head.encode() + body


def status_of(raw):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", raw)
    return int(m.group(1)) if m else None


def json_dumps(obj):
    return json.dumps(obj, ensure_ascii=False)


# --- editions and registration (issue 3) -------------------------------------------------
# Helpers shared by test_editions, test_registration, test_registration_load,
# test_privacy and test_roles_matrix. They take the session's Gess object.

import datetime as _dt  # noqa: E402
import hashlib as _hashlib  # noqa: E402
import random as _random  # noqa: E402
import string as _string  # noqa: E402
import threading as _threading  # noqa: E402

BADGE_RE = re.compile(r"^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{10}$")
REG_STATUSES = ["pending", "confirmed", "waitlisted", "rejected", "cancelled", "checked_in"]
CSV_COLUMNS = ["id", "status", "category", "mode", "badge_code", "full_name", "email",
               "organization", "sector", "country", "region", "created_at", "checked_in_at",
               "paid", "answers", "series_attended"]
# Tables a write of issue 3 may touch (row-count checks of refused requests).
ISSUE3_TABLES = ["editions", "categories", "category_modes", "questions", "registrations",
                 "idempotency_keys", "outbox"]

# Edition numbers are unique (gessd accepts 1..1000) and /next takes
# number + 1: hand out one above the highest number in use, so the newest
# edition can always be cloned (twice). conftest's Staff sets NUMBER_SOURCE.
NUMBER_SOURCE = None
_number_lock = _threading.Lock()
_last_number = [0]


def edition_number():
    with _number_lock:
        db_max = 0
        if NUMBER_SOURCE is not None:
            db_max = NUMBER_SOURCE.sql("SELECT coalesce(max(number), 0) FROM editions")[0][0]
        _last_number[0] = max(_last_number[0], db_max) + 1
        return _last_number[0]


def letters(n=10):
    """Random lower-case letters (no digits, so a slug holds no stray 4-digit year)."""
    return "".join(_random.choices(_string.ascii_lowercase, k=n))


def now_utc():
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)


def iso(dt):
    return dt.isoformat()


def parse_instant(s):
    assert isinstance(s, str), s
    assert re.search(r"(Z|[+-]\d\d:\d\d)$", s), f"instant without offset: {s!r}"
    d = _dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    assert d.tzinfo is not None, s
    return d


def plus_years(d, n):
    return d.replace(year=d.year + n)


def edition_body(year=None, **overrides):
    """A valid POST /v1/editions body with a unique slug and number; the
    registration window is open now (yesterday .. in 60 days)."""
    now = now_utc()
    year = year or now.year + 4
    body = {
        "slug": f"gess-{letters()}-{year}",
        "number": edition_number(),
        "title": f"GESS {year}",
        "motto": "Minería, energía y desarrollo sostenible",
        "city": "Cajamarca",
        "venue": "Centro de Convenciones Ñawpa",
        "starts_on": f"{year}-05-12",
        "ends_on": f"{year}-05-14",
        "timezone": "America/Lima",
        "registration_opens_at": iso(now - _dt.timedelta(days=1)),
        "registration_closes_at": iso(now + _dt.timedelta(days=60)),
        "status": "published",
    }
    return with_overrides(body, overrides)


def create_edition(gess, org, **overrides):
    body = edition_body(**overrides)
    r = gess.req("POST", "/v1/editions", headers=org["headers"], json=body)
    ed = assert_json(r, 201)
    assert ed["slug"] == body["slug"], ed
    return ed


def category_body(**overrides):
    body = {
        "code": "c" + letters(8),
        "name": "Participante general",
        "description": "Acceso a las sesiones plenarias y mesas temáticas",
        "modes": {"in_person": 10},
    }
    return with_overrides(body, overrides)


def _create_in_edition(gess, org, slug, tail, body):
    """POST body to /v1/editions/{slug}/{tail}: 201, and what was made carries its code."""
    r = gess.req("POST", f"/v1/editions/{slug}/{tail}", headers=org["headers"], json=body)
    made = assert_json(r, 201)
    assert made["code"] == body["code"], made
    return made


def create_category(gess, org, slug, **overrides):
    return _create_in_edition(gess, org, slug, "categories", category_body(**overrides))


def question_body(**overrides):
    body = {"code": "q" + letters(8), "label": "¿Cuál es su cargo?", "type": "text",
            "required": False}
    return with_overrides(body, overrides)


def create_question(gess, org, slug, **overrides):
    return _create_in_edition(gess, org, slug, "questions", question_body(**overrides))


def register(gess, who, slug, category, mode="in_person", answers=None, key=None, headers=None,
             **kw):
    body = {"category": category, "mode": mode}
    if answers is not None:
        body["answers"] = answers
    hdrs = dict(who["headers"]) if who else {}
    if key is not None:
        hdrs["Idempotency-Key"] = key
    hdrs.update(headers or {})
    return gess.req("POST", f"/v1/editions/{slug}/registrations", headers=hdrs, json=body, **kw)


def register_ok(gess, who, slug, category, mode="in_person", status=None, **kw):
    r = register(gess, who, slug, category, mode, **kw)
    reg = assert_json(r, 201)
    if status is not None:
        assert reg["status"] == status, reg
    return reg


def set_roles(gess, admin, account_id, roles):
    r = gess.req("PUT", f"/v1/accounts/{account_id}/roles", headers=admin["headers"],
                 json={"roles": roles})
    acc = assert_json(r, 200)
    return acc


def reg_status(gess, reg_id):
    rows = gess.sql("SELECT status FROM registrations WHERE id = %s", (reg_id,))
    return rows[0][0] if rows else None


def row_counts(gess, tables=None):
    return {t: gess.count(t) for t in (tables or ISSUE3_TABLES)}


def seat_violations(gess, edition_id=None):
    """category_modes rows breaking the invariant: taken = live registrations
    (confirmed, pending, checked_in) of that category+mode, and taken <= capacity."""
    q = """
        SELECT m.category_id, m.mode, m.capacity, m.taken, count(r.id) AS live
          FROM category_modes m
          JOIN categories c ON c.id = m.category_id
          LEFT JOIN registrations r ON r.category_id = m.category_id AND r.mode = m.mode
                                   AND r.status IN ('confirmed', 'pending', 'checked_in')
         WHERE (%s::uuid IS NULL OR c.edition_id = %s::uuid)
         GROUP BY m.category_id, m.mode, m.capacity, m.taken
        HAVING m.taken <> count(r.id) OR (m.capacity IS NOT NULL AND m.taken > m.capacity)
    """
    return gess.sql(q, (edition_id, edition_id))


def token_hash(token):
    """What gessd keeps of a token: BLAKE2b-256 (crypto_generichash) of its text."""
    return _hashlib.blake2b(token.encode(), digest_size=32).digest()


_fast_lock = _threading.Lock()


def fast_users(gess, n, sector="civil_society", full_name="Rosa Huamán Ccori",
               organization="Comunidad Campesina de Michiquillay", roles=None, prefix="f"):
    """n accounts with tokens written straight into the database (an Argon2id
    hash per account would cost ~90 ms each). Every account shares one real
    password hash taken from an account made through the API, so the
    password works for logins too. Verified, as gess.user() makes them.
    Returns dicts shaped like gess.user()."""
    with _fast_lock:
        seed = getattr(gess, "_fast_seed", None)
        if seed is None:
            body, acc = gess.signup()
            hash_ = gess.sql("SELECT password_hash FROM accounts WHERE id = %s", (acc["id"],))[0][0]
            assert hash_.startswith("$argon2id$"), hash_
            seed = (body["password"], hash_)
            gess._fast_seed = seed
    password, hash_ = seed
    emails = [unique_email(prefix) for _ in range(n)]
    rows = gess.sql(
        "INSERT INTO accounts (email, password_hash, full_name, organization, sector, country,"
        " region, roles, consent_at, consent_policy, email_verified_at)"
        " SELECT e, %s, %s, %s, %s, 'PE', 'Cajamarca', %s::text[], now(), '2026-01', now()"
        "   FROM unnest(%s::text[]) AS e RETURNING id::text, email",
        (hash_, full_name, organization, sector, list(roles or []), emails))
    ids = dict((e, i) for i, e in rows)
    assert len(ids) == n
    tokens = [secrets.token_urlsafe(32) for _ in range(n)]
    assert all(len(t) == 43 for t in tokens)
    gess.sql(
        "INSERT INTO tokens (account_id, token_hash, expires_at)"
        " SELECT a, decode(t, 'hex'), now() + interval '30 days'"
        "   FROM unnest(%s::uuid[], %s::text[]) AS x(a, t)",
        ([ids[e] for e in emails], [token_hash(t).hex() for t in tokens]))
    out = []
    for e, t in zip(emails, tokens):
        out.append({
            "email": e,
            "password": password,
            "account": {"id": ids[e], "email": e, "full_name": full_name,
                        "organization": organization, "sector": sector},
            "token": t,
            "headers": bearer(t),
        })
    return out


def fast_user(gess, **kw):
    return fast_users(gess, 1, **kw)[0]


def walk_pages(gess, path, headers=None, limit=None, max_pages=1000, params=None):
    """Follows next_cursor to the end; returns (items, number of pages)."""
    items = []
    cursor = None
    pages = 0
    while True:
        q = dict(params or {})
        if limit is not None:
            q["limit"] = limit
        if cursor is not None:
            q["cursor"] = cursor
        r = gess.req("GET", path, headers=headers, params=q)
        page = assert_json(r, 200)
        assert set(page) >= {"items", "next_cursor"}, page
        assert isinstance(page["items"], list), page
        if limit is not None:
            assert len(page["items"]) <= limit, (limit, len(page["items"]))
        items.extend(page["items"])
        pages += 1
        assert pages <= max_pages, "next_cursor never ends"
        cursor = page["next_cursor"]
        if cursor is None:
            return items, pages
        assert isinstance(cursor, str) and cursor, page


# --- route × role tables (test_*_roles.py) ----------------------------------------------------

ROLES = ["anonymous", "attendee", "other", "organizer", "followup", "admin"]
PROBLEM_FOR = {401: "unauthorized", 403: "forbidden", 404: "not-found"}


def role_actor(role, staff, attendee=None, other=None):
    """Who a row of a role table calls as: None for anonymous, else a signed-in party."""
    return {"anonymous": None, "attendee": attendee, "other": other,
            "organizer": staff.organizer, "followup": staff.followup,
            "admin": staff.admin}[role]


def assert_role_answer(r, want, label, problems=None):
    """One cell of a role table: the status; for a refusal the problem it names (a 401 also
    with its Bearer challenge); for a 204 no body."""
    assert r.status_code == want, f"{label}: expected {want}, got {r.status_code}: {r.text[:300]}"
    slug = (problems or {}).get(want) or PROBLEM_FOR.get(want)
    if slug is not None:
        assert_problem(r, want, slug)
        if want == 401:
            assert r.headers.get("WWW-Authenticate", "").startswith("Bearer"), label
    elif want == 204:
        assert r.content == b"", label


def served_routes(gess, path_filter=None):
    """`gessd routes` as {"METHOD /path/{}"}, parameters blanked, optionally only paths for
    which path_filter(path) is true."""
    r = gess.cli(["routes"])
    assert r.returncode == 0, r.stderr
    out = set()
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and (path_filter is None or path_filter(parts[1])):
            out.add(parts[0] + " " + re.sub(r"\{[^}]*\}", "{}", parts[1]))
    return out


# --- crash and outage (test_outage.py, test_crash.py) -----------------------------------------

# The statuses that hold a seat of their category+mode (schema 0002: category_modes.taken).
SEAT_STATUSES = ("confirmed", "pending", "checked_in")
LIVE_STATUSES = ("pending", "confirmed", "waitlisted", "checked_in")


def assert_unavailable(r):
    """A 503 service-unavailable problem with a whole-second Retry-After; returns it."""
    assert_problem(r, 503, "service-unavailable")
    ra = r.headers.get("Retry-After")
    assert ra is not None and ra.strip().isdigit() and int(ra) >= 1, f"Retry-After: {ra!r}"
    return int(ra)


def db_connections(base):
    """What /metrics of the gessd at base says of its database connections:
    ({state: pool connections, summed over the workers}, {worker: LISTEN 0|1})."""
    r = call("GET", base + "/metrics", timeout=5)
    assert r.status_code == 200, r.text[:300]
    pool, listen = {}, {}
    for name, labels, v in parse_metrics(r.text):
        if name == "gess_db_pool_connections":
            pool[labels["state"]] = int(v)
        elif name == "gess_db_listen_connected":
            listen[labels["worker"]] = int(v)
    return pool, listen


def all_connected(base, workers, pool_size):
    """True when every pool connection of every worker is up (idle or in use)
    and every worker's LISTEN connection is listening."""
    pool, listen = db_connections(base)
    up = pool.get("idle", 0) + pool.get("in_use", 0)
    return (up == workers * pool_size and sum(pool.values()) == workers * pool_size
            and listen == {str(i): 1 for i in range(workers)})


def time_until_served(pred, timeout, since=None, interval=0.02):
    """Seconds from since (default: now, monotonic) until pred() is true;
    connection errors count as not yet. Fails after timeout."""
    t0 = time.monotonic() if since is None else since
    deadline = t0 + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            if pred():
                return time.monotonic() - t0
        except requests.RequestException as e:
            last = e
        time.sleep(interval)
    raise AssertionError(f"not served within {timeout}s; last error: {last!r}")


class Via:
    """The session's helpers (register, walk_pages, ...) pointed at another
    gessd (an Instance) on the same database."""

    def __init__(self, gess, inst):
        self._gess = gess
        self.inst = inst
        self.base = inst.base

    def url(self, path):
        return self.base + path

    def req(self, method, path, **kw):
        return call(method, self.url(path), **kw)

    def __getattr__(self, name):
        return getattr(self._gess, name)


def batch_metrics(base):
    """(batches, requests in them) of registration admission, from /metrics."""
    s = parse_metrics(call("GET", base + "/metrics", timeout=5).text)
    return (metric_sum(s, "gess_batch_size_count", kind="registration") or 0,
            metric_sum(s, "gess_batch_size_sum", kind="registration") or 0)
