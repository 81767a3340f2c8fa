/* fuzz_json.c — a request body as gessd reads it: parsed as req.c's
 * parse_body does (json_loadb, duplicates refused, any value at the top),
 * then every shared validator of core/valid.c run on every member of the
 * document, nested objects and arrays too. jansson bounds nesting itself
 * (2048 levels); gess has no depth check of its own, so deep documents
 * are seeds here to show jansson's limit holds.
 *
 * Checked on the way (each a real invariant, not just "no crash"): what
 * jansson accepted is UTF-8 by valid_utf8 too (gess relies on either one
 * saying the same), counts of characters never exceed bytes, and a
 * normalised email fits and is itself valid UTF-8. */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "core/valid.h"
#include "fuzz.h"

static const char *const choices[] = {"draft", "published", "cancelled", NULL};

/* Runs every validator that reads a member of obj on field. */
static void validate_member(const json_t *obj, const char *field)
{
    struct valid v;
    valid_init(&v, LANG_EN);
    long long n;
    bool b;
    double epoch;
    const char *s = valid_string(&v, obj, field, 1, 200, true);
    if (s != NULL) {
        size_t chars = valid_utf8_chars(s);
        FUZZ_CHECK(chars >= 1 && chars <= 200, "valid_string passed a length out of bounds");
        for (const char *c = s; *c != '\0'; c++)
            FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f,
                       "valid_string passed a control character");
    }
    (void)valid_string(&v, obj, field, 0, 5, false);
    (void)valid_long_text(&v, obj, field, 0, 10000, false);
    json_t *out = json_object();
    if (out != NULL) {
        valid_long_text_into(&v, obj, out, field, 100, true);
        valid_long_text_into(&v, obj, out, field, 100, false);
        json_decref(out);
    }
    /* what the copying validators copy is what they were asked to pass */
    static const enum valid_null nulls[] = {VALID_NULL_REFUSED, VALID_NULL_CLEARS,
                                            VALID_NULL_KEEPS};
    for (size_t k = 0; k < sizeof nulls / sizeof nulls[0]; k++) {
        out = json_object();
        if (out == NULL)
            break;
        struct valid t;
        valid_init(&t, LANG_ES);
        valid_text_into(&t, obj, out, field, 1, 50, k == 0, nulls[k]);
        const char *copied = json_string_value(json_object_get(out, field));
        if (copied != NULL && copied[0] != '\0') {
            FUZZ_CHECK(valid_utf8_chars(copied) <= 50, "valid_text_into copied a long text");
            FUZZ_CHECK(strspn(copied, " ") < strlen(copied), "valid_text_into copied blanks");
        }
        json_object_clear(out);
        valid_url_into(&t, obj, out, field, 500, nulls[k]);
        copied = json_string_value(json_object_get(out, field));
        if (copied != NULL && copied[0] != '\0')
            FUZZ_CHECK(valid_url_text(copied), "valid_url_into copied what is not a link");
        valid_free(&t);
        json_decref(out);
    }
    (void)valid_enum(&v, obj, field, choices, true);
    /* an array that passes holds no repeats */
    const json_t *arr = valid_uuid_array(&v, obj, field, 50, false);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        FUZZ_CHECK(valid_uuid(json_string_value(json_array_get(arr, i))),
                   "valid_uuid_array passed what is not a UUID");
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(!json_equal(json_array_get(arr, i), json_array_get(arr, j)),
                       "valid_uuid_array passed a repeat");
    }
    (void)valid_enum_array(&v, obj, field, choices, SIZE_MAX, true);
    (void)valid_true(&v, obj, field);
    (void)valid_int(&v, obj, field, -5, 1000000, true, &n);
    (void)valid_bool(&v, obj, field, false, &b);
    (void)valid_date(&v, obj, field, true);
    (void)valid_instant(&v, obj, field, false, &epoch);
    valid_free(&v);
}

/* Runs every validator of text on a string value. */
static void validate_text(const json_t *s)
{
    const char *t = json_string_value(s);
    size_t len = json_string_length(s);
    FUZZ_CHECK(valid_utf8(t, len), "jansson accepted a string valid_utf8 refuses");
    FUZZ_CHECK(valid_utf8_chars(t) <= len, "more characters than bytes");
    (void)valid_slug(t);
    if (valid_url_text(t))
        for (const char *c = t; *c != '\0'; c++)
            FUZZ_CHECK((unsigned char)*c > 0x20 && *c != 0x7f, "a link with a space or control");
    (void)valid_code(t);
    (void)valid_uuid(t);
    (void)valid_date_text(t);
    double epoch;
    (void)valid_instant_text(t, &epoch);
    char email[255];
    if (valid_email_normalise(t, email, sizeof email)) {
        size_t elen = strnlen(email, sizeof email);
        FUZZ_CHECK(elen < sizeof email, "normalised email not terminated");
        FUZZ_CHECK(valid_utf8(email, elen), "normalised email not UTF-8");
    }
    char tiny[4];
    /* a too small buffer is refused, not overrun */
    (void)valid_email_normalise(t, tiny, sizeof tiny);
}

static void walk(const json_t *j, int depth)
{
    if (depth > 64)
        return; /* validators read one level; deeper adds time, not code */
    if (json_is_string(j)) {
        validate_text(j);
    } else if (json_is_object(j)) {
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)j, key, val) {
            FUZZ_CHECK(valid_utf8(key, strlen(key)), "jansson accepted a key valid_utf8 refuses");
            validate_member(j, key);
            walk(val, depth + 1);
        }
        validate_member(j, "absent"); /* the not-present branch of each validator */
    } else if (json_is_array(j)) {
        size_t i;
        json_t *val;
        json_array_foreach(j, i, val)
            walk(val, depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t err;
    json_t *body =
        json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    (void)valid_utf8((const char *)data, size); /* on bytes jansson refused too */
    if (body == NULL)
        return 0;
    /* jansson checks raw UTF-8 as RFC 3629 does, and so must valid_utf8 */
    FUZZ_CHECK(valid_utf8((const char *)data, size), "jansson accepted bytes valid_utf8 refuses");
    walk(body, 0);
    json_decref(body);
    return 0;
}
