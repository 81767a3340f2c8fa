/* ics.c — iCalendar (RFC 5545) rendering with libical.
 *
 * libical builds the components and escapes the values; two things are
 * done here on top of it:
 *   - time zones: libical 3.0's builtin time zone cache (read from the
 *     system zoneinfo) is guarded by its own mutexes, but those have known
 *     races (libical issues #319, #468, PR #1029: first load of the zone
 *     table, lazy loading of a zone's component, expansion of its changes).
 *     Every use of a shared icaltimezone therefore happens under zone_lock;
 *     everything else works on components private to the calling thread.
 *     (icalerrno and the ring buffer are per thread in libical's pthread
 *     build, so they need no lock.)
 *   - output: a post-pass unfolds libical's text and folds it again at 75
 *     octets without ever splitting a UTF-8 sequence, with CRLF endings, and
 *     escapes the commas and semicolons libical leaves raw in CATEGORIES and
 *     X-WR-* values (each category is its own CATEGORIES property, so every
 *     comma there is text, not a list separator). */
#include "core/ics.h"

#include <libical/ical.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/valid.h"

#define ICS_FOLD 75

static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;

struct ics_event {
    const char *uid, *summary, *description, *location, *url, *status;
    const json_t *categories;
    time_t starts, ends, modified;
    bool has_modified;
    long long sequence;
    bool has_sequence;
};

/* ---- input ------------------------------------------------------------ */

/* A member that is absent or JSON null. */
static bool absent(const json_t *j)
{
    return j == NULL || json_is_null(j);
}

/* Required non-empty string member (NULL when absent, empty or not a string). */
static const char *req_string(const json_t *obj, const char *key)
{
    const json_t *j = json_object_get(obj, key);
    if (!json_is_string(j) || json_string_length(j) == 0)
        return NULL;
    return json_string_value(j);
}

/* Optional string member: true when absent/null (*out = NULL) or a string. */
static bool opt_string(const json_t *obj, const char *key, const char **out)
{
    const json_t *j = json_object_get(obj, key);
    *out = NULL;
    if (absent(j))
        return true;
    if (!json_is_string(j))
        return false;
    *out = json_string_value(j);
    return true;
}

static bool instant(const json_t *j, time_t *out)
{
    double epoch;
    if (!json_is_string(j) || json_string_length(j) > 40 ||
        !valid_instant_text(json_string_value(j), &epoch))
        return false;
    *out = (time_t)floor(epoch);
    return true;
}

/* An IANA zone name: letters, digits and "/_+-", no "..", bounded. */
static bool zone_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || s[0] == '/' || strstr(s, "..") != NULL)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '+' || c == '-'))
            return false;
    }
    return true;
}

static bool parse_event(const json_t *e, struct ics_event *ev)
{
    memset(ev, 0, sizeof *ev);
    if (!json_is_object(e))
        return false;
    ev->uid = req_string(e, "uid");
    ev->summary = req_string(e, "summary");
    if (ev->uid == NULL || ev->summary == NULL)
        return false;
    if (!opt_string(e, "description", &ev->description) ||
        !opt_string(e, "location", &ev->location) || !opt_string(e, "url", &ev->url) ||
        !opt_string(e, "status", &ev->status))
        return false;
    if (!instant(json_object_get(e, "starts_at"), &ev->starts) ||
        !instant(json_object_get(e, "ends_at"), &ev->ends) || ev->ends < ev->starts)
        return false;
    const json_t *j = json_object_get(e, "last_modified");
    if (!absent(j)) {
        if (!instant(j, &ev->modified))
            return false;
        ev->has_modified = true;
    }
    j = json_object_get(e, "sequence");
    if (!absent(j)) {
        if (!json_is_integer(j) || json_integer_value(j) < 0 || json_integer_value(j) > 1000000000)
            return false;
        ev->sequence = json_integer_value(j);
        ev->has_sequence = true;
    }
    if (ev->status != NULL && strcmp(ev->status, "CONFIRMED") != 0 &&
        strcmp(ev->status, "CANCELLED") != 0 && strcmp(ev->status, "TENTATIVE") != 0)
        return false;
    j = json_object_get(e, "categories");
    if (!absent(j)) {
        if (!json_is_array(j))
            return false;
        size_t i;
        const json_t *c;
        json_array_foreach(j, i, c) {
            if (!json_is_string(c))
                return false;
        }
        ev->categories = j;
    }
    return true;
}

/* A copy of s fit for a TEXT value: CRLF and lone CR become LF (libical
 * writes it as \n) when multiline, else a space; other control characters
 * are dropped (RFC 5545 TEXT allows none but HTAB). */
static char *clean_text(const char *s, bool multiline)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1), *o = out;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && s[i + 1] == '\n')
                i++;
            *o++ = multiline ? '\n' : ' ';
        } else if (c == '\t') {
            *o++ = multiline ? '\t' : ' ';
        } else if (c >= 0x20 && c != 0x7f) {
            *o++ = (char)c;
        }
    }
    *o = '\0';
    return out;
}

/* ---- building --------------------------------------------------------- */

typedef icalproperty *(*text_prop_fn)(const char *);

/* Adds a TEXT property built by fn from a cleaned copy of s. */
static bool add_text(icalcomponent *comp, text_prop_fn fn, const char *s, bool multiline)
{
    char *clean = clean_text(s, multiline);
    if (clean == NULL)
        return false;
    icalproperty *p = fn(clean);
    free(clean);
    if (p == NULL)
        return false;
    icalcomponent_add_property(comp, p);
    return true;
}

static bool add_x(icalcomponent *comp, const char *name, const char *s)
{
    char *clean = clean_text(s, false);
    if (clean == NULL)
        return false;
    icalproperty *p = icalproperty_new_x(clean);
    free(clean);
    if (p == NULL)
        return false;
    icalproperty_set_x_name(p, name);
    icalcomponent_add_property(comp, p);
    return true;
}

static struct icaltimetype utc_time(time_t t)
{
    return icaltime_from_timet_with_zone(t, 0, icaltimezone_get_utc_timezone());
}

/* Local wall time of instant t in zone (shared: call with zone_lock held),
 * as a floating time: the TZID parameter names the zone. */
static struct icaltimetype local_time(icaltimezone *zone, time_t t)
{
    struct icaltimetype tt = icaltime_from_timet_with_zone(t, 0, zone);
    tt.zone = NULL;
    return tt;
}

/* libical writes times it deems invalid (year after 3000) as
 * 00000000T000000; refuse those instead. */
static bool time_ok(struct icaltimetype tt)
{
    return !icaltime_is_null_time(tt) && icaltime_is_valid_time(tt);
}

static bool add_time(icalcomponent *ev, icalproperty *p, const char *tzid)
{
    if (p == NULL)
        return false;
    if (tzid != NULL) {
        icalparameter *param = icalparameter_new_tzid(tzid);
        if (param == NULL) {
            icalproperty_free(p);
            return false;
        }
        icalproperty_add_parameter(p, param);
    }
    icalcomponent_add_property(ev, p);
    return true;
}

static icalproperty_status status_of(const char *s)
{
    if (s == NULL || strcmp(s, "CONFIRMED") == 0)
        return ICAL_STATUS_CONFIRMED;
    return strcmp(s, "CANCELLED") == 0 ? ICAL_STATUS_CANCELLED : ICAL_STATUS_TENTATIVE;
}

/* One VEVENT. start/end are already in the calendar's zone (tzid) or UTC
 * (tzid NULL). */
static icalcomponent *build_event(const struct ics_event *e, struct icaltimetype start,
                                  struct icaltimetype end, const char *tzid,
                                  struct icaltimetype stamp)
{
    if (!time_ok(start) || !time_ok(end))
        return NULL;
    icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    if (ev == NULL)
        return NULL;
    icalproperty *p;
    if (!add_text(ev, icalproperty_new_uid, e->uid, false))
        goto fail;
    if ((p = icalproperty_new_dtstamp(stamp)) == NULL)
        goto fail;
    icalcomponent_add_property(ev, p);
    if (!add_time(ev, icalproperty_new_dtstart(start), tzid))
        goto fail;
    /* RFC 5545: DTEND must be later than DTSTART; a zero-length event
     * simply has none. */
    if (e->ends > e->starts && !add_time(ev, icalproperty_new_dtend(end), tzid))
        goto fail;
    if (!add_text(ev, icalproperty_new_summary, e->summary, false))
        goto fail;
    if (e->description != NULL && e->description[0] != '\0' &&
        !add_text(ev, icalproperty_new_description, e->description, true))
        goto fail;
    if (e->location != NULL && e->location[0] != '\0' &&
        !add_text(ev, icalproperty_new_location, e->location, false))
        goto fail;
    if (e->url != NULL && e->url[0] != '\0' && !add_text(ev, icalproperty_new_url, e->url, false))
        goto fail;
    if ((p = icalproperty_new_sequence(e->has_sequence ? (int)e->sequence : 0)) == NULL)
        goto fail;
    icalcomponent_add_property(ev, p);
    if ((p = icalproperty_new_status(status_of(e->status))) == NULL)
        goto fail;
    icalcomponent_add_property(ev, p);
    if (e->categories != NULL) {
        size_t i;
        const json_t *c;
        json_array_foreach(e->categories, i, c) {
            if (json_string_length(c) > 0 &&
                !add_text(ev, icalproperty_new_categories, json_string_value(c), false))
                goto fail;
        }
    }
    if (e->has_modified) {
        struct icaltimetype modified = utc_time(e->modified);
        if (!time_ok(modified) || (p = icalproperty_new_lastmodified(modified)) == NULL)
            goto fail;
        icalcomponent_add_property(ev, p);
    }
    return ev;
fail:
    icalcomponent_free(ev);
    return NULL;
}

/* ---- output post-pass ---------------------------------------------------- */

bool ics_buf_put(struct ics_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL)
            return false;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return true;
}

static bool starts_with(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && memcmp(s, prefix, k) == 0;
}

/* Escapes raw ',' and ';' in the value of a logical line whose value libical
 * left half-escaped (backslashes and newlines done, commas not). */
static bool escape_value(struct ics_buf *out, const char *line, size_t n)
{
    const char *colon = memchr(line, ':', n);
    if (colon == NULL)
        return ics_buf_put(out, line, n);
    size_t head = (size_t)(colon - line) + 1;
    if (!ics_buf_put(out, line, head))
        return false;
    for (size_t i = head; i < n; i++) {
        if (line[i] == '\\' && i + 1 < n) {
            if (!ics_buf_put(out, line + i, 2))
                return false;
            i++;
        } else if (line[i] == ',' || line[i] == ';') {
            char esc[2] = {'\\', line[i]};
            if (!ics_buf_put(out, esc, 2))
                return false;
        } else if (!ics_buf_put(out, line + i, 1)) {
            return false;
        }
    }
    return true;
}

bool ics_fold_line(struct ics_buf *out, const char *s, size_t n)
{
    size_t pos = 0, room = ICS_FOLD;
    for (;;) {
        size_t take = n - pos;
        if (take > room) {
            take = room;
            /* Back up over continuation bytes (10xxxxxx) to a lead byte. */
            while (take > 0 && ((unsigned char)s[pos + take] & 0xC0) == 0x80)
                take--;
            if (take == 0)
                take = room; /* not UTF-8 at all; cannot happen with jansson input */
        }
        if (!ics_buf_put(out, s + pos, take) || !ics_buf_put(out, "\r\n", 2))
            return false;
        pos += take;
        if (pos >= n)
            return true;
        if (!ics_buf_put(out, " ", 1))
            return false;
        room = ICS_FOLD - 1;
    }
}

/* Unfolds libical's output (lines end in CRLF or LF; a line starting with a
 * space or tab continues the previous one) and writes it again. */
static char *refold(const char *in, size_t *len)
{
    struct ics_buf line = {0}, fixed = {0}, out = {0};
    const char *p = in;
    while (*p != '\0') {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        size_t k = n;
        /* every CR at the end goes, not just one: libical 3.0 folds a line
         * whose text ends at octet 75 between the CR and the LF of its end
         * ("...\r" CRLF " \n"), which left a bare CR in the value (found by
         * fuzzing: any 73-character SUMMARY). No value holds a CR of its own:
         * clean_text turned each into LF or a space. */
        while (k > 0 && p[k - 1] == '\r')
            k--;
        if ((p[0] == ' ' || p[0] == '\t') && line.len > 0) {
            if (!ics_buf_put(&line, p + 1, k - 1))
                goto fail;
        } else {
            if (line.len > 0) {
                const char *l = line.p;
                size_t ln = line.len;
                if (starts_with(l, ln, "CATEGORIES:") || starts_with(l, ln, "X-WR-")) {
                    fixed.len = 0;
                    if (!escape_value(&fixed, l, ln))
                        goto fail;
                    l = fixed.p;
                    ln = fixed.len;
                }
                if (!ics_fold_line(&out, l, ln))
                    goto fail;
            }
            line.len = 0;
            if (k > 0 && !ics_buf_put(&line, p, k))
                goto fail;
        }
        p += eol ? n + 1 : n;
    }
    if (line.len > 0 && !ics_fold_line(&out, line.p, line.len))
        goto fail;
    free(line.p);
    free(fixed.p);
    if (out.p == NULL)
        return NULL;
    *len = out.len;
    return out.p;
fail:
    free(line.p);
    free(fixed.p);
    free(out.p);
    return NULL;
}

/* ---- entry points ----------------------------------------------------- */

char *ics_render(const json_t *calendar, size_t *len)
{
    struct ics_event *evs = NULL;
    struct icaltimetype *times = NULL;
    icalcomponent *cal = NULL, *vtz = NULL;
    char *text = NULL, *result = NULL;
    bool utc = false;

    if (len != NULL)
        *len = 0;
    if (!json_is_object(calendar) || len == NULL)
        return NULL;
    const char *name = req_string(calendar, "name");
    const char *tzid = req_string(calendar, "timezone");
    const json_t *events = json_object_get(calendar, "events");
    if (name == NULL || tzid == NULL || !zone_name_ok(tzid) || !json_is_array(events))
        return NULL;

    size_t n = json_array_size(events);
    evs = calloc(n ? n : 1, sizeof *evs);
    times = calloc(n ? 2 * n : 1, sizeof *times);
    if (evs == NULL || times == NULL)
        goto fail;
    time_t lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        if (!parse_event(json_array_get(events, i), &evs[i]))
            goto fail;
        if (i == 0 || evs[i].starts < lo)
            lo = evs[i].starts;
        if (i == 0 || evs[i].ends > hi)
            hi = evs[i].ends;
    }
    time_t now = time(NULL);
    if (n == 0)
        lo = hi = now;

    /* Everything touching libical's shared zone cache, under one lock. */
    pthread_mutex_lock(&zone_lock);
    icaltimezone *zone = icaltimezone_get_builtin_timezone(tzid);
    if (zone == NULL) {
        pthread_mutex_unlock(&zone_lock);
        goto fail;
    }
    if (zone == icaltimezone_get_utc_timezone()) {
        utc = true; /* "UTC": no VTIMEZONE, times in UTC form */
    } else {
        icalcomponent *shared = icaltimezone_get_component(zone);
        vtz = shared ? icalcomponent_new_clone(shared) : NULL;
        if (vtz == NULL) {
            pthread_mutex_unlock(&zone_lock);
            goto fail;
        }
        for (size_t i = 0; i < n; i++) {
            times[2 * i] = local_time(zone, evs[i].starts);
            times[2 * i + 1] = local_time(zone, evs[i].ends);
        }
    }
    pthread_mutex_unlock(&zone_lock);

    if (utc) {
        for (size_t i = 0; i < n; i++) {
            times[2 * i] = utc_time(evs[i].starts);
            times[2 * i + 1] = utc_time(evs[i].ends);
        }
    } else {
        /* The zone's full history back to 1890 is long; keep the rules in
         * force over the events' span. The clone is ours: no lock. */
        icaltimezone_truncate_vtimezone(vtz, utc_time(lo - 86400), utc_time(hi + 86400), 0);
        /* libical names builtin zones "/freeassociation.sourceforge.net/<IANA>";
         * DTSTART;TZID= uses the plain IANA name, so the VTIMEZONE must too. */
        icalproperty *p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
        if (p == NULL)
            goto fail;
        icalproperty_set_tzid(p, tzid);
    }

    cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
    if (cal == NULL)
        goto fail;
    icalproperty *p;
    if ((p = icalproperty_new_prodid("-//GESS//gess//ES")) == NULL)
        goto fail;
    icalcomponent_add_property(cal, p);
    if ((p = icalproperty_new_version("2.0")) == NULL)
        goto fail;
    icalcomponent_add_property(cal, p);
    if ((p = icalproperty_new_calscale("GREGORIAN")) == NULL)
        goto fail;
    icalcomponent_add_property(cal, p);
    if ((p = icalproperty_new_method(ICAL_METHOD_PUBLISH)) == NULL)
        goto fail;
    icalcomponent_add_property(cal, p);
    if (!add_x(cal, "X-WR-CALNAME", name) || !add_x(cal, "X-WR-TIMEZONE", tzid))
        goto fail;
    if (vtz != NULL) {
        icalcomponent_add_component(cal, vtz);
        vtz = NULL; /* owned by cal now */
    }
    struct icaltimetype stamp = utc_time(now);
    for (size_t i = 0; i < n; i++) {
        icalcomponent *ev =
            build_event(&evs[i], times[2 * i], times[2 * i + 1], utc ? NULL : tzid, stamp);
        if (ev == NULL)
            goto fail;
        icalcomponent_add_component(cal, ev);
    }

    text = icalcomponent_as_ical_string_r(cal);
    if (text == NULL)
        goto fail;
    result = refold(text, len);
fail:
    if (text != NULL)
        icalmemory_free_buffer(text);
    if (cal != NULL)
        icalcomponent_free(cal);
    if (vtz != NULL)
        icalcomponent_free(vtz);
    free(times);
    free(evs);
    if (result == NULL && len != NULL)
        *len = 0;
    return result;
}

void ics_shutdown(void)
{
    pthread_mutex_lock(&zone_lock);
    icaltimezone_free_builtin_timezones();
    pthread_mutex_unlock(&zone_lock);
    /* The calling thread's ring buffer (other threads free theirs on exit). */
    icalmemory_free_ring();
}
