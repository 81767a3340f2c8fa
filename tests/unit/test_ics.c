/* test_ics.c — iCalendar rendering: escaping, folding, CRLF, time zones. */
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/ics.h"
#include "unit.h"

/* Renders a calendar given as JSON text (NULL when ics_render refuses). */
static char *render(const char *json, size_t *len)
{
    json_error_t err;
    json_t *cal = json_loads(json, 0, &err);
    if (cal == NULL) {
        fprintf(stderr, "bad test json: %s\n", err.text);
        return NULL;
    }
    char *out = ics_render(cal, len);
    json_decref(cal);
    return out;
}

/* Every line ends in CRLF, is at most 75 octets and is valid UTF-8 on its
 * own (so folding never cut a character). */
static bool well_formed(const char *s, size_t len)
{
    if (len < 2 || strlen(s) != len || s[len - 2] != '\r' || s[len - 1] != '\n')
        return false;
    const char *p = s;
    while (*p != '\0') {
        const char *eol = strstr(p, "\r\n");
        if (eol == NULL)
            return false;
        size_t n = (size_t)(eol - p);
        if (n > 75 || memchr(p, '\n', n) != NULL || memchr(p, '\r', n) != NULL)
            return false;
        for (size_t i = 0; i < n;) {
            unsigned char c = (unsigned char)p[i];
            size_t k = c < 0x80             ? 1
                       : (c & 0xE0) == 0xC0 ? 2
                       : (c & 0xF0) == 0xE0 ? 3
                       : (c & 0xF8) == 0xF0 ? 4
                                            : 0;
            if (k == 0 || i + k > n)
                return false;
            for (size_t j = 1; j < k; j++)
                if (((unsigned char)p[i + j] & 0xC0) != 0x80)
                    return false;
            i += k;
        }
        p = eol + 2;
    }
    return true;
}

/* s with folds undone (CRLF + space removed), as LF-separated lines. */
static char *unfold(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1), *o = out;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' && s[i + 1] == '\n') {
            if (s[i + 2] == ' ') {
                i += 2;
                continue;
            }
            *o++ = '\n';
            i++;
            continue;
        }
        *o++ = s[i];
    }
    *o = '\0';
    return out;
}

/* True when the unfolded text has exactly this line. */
static bool has_line(const char *unfolded, const char *line)
{
    size_t k = strlen(line);
    for (const char *p = unfolded; (p = strstr(p, line)) != NULL; p++) {
        if ((p == unfolded || p[-1] == '\n') && (p[k] == '\n' || p[k] == '\0'))
            return true;
    }
    return false;
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static void test_basic(void)
{
    size_t len = 0;
    char *out = render(
        "{\"name\":\"GESS 2028, Lima; programa\",\"timezone\":\"America/Lima\",\"events\":["
        "{\"uid\":\"1394cfb2-7cb3-4fa7-bcc1-c617281a575f@gess.pe\",\"summary\":\"Gestión de "
        "residuos, sólidos; tema \\\\ barra\",\"description\":\"Línea 1\\r\\nLínea 2\\nÑandú\","
        "\"location\":\"Sala Ñ, piso 2\",\"url\":\"https://gess.pe/s/1\",\"starts_at\":"
        "\"2028-08-17T14:00:00Z\",\"ends_at\":\"2028-08-17T10:30:00-05:00\",\"sequence\":3,"
        "\"status\":\"CONFIRMED\",\"categories\":[\"Residuos, economía circular\",\"taller\"],"
        "\"last_modified\":\"2028-08-01T12:00:00+02:00\"}]}",
        &len);
    CHECK(out != NULL);
    if (out == NULL)
        return;
    CHECK(well_formed(out, len));
    char *u = unfold(out);
    CHECK(u != NULL);
    if (u != NULL) {
        CHECK(strncmp(u, "BEGIN:VCALENDAR\n", 16) == 0);
        CHECK(has_line(u, "END:VCALENDAR"));
        CHECK(has_line(u, "PRODID:-//GESS//gess//ES"));
        CHECK(has_line(u, "VERSION:2.0"));
        CHECK(has_line(u, "CALSCALE:GREGORIAN"));
        CHECK(has_line(u, "METHOD:PUBLISH"));
        CHECK(has_line(u, "X-WR-CALNAME:GESS 2028\\, Lima\\; programa"));
        CHECK(has_line(u, "X-WR-TIMEZONE:America/Lima"));
        CHECK(has_line(u, "BEGIN:VTIMEZONE"));
        CHECK(has_line(u, "TZID:America/Lima"));
        CHECK(strstr(u, "freeassociation") == NULL);
        CHECK(has_line(u, "UID:1394cfb2-7cb3-4fa7-bcc1-c617281a575f@gess.pe"));
        /* 14:00Z is 09:00 in Lima; 10:30-05:00 is 10:30 there. */
        CHECK(has_line(u, "DTSTART;TZID=America/Lima:20280817T090000"));
        CHECK(has_line(u, "DTEND;TZID=America/Lima:20280817T103000"));
        CHECK(has_line(u, "SUMMARY:Gestión de residuos\\, sólidos\\; tema \\\\ barra"));
        CHECK(has_line(u, "DESCRIPTION:Línea 1\\nLínea 2\\nÑandú"));
        CHECK(has_line(u, "LOCATION:Sala Ñ\\, piso 2"));
        CHECK(has_line(u, "URL:https://gess.pe/s/1"));
        CHECK(has_line(u, "SEQUENCE:3"));
        CHECK(has_line(u, "STATUS:CONFIRMED"));
        CHECK(has_line(u, "CATEGORIES:Residuos\\, economía circular"));
        CHECK(has_line(u, "CATEGORIES:taller"));
        CHECK(has_line(u, "LAST-MODIFIED:20280801T100000Z"));
        CHECK(strstr(u, "\nDTSTAMP:") != NULL && strstr(u, "Z\n") != NULL);
        CHECK(count(u, "BEGIN:VEVENT") == 1);
        free(u);
    }
    free(out);
}

static void test_folding(void)
{
    /* 200 two-octet characters plus 3-octet and 4-octet ones at every
     * alignment: folding must cut between characters only. */
    char summary[2000] = "";
    for (int i = 0; i < 150; i++)
        strcat(summary, "Ñ");
    strcat(summary, "x");
    for (int i = 0; i < 60; i++)
        strcat(summary, "€");
    strcat(summary, "ab");
    for (int i = 0; i < 40; i++)
        strcat(summary, "😀");
    char json[4400];
    snprintf(json, sizeof json,
             "{\"name\":\"x\",\"timezone\":\"Europe/Madrid\",\"events\":[{\"uid\":\"u@gess.pe\","
             "\"summary\":\"%s\",\"description\":\"%s\",\"starts_at\":\"2028-01-10T09:00:00Z\","
             "\"ends_at\":\"2028-01-10T10:00:00Z\"}]}",
             summary, summary);
    size_t len = 0;
    char *out = render(json, &len);
    CHECK(out != NULL);
    if (out == NULL)
        return;
    CHECK(well_formed(out, len));
    CHECK(strstr(out, "\r\n ") != NULL); /* it did fold */
    char *u = unfold(out);
    if (u != NULL) {
        char want[2100];
        snprintf(want, sizeof want, "SUMMARY:%s", summary);
        CHECK(has_line(u, want));
        snprintf(want, sizeof want, "DESCRIPTION:%s", summary);
        CHECK(has_line(u, want));
        /* Madrid in winter is UTC+1. */
        CHECK(has_line(u, "DTSTART;TZID=Europe/Madrid:20280110T100000"));
        CHECK(has_line(u, "TZID:Europe/Madrid"));
        free(u);
    }
    free(out);
}

static void test_zones(void)
{
    size_t len = 0;
    /* Summer in Madrid (UTC+2), an instant given in another offset, and an
     * event across the October change back to UTC+1. */
    char *out = render(
        "{\"name\":\"x\",\"timezone\":\"Europe/Madrid\",\"events\":["
        "{\"uid\":\"a@gess.pe\",\"summary\":\"A\",\"starts_at\":\"2028-08-17T09:00:00-05:00\","
        "\"ends_at\":\"2028-08-17T16:15:30.500Z\"},"
        "{\"uid\":\"b@gess.pe\",\"summary\":\"B\",\"starts_at\":\"2028-10-28T23:00:00Z\","
        "\"ends_at\":\"2028-10-29T03:00:00Z\"}]}",
        &len);
    CHECK(out != NULL);
    if (out != NULL) {
        CHECK(well_formed(out, len));
        char *u = unfold(out);
        if (u != NULL) {
            CHECK(has_line(u, "DTSTART;TZID=Europe/Madrid:20280817T160000"));
            CHECK(has_line(u, "DTEND;TZID=Europe/Madrid:20280817T181530"));
            CHECK(has_line(u, "DTSTART;TZID=Europe/Madrid:20281029T010000"));
            CHECK(has_line(u, "DTEND;TZID=Europe/Madrid:20281029T040000"));
            /* The VTIMEZONE covers both offsets of the span. */
            CHECK(has_line(u, "TZOFFSETTO:+0200") && has_line(u, "TZOFFSETTO:+0100"));
            free(u);
        }
        free(out);
    }
    /* UTC: no VTIMEZONE, times in UTC form. */
    out = render("{\"name\":\"x\",\"timezone\":\"UTC\",\"events\":[{\"uid\":\"a@gess.pe\","
                 "\"summary\":\"A\",\"starts_at\":\"2028-08-17T09:00:00-05:00\","
                 "\"ends_at\":\"2028-08-17T15:00:00Z\"}]}",
                 &len);
    CHECK(out != NULL);
    if (out != NULL) {
        char *u = unfold(out);
        if (u != NULL) {
            CHECK(has_line(u, "DTSTART:20280817T140000Z"));
            CHECK(has_line(u, "DTEND:20280817T150000Z"));
            CHECK(strstr(u, "VTIMEZONE") == NULL);
            free(u);
        }
        free(out);
    }
}

static void test_cancelled_and_optional(void)
{
    size_t len = 0;
    char *out = render("{\"name\":\"Rumbo al GESS\",\"timezone\":\"America/Lima\",\"events\":["
                       "{\"uid\":\"series-x@gess.pe\",\"summary\":\"Webinar\",\"status\":"
                       "\"CANCELLED\",\"sequence\":1,\"starts_at\":\"2028-03-05T00:00:00Z\","
                       "\"ends_at\":\"2028-03-05T00:00:00Z\"},"
                       "{\"uid\":\"y@gess.pe\",\"summary\":\"Mínimo\",\"description\":null,"
                       "\"location\":null,\"url\":null,\"sequence\":null,\"status\":null,"
                       "\"categories\":null,\"last_modified\":null,"
                       "\"starts_at\":\"2028-03-06T15:00:00Z\",\"ends_at\":"
                       "\"2028-03-06T16:00:00Z\"}]}",
                       &len);
    CHECK(out != NULL);
    if (out == NULL)
        return;
    CHECK(well_formed(out, len));
    char *u = unfold(out);
    if (u != NULL) {
        CHECK(has_line(u, "STATUS:CANCELLED"));
        CHECK(has_line(u, "STATUS:CONFIRMED"));
        CHECK(has_line(u, "SEQUENCE:1"));
        CHECK(has_line(u, "SEQUENCE:0"));
        /* Zero-length event: DTSTART only (19:00 the previous day in Lima). */
        CHECK(has_line(u, "DTSTART;TZID=America/Lima:20280304T190000"));
        CHECK(count(u, "DTEND") == 1);
        CHECK(strstr(u, "\nDESCRIPTION") == NULL && strstr(u, "\nLOCATION") == NULL &&
              strstr(u, "\nURL") == NULL && strstr(u, "\nCATEGORIES") == NULL &&
              strstr(u, "\nLAST-MODIFIED") == NULL);
        CHECK(count(u, "BEGIN:VEVENT") == 2);
        free(u);
    }
    free(out);

    /* No events: still a valid calendar with its VTIMEZONE. */
    out = render("{\"name\":\"Mi agenda\",\"timezone\":\"America/Lima\",\"events\":[]}", &len);
    CHECK(out != NULL);
    if (out != NULL) {
        CHECK(well_formed(out, len));
        CHECK(strstr(out, "BEGIN:VTIMEZONE") != NULL && strstr(out, "VEVENT") == NULL);
        free(out);
    }

    /* Control characters are dropped, never passed through. */
    out = render("{\"name\":\"a\\u0001b\\nc\",\"timezone\":\"America/Lima\",\"events\":["
                 "{\"uid\":\"z@gess.pe\",\"summary\":\"s\\u0007\\rx\",\"starts_at\":"
                 "\"2028-03-06T15:00:00Z\",\"ends_at\":\"2028-03-06T16:00:00Z\"}]}",
                 &len);
    CHECK(out != NULL);
    if (out != NULL) {
        CHECK(well_formed(out, len));
        char *u2 = unfold(out);
        if (u2 != NULL) {
            CHECK(has_line(u2, "X-WR-CALNAME:ab c"));
            CHECK(has_line(u2, "SUMMARY:s x"));
            free(u2);
        }
        free(out);
    }
}

static void test_invalid(void)
{
    static const char *const bad[] = {
        "[]",
        "{\"timezone\":\"America/Lima\",\"events\":[]}",
        "{\"name\":\"\",\"timezone\":\"America/Lima\",\"events\":[]}",
        "{\"name\":\"x\",\"events\":[]}",
        "{\"name\":\"x\",\"timezone\":\"Mars/Olympus\",\"events\":[]}",
        "{\"name\":\"x\",\"timezone\":\"../../etc/passwd\",\"events\":[]}",
        "{\"name\":\"x\",\"timezone\":\"America/Lima\"}",
        "{\"name\":\"x\",\"timezone\":\"America/Lima\",\"events\":{}}",
        "{\"name\":\"x\",\"timezone\":\"America/Lima\",\"events\":[1]}",
        /* each event field in turn */
        "{\"name\":\"x\",\"timezone\":\"America/Lima\",\"events\":[{\"summary\":\"s\","
        "\"starts_at\":\"2028-03-06T15:00:00Z\",\"ends_at\":\"2028-03-06T16:00:00Z\"}]}",
        "{\"name\":\"x\",\"timezone\":\"America/Lima\",\"events\":[{\"uid\":\"u\","
        "\"starts_at\":\"2028-03-06T15:00:00Z\",\"ends_at\":\"2028-03-06T16:00:00Z\"}]}",
        "{\"name\":\"x\",\"timezone\":\"America/Lima\",\"events\":[{\"uid\":\"u\",\"summary\":"
        "\"s\",\"starts_at\":\"2028-03-06 15:00\",\"ends_at\":\"2028-03-06T16:00:00Z\"}]}",
        "{\"name\":\"x\",\"timezone\":\"America/Lima\",\"events\":[{\"uid\":\"u\",\"summary\":"
        "\"s\",\"starts_at\":\"2028-03-06T15:00:00Z\"}]}",
        "{\"name\":\"x\",\"timezone\":\"America/Lima\",\"events\":[{\"uid\":\"u\",\"summary\":"
        "\"s\",\"starts_at\":\"2028-03-06T15:00:00Z\",\"ends_at\":\"2028-03-06T14:00:00Z\"}]}",
        "{\"name\":\"x\",\"timezone\":\"America/Lima\",\"events\":[{\"uid\":\"u\",\"summary\":"
        "\"s\",\"starts_at\":\"2028-03-06T15:00:00Z\",\"ends_at\":\"2028-03-06T16:00:00Z\","
        "\"status\":\"cancelled\"}]}",
        "{\"name\":\"x\",\"timezone\":\"America/Lima\",\"events\":[{\"uid\":\"u\",\"summary\":"
        "\"s\",\"starts_at\":\"2028-03-06T15:00:00Z\",\"ends_at\":\"2028-03-06T16:00:00Z\","
        "\"sequence\":-1}]}",
        "{\"name\":\"x\",\"timezone\":\"America/Lima\",\"events\":[{\"uid\":\"u\",\"summary\":"
        "\"s\",\"starts_at\":\"2028-03-06T15:00:00Z\",\"ends_at\":\"2028-03-06T16:00:00Z\","
        "\"sequence\":\"1\"}]}",
        "{\"name\":\"x\",\"timezone\":\"America/Lima\",\"events\":[{\"uid\":\"u\",\"summary\":"
        "\"s\",\"starts_at\":\"2028-03-06T15:00:00Z\",\"ends_at\":\"2028-03-06T16:00:00Z\","
        "\"categories\":[1]}]}",
        "{\"name\":\"x\",\"timezone\":\"America/Lima\",\"events\":[{\"uid\":\"u\",\"summary\":"
        "\"s\",\"starts_at\":\"2028-03-06T15:00:00Z\",\"ends_at\":\"2028-03-06T16:00:00Z\","
        "\"categories\":\"a\"}]}",
        "{\"name\":\"x\",\"timezone\":\"America/Lima\",\"events\":[{\"uid\":\"u\",\"summary\":"
        "\"s\",\"starts_at\":\"2028-03-06T15:00:00Z\",\"ends_at\":\"2028-03-06T16:00:00Z\","
        "\"description\":5}]}",
        "{\"name\":\"x\",\"timezone\":\"America/Lima\",\"events\":[{\"uid\":\"u\",\"summary\":"
        "\"s\",\"starts_at\":\"2028-03-06T15:00:00Z\",\"ends_at\":\"2028-03-06T16:00:00Z\","
        "\"last_modified\":\"yesterday\"}]}",
        /* beyond what libical's zone tables cover */
        "{\"name\":\"x\",\"timezone\":\"America/Lima\",\"events\":[{\"uid\":\"u\",\"summary\":"
        "\"s\",\"starts_at\":\"9999-12-31T22:00:00Z\",\"ends_at\":\"9999-12-31T23:00:00Z\"}]}",
        "{\"name\":\"x\",\"timezone\":\"UTC\",\"events\":[{\"uid\":\"u\",\"summary\":"
        "\"s\",\"starts_at\":\"9999-12-31T22:00:00Z\",\"ends_at\":\"9999-12-31T23:00:00Z\"}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = 99;
        char *out = render(bad[i], &len);
        if (out != NULL)
            fprintf(stderr, "accepted bad calendar #%zu\n", i);
        CHECK(out == NULL);
        CHECK(len == 0);
        free(out);
    }
    size_t len;
    CHECK(ics_render(NULL, &len) == NULL);
}

/* Several threads render at once in different zones (gessd's workers do);
 * run under ASan/UBSan this also checks the zone lock. */
static void *render_thread(void *arg)
{
    static const char *const zones[] = {"America/Lima", "Europe/Madrid", "America/Bogota",
                                        "Asia/Tokyo"};
    const char *zone = zones[(size_t)arg % 4];
    char json[512];
    snprintf(json, sizeof json,
             "{\"name\":\"x\",\"timezone\":\"%s\",\"events\":[{\"uid\":\"u@gess.pe\","
             "\"summary\":\"s\",\"starts_at\":\"2028-08-17T14:00:00Z\",\"ends_at\":"
             "\"2028-08-17T15:00:00Z\"}]}",
             zone);
    long ok = 0;
    for (int i = 0; i < 25; i++) {
        size_t len;
        char *out = render(json, &len);
        if (out != NULL && strstr(out, "DTSTART;TZID=") != NULL)
            ok++;
        free(out);
    }
    return (void *)ok;
}

static void test_threads(void)
{
    pthread_t t[8];
    for (size_t i = 0; i < 8; i++)
        CHECK(pthread_create(&t[i], NULL, render_thread, (void *)i) == 0);
    for (size_t i = 0; i < 8; i++) {
        void *ok = NULL;
        pthread_join(t[i], &ok);
        CHECK((long)ok == 25);
    }
}

/* A value whose line ends at octet 75 once libical folded it: libical
 * folds between that line's CR and LF, which once left a bare CR in the
 * SUMMARY (found by tests/fuzz/fuzz_ics). Every length around it. */
static void test_fold_at_line_end(void)
{
    for (size_t n = 60; n <= 160; n++) {
        char summary[161], json[512];
        memset(summary, 'a', n);
        summary[n] = '\0';
        snprintf(json, sizeof json,
                 "{\"name\":\"%s\",\"timezone\":\"UTC\",\"events\":[{\"uid\":\"u@gess.pe\","
                 "\"summary\":\"%s\",\"starts_at\":\"2028-08-17T09:00:00-05:00\","
                 "\"ends_at\":\"2028-08-17T10:00:00-05:00\"}]}",
                 summary, summary);
        size_t len;
        char *out = render(json, &len);
        CHECK(out != NULL && well_formed(out, len));
        char *u = out ? unfold(out) : NULL;
        char line[200];
        snprintf(line, sizeof line, "SUMMARY:%s", summary);
        CHECK(u != NULL && has_line(u, line));
        free(u);
        free(out);
    }
}

void test_ics(void)
{
    test_fold_at_line_end();
    test_basic();
    test_folding();
    test_zones();
    test_cancelled_and_optional();
    test_invalid();
    test_threads();
    ics_shutdown();
}
