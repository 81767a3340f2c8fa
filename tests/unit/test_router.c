/* test_router.c — literal beats {param}, decoding, 404/405 and Allow. */
#include "core/router.h"
#include "unit.h"

static void h(struct req *r)
{
    (void)r;
}

static const struct route table[] = {
    {"GET", "/v1/me", h, AUTH_USER, false},
    {"PUT", "/v1/me/password", h, AUTH_USER, true},
    {"GET", "/v1/editions/{slug}", h, AUTH_NONE, false},
    {"PATCH", "/v1/editions/{slug}", h, AUTH_ORGANIZER, true},
    {"GET", "/v1/editions/current", h, AUTH_NONE, false},
    {"PUT", "/v1/accounts/{id}/roles", h, AUTH_ADMIN, true},
    {"DELETE", "/v1/me/agenda/{session_id}", h, AUTH_USER, false},
    {NULL, NULL, NULL, AUTH_NONE, false},
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
    CHECK(router_match(&rt, "GET", "/v1/me/", &i, &p, allow, sizeof allow) == ROUTER_FOUND);
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

    /* parameters are percent-decoded; NUL and broken escapes are not */
    CHECK(router_match(&rt, "PUT", "/v1/accounts/a%20b/roles", &i, &p, allow, sizeof allow) ==
          ROUTER_FOUND);
    CHECK_STR(router_param(&p, "id"), "a b");
    CHECK(router_match(&rt, "PUT", "/v1/accounts/a%00/roles", &i, &p, allow, sizeof allow) ==
          ROUTER_NOT_FOUND);
    CHECK(router_match(&rt, "PUT", "/v1/accounts/a%4/roles", &i, &p, allow, sizeof allow) ==
          ROUTER_NOT_FOUND);
    CHECK(router_match(&rt, "PUT", "/v1/accounts//roles", &i, &p, allow, sizeof allow) ==
          ROUTER_NOT_FOUND);

    /* 405 lists what the path does allow */
    CHECK(router_match(&rt, "DELETE", "/v1/editions/x", &i, &p, allow, sizeof allow) ==
          ROUTER_METHOD_NOT_ALLOWED);
    CHECK_STR(allow, "GET, HEAD, PATCH");
    CHECK(router_match(&rt, "PATCH", "/v1/me", &i, &p, allow, sizeof allow) ==
          ROUTER_METHOD_NOT_ALLOWED);
    CHECK_STR(allow, "GET, HEAD");
    CHECK(router_match(&rt, "GET", "/v1/nothing", &i, &p, allow, sizeof allow) ==
          ROUTER_NOT_FOUND);
    CHECK(router_match(&rt, "GET", "/", &i, &p, allow, sizeof allow) == ROUTER_NOT_FOUND);
    CHECK(router_match(&rt, "GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r", &i, &p, allow,
                       sizeof allow) == ROUTER_NOT_FOUND);
    router_free(&rt);
}
