/* valid.c — field checks. jansson has already refused invalid UTF-8 and NUL
 * bytes, so strings here are well-formed UTF-8. */
#include "core/valid.h"

#include <ctype.h>
#include <string.h>

void valid_init(struct valid *v, enum lang lang)
{
    v->errors = json_array();
    v->lang = lang;
}

void valid_free(struct valid *v)
{
    json_decref(v->errors);
    v->errors = NULL;
}

bool valid_ok(const struct valid *v)
{
    return json_array_size(v->errors) == 0;
}

void valid_fail(struct valid *v, const char *field, enum valid_msg msg, long n, const char *s)
{
    char text[256];
    problem_message(v->lang, msg, n, s, text, sizeof text);
    json_array_append_new(v->errors, json_pack("{s:s, s:s}", "field", field, "message", text));
}

size_t valid_utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static bool has_control(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

const char *valid_string(struct valid *v, const json_t *obj, const char *field, size_t min,
                         size_t max, bool required)
{
    json_t *j = json_object_get(obj, field);
    if (j == NULL || json_is_null(j)) {
        if (required)
            valid_fail(v, field, MSG_REQUIRED, 0, NULL);
        return NULL;
    }
    if (!json_is_string(j)) {
        valid_fail(v, field, MSG_NOT_STRING, 0, NULL);
        return NULL;
    }
    const char *s = json_string_value(j);
    size_t n = valid_utf8_chars(s);
    if (n < min) {
        valid_fail(v, field, min == 1 ? MSG_REQUIRED : MSG_TOO_SHORT, (long)min, NULL);
        return NULL;
    }
    if (n > max) {
        valid_fail(v, field, MSG_TOO_LONG, (long)max, NULL);
        return NULL;
    }
    if (has_control(s)) {
        valid_fail(v, field, MSG_CONTROL_CHARS, 0, NULL);
        return NULL;
    }
    return s;
}

const char *valid_enum(struct valid *v, const json_t *obj, const char *field,
                       const char *const *choices, bool required)
{
    const char *s = valid_string(v, obj, field, 1, 64, required);
    if (s == NULL)
        return NULL;
    for (const char *const *c = choices; *c != NULL; c++)
        if (strcmp(*c, s) == 0)
            return *c;
    char list[256] = "";
    size_t len = 0;
    for (const char *const *c = choices; *c != NULL && len + strlen(*c) + 3 < sizeof list; c++) {
        if (len > 0) {
            memcpy(list + len, ", ", 2);
            len += 2;
        }
        memcpy(list + len, *c, strlen(*c));
        len += strlen(*c);
        list[len] = '\0';
    }
    valid_fail(v, field, MSG_ONE_OF, 0, list);
    return NULL;
}

bool valid_true(struct valid *v, const json_t *obj, const char *field)
{
    json_t *j = json_object_get(obj, field);
    if (j == NULL || json_is_null(j)) {
        valid_fail(v, field, MSG_REQUIRED, 0, NULL);
        return false;
    }
    if (!json_is_boolean(j)) {
        valid_fail(v, field, MSG_NOT_BOOLEAN, 0, NULL);
        return false;
    }
    if (!json_is_true(j)) {
        valid_fail(v, field, MSG_MUST_BE_TRUE, 0, NULL);
        return false;
    }
    return true;
}

/* A deliberately plain check: one @, a non-empty local part of printable
 * ASCII without spaces, and a domain of dot-separated labels of letters,
 * digits and hyphens. Mail delivery is the real test; this catches typos. */
bool valid_email_normalise(const char *in, char *out, size_t outlen)
{
    while (isspace((unsigned char)*in))
        in++;
    size_t n = strlen(in);
    while (n > 0 && isspace((unsigned char)in[n - 1]))
        n--;
    if (n < 3 || n > 254 || n + 1 > outlen)
        return false;
    const char *at = NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c <= 0x20 || c >= 0x7f)
            return false;
        if (c == '@') {
            if (at != NULL)
                return false;
            at = in + i;
        }
        out[i] = (char)tolower(c);
    }
    out[n] = '\0';
    if (at == NULL || at == in || (size_t)(at - in) > 64)
        return false;
    const char *d = out + (at - in) + 1;
    size_t dlen = strlen(d), label = 0;
    if (dlen == 0 || strchr(d, '.') == NULL)
        return false;
    for (size_t i = 0; i <= dlen; i++) {
        char c = d[i];
        if (c == '.' || c == '\0') {
            if (label == 0 || d[i - 1] == '-' || d[i - label] == '-')
                return false;
            label = 0;
        } else if (isalnum((unsigned char)c) || c == '-') {
            label++;
        } else {
            return false;
        }
    }
    return true;
}

bool valid_uuid(const char *s)
{
    static const int dash[] = {8, 13, 18, 23};
    if (s == NULL || strlen(s) != 36)
        return false;
    for (int i = 0, k = 0; i < 36; i++) {
        if (k < 4 && i == dash[k]) {
            if (s[i] != '-')
                return false;
            k++;
        } else if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}
