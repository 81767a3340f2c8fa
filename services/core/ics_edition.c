/* ics_edition.c — an edition as one all-day event: the .ics attached to
 * registration mail (mail/attach_ics.h) and GET /v1/editions/{slug}
 * ?format=ics ("add the edition to my calendar"). Written line by line
 * with core/ics.c's folding rather than through its libical renderer: that
 * one renders timed events in a zone under METHOD:PUBLISH (feeds), while
 * this is a single all-day event with no METHOD, whose dates need no zone
 * at all (a DATE value is the same day everywhere). */
#include "core/ics_edition.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ics.h"
#include "core/valid.h"

/* What is written so far, and whether memory ran out on the way (the
 * writers below carry on and the end returns NULL). */
struct buf {
    struct ics_buf b;
    bool failed;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (!b->failed && !ics_buf_put(&b->b, s, n))
        b->failed = true;
}

static void line(struct buf *b, const char *s, size_t n)
{
    if (!b->failed && !ics_fold_line(&b->b, s, n))
        b->failed = true;
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
        line(b, v.b.p, v.b.len);
    free(v.b.p);
}

static const char *string_of(const json_t *o, const char *key)
{
    const json_t *j = json_object_get(o, key);
    return json_is_string(j) && json_string_length(j) > 0 ? json_string_value(j) : NULL;
}

/* A day number as an iCalendar DATE (YYYYMMDD). */
static void ics_date(long day, char out[16])
{
    char iso[11];
    valid_days_date(day, iso);
    snprintf(out, 16, "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
}

char *ics_edition(const json_t *edition, time_t now, size_t *len)
{
    *len = 0;
    const char *slug = string_of(edition, "slug"), *title = string_of(edition, "title");
    const char *city = string_of(edition, "city"), *venue = string_of(edition, "venue");
    long first, last;
    if (!json_is_object(edition) || slug == NULL || !valid_slug(slug) || title == NULL ||
        !valid_date_days(string_of(edition, "starts_on"), &first) ||
        !valid_date_days(string_of(edition, "ends_on"), &last) || last < first)
        return NULL;
    char start[16], end[16], stamp[32], uid[160];
    ics_date(first, start);
    ics_date(last + 1, end); /* DTEND of an all-day event: the day after */
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
            free(b.b.p);
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
            line(&b, u.b.p, u.b.len);
        free(u.b.p);
    }
    line(&b, "END:VEVENT", 10);
    line(&b, "END:VCALENDAR", 13);
    if (b.failed) {
        free(b.b.p);
        return NULL;
    }
    *len = b.b.len;
    return b.b.p;
}
