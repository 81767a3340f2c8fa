/* query.h — the query string as req.c reads it: parsed once by evhttp,
 * then checked before any handler sees it (DESIGN.md §5). Pure: no
 * request, so the fuzz target runs the very code gessd does. */
#ifndef GESS_QUERY_H
#define GESS_QUERY_H

#include <stdbool.h>

#include "core/valid.h"

struct evkeyvalq;

/* Parses raw (the query without '?') into out, an empty evkeyvalq. False
 * when evhttp cannot parse it (e.g. "a&b"); out is then left empty. */
bool query_parse(const char *raw, struct evkeyvalq *out) __attribute__((warn_unused_result));

/* Records in v what makes the query unusable: one evhttp could not parse
 * (malformed) or with %00 (decoding would cut a value short there) fails
 * "query"; a key or value that is not UTF-8 fails that key ("query" when
 * the key itself is not). */
void query_check(struct valid *v, const char *raw, const struct evkeyvalq *q, bool malformed);

#endif
