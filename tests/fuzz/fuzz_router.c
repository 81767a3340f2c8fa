/* fuzz_router.c — router_match over gessd's own route table (app_router,
 * every module's routes), fed a fuzzed method and raw path as req.c hands
 * them over (the path as evhttp gives it, percent-encoded, cut to the 512
 * bytes of r->path).
 *
 * Input: the method up to a space within its first 16 bytes, then the path;
 * without such a space (or with an empty method) the first byte picks one
 * of GET, HEAD, POST, PUT, PATCH, DELETE and the rest is the path. Checked:
 * a FOUND route has the method asked (HEAD for GET), every typed parameter
 * holds a value of its type, no NUL was decoded into one; 405's Allow list
 * is terminated and not empty. */
#include <stdbool.h>
#include <string.h>

#include "app.h"
#include "core/router.h"
#include "core/valid.h"
#include "fuzz.h"

static struct router rt;

static void check_params(const struct route_params *p)
{
    FUZZ_CHECK(p->n >= 0 && p->n <= ROUTER_MAX_PARAMS, "parameter count out of bounds");
    for (int i = 0; i < p->n; i++) {
        const char *name = p->name[i], *value = p->value[i];
        size_t nlen = strnlen(name, sizeof p->name[i]), vlen = strnlen(value, sizeof p->value[i]);
        FUZZ_CHECK(nlen < sizeof p->name[i] && vlen < sizeof p->value[i], "unterminated param");
        FUZZ_CHECK(vlen > 0 && valid_utf8(value, vlen), "parameter empty or not UTF-8");
        if (strcmp(name, "slug") == 0)
            FUZZ_CHECK(valid_slug(value), "{slug} that is no slug");
        else if (strcmp(name, "id") == 0 || (nlen > 3 && strcmp(name + nlen - 3, "_id") == 0))
            FUZZ_CHECK(valid_uuid(value), "{id} that is no UUID");
        FUZZ_CHECK(router_param(p, name) != NULL, "router_param misses a parameter");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
    if (rt.routes == NULL && !app_router(&rt))
        abort(); /* the real table must load: a failure is a finding too */
    char method[16] = "", path[512];
    const uint8_t *sp = memchr(data, ' ', size < sizeof method ? size : sizeof method);
    size_t mlen = sp ? (size_t)(sp - data) : 0;
    memcpy(method, data, mlen);
    method[mlen] = '\0';
    if (mlen == 0 && size > 0)
        snprintf(method, sizeof method, "%s", methods[data[0] % 6]);
    size_t off = sp ? mlen + 1 : (size > 0 ? 1 : 0);
    size_t plen = size - off < sizeof path - 1 ? size - off : sizeof path - 1;
    memcpy(path, data + off, plen);
    path[plen] = '\0'; /* a NUL in the input ends the path, as it would in C */
    size_t index = (size_t)-1;
    struct route_params params = {0};
    char allow[128];
    switch (router_match(&rt, method, path, &index, &params, allow, sizeof allow)) {
    case ROUTER_FOUND: {
        FUZZ_CHECK(index < rt.n, "route index out of bounds");
        const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
        FUZZ_CHECK(strcmp(rt.routes[index]->method, want) == 0, "route of another method");
        check_params(&params);
        break;
    }
    case ROUTER_METHOD_NOT_ALLOWED: {
        size_t alen = strnlen(allow, sizeof allow);
        FUZZ_CHECK(alen > 0 && alen < sizeof allow, "405 with an empty or unterminated Allow");
        break;
    }
    case ROUTER_NOT_FOUND:
        break;
    }
    return 0;
}
