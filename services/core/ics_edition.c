/* ics_edition.c — an edition as one all-day event: the .ics attached to
 * registration mail (mail/attach_ics.h) and GET /v1/editions/{slug}
 * ?format=ics ("add the edition to my calendar"). Written directly rather
 * than through core/ics.c: that one renders timed events in a zone under
 * METHOD:PUBLISH (feeds), while this is a single all-day event with no
 * METHOD, whose dates need no zone at all (a DATE value is the same day
 * everywhere). */
#include "core/ics_edition.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/valid.h"

#define FOLD 75

struct buf {
    char *p;
    size_t len, cap;
    bool failed;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->failed = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* One content line, folded at FOLD octets (a continuation's leading space
 * counts) without cutting a UTF-8 character. */
static void line(struct buf *b, const char *s, size_t n)
{
    size_t pos = 0, room = FOLD;
    for (;;) {
        size_t take = n - pos;
        if (take > room) {
            take = room;
            while (take > 0 && ((unsigned char)s[pos + take] & 0xC0) == 0x80)
                take--;
            if (take == 0) /* not UTF-8 (checked on input): cut anyway, never loop */
                take = room;
        }
        put(b, s + pos, take);
        put(b, "\r\n", 2);
        pos += take;
        if (pos >= n)
            return;
        put(b, " ", 1);
        room = FOLD - 1;
    }
}

/* name:value with value a TEXT escaped as RFC 5545 §3.3.11 says; control
 * characters (a newline included: these are one-line values) become
 * nothing. */
static void text_line(struct buf *b, const char *name, const char *value)
{
    struct buf v = {0};
    put(&v, name, strlen(name));
    put(&v, ":", 1);
    for (const char *p = value; *p != '\0'; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '\\' || ch == ';' || ch == ',') {
            char e[2] = {'\\', (char)ch};
            put(&v, e, 2);
        } else if (ch >= 0x20 && ch != 0x7f) {
            put(&v, p, 1);
        }
    }
    if (v.failed)
        b->failed = true;
    else
        line(b, v.p, v.len);
    free(v.p);
}

/* Days since 1970-01-01 of a civil date, and back (Howard Hinnant's
 * algorithms), for the day after ends_on across month and year ends. */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, long *y, long *m, long *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static const char *string_of(const json_t *o, const char *key)
{
    const json_t *j = json_object_get(o, key);
    return json_is_string(j) && json_string_length(j) > 0 ? json_string_value(j) : NULL;
}

/* YYYY-MM-DD → its day number; false when not a calendar date. */
static bool day_of(const char *s, long *out)
{
    int y, m, d;
    if (s == NULL || !valid_date_text(s) || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return false;
    *out = days_from_civil(y, m, d);
    return true;
}

char *ics_edition(const json_t *edition, time_t now, size_t *len)
{
    *len = 0;
    const char *slug = string_of(edition, "slug"), *title = string_of(edition, "title");
    const char *city = string_of(edition, "city"), *venue = string_of(edition, "venue");
    long first, last;
    if (!json_is_object(edition) || slug == NULL || !valid_slug(slug) || title == NULL ||
        !day_of(string_of(edition, "starts_on"), &first) ||
        !day_of(string_of(edition, "ends_on"), &last) || last < first)
        return NULL;
    long y, m, d;
    char start[16], end[16], stamp[32], uid[160];
    civil_from_days(first, &y, &m, &d);
    snprintf(start, sizeof start, "%04ld%02ld%02ld", y, m, d);
    civil_from_days(last + 1, &y, &m, &d);
    snprintf(end, sizeof end, "%04ld%02ld%02ld", y, m, d);
    struct tm tm;
    if (gmtime_r(&now, &tm) == NULL)
        return NULL;
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(uid, sizeof uid, "edition-%s@gess", slug);

    struct buf b = {0};
    static const char *const head[] = {"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//GESS//gess//ES",
                                       "CALSCALE:GREGORIAN", "BEGIN:VEVENT"};
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        line(&b, head[i], strlen(head[i]));
    text_line(&b, "UID", uid);
    char prop[64];
    snprintf(prop, sizeof prop, "DTSTAMP:%s", stamp);
    line(&b, prop, strlen(prop));
    snprintf(prop, sizeof prop, "DTSTART;VALUE=DATE:%s", start);
    line(&b, prop, strlen(prop));
    snprintf(prop, sizeof prop, "DTEND;VALUE=DATE:%s", end);
    line(&b, prop, strlen(prop));
    text_line(&b, "SUMMARY", title);
    if (venue != NULL || city != NULL) {
        /* "venue, city" is one text: its comma is escaped with the rest */
        size_t n = (venue ? strlen(venue) : 0) + (city ? strlen(city) : 0) + 3;
        char *where = malloc(n);
        if (where == NULL) {
            free(b.p);
            return NULL;
        }
        snprintf(where, n, "%s%s%s", venue ? venue : "", venue && city ? ", " : "",
                 city ? city : "");
        text_line(&b, "LOCATION", where);
        free(where);
    }
    const char *url = string_of(edition, "url");
    if (url != NULL) {
        /* a URI value (RFC 5545 §3.8.4.6), not a TEXT: nothing escaped,
         * control characters dropped as in text_line */
        struct buf u = {0};
        put(&u, "URL:", 4);
        for (const char *p = url; *p != '\0'; p++)
            if ((unsigned char)*p >= 0x21 && *p != 0x7f)
                put(&u, p, 1);
        if (u.failed)
            b.failed = true;
        else
            line(&b, u.p, u.len);
        free(u.p);
    }
    line(&b, "END:VEVENT", 10);
    line(&b, "END:VCALENDAR", 13);
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    *len = b.len;
    return b.p;
}
