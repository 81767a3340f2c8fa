"""Routing: methods reach the router (405 with Allow, never 501), unknown paths 404."""
import json

import pytest

import gesshelp as h


def _allow(r):
    return {m.strip().upper() for m in r.headers.get("Allow", "").split(",") if m.strip()}


@pytest.mark.parametrize("method,path,allowed", [
    ("POST", "/v1/me", {"GET"}),
    ("PUT", "/v1/me", {"GET"}),
    ("DELETE", "/healthz", {"GET"}),
    ("POST", "/healthz", {"GET"}),
    ("PATCH", "/v1/tokens", {"POST"}),
    ("GET", "/v1/tokens", {"POST"}),
    ("GET", "/v1/tokens/current", {"DELETE"}),
    ("GET", "/v1/me/password", {"PUT"}),
    ("DELETE", "/v1/accounts", {"POST"}),
    ("GET", "/v1/accounts/00000000-0000-0000-0000-000000000000/roles", {"PUT"}),
    ("GET", "/v1/password-resets", {"POST"}),
    ("GET", "/v1/unsubscribe", {"POST"}),
])
def test_method_not_allowed(gess, method, path, allowed):
    r = gess.req(method, path, json={} if method in ("POST", "PUT", "PATCH") else None)
    assert r.status_code != 501, f"{method} {path} did not reach the router"
    h.assert_problem(r, 405, "method-not-allowed")
    assert allowed <= _allow(r), f"Allow: {r.headers.get('Allow')!r}"


@pytest.mark.parametrize("method,path", [
    ("PUT", "/v1/me/password"),
    ("DELETE", "/v1/tokens/current"),
    ("PUT", "/v1/accounts/00000000-0000-0000-0000-000000000000/roles"),
])
def test_put_delete_reach_handlers(gess, method, path):
    # Without a token: the handler's 401, not evhttp's 501.
    r = gess.req(method, path, json={} if method == "PUT" else None)
    h.assert_problem(r, 401, "unauthorized")


@pytest.mark.parametrize("method,path", [
    ("GET", "/nope"),
    ("GET", "/v1"),
    ("GET", "/v1/"),
    ("GET", "/v1/accounts/x/y/z"),
    ("POST", "/v1/nothing-here"),
    ("PATCH", "/v2/me"),
    ("DELETE", "/v1/tokens/other"),
    ("GET", "/v1/me/password/extra"),
])
def test_unknown_path(gess, method, path):
    r = gess.req(method, path)
    h.assert_problem(r, 404, "not-found")


def test_query_string_does_not_change_the_route(gess):
    r = gess.req("GET", "/healthz?x=1&y=%20")
    assert h.assert_json(r, 200) == {"status": "ok"}


def test_every_response_has_content_type(gess, user):
    """A sweep over many kinds of responses (gesshelp.call checks each)."""
    seen = set()
    for method, path, kw in [
        ("GET", "/healthz", {}), ("GET", "/readyz", {}), ("GET", "/metrics", {}),
        ("GET", "/v1/openapi.json", {}), ("GET", "/v1/me", {"headers": user["headers"]}),
        ("GET", "/v1/me", {}), ("PUT", "/v1/me", {}), ("GET", "/zzz", {}),
        ("POST", "/v1/accounts", {"data": b"{", "headers": {"Content-Type": "application/json"}}),
        ("POST", "/v1/accounts", {"json": {}}),
        ("PUT", f"/v1/accounts/{user['account']['id']}/roles",
         {"headers": user["headers"], "json": {"roles": []}}),
    ]:
        r = gess.req(method, path, **kw)
        seen.add(r.status_code)
        assert r.headers.get("Content-Type"), (method, path, r.status_code)
    assert seen >= {200, 400, 401, 403, 404, 405, 422}, seen


def test_head_and_options_do_not_crash(gess):
    for method in ("HEAD", "OPTIONS"):
        r = gess.req(method, "/healthz", check=False)
        assert r.status_code < 500 or r.status_code == 501, r.status_code
    assert gess.req("GET", "/healthz").status_code == 200


# --- OpenAPI ------------------------------------------------------------------

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}


def test_openapi_document(gess):
    r = gess.req("GET", "/v1/openapi.json")
    doc = h.assert_json(r, 200)
    assert isinstance(doc.get("openapi"), str) and doc["openapi"].startswith("3.1."), doc.get("openapi")
    assert isinstance(doc.get("paths"), dict) and doc["paths"]
    assert doc.get("info", {}).get("title")
    # Every $ref resolves.
    refs = []

    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                if k == "$ref" and isinstance(v, str):
                    refs.append(v)
                else:
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(doc)
    for ref in refs:
        assert ref.startswith("#/"), ref
        node = doc
        for part in ref[2:].split("/"):
            assert isinstance(node, dict) and part in node, f"unresolved $ref {ref}"
            node = node[part]


def test_openapi_matches_routes(gess):
    doc = h.assert_json(gess.req("GET", "/v1/openapi.json"), 200)
    spec_ops = set()
    for path, item in doc["paths"].items():
        for m in item:
            if m.lower() in HTTP_METHODS:
                spec_ops.add((m.upper(), path))

    r = gess.cli(["routes"])
    assert r.returncode == 0, r.stderr
    route_ops = set()
    for line in r.stdout.splitlines():
        line = line.strip()
        if not line:
            continue
        parts = line.split()
        assert len(parts) == 4, f"unexpected `gessd routes` line: {line!r}"
        route_ops.add((parts[0].upper(), parts[1]))
    assert route_ops, "`gessd routes` printed nothing"
    missing_in_spec = route_ops - spec_ops
    missing_in_routes = spec_ops - route_ops
    assert not missing_in_spec and not missing_in_routes, (
        f"routes without an OpenAPI operation: {sorted(missing_in_spec)}; "
        f"OpenAPI operations without a route: {sorted(missing_in_routes)}")


def test_openapi_served_equals_repo_file(gess):
    import os
    repo_file = os.path.join(os.path.dirname(__file__), "..", "..", "services", "openapi.json")
    served = h.assert_json(gess.req("GET", "/v1/openapi.json"), 200)
    with open(repo_file, encoding="utf-8") as f:
        assert json.load(f) == served


def test_readme_route_table_matches_routes(gess):
    """README's route table is what newcomers read: it must list every route."""
    import os
    import re
    readme = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")
    with open(readme, encoding="utf-8") as f:
        rows = set(re.findall(r"^\| (GET|POST|PUT|PATCH|DELETE) \| (/\S*) \|", f.read(), re.M))
    r = gess.cli(["routes"])
    assert r.returncode == 0, r.stderr
    routes = {tuple(line.split()[:2]) for line in r.stdout.splitlines() if line.strip()}
    assert routes, "`gessd routes` printed nothing"
    assert rows == routes, (f"in README only: {sorted(rows - routes)}; "
                            f"routes missing from README: {sorted(routes - rows)}")


def test_routes_name_their_handler_and_its_file(gess):
    """`gessd routes` says where each route's code is: the handler's name
    and the file below services/ that defines it, so a newcomer goes from
    a path to its code in one step. A wrong file, a renamed handler or a
    handler defined twice fails here."""
    import os
    import re
    services = os.path.join(os.path.dirname(__file__), "..", "..", "services")
    r = gess.cli(["routes"])
    assert r.returncode == 0, r.stderr
    lines = [l.split() for l in r.stdout.splitlines() if l.strip()]
    assert len(lines) > 50, r.stdout
    defined = {}
    for dirpath, _, files in os.walk(services):
        for f in files:
            if f.endswith(".c"):
                path = os.path.join(dirpath, f)
                text = open(path, encoding="utf-8").read()
                for name in re.findall(r"^(?:static )?void (\w+)\(struct req \*r\)\n\{", text, re.M):
                    defined.setdefault(name, []).append(os.path.relpath(path, services))
    wrong = []
    for method, path, handler, file in lines:
        if defined.get(handler) != [file]:
            wrong.append(f"{method} {path}: {handler} in {file}, defined in {defined.get(handler)}")
    assert not wrong, "\n".join(wrong)
