/* router.c — a linear scan over a few dozen routes is faster than any tree
 * at this size and keeps "literal beats {param}" obvious. */
#include "core/router.h"

#include <stdlib.h>
#include <string.h>

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

/* Splits "/a/b/c" into segments; a trailing slash is not significant
 * except for the root. Returns -1 when there are too many. */
static int split(const char *path, struct seg *segs)
{
    int n = 0;
    const char *p = path;
    if (*p == '/')
        p++;
    while (*p != '\0') {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (n == ROUTER_MAX_SEGMENTS)
            return -1;
        segs[n].s = p;
        segs[n].len = len;
        n++;
        p += len;
        if (*p == '/')
            p++;
    }
    return n;
}

/* Scores how well pattern matches the path segments: -1 for no match,
 * otherwise a number where a literal at an earlier position weighs more. */
static long score(const char *pattern, const struct seg *segs, int nsegs)
{
    struct seg ps[ROUTER_MAX_SEGMENTS];
    int np = split(pattern, ps);
    if (np != nsegs)
        return -1;
    long sc = 0;
    for (int i = 0; i < np; i++) {
        bool param = ps[i].len > 2 && ps[i].s[0] == '{';
        if (param) {
            if (segs[i].len == 0)
                return -1;
            continue;
        }
        if (ps[i].len != segs[i].len || memcmp(ps[i].s, segs[i].s, ps[i].len) != 0)
            return -1;
        sc |= 1L << (ROUTER_MAX_SEGMENTS - i);
    }
    return sc;
}

static bool fill_params(const char *pattern, const struct seg *segs, struct route_params *p)
{
    struct seg ps[ROUTER_MAX_SEGMENTS];
    int np = split(pattern, ps);
    p->n = 0;
    for (int i = 0; i < np; i++) {
        if (!(ps[i].len > 2 && ps[i].s[0] == '{'))
            continue;
        if (p->n == ROUTER_MAX_PARAMS || ps[i].len - 2 >= sizeof p->name[0])
            return false;
        memcpy(p->name[p->n], ps[i].s + 1, ps[i].len - 2);
        p->name[p->n][ps[i].len - 2] = '\0';
        if (!decode(segs[i].s, segs[i].len, p->value[p->n], sizeof p->value[0]))
            return false;
        p->n++;
    }
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
