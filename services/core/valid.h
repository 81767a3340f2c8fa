/* valid.h — input validation that collects every invalid field, so a 422
 * lists them all at once (DESIGN.md §5). */
#ifndef GESS_VALID_H
#define GESS_VALID_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/problem.h"

struct valid {
    json_t *errors; /* [{field, message}] */
    enum lang lang;
};

void valid_init(struct valid *v, enum lang lang);
void valid_free(struct valid *v);

/* True while no field has failed. */
bool valid_ok(const struct valid *v);

/* Records one invalid field (n and s fill the message's placeholders). */
void valid_fail(struct valid *v, const char *field, enum valid_msg msg, long n, const char *s);

/* A string field of obj, its length in characters within [min, max] and
 * free of control characters. Returns it, or NULL when absent (an error
 * only if required) or invalid. */
const char *valid_string(struct valid *v, const json_t *obj, const char *field, size_t min,
                         size_t max, bool required);

/* A long text field (an abstract, a description, a summary, evidence, a
 * comment, a reason): as valid_string, but line breaks and tabs pass;
 * every other control character is refused; with min > 0, blanks and line
 * breaks alone are MSG_EMPTY. */
const char *valid_long_text(struct valid *v, const json_t *obj, const char *field, size_t min,
                            size_t max, bool required);

/* A long text field of obj copied into out when valid: absent is nothing;
 * null is nothing too, or "" when null_clears (a PATCH clearing it). */
void valid_long_text_into(struct valid *v, const json_t *obj, json_t *out, const char *field,
                          size_t max, bool null_clears);

/* What a PATCH's null means for a text field copied by valid_text_into
 * and valid_url_into: refused (MSG_EMPTY: the field cannot be cleared),
 * cleared to "", or kept as JSON null. */
enum valid_null { VALID_NULL_REFUSED, VALID_NULL_CLEARS, VALID_NULL_KEEPS };

/* A one-line text field of obj copied into out when valid: as
 * valid_string, and with min > 0 a value of spaces only is MSG_EMPTY.
 * Absent is nothing; absent or null is MSG_REQUIRED when required;
 * otherwise null as on_null says. */
void valid_text_into(struct valid *v, const json_t *obj, json_t *out, const char *field, size_t min,
                     size_t max, bool required, enum valid_null on_null);

/* True for an http(s) link with a host, without spaces or control
 * characters. */
bool valid_url_text(const char *s);

/* A link field (valid_url_text, at most max characters) copied into out
 * when valid; absent is nothing, null as on_null says. */
void valid_url_into(struct valid *v, const json_t *obj, json_t *out, const char *field, size_t max,
                    enum valid_null on_null);

/* Records a refusal SQL answered with: code is one of problem.h's
 * validation codes, arg fills its placeholder (a number for %ld). A code
 * the table does not know is still the client's 422 (MSG_INVALID) and
 * returns false, so the caller logs the gap. */
bool valid_fail_code(struct valid *v, const char *field, const char *code, const char *arg);

/* A string field whose value must be one of choices (NULL-terminated). */
const char *valid_enum(struct valid *v, const json_t *obj, const char *field,
                       const char *const *choices, bool required);

/* Checks one item of an array field for valid_array: true when it
 * passes, otherwise records why under name ("field[i]") and returns false.
 * arg is valid_array's. */
typedef bool (*valid_item_fn)(struct valid *v, const char *name, const json_t *item,
                              const void *arg);

/* An array field of obj: at most max items (SIZE_MAX: no limit), each
 * passing item, none repeating an earlier one (MSG_DUPLICATE, once the item
 * itself passed). Returns the array (borrowed from obj) when it and every
 * item passed; NULL when absent or null (MSG_REQUIRED if required) or
 * invalid. */
json_t *valid_array(struct valid *v, const json_t *obj, const char *field, size_t max,
                    bool required, valid_item_fn item, const void *arg);

/* valid_array of UUIDs (each a string, MSG_NOT_STRING, and a UUID,
 * MSG_UUID). */
json_t *valid_uuid_array(struct valid *v, const json_t *obj, const char *field, size_t max,
                         bool required);

/* valid_array of strings each one of choices (NULL-terminated; anything
 * else is MSG_ONE_OF naming them). */
json_t *valid_enum_array(struct valid *v, const json_t *obj, const char *field,
                         const char *const *choices, size_t max, bool required);

/* A domain's request decoder, the one shape tests/fuzz/fuzz_decoders.c
 * runs: checks body (every member on create, those present on a PATCH)
 * and returns the checked members as a new object for the SQL function,
 * or NULL with each refusal recorded in v (NULL while v is ok: out of
 * memory). */
typedef json_t *(*valid_body_fn)(struct valid *v, const json_t *body, bool create);

/* A boolean field that must be present and true (consent). */
bool valid_true(struct valid *v, const json_t *obj, const char *field);

/* An integer field within [min, max]; true when present and valid. */
bool valid_int(struct valid *v, const json_t *obj, const char *field, long long min, long long max,
               bool required, long long *out);

/* A boolean field; true when present and valid. */
bool valid_bool(struct valid *v, const json_t *obj, const char *field, bool required, bool *out);

/* A YYYY-MM-DD calendar date field. */
const char *valid_date(struct valid *v, const json_t *obj, const char *field, bool required);

/* An RFC 3339 instant field (with offset); *epoch gets its Unix time. */
const char *valid_instant(struct valid *v, const json_t *obj, const char *field, bool required,
                          double *epoch);

/* Shapes of identifiers: an edition slug, a category or question code. */
bool valid_slug(const char *s);
bool valid_code(const char *s);

/* A date text as YYYY-MM-DD that exists on the calendar. */
bool valid_date_text(const char *s);

/* Days since 1970-01-01 of such a date (proleptic Gregorian, as PostgreSQL
 * writes dates); false when s is not one (NULL included). */
bool valid_date_days(const char *s, long *days);

/* The YYYY-MM-DD of a day number, the inverse. */
void valid_days_date(long days, char out[11]);

/* An RFC 3339 date-time with offset; *epoch gets its Unix time. */
bool valid_instant_text(const char *s, double *epoch);

/* Normalises an email (trimmed, lower-cased) into out; false when it is
 * not a plausible address of at most 254 characters. */
bool valid_email_normalise(const char *in, char *out, size_t outlen);

/* True for a canonical textual UUID (8-4-4-4-12 hex digits). */
bool valid_uuid(const char *s);

/* True when [s, s+len) is well-formed UTF-8 (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF). Everything that reaches SQL has
 * passed this or jansson's equivalent check. */
bool valid_utf8(const char *s, size_t len);

/* Characters (code points) in a UTF-8 string. */
size_t valid_utf8_chars(const char *s);

#endif
