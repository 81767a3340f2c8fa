/* auth.h — bearer tokens: 256 random bits handed to the client once; the
 * database keeps only their BLAKE2b-256 hash. */
#ifndef GESS_AUTH_H
#define GESS_AUTH_H

#include <stdbool.h>

#include "core/db_pool.h"

#define AUTH_TOKEN_LEN 43 /* 32 bytes, base64url without padding */

struct req;

/* A new random token and the hex of its hash. */
void auth_token_new(char token[AUTH_TOKEN_LEN + 1], char hash_hex[65]);

/* The hex hash of a presented token; false when it is not token-shaped. */
bool auth_token_hash(const char *token, char hash_hex[65]) __attribute__((warn_unused_result));

/* Effective role bits from a PostgreSQL text[] literal ("{admin}"). */
unsigned auth_roles_parse(const char *text);

/* The browser session's cookie: the very token POST /v1/tokens hands out. */
#define AUTH_SESSION_COOKIE "gess_session"

/* Authenticates r and, when the route's role allows, runs the route's
 * handler; otherwise answers 401/403/503. The token comes from the
 * Authorization header (Bearer), or when there is none from the
 * gess_session cookie; then an unsafe method (POST, PUT, PATCH, DELETE)
 * on an API route needs X-CSRF-Token (core/csrf.h), else 403
 * csrf-failed. An AUTH_OPTIONAL route without either runs anonymously,
 * and so does one whose cookie is stale (the cookie is cleared). A page
 * route (OUT_HTML) that needs a signed-in caller redirects an anonymous
 * one to /login?next=<where it was> (303) instead of 401. */
void auth_then_handle(struct req *r);

extern const struct db_stmt auth_stmt_lookup;

#endif
