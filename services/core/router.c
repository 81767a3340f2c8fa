/* router.c — a linear scan over a few dozen routes is faster than any tree
 * at this size and keeps "literal beats {param}" obvious.
 *
 * Paths match exactly (DESIGN.md §5): no trailing slash, no empty segment,
 * no "." or ".." segment. Clients resolve dot segments before sending
 * (`DELETE /v1/me/agenda/..` leaves curl as `DELETE /v1/me/`), so a
 * tolerant router turns a typo into another route. Each {param} has a type
 * given by its name, checked here before any handler runs: a value of the
 * wrong shape is 404, and never reaches SQL. */
#include "core/router.h"

#include <stdlib.h>
#include <string.h>

#include "core/valid.h"

/* The type of a path parameter, by name: {slug} an edition slug, {id} and
 * {..._id} a UUID. A name outside this table makes router_init fail, so a
 * new route cannot take an unchecked parameter by accident. */
static bool (*param_type(const char *name, size_t len))(const char *)
{
    if (len == 4 && memcmp(name, "slug", 4) == 0)
        return valid_slug;
    if ((len == 2 && memcmp(name, "id", 2) == 0) ||
        (len > 3 && memcmp(name + len - 3, "_id", 3) == 0))
        return valid_uuid;
    return NULL;
}

static bool pattern_ok(const char *pattern);

bool router_init(struct router *rt, const struct route *const *tables, size_t ntables)
{
    size_t n = 0;
    for (size_t t = 0; t < ntables; t++)
        for (const struct route *r = tables[t]; r->method != NULL; r++)
            n++;
    rt->routes = calloc(n ? n : 1, sizeof *rt->routes);
    if (rt->routes == NULL)
        return false;
    rt->n = 0;
    for (size_t t = 0; t < ntables; t++)
        for (const struct route *r = tables[t]; r->method != NULL; r++)
            rt->routes[rt->n++] = r;
    for (size_t i = 0; i < rt->n; i++)
        if (!pattern_ok(rt->routes[i]->pattern)) {
            router_free(rt);
            return false;
        }
    return true;
}

void router_free(struct router *rt)
{
    free(rt->routes);
    rt->routes = NULL;
    rt->n = 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes [s, s+len) into out; refuses NUL, bad escapes and
 * values that do not fit. */
static bool decode(const char *s, size_t len, char *out, size_t outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= len)
                return false;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return false;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (o + 1 >= outlen)
            return false;
        out[o++] = c;
    }
    out[o] = '\0';
    return true;
}

struct seg {
    const char *s;
    size_t len;
};

/* Splits "/a/b/c" into segments. Returns -1 for too many segments and for
 * a path that is not exact: not starting with '/', a trailing slash, an
 * empty segment, or a "." or ".." segment ("/" itself has none). */
static int split(const char *path, struct seg *segs)
{
    if (*path != '/')
        return -1;
    if (path[1] == '\0')
        return 0;
    int n = 0;
    const char *p = path + 1;
    for (;;) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (n == ROUTER_MAX_SEGMENTS || len == 0 || (len == 1 && p[0] == '.') ||
            (len == 2 && p[0] == '.' && p[1] == '.'))
            return -1;
        segs[n].s = p;
        segs[n].len = len;
        n++;
        if (end == NULL)
            return n;
        p = end + 1;
    }
}

static bool is_param(const struct seg *ps)
{
    return ps->len > 2 && ps->s[0] == '{' && ps->s[ps->len - 1] == '}';
}

/* Decodes one path segment against its {param}: true when it decodes,
 * is UTF-8 (%ff is not) and has the parameter's type. */
static bool param_value(const struct seg *ps, const struct seg *seg, char *out, size_t outlen)
{
    return decode(seg->s, seg->len, out, outlen) && valid_utf8(out, strlen(out)) &&
           param_type(ps->s + 1, ps->len - 2)(out);
}

/* Scores how well pattern matches the path segments: -1 for no match,
 * otherwise a number where a literal at an earlier position weighs more.
 * A parameter of the wrong type is no match, so such a path is 404 rather
 * than 405 for the methods its pattern has. */
static long score(const char *pattern, const struct seg *segs, int nsegs)
{
    struct seg ps[ROUTER_MAX_SEGMENTS];
    int np = split(pattern, ps);
    if (np != nsegs)
        return -1;
    long sc = 0;
    for (int i = 0; i < np; i++) {
        if (is_param(&ps[i]))
            continue;
        if (ps[i].len != segs[i].len || memcmp(ps[i].s, segs[i].s, ps[i].len) != 0)
            return -1;
        sc |= 1L << (ROUTER_MAX_SEGMENTS - i);
    }
    char value[ROUTER_PARAM_MAX];
    for (int i = 0; i < np; i++)
        if (is_param(&ps[i]) && !param_value(&ps[i], &segs[i], value, sizeof value))
            return -1;
    return sc;
}

static bool fill_params(const char *pattern, const struct seg *segs, struct route_params *p)
{
    struct seg ps[ROUTER_MAX_SEGMENTS];
    int np = split(pattern, ps);
    p->n = 0;
    for (int i = 0; i < np; i++) {
        if (!is_param(&ps[i]))
            continue;
        if (p->n == ROUTER_MAX_PARAMS || ps[i].len - 2 >= sizeof p->name[0])
            return false;
        memcpy(p->name[p->n], ps[i].s + 1, ps[i].len - 2);
        p->name[p->n][ps[i].len - 2] = '\0';
        if (!param_value(&ps[i], &segs[i], p->value[p->n], sizeof p->value[0]))
            return false;
        p->n++;
    }
    return true;
}

/* A pattern is exact, and each of its {param}s has a type. */
static bool pattern_ok(const char *pattern)
{
    struct seg ps[ROUTER_MAX_SEGMENTS];
    int np = split(pattern, ps);
    if (np < 0)
        return false;
    int params = 0;
    for (int i = 0; i < np; i++)
        if (is_param(&ps[i]) && (++params > ROUTER_MAX_PARAMS ||
                                 ps[i].len - 2 >= sizeof((struct route_params *)0)->name[0] ||
                                 param_type(ps[i].s + 1, ps[i].len - 2) == NULL))
            return false;
    return true;
}

enum router_result router_match(const struct router *rt, const char *method, const char *path,
                                size_t *index, struct route_params *params, char *allow,
                                size_t allowlen)
{
    struct seg segs[ROUTER_MAX_SEGMENTS];
    int nsegs = split(path, segs);
    if (nsegs < 0)
        return ROUTER_NOT_FOUND;
    if (strcmp(method, "HEAD") == 0)
        method = "GET";
    long best = -1;
    size_t best_i = 0;
    bool any_path = false;
    for (size_t i = 0; i < rt->n; i++) {
        long sc = score(rt->routes[i]->pattern, segs, nsegs);
        if (sc < 0)
            continue;
        any_path = true;
        if (strcmp(rt->routes[i]->method, method) == 0 && sc > best) {
            best = sc;
            best_i = i;
        }
    }
    if (best >= 0) {
        if (!fill_params(rt->routes[best_i]->pattern, segs, params))
            return ROUTER_NOT_FOUND;
        *index = best_i;
        return ROUTER_FOUND;
    }
    if (!any_path)
        return ROUTER_NOT_FOUND;
    /* List each method once, in table order; GET brings HEAD along. */
    size_t len = 0;
    allow[0] = '\0';
    for (size_t i = 0; i < rt->n; i++) {
        const char *m = rt->routes[i]->method;
        if (score(rt->routes[i]->pattern, segs, nsegs) < 0 || strstr(allow, m) != NULL)
            continue;
        const char *add = strcmp(m, "GET") == 0 ? "GET, HEAD" : m;
        size_t alen = strlen(add);
        if (len + alen + 3 >= allowlen)
            break;
        if (len > 0) {
            memcpy(allow + len, ", ", 2);
            len += 2;
        }
        memcpy(allow + len, add, alen + 1);
        len += alen;
    }
    return ROUTER_METHOD_NOT_ALLOWED;
}

const char *router_param(const struct route_params *p, const char *name)
{
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->name[i], name) == 0)
            return p->value[i];
    return NULL;
}
