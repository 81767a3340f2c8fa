/* router.h — method + path routing with {param} segments. Paths match
 * exactly (no trailing slash, empty or dot segment); a literal segment
 * wins over a {param} one; a {param} of the wrong type (by its name:
 * {slug}, {id}, {..._id}) or not UTF-8 matches nothing; a path that exists
 * under other methods answers 405 with Allow. */
#ifndef GESS_ROUTER_H
#define GESS_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/accept.h"

struct req;

/* Who may call a route. admin implies organizer, followup and curator. OPTIONAL
 * routes serve anonymous callers but authenticate a token when one is
 * sent (e.g. organizers also see draft editions). */
enum route_auth {
    AUTH_NONE,
    AUTH_OPTIONAL,
    AUTH_USER,
    AUTH_ORGANIZER,
    AUTH_FOLLOWUP,
    AUTH_CURATOR,
    AUTH_ADMIN
};

struct route {
    const char *method;  /* GET, POST, PUT, PATCH, DELETE */
    const char *pattern; /* /v1/accounts/{id}/roles */
    void (*handler)(struct req *r);
    enum route_auth auth;
    int body;          /* BODY_NONE, BODY_JSON, BODY_OPTIONAL or BODY_FORM */
    unsigned produces; /* OUT_* bits of core/accept.h: what it can answer */
    const char *name;  /* the handler's name, e.g. "registration_create" */
    const char *file;  /* where it is defined, below services/ */
};

/* A route table entry: the handler's name comes from the handler itself,
 * and file says where it is defined (`gessd routes` prints both; a test
 * holds them to the sources). */
#define ROUTE(method, pattern, handler, file, auth, body, produces)    \
    {                                                                  \
        method, pattern, handler, auth, body, produces, #handler, file \
    }
#define ROUTE_END                                     \
    {                                                 \
        NULL, NULL, NULL, AUTH_NONE, 0, 0, NULL, NULL \
    }

/* What a route reads from the request body. BODY_OPTIONAL takes an empty
 * body as {}. A route with BODY_NONE ignores a body sent to it: HTTP gives
 * a body on GET or DELETE no meaning, and one rule for every such route is
 * simpler for clients than a status to document on each. BODY_FORM takes
 * application/x-www-form-urlencoded (or an empty body) as an object of
 * strings (core/form.h), and multipart/form-data unread (an empty object):
 * only for what mail clients post, RFC 8058's one-click unsubscribe. */
enum { BODY_NONE = 0, BODY_JSON = 1, BODY_OPTIONAL = 2, BODY_FORM = 3 };

#define ROUTER_MAX_PARAMS 4
#define ROUTER_MAX_SEGMENTS 16
#define ROUTER_PARAM_MAX 256

struct route_params {
    int n;
    char name[ROUTER_MAX_PARAMS][32];
    char value[ROUTER_MAX_PARAMS][ROUTER_PARAM_MAX];
};

struct router {
    const struct route **routes;
    size_t n;
};

enum router_result { ROUTER_FOUND, ROUTER_NOT_FOUND, ROUTER_METHOD_NOT_ALLOWED };

/* Collects the routes of several tables (each ended by a route whose
 * method is NULL). Returns false when out of memory, and for a pattern
 * that is not exact or has a {param} whose name gives no type. */
bool router_init(struct router *rt, const struct route *const *tables, size_t ntables)
    __attribute__((warn_unused_result));
void router_free(struct router *rt);

/* Matches method and raw (percent-encoded) path. On FOUND sets *index and
 * fills params with decoded values; on METHOD_NOT_ALLOWED writes the
 * allowed methods, comma separated, into allow. HEAD matches GET routes. */
enum router_result router_match(const struct router *rt, const char *method, const char *path,
                                size_t *index, struct route_params *params, char *allow,
                                size_t allowlen);

/* The value of a named parameter, or NULL. */
const char *router_param(const struct route_params *p, const char *name);

#endif
