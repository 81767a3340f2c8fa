/* fuzz_form.c — a form-encoded body as gessd reads it (core/form.c, the
 * one route taking one: POST /v1/unsubscribe), the bytes as they arrive:
 * any length, any byte, a NUL anywhere.
 *
 * Checked: form_parse answers an object or a refusal recorded in v, never
 * both and never neither (memory aside); an accepted body holds only
 * UTF-8 string members, no key twice; a body with a raw NUL, %00, or a key
 * or decoded value that is not UTF-8 is refused; and a body
 * "k=<the input's bytes>", each byte %XX-encoded, is accepted exactly when
 * the bytes are UTF-8 without a NUL, and then k holds exactly those bytes
 * (the decoding is the query's, which fuzz_query holds to its own
 * decoder). */
#include <string.h>

#include "core/form.h"
#include "core/valid.h"
#include "fuzz.h"

static void check_accepted(const json_t *o)
{
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)o, key, val) {
        FUZZ_CHECK(json_is_string(val), "a member is not a string");
        FUZZ_CHECK(valid_utf8(key, strlen(key)), "a key is not UTF-8");
        const char *s = json_string_value(val);
        FUZZ_CHECK(valid_utf8(s, strlen(s)), "a value is not UTF-8");
    }
}

static bool has_pct00(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i + 2 < size; i++)
        if (data[i] == '%' && data[i + 1] == '0' && data[i + 2] == '0')
            return true;
    return false;
}

static void check_built(const uint8_t *data, size_t size)
{
    char *raw = malloc(3 * size + 3), *o = raw;
    if (raw == NULL)
        abort();
    o += sprintf(o, "k=");
    for (size_t i = 0; i < size; i++)
        o += sprintf(o, "%%%02X", data[i]);
    struct valid v;
    valid_init(&v, LANG_EN);
    json_t *out = form_parse(raw, (size_t)(o - raw), &v);
    bool usable = valid_utf8((const char *)data, size) && memchr(data, '\0', size) == NULL;
    FUZZ_CHECK((out != NULL) == usable, usable ? "a UTF-8 value was refused"
                                               : "a value not UTF-8, or with a NUL, was accepted");
    if (out != NULL) {
        const char *k = json_string_value(json_object_get(out, "k"));
        FUZZ_CHECK(json_object_size(out) == 1 && k != NULL && strlen(k) == size &&
                       memcmp(k, data, size) == 0,
                   "the value is not the bytes sent");
    }
    json_decref(out);
    valid_free(&v);
    free(raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct valid v;
    valid_init(&v, LANG_ES);
    json_t *out = form_parse((const char *)data, size, &v);
    FUZZ_CHECK(out == NULL || valid_ok(&v), "an accepted body recorded a refusal");
    FUZZ_CHECK(out != NULL || !valid_ok(&v), "a refused body recorded no reason");
    if (out != NULL) {
        check_accepted(out);
        FUZZ_CHECK(memchr(data, '\0', size) == NULL, "a body with a NUL was accepted");
        FUZZ_CHECK(!has_pct00(data, size), "a body with %00 was accepted");
    }
    json_decref(out);
    valid_free(&v);
    check_built(data, size);
    return 0;
}
