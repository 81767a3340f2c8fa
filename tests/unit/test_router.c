/* test_router.c — literal beats {param}, decoding, 404/405 and Allow. */
#include "core/router.h"
#include "unit.h"

static void h(struct req *r)
{
    (void)r;
}

static const struct route table[] = {
    ROUTE("GET", "/v1/me", h, "tests/unit/test_router.c", AUTH_USER, BODY_NONE, OUT_JSON),
    ROUTE("PUT", "/v1/me/password", h, "tests/unit/test_router.c", AUTH_USER, BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/editions/{slug}", h, "tests/unit/test_router.c", AUTH_NONE, BODY_NONE,
          OUT_JSON),
    ROUTE("PATCH", "/v1/editions/{slug}", h, "tests/unit/test_router.c", AUTH_ORGANIZER, BODY_JSON,
          OUT_JSON),
    ROUTE("GET", "/v1/editions/current", h, "tests/unit/test_router.c", AUTH_NONE, BODY_NONE,
          OUT_JSON),
    ROUTE("PUT", "/v1/accounts/{id}/roles", h, "tests/unit/test_router.c", AUTH_ADMIN, BODY_JSON,
          OUT_JSON),
    ROUTE("DELETE", "/v1/me/agenda/{session_id}", h, "tests/unit/test_router.c", AUTH_USER,
          BODY_NONE, OUT_JSON),
    ROUTE_END,
};

void test_router(void)
{
    const struct route *const tables[] = {table};
    struct router rt;
    struct route_params p;
    size_t i = 0;
    char allow[128];
    CHECK(router_init(&rt, tables, 1));
    CHECK(rt.n == 7);

    CHECK(router_match(&rt, "GET", "/v1/me", &i, &p, allow, sizeof allow) == ROUTER_FOUND);
    CHECK(i == 0 && p.n == 0);
    /* exact paths: no trailing slash, empty or dot segment reaches a route */
    static const char *const inexact[] = {
        "/v1/me/",  "//v1/me",           "/v1//me",
        "/v1/me/.", "/v1/./me",          "/v1/me/agenda/..",
        "v1/me",    "/v1/me/agenda/%ZZ", "/v1/editions/gess-2026/",
        "",
    };
    for (size_t k = 0; k < sizeof inexact / sizeof inexact[0]; k++)
        CHECK(router_match(&rt, "GET", inexact[k], &i, &p, allow, sizeof allow) ==
              ROUTER_NOT_FOUND);
    CHECK(router_match(&rt, "DELETE", "/v1/me/", &i, &p, allow, sizeof allow) == ROUTER_NOT_FOUND);
    CHECK(router_match(&rt, "HEAD", "/v1/me", &i, &p, allow, sizeof allow) == ROUTER_FOUND);

    /* a literal segment wins over a {param} one, whatever the order */
    CHECK(router_match(&rt, "GET", "/v1/editions/current", &i, &p, allow, sizeof allow) ==
          ROUTER_FOUND);
    CHECK(i == 4);
    CHECK(router_match(&rt, "GET", "/v1/editions/gess-2026", &i, &p, allow, sizeof allow) ==
          ROUTER_FOUND);
    CHECK(i == 2);
    CHECK_STR(router_param(&p, "slug"), "gess-2026");
    CHECK(router_param(&p, "nope") == NULL);

    /* parameters are percent-decoded and typed by name; NUL, broken
     * escapes, bytes that are not UTF-8 and values of the wrong type match
     * nothing (404, not 405) */
    const char *uuid = "/v1/accounts/0b6e3c1e-7d1f-4c3a-9a55-2f0e8d1b9c4a/roles";
    CHECK(router_match(&rt, "PUT", uuid, &i, &p, allow, sizeof allow) == ROUTER_FOUND);
    CHECK_STR(router_param(&p, "id"), "0b6e3c1e-7d1f-4c3a-9a55-2f0e8d1b9c4a");
    CHECK(router_match(&rt, "PUT", "/v1/accounts/%30b6e3c1e-7d1f-4c3a-9a55-2f0e8d1b9c4a/roles", &i,
                       &p, allow, sizeof allow) == ROUTER_FOUND);
    static const struct {
        const char *method, *path;
    } unmatched[] = {
        {"PUT", "/v1/accounts/a%20b/roles"}, {"PUT", "/v1/accounts/gess-2026/roles"},
        {"GET", "/v1/editions/%ff"},         {"PATCH", "/v1/editions/%c3%28"},
        {"DELETE", "/v1/editions/Gess"},     {"DELETE", "/v1/me/agenda/.."},
        {"PUT", "/v1/accounts/a%00/roles"},  {"PUT", "/v1/accounts/a%4/roles"},
        {"PUT", "/v1/accounts//roles"},
    };
    for (size_t k = 0; k < sizeof unmatched / sizeof unmatched[0]; k++)
        CHECK(router_match(&rt, unmatched[k].method, unmatched[k].path, &i, &p, allow,
                           sizeof allow) == ROUTER_NOT_FOUND);

    /* 405 lists what the path does allow */
    CHECK(router_match(&rt, "DELETE", "/v1/editions/x", &i, &p, allow, sizeof allow) ==
          ROUTER_METHOD_NOT_ALLOWED);
    CHECK_STR(allow, "GET, HEAD, PATCH");
    CHECK(router_match(&rt, "PATCH", "/v1/me", &i, &p, allow, sizeof allow) ==
          ROUTER_METHOD_NOT_ALLOWED);
    CHECK_STR(allow, "GET, HEAD");
    CHECK(router_match(&rt, "GET", "/v1/nothing", &i, &p, allow, sizeof allow) == ROUTER_NOT_FOUND);
    CHECK(router_match(&rt, "GET", "/", &i, &p, allow, sizeof allow) == ROUTER_NOT_FOUND);
    CHECK(router_match(&rt, "GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r", &i, &p, allow,
                       sizeof allow) == ROUTER_NOT_FOUND);
    router_free(&rt);

    /* a pattern that is not exact, or a {param} whose name gives no type,
     * is refused when the table is built */
    static const struct route untyped[] = {
        ROUTE("GET", "/v1/things/{thing}", h, "tests/unit/test_router.c", AUTH_NONE, BODY_NONE,
              OUT_JSON),
        ROUTE_END,
    };
    static const struct route slash[] = {
        ROUTE("GET", "/v1/things/", h, "tests/unit/test_router.c", AUTH_NONE, BODY_NONE, OUT_JSON),
        ROUTE_END,
    };
    const struct route *const bad1[] = {untyped}, *const bad2[] = {slash};
    CHECK(!router_init(&rt, bad1, 1));
    CHECK(!router_init(&rt, bad2, 1));
}
