/* form.h — an application/x-www-form-urlencoded body (RFC 8058's one-click
 * unsubscribe posts `List-Unsubscribe=One-Click`) read as handlers read a
 * JSON body: an object of strings. Pure: no request, so the fuzz target
 * (tests/fuzz/fuzz_form.c) runs the very code gessd does. */
#ifndef GESS_FORM_H
#define GESS_FORM_H

#include <jansson.h>
#include <stddef.h>

#include "core/valid.h"

/* Parses the len bytes at data (not NUL-terminated; an empty body is {})
 * with the query string's own parser and checks (core/query.h: '+' is a
 * space, %XX decoded, every key and value UTF-8, no %00), so a form and a
 * query are read alike. Returns a new object of string members, or NULL
 * with v's errors ("body" when it cannot be read whole; NULL with v still
 * clean: out of memory). A repeated key is refused: which copy counts
 * would be a guess. */
json_t *form_parse(const char *data, size_t len, struct valid *v);

#endif
