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

/* Authenticates r from its Authorization header and, when the route's role
 * allows, runs the route's handler; otherwise answers 401/403/503. */
void auth_then_handle(struct req *r);

extern const struct db_stmt auth_stmt_lookup;

#endif
