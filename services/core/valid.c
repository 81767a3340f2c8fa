/* valid.c — field checks. jansson has already refused invalid UTF-8 and NUL
 * bytes, so strings here are well-formed UTF-8. */
#include "core/valid.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
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

bool valid_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned c = *p;
        if (c < 0x80) {
            p++;
            continue;
        }
        /* the lead byte says how many continuation bytes follow, and the
         * smallest second byte allowed (no overlongs, no surrogates, at
         * most U+10FFFF), as RFC 3629's table does */
        size_t n;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            return false;
        }
        if ((size_t)(end - p) <= n || p[1] < lo || p[1] > hi)
            return false;
        for (size_t i = 2; i <= n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return false;
        p += n + 1;
    }
    return true;
}

/* Control characters; a long text lets line breaks and tabs through. */
static bool has_control(const char *s, bool multiline)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (multiline && (c == '\n' || c == '\r' || c == '\t'))
            continue;
        if (c < 0x20 || c == 0x7f)
            return true;
    }
    return false;
}

static const char *checked_text(struct valid *v, const json_t *obj, const char *field, size_t min,
                                size_t max, bool required, bool multiline)
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
    if (has_control(s, multiline)) {
        valid_fail(v, field, MSG_CONTROL_CHARS, 0, NULL);
        return NULL;
    }
    return s;
}

const char *valid_string(struct valid *v, const json_t *obj, const char *field, size_t min,
                         size_t max, bool required)
{
    return checked_text(v, obj, field, min, max, required, false);
}

const char *valid_long_text(struct valid *v, const json_t *obj, const char *field, size_t min,
                            size_t max, bool required)
{
    const char *s = checked_text(v, obj, field, min, max, required, true);
    /* a text that must say something says more than blanks and line breaks */
    if (s != NULL && min > 0 && strspn(s, " \t\r\n") == strlen(s)) {
        valid_fail(v, field, MSG_EMPTY, 0, NULL);
        return NULL;
    }
    return s;
}

void valid_long_text_into(struct valid *v, const json_t *obj, json_t *out, const char *field,
                          size_t max, bool null_clears)
{
    json_t *j = json_object_get(obj, field);
    if (j == NULL || (json_is_null(j) && !null_clears))
        return;
    if (json_is_null(j)) {
        json_object_set_new(out, field, json_string(""));
        return;
    }
    if (valid_long_text(v, obj, field, 0, max, false) != NULL)
        json_object_set(out, field, j);
}

static bool null_taken(struct valid *v, const json_t *j, json_t *out, const char *field,
                       bool required, enum valid_null on_null)
{
    if (!json_is_null(j))
        return false;
    if (required) /* a creation that must have it: null is not having it */
        valid_fail(v, field, MSG_REQUIRED, 0, NULL);
    else if (on_null == VALID_NULL_CLEARS)
        json_object_set_new(out, field, json_string(""));
    else if (on_null == VALID_NULL_KEEPS)
        json_object_set_new(out, field, json_null());
    else
        valid_fail(v, field, MSG_EMPTY, 0, NULL);
    return true;
}

void valid_text_into(struct valid *v, const json_t *obj, json_t *out, const char *field, size_t min,
                     size_t max, bool required, enum valid_null on_null)
{
    json_t *j = json_object_get(obj, field);
    if (j != NULL && null_taken(v, j, out, field, required, on_null))
        return;
    const char *s = valid_string(v, obj, field, min, max, required);
    if (s == NULL)
        return;
    if (min > 0 && strspn(s, " ") == strlen(s)) {
        valid_fail(v, field, MSG_EMPTY, 0, NULL);
        return;
    }
    json_object_set_new(out, field, json_string(s));
}

bool valid_url_text(const char *s)
{
    if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
        return false;
    const char *host = strstr(s, "//") + 2;
    if (*host == '\0' || *host == '/')
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return false;
    return true;
}

void valid_url_into(struct valid *v, const json_t *obj, json_t *out, const char *field, size_t max,
                    enum valid_null on_null)
{
    json_t *j = json_object_get(obj, field);
    if (j != NULL && null_taken(v, j, out, field, false, on_null))
        return;
    const char *u = valid_string(v, obj, field, 1, max, false);
    if (u != NULL && !valid_url_text(u))
        valid_fail(v, field, MSG_URL, 0, NULL);
    else if (u != NULL)
        json_object_set_new(out, field, json_string(u));
}

bool valid_fail_code(struct valid *v, const char *field, const char *code, const char *arg)
{
    enum valid_msg msg;
    bool known = problem_msg_of_code(code, &msg);
    valid_fail(v, field, known ? msg : MSG_INVALID, arg != NULL ? strtol(arg, NULL, 10) : 0, arg);
    return known;
}

/* Records MSG_ONE_OF for field, naming choices ("a, b, c"). */
static void fail_one_of(struct valid *v, const char *field, const char *const *choices)
{
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
    fail_one_of(v, field, choices);
    return NULL;
}

json_t *valid_array(struct valid *v, const json_t *obj, const char *field, size_t max,
                    bool required, valid_item_fn item, const void *arg)
{
    json_t *arr = json_object_get(obj, field);
    if (arr == NULL || json_is_null(arr)) {
        if (required)
            valid_fail(v, field, MSG_REQUIRED, 0, NULL);
        return NULL;
    }
    if (!json_is_array(arr)) {
        valid_fail(v, field, MSG_NOT_ARRAY, 0, NULL);
        return NULL;
    }
    if (json_array_size(arr) > max) {
        char range[48];
        snprintf(range, sizeof range, "0 to %zu items", max);
        valid_fail(v, field, MSG_RANGE, 0, range);
        return NULL;
    }
    bool ok = true;
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it) {
        char name[128];
        snprintf(name, sizeof name, "%s[%zu]", field, i);
        if (!item(v, name, it, arg)) {
            ok = false;
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_array_get(arr, j), it)) {
                valid_fail(v, name, MSG_DUPLICATE, 0, NULL);
                ok = false;
                break;
            }
    }
    return ok ? arr : NULL;
}

static bool item_uuid(struct valid *v, const char *name, const json_t *item, const void *arg)
{
    (void)arg;
    const char *s = json_string_value(item);
    if (s == NULL || !valid_uuid(s)) {
        valid_fail(v, name, s == NULL ? MSG_NOT_STRING : MSG_UUID, 0, NULL);
        return false;
    }
    return true;
}

json_t *valid_uuid_array(struct valid *v, const json_t *obj, const char *field, size_t max,
                         bool required)
{
    return valid_array(v, obj, field, max, required, item_uuid, NULL);
}

static bool item_enum(struct valid *v, const char *name, const json_t *item, const void *arg)
{
    const char *const *choices = arg;
    const char *s = json_string_value(item);
    for (const char *const *c = choices; s != NULL && *c != NULL; c++)
        if (strcmp(*c, s) == 0)
            return true;
    fail_one_of(v, name, choices);
    return false;
}

json_t *valid_enum_array(struct valid *v, const json_t *obj, const char *field,
                         const char *const *choices, size_t max, bool required)
{
    return valid_array(v, obj, field, max, required, item_enum, choices);
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

bool valid_int(struct valid *v, const json_t *obj, const char *field, long long min, long long max,
               bool required, long long *out)
{
    json_t *j = json_object_get(obj, field);
    if (j == NULL || json_is_null(j)) {
        if (required)
            valid_fail(v, field, MSG_REQUIRED, 0, NULL);
        return false;
    }
    if (!json_is_integer(j)) {
        valid_fail(v, field, MSG_NOT_INTEGER, 0, NULL);
        return false;
    }
    long long n = json_integer_value(j);
    if (n < min || n > max) {
        char range[64];
        snprintf(range, sizeof range, "%lld to %lld", min, max);
        valid_fail(v, field, MSG_RANGE, 0, range);
        return false;
    }
    *out = n;
    return true;
}

bool valid_bool(struct valid *v, const json_t *obj, const char *field, bool required, bool *out)
{
    json_t *j = json_object_get(obj, field);
    if (j == NULL || json_is_null(j)) {
        if (required)
            valid_fail(v, field, MSG_REQUIRED, 0, NULL);
        return false;
    }
    if (!json_is_boolean(j)) {
        valid_fail(v, field, MSG_NOT_BOOLEAN, 0, NULL);
        return false;
    }
    *out = json_is_true(j);
    return true;
}

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static int num(const char *s, int n)
{
    int x = 0;
    for (int i = 0; i < n; i++)
        x = x * 10 + (s[i] - '0');
    return x;
}

static bool calendar_ok(int y, int m, int d)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool valid_date_text(const char *s)
{
    return strlen(s) == 10 && digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && s[7] == '-' &&
           digits(s + 8, 2) && calendar_ok(num(s, 4), num(s + 5, 2), num(s + 8, 2));
}

bool valid_date_days(const char *s, long *days)
{
    if (s == NULL || !valid_date_text(s))
        return false;
    *days = days_from_civil(num(s, 4), num(s + 5, 2), num(s + 8, 2));
    return true;
}

/* civil_from_days, the inverse of days_from_civil (H. Hinnant) */
void valid_days_date(long z, char out[11])
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    long y = yoe + era * 400 + (m <= 2);
    char t[32]; /* (the compiler cannot see that m and d have two digits) */
    snprintf(t, sizeof t, "%04d-%02d-%02d", (int)(y % 10000), (int)m, (int)d);
    memcpy(out, t, 10);
    out[10] = '\0';
}

bool valid_instant_text(const char *s, double *epoch)
{
    char date[11];
    if (strlen(s) < 20)
        return false;
    memcpy(date, s, 10);
    date[10] = '\0';
    if (!valid_date_text(date))
        return false;
    if ((s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2) || s[13] != ':' ||
        !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
        return false;
    int hh = num(s + 11, 2), mi = num(s + 14, 2), ss = num(s + 17, 2);
    if (hh > 23 || mi > 59 || ss > 60)
        return false;
    const char *p = s + 19;
    double frac = 0;
    if (*p == '.') {
        const char *f = ++p;
        while (isdigit((unsigned char)*p))
            p++;
        if (p == f || p - f > 9)
            return false;
        frac = strtod(f - 1, NULL);
    }
    long offset = 0;
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        offset = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && digits(p + 1, 2) && p[3] == ':' &&
               digits(p + 4, 2) && num(p + 1, 2) <= 23 && num(p + 4, 2) <= 59) {
        offset = (num(p + 1, 2) * 60L + num(p + 4, 2)) * 60L * (*p == '-' ? -1 : 1);
    } else {
        return false;
    }
    long days = days_from_civil(num(s, 4), num(s + 5, 2), num(s + 8, 2));
    *epoch = (double)(days * 86400L + hh * 3600L + mi * 60L + ss - offset) + frac;
    return true;
}

const char *valid_date(struct valid *v, const json_t *obj, const char *field, bool required)
{
    const char *s = valid_string(v, obj, field, 1, 10, required);
    if (s != NULL && !valid_date_text(s)) {
        valid_fail(v, field, MSG_DATE, 0, NULL);
        return NULL;
    }
    return s;
}

const char *valid_instant(struct valid *v, const json_t *obj, const char *field, bool required,
                          double *epoch)
{
    json_t *j = json_object_get(obj, field);
    if (j != NULL && json_is_string(j) && strlen(json_string_value(j)) > 40) {
        valid_fail(v, field, MSG_INSTANT, 0, NULL);
        return NULL;
    }
    const char *s = valid_string(v, obj, field, 1, 40, required);
    if (s != NULL && !valid_instant_text(s, epoch)) {
        valid_fail(v, field, MSG_INSTANT, 0, NULL);
        return NULL;
    }
    return s;
}

bool valid_slug(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '-' ? s[i + 1] == '-' : !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

bool valid_code(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32 || s[0] == '-' || s[0] == '_')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return true;
}
