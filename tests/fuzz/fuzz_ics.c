/* fuzz_ics.c — the iCalendar writer (core/ics.c) fed fuzzed text where
 * gessd feeds user text: the calendar's name and each event's UID,
 * summary, description, location, URL and categories.
 *
 * Input: one control byte (time zone, number of events), then fields
 * separated by 0xFF (a byte UTF-8 never has, so each field may be UTF-8):
 * name, then per event uid, summary, description, location, url, category.
 * A field jansson refuses (not UTF-8, NUL) is skipped as gessd never gets it;
 * without a usable name the calendar must be refused, and is then rendered
 * under a fixed name, so its events are fuzzed all the same.
 *
 * Checked on every output, as RFC 5545 §3.1 and §3.3.11 want: CRLF line
 * ends and no other CR or LF, lines of at most 75 octets, each one UTF-8
 * on its own (a fold never cuts a character); in TEXT values every , ; \
 * escaped and no control character; and the SUMMARY, UID and X-WR-CALNAME
 * values, unescaped, are exactly the text sent (control characters made
 * spaces or dropped, as ics.c documents). */
#include <jansson.h>
#include <string.h>

#include "core/ics.h"
#include "core/valid.h"
#include "fuzz.h"

#define MAX_EVENTS 3
#define FIELDS 6 /* uid, summary, description, location, url, category */

static const char *const zones[] = {"UTC", "America/Lima", "Europe/Madrid", "Asia/Kathmandu"};

/* What ics.c's clean_text makes of single-line text: CRLF, CR, LF and HTAB
 * a space, other control characters gone. Written apart from ics.c so the
 * check does not copy the code it checks. */
static char *single_line(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    if (out == NULL)
        abort();
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\r' && s[1] == '\n')
            continue; /* the LF that follows makes the one space */
        if (c == '\r' || c == '\n' || c == '\t')
            *o++ = ' ';
        else if (c >= 0x20 && c != 0x7f)
            *o++ = (char)c;
    }
    *o = '\0';
    return out;
}

/* Unescapes a TEXT value in place, checking its escapes as it goes. */
static void unescape(char *v)
{
    char *o = v;
    for (char *p = v; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        FUZZ_CHECK(c != ',' && c != ';', "raw , or ; in a TEXT value");
        FUZZ_CHECK((c >= 0x20 && c != 0x7f) || c == '\t', "control character in a TEXT value");
        if (c == '\\') {
            p++;
            FUZZ_CHECK(*p == '\\' || *p == ',' || *p == ';' || *p == 'n' || *p == 'N',
                       "a backslash that escapes nothing");
            *o++ = (*p == 'n' || *p == 'N') ? '\n' : *p;
        } else {
            *o++ = (char)c;
        }
    }
    *o = '\0';
}

static bool is_prop(const char *line, const char *name)
{
    size_t n = strlen(name);
    return strncmp(line, name, n) == 0 && (line[n] == ':' || line[n] == ';');
}

/* What check_output has seen of the logical lines so far. */
struct seen {
    char **summaries, **uids;
    int nev, summary_i, uid_i;
    const char *name;
    bool saw_name;
};

/* Checks one logical (unfolded) line: a name and ':', TEXT values
 * escaped, SUMMARY, UID and X-WR-CALNAME exactly the text sent. */
static void check_line(char *logical, struct seen *s)
{
    char *colon = strchr(logical, ':');
    FUZZ_CHECK(colon != NULL, "content line without ':'");
    bool text = is_prop(logical, "SUMMARY") || is_prop(logical, "UID") ||
                is_prop(logical, "X-WR-CALNAME") || is_prop(logical, "DESCRIPTION") ||
                is_prop(logical, "LOCATION") || is_prop(logical, "CATEGORIES");
    if (text)
        unescape(colon + 1);
    if (is_prop(logical, "SUMMARY")) {
        FUZZ_CHECK(s->summary_i < s->nev && strcmp(colon + 1, s->summaries[s->summary_i]) == 0,
                   "SUMMARY is not the text sent");
        s->summary_i++;
    } else if (is_prop(logical, "UID")) {
        FUZZ_CHECK(s->uid_i < s->nev && strcmp(colon + 1, s->uids[s->uid_i]) == 0,
                   "UID is not the text sent");
        s->uid_i++;
    } else if (is_prop(logical, "X-WR-CALNAME")) {
        FUZZ_CHECK(strcmp(colon + 1, s->name) == 0, "X-WR-CALNAME is not the text sent");
        s->saw_name = true;
    }
}

/* Checks the folding of out, then each logical line, the last one too,
 * which must be exactly END:VCALENDAR; summaries, uids and name are the
 * exact SUMMARY, UID and X-WR-CALNAME values in the order they come. */
static void check_output(const char *out, size_t len, char **summaries, char **uids, int nev,
                         const char *name)
{
    FUZZ_CHECK(strlen(out) == len, "length or a NUL in the output");
    FUZZ_CHECK(len >= 2 && out[len - 2] == '\r' && out[len - 1] == '\n', "not ended by CRLF");
    char *logical = malloc(len + 1);
    if (logical == NULL)
        abort();
    size_t ln = 0;
    struct seen s = {summaries, uids, nev, 0, 0, name, false};
    for (const char *p = out; *p != '\0';) {
        const char *eol = strstr(p, "\r\n");
        FUZZ_CHECK(eol != NULL, "line without CRLF");
        size_t n = (size_t)(eol - p);
        FUZZ_CHECK(n <= 75, "line over 75 octets");
        FUZZ_CHECK(memchr(p, '\r', n) == NULL && memchr(p, '\n', n) == NULL, "bare CR or LF");
        FUZZ_CHECK(valid_utf8(p, n), "a fold cut a UTF-8 character");
        bool cont = n > 0 && p[0] == ' ';
        FUZZ_CHECK(n > 0, "empty line");
        FUZZ_CHECK(!cont || ln > 0, "output begins with a continuation line");
        if (!cont && ln > 0) {
            logical[ln] = '\0';
            check_line(logical, &s);
            ln = 0;
        }
        memcpy(logical + ln, p + cont, n - cont);
        ln += n - cont;
        p = eol + 2;
    }
    logical[ln] = '\0';
    FUZZ_CHECK(strcmp(logical, "END:VCALENDAR") == 0, "not ended by END:VCALENDAR");
    check_line(logical, &s);
    FUZZ_CHECK(s.summary_i == nev && s.uid_i == nev && s.saw_name,
               "an event or the name went missing");
    free(logical);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *zone = zones[data[0] % 4];
    int nev = 1 + (data[0] >> 2) % MAX_EVENTS;
    /* the fields, split at 0xFF; missing ones are a fixed text */
    json_t *f[1 + MAX_EVENTS * FIELDS] = {0};
    size_t nf = 0, start = 1;
    for (size_t i = 1; i <= size && nf < sizeof f / sizeof f[0]; i++)
        if (i == size || data[i] == 0xFF) {
            const char *text = (const char *)data + start;
            /* NULL for what jansson refuses to decode: not UTF-8, or a NUL */
            f[nf++] = memchr(text, '\0', i - start) ? NULL : json_stringn(text, i - start);
            start = i + 1;
        }
    json_t *cal = json_pack("{s:o?, s:s, s:[]}", "name", f[0] ? json_incref(f[0]) : NULL,
                            "timezone", zone, "events");
    char *summaries[MAX_EVENTS] = {0}, *uids[MAX_EVENTS] = {0};
    char *name = NULL;
    if (cal == NULL)
        goto done;
    /* a name gessd could not send (empty, not UTF-8, a NUL) is refused by
     * ics_render below, then replaced, so its events are fuzzed all the same */
    bool nameless = !json_is_string(json_object_get(cal, "name")) ||
                    json_string_length(json_object_get(cal, "name")) == 0;
    json_t *events = json_object_get(cal, "events");
    for (int e = 0; e < nev; e++) {
        json_t **ef = &f[1 + e * FIELDS];
        const char *uid =
            ef[0] && json_string_length(ef[0]) ? json_string_value(ef[0]) : "u@gess.pe";
        const char *sum = ef[1] && json_string_length(ef[1]) ? json_string_value(ef[1]) : "Sesión";
        json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:i}", "uid", uid, "summary", sum, "starts_at",
                               "2026-05-12T09:00:00-05:00", "ends_at",
                               e == 1 ? "2026-05-12T09:00:00-05:00" : "2026-05-12T10:30:00-05:00",
                               "sequence", e);
        if (ev == NULL)
            goto done;
        const char *opt[] = {"description", "location", "url"};
        for (int k = 0; k < 3; k++)
            if (ef[2 + k] != NULL)
                json_object_set(ev, opt[k], ef[2 + k]);
        if (ef[5] != NULL)
            json_object_set_new(ev, "categories", json_pack("[O, s]", ef[5], "gess, 2026; lima"));
        json_array_append_new(events, ev);
        summaries[e] = single_line(sum);
        uids[e] = single_line(uid);
    }
    size_t len = 0;
    char *out;
    if (nameless) {
        out = ics_render(cal, &len);
        FUZZ_CHECK(out == NULL && len == 0, "ics_render took a calendar without a name");
        json_object_set_new(cal, "name", json_string("Calendario de gess"));
    }
    name = single_line(json_string_value(json_object_get(cal, "name")));
    out = ics_render(cal, &len);
    FUZZ_CHECK(out != NULL, "ics_render refused a valid calendar");
    check_output(out, len, summaries, uids, nev, name);
    free(out);
done:
    for (int e = 0; e < MAX_EVENTS; e++) {
        free(summaries[e]);
        free(uids[e]);
    }
    free(name);
    json_decref(cal);
    for (size_t i = 0; i < nf; i++)
        json_decref(f[i]);
    return 0;
}
