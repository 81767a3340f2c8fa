"""Every response gessd sends is checked against services/openapi.json.

conftest installs `install()`, which wraps requests' HTTPAdapter.send, so
gesshelp.call, bare requests.get/post and every requests.Session go through
the check. A response that breaks the document raises AssertionError in the
test that received it (and is recorded, so a test that swallows exceptions,
e.g. wait_until, still fails: see conftest's pytest_runtest_makereport).

The published document keeps its objects open ("more fields may be added").
The check validates against a copy, built once per session, in which every
object is closed where it is *used*: each response schema, each property,
array item and oneOf branch, and each `$ref` at such a place, but never a
definition itself nor an `allOf` member, because AgendaItem, ExportAccount,
MeasurementReviewed and the problem types extend SessionFields, Account,
Measurement and Problem with allOf: `unevaluatedProperties: false` at the
composite sees the members the allOf brings, while a closed base would
refuse the extension's members (close_document says where the cheaper,
equivalent `additionalProperties: false` is used). Maps
(`additionalProperties` already declared) stay as they are. Validators are
built once per (operation, status, media type).

Debian 12's jsonschema ships no `date-time` checker (it needs
rfc3339-validator) and would skip the format silently; `date`'s built-in
check is datetime.date.fromisoformat, which Python 3.11 lets accept
"20260801". Both are checked here as RFC 3339 says, and `uuid` too.
"""
import copy
import datetime
import json
import os
import re
import threading
from urllib.parse import unquote_to_bytes, urlsplit

from jsonschema import Draft202012Validator, FormatChecker, RefResolver
from requests.structures import CaseInsensitiveDict

SPEC = os.path.join(os.path.dirname(__file__), "..", "..", "services", "openapi.json")
METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")

# Answers evhttp gives itself, before any gessd code runs (no X-Request-Id,
# a fixed HTML page): README, "Errors", lists them. Only the status counts.
EVHTTP_STATUSES = {400, 413}

_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_UUID_RX = _UUID
_ANY = re.compile(r".")  # an untyped {param}: any non-empty value

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(s):
    if not isinstance(s, str):
        return True
    m = _DATE_TIME.match(s)
    if not m:
        return False
    y, mo, d, hh, mi, ss = (int(x) for x in m.group(1, 2, 3, 4, 5, 6))
    datetime.date(y, mo, d)  # ValueError for 2026-02-30
    if hh > 23 or mi > 59 or ss > 60:  # 60: a leap second
        return False
    if m.group(9) is not None and (int(m.group(9)) > 23 or int(m.group(10)) > 59):
        return False
    return True


@FORMATS.checks("date", raises=ValueError)
def _is_date(s):
    if not isinstance(s, str):
        return True
    m = _DATE.match(s)
    if not m:
        return False
    datetime.date(*(int(x) for x in m.groups()))
    return True


@FORMATS.checks("uuid")
def _is_uuid(s):
    return not isinstance(s, str) or bool(_UUID.match(s))


# --- the closed copy ---------------------------------------------------------------

def _is_map(schema):
    return isinstance(schema, dict) and (
        "additionalProperties" in schema or "unevaluatedProperties" in schema)


# Keywords that apply subschemas to the same object: where one is present,
# only unevaluatedProperties sees what they evaluate.
_IN_PLACE = ("$ref", "allOf", "oneOf", "anyOf", "not", "if", "then", "else",
             "dependentSchemas", "patternProperties", "propertyNames")
CLOSED_PREFIX = "closed."


def close_document(doc):
    """A deep copy of doc with the objects closed where they are used.

    Where an object schema has nothing but its own `properties` (no
    keyword above), `additionalProperties: false` says exactly what
    `unevaluatedProperties: false` would, and jsonschema 4.10 checks it
    without re-validating every subschema to learn what was evaluated
    (which made one 3 kB pact dashboard cost 9 ms). So:
    - an inline object with only its properties gets additionalProperties;
    - a `$ref` to such a definition points to a closed twin of it
      (`closed.<Name>`), so the definition, which others may extend with
      allOf, stays open;
    - anything else (allOf composites, $ref to them, mixed schemas) gets
      unevaluatedProperties: false beside it.
    """
    doc = copy.deepcopy(doc)
    schemas = doc.get("components", {}).get("schemas", {})
    twins = set()

    def target(ref):
        if not ref.startswith("#/components/schemas/"):
            return None, None
        name = ref.rsplit("/", 1)[1]
        return name, schemas.get(name)

    def objectish(s):
        if not isinstance(s, dict):
            return False
        if "$ref" in s:
            _, t = target(s["$ref"])
            return objectish(t) and not _is_map(t)
        t = s.get("type")
        return ("properties" in s or "allOf" in s or t == "object"
                or (isinstance(t, list) and "object" in t))

    def plain(s):
        return isinstance(s, dict) and objectish(s) and not any(k in s for k in _IN_PLACE)

    def inner(s):
        """Closes the places inside s where values are used; s itself stays open."""
        if not isinstance(s, dict):
            return
        for v in (s.get("properties") or {}).values():
            use(v)
        if isinstance(s.get("items"), dict):
            use(s["items"])
        if isinstance(s.get("additionalProperties"), dict):
            use(s["additionalProperties"])
        for k in ("oneOf", "anyOf"):
            for b in s.get(k) or []:
                use(b)
        for m in s.get("allOf") or []:
            inner(m)  # an extension's members are used, the member itself is not closed

    def use(s):
        """s is the schema of a value: close it (unless it is a map), then its insides."""
        if not isinstance(s, dict) or not objectish(s) or _is_map(s):
            if isinstance(s, dict) and "$ref" not in s:
                inner(s)
            return
        if "$ref" in s:
            name, t = target(s["$ref"])
            if plain(t) and not any(k in s for k in _IN_PLACE if k != "$ref"):
                s["$ref"] = "#/components/schemas/" + CLOSED_PREFIX + name
                twins.add(name)
            else:
                s["unevaluatedProperties"] = False
            return
        s["additionalProperties" if plain(s) else "unevaluatedProperties"] = False
        inner(s)

    for s in schemas.values():
        inner(s)
    for resp in doc.get("components", {}).get("responses", {}).values():
        for media in (resp.get("content") or {}).values():
            use(media.get("schema"))
    for item in doc.get("paths", {}).values():
        for m, op in item.items():
            if m not in METHODS:
                continue
            for resp in op.get("responses", {}).values():
                for media in (resp.get("content") or {}).values():
                    use(media.get("schema"))
    # after every use site is rewritten, so the twins carry the rewritten insides
    for name in twins:
        twin = copy.deepcopy(schemas[name])
        twin["additionalProperties"] = False
        schemas[CLOSED_PREFIX + name] = twin
    return doc


# --- matching a request to an operation -------------------------------------------

def _media(ct):
    return (ct or "").split(";")[0].strip().lower()


class Contract:
    def __init__(self, doc):
        self.published = doc
        self.doc = close_document(doc)
        self.resolver = RefResolver.from_schema(self.doc)
        self._validators = {}
        # RefResolver keeps a stack of scopes while it resolves, and the load
        # tests check answers from hundreds of threads: one validation at a
        # time (the GIL allowed no more anyway), with validators built once
        # for all threads (a thread of its own would cost 2 ms cold each).
        self._lock = threading.Lock()
        self.paths = []
        for tpl, item in self.doc["paths"].items():
            segs = tpl.split("/")
            types = self._param_types(item)
            # per segment: a literal, or the check of a {param}'s decoded value
            parts = [types.get(s[1:-1], _ANY) if s.startswith("{") else s for s in segs]
            # A literal segment wins over a {param} one (DESIGN section 6).
            rank = tuple(0 if s.startswith("{") else 1 for s in segs)
            self.paths.append((rank, parts, tpl, item))
        self.paths.sort(key=lambda p: p[0], reverse=True)

    def _param_types(self, item):
        """{name: compiled regex} of the path parameters the document types (a
        UUID format or a pattern), so that a value of the wrong shape matches
        no operation, as gessd's router does."""
        out = {}
        ps = list(item.get("parameters", []))
        for m, op in item.items():
            if m in METHODS:
                ps += op.get("parameters", [])
        for p in ps:
            p = self._resolve(p)
            if p.get("in") != "path":
                continue
            sch = p.get("schema") or {}
            if sch.get("format") == "uuid":
                out[p["name"]] = _UUID_RX
            elif "pattern" in sch:
                out[p["name"]] = re.compile(sch["pattern"])
        return out

    def match(self, path):
        segs = path.split("/")
        for _, parts, tpl, item in self.paths:
            if len(parts) != len(segs):
                continue
            for part, seg in zip(parts, segs):
                if isinstance(part, str):
                    if part != seg:
                        break
                    continue
                try:
                    value = unquote_to_bytes(seg).decode("utf-8")
                except UnicodeDecodeError:
                    break
                if not seg or value in (".", "..") or "\0" in value or not part.search(value):
                    break
            else:
                return tpl, item
        return None, None

    def _resolve(self, node):
        with self._lock:
            while isinstance(node, dict) and "$ref" in node and len(node) == 1:
                _, node = self.resolver.resolve(node["$ref"])
        return node

    def errors(self, key, schema, instance):
        with self._lock:
            v = self._validators.get(key)
            if v is None:
                v = Draft202012Validator(schema, resolver=self.resolver, format_checker=FORMATS)
                self._validators[key] = v
            return list(v.iter_errors(instance))

    # --- the check ----------------------------------------------------------------
    def problems(self, method, url, status, headers, body, head=False):
        """What is wrong with one response, as a list of strings (empty: fine)."""
        method = method.upper()
        path = urlsplit(url).path
        if headers.get("X-Request-Id") is None:
            if status in EVHTTP_STATUSES:
                return []
            return [f"status {status} without X-Request-Id: only evhttp's own "
                    f"{sorted(EVHTTP_STATUSES)} may lack it"]
        tpl, item = self.match(path)
        ctype = headers.get("Content-Type")
        if tpl is None:
            if status != 404:
                return [f"no operation matches the path, so the answer must be 404, not {status}"]
            resp = self.doc["components"]["responses"]["NotFound"]
            return self._body(("404", None), resp, status, ctype, body, head)
        op_method = "get" if method == "HEAD" and "get" in item else method.lower()
        op = item.get(op_method) if op_method in METHODS else None
        if op is None:
            allowed = {m.upper() for m in item if m in METHODS}
            if "GET" in allowed:
                allowed.add("HEAD")  # a GET resource answers HEAD too (RFC 9110, 9.3.2)
            if status != 405:
                return [f"{tpl} has no {method} operation, so the answer must be 405, not {status}"]
            got = {m.strip().upper() for m in headers.get("Allow", "").split(",") if m.strip()}
            out = []
            if got != allowed:
                out.append(f"Allow: {headers.get('Allow')!r}, the document has {sorted(allowed)}")
            resp = self.doc["components"]["responses"]["MethodNotAllowed"]
            return out + self._body((tpl, "405"), resp, status, ctype, body, head)
        responses = op.get("responses", {})
        key = str(status)
        if key not in responses:
            key = f"{key[0]}XX" if f"{key[0]}XX" in responses else "default"
        if key not in responses:
            return [f"status {status} is not documented for {method} {tpl} "
                    f"(documented: {', '.join(sorted(responses))})"]
        resp = self._resolve(responses[key])
        out = self._headers(resp, headers)
        if head:
            return out
        return out + self._body((tpl, op_method, key), resp, status, ctype, body, head)

    def _headers(self, resp, headers):
        """The documented headers the answer carries hold what their schemas say
        (Retry-After: whole seconds); none is marked required."""
        out = []
        for name, h in (resp.get("headers") or {}).items():
            value = headers.get(name)
            if value is None:
                continue
            schema = self._resolve(h).get("schema") or {}
            if schema.get("type") == "integer":
                if not value.isdigit() or int(value) < schema.get("minimum", 0):
                    out.append(f"header {name}: {value!r} is not what the document says "
                               f"(an integer, at least {schema.get('minimum', 0)})")
        return out

    def _body(self, key, resp, status, ctype, body, head):
        if head:
            return []
        content = resp.get("content") or {}
        if not content:
            if body:
                return [f"the document gives {status} no body, got {len(body)} bytes"]
            return []
        if not ctype:
            return [f"no Content-Type; the document lists {sorted(content)}"]
        media = _media(ctype)
        entry = None
        for k, v in content.items():
            if _media(k) == media:
                entry = v
                break
        if entry is None:
            return [f"Content-Type {ctype!r} is not one the document lists for {status}: {sorted(content)}"]
        schema = entry.get("schema")
        if schema is None:
            return []
        if media == "application/json" or media.endswith("+json"):
            try:
                instance = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                return [f"the body is not UTF-8 JSON: {e}"]
        else:
            try:
                instance = body.decode("utf-8")
            except UnicodeDecodeError as e:
                return [f"the {media} body is not UTF-8: {e}"]
        errs = self.errors(key + (media,), schema, instance)
        out = []
        # a problem document states the status it answers (RFC 9457 3.1.3)
        if media == "application/problem+json" and isinstance(instance, dict) \
                and instance.get("status") != status:
            out.append(f"the problem says status {instance.get('status')!r}, the answer is {status}")
        if not errs:
            return out
        for e in errs[:5]:
            # oneOf [X, null]: the deepest branch error says what is wrong in X
            # (best_match would prefer the shallow "is not of type 'null'")
            while e.context:
                e = max(e.context, key=lambda x: len(x.absolute_path))
            where = "/".join(str(p) for p in e.absolute_path) or "(the body)"
            out.append(f"at {where}: {e.message[:300]}")
        return out


# --- installation -------------------------------------------------------------------

_contract = None
_failures = []
_failures_lock = threading.Lock()


def contract():
    global _contract
    if _contract is None:
        with open(SPEC, encoding="utf-8") as f:
            _contract = Contract(json.load(f))
    return _contract


def _report(method, path, status, ctype, found, body):
    excerpt = (body or b"")[:400].decode("utf-8", "replace")
    msg = (f"{method} {path} -> {status} ({ctype}) breaks services/openapi.json:\n  - "
           + "\n  - ".join(found) + f"\n  body: {excerpt}")
    with _failures_lock:
        _failures.append(msg)
    raise AssertionError(msg)


def check(response, stream=False):
    """Raises AssertionError when response (a requests.Response) breaks the document."""
    req = response.request
    head = req.method.upper() == "HEAD"
    # A streamed body is the test's to read: status only. HEAD has no body.
    body = b"" if (stream or head) else (response.content or b"")
    found = contract().problems(req.method, req.url, response.status_code, response.headers,
                                body, head=head or stream)
    if found:
        _report(req.method, urlsplit(req.url).path, response.status_code,
                response.headers.get("Content-Type"), found, body)


_REQUEST_LINE = re.compile(rb"([A-Z]+) (\S+) HTTP/1\.[01]\r\n")
_STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3})[^\r\n]*\r\n")


def check_raw(sent, received):
    """As check, for gesshelp.raw_http: the first answer received against the
    first request line sent (nothing when either is not HTTP/1.x: the test
    is about the bytes then). A body not received whole counts for nothing."""
    req, resp = _REQUEST_LINE.match(sent), _STATUS_LINE.match(received)
    head, sep, body = received.partition(b"\r\n\r\n")
    if not req or not resp or not sep:
        return
    headers = CaseInsensitiveDict()
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.decode("latin-1").partition(":")
        headers[k.strip()] = v.strip()
    length = headers.get("Content-Length", "")
    whole = length.isdigit() and len(body) >= int(length)
    body = body[:int(length)] if whole else b""
    method, target = req.group(1).decode(), req.group(2).decode("latin-1")
    status = int(resp.group(1))
    found = contract().problems(method, "http://127.0.0.1" + target, status, headers, body,
                                head=method == "HEAD" or not whole)
    if found:
        _report(method, urlsplit(target).path, status, headers.get("Content-Type"), found, body)


def take_failures():
    with _failures_lock:
        out = list(_failures)
        _failures.clear()
    return out


def _ours(url):
    host = urlsplit(url).hostname or ""
    return host.startswith("127.") or host == "localhost"


def install():
    """Wraps HTTPAdapter.send: every response from a gessd on this machine is checked."""
    from requests.adapters import HTTPAdapter
    if getattr(HTTPAdapter.send, "_gess_contract", False):
        return
    orig = HTTPAdapter.send

    def send(self, request, **kw):
        r = orig(self, request, **kw)
        if _ours(request.url):
            check(r, stream=kw.get("stream", False))
        return r

    send._gess_contract = True
    HTTPAdapter.send = send
