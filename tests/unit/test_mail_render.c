/* test_mail_render.c — the mail layer over the template engine
 * (services/mail): subject/text/html from a kind's files, the shared
 * layout, language fallback, start-up errors naming file, line and column,
 * the edition date spans and the edition .ics. The kinds here are test
 * strings, the layout too. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"
#include "mail/attach_ics.h"
#include "mail/dates.h"
#include "mail/render.h"
#include "unit.h"

#define F(name, text)                                         \
    {                                                         \
        name, (const unsigned char *)(text), sizeof(text) - 1 \
    }

static const char demo_es_txt[] =
    "Subject: Hola {{recipient.full_name}} — {{payload.edition.title}}\n"
    "\n"
    "Hola {{recipient.full_name}}:\n"
    "{{#payload.reason}}\n"
    "Motivo: {{payload.reason}}\n"
    "{{/payload.reason}}\n"
    "Fechas: {{edition_dates}}\n"
    "{{>_sig}}\n";
static const char demo_en_txt[] = "Subject: Hello {{recipient.full_name}}\n"
                                  "\n"
                                  "Hello {{recipient.full_name}}, {{edition_dates}}\n"
                                  "{{>_sig}}\n";
static const char demo_es_html[] =
    "<p>Hola {{recipient.full_name}}</p>\n"
    "<p><a href=\"{{public_url}}/verify-email?token={{payload.token}}\">Verificar</a></p>\n";
static const char sig_es_txt[] = "-- GESS {{public_url}}\n"; /* a file ends in a newline */

/* A layout that frames a fragment (web/mail's kinds are whole documents
 * today, so the layout a fragment needs is the test's own). */
#define LAYOUT(lang, stop)                                                                   \
    "<!DOCTYPE html>\n<html lang=\"" lang "\">\n<head>\n<meta charset=\"utf-8\">\n"          \
    "<title>{{subject}}</title>\n</head>\n<body>\n<main>\n{{>body}}\n</main>\n<footer>\n"    \
    "<p>GESS — <a href=\"{{public_url}}\">{{public_url}}</a></p>\n{{#unsubscribe_url}}\n"  \
    "<p><a href=\"{{unsubscribe_url}}\">" stop "</a></p>\n{{/unsubscribe_url}}\n</footer>\n" \
    "</body>\n</html>\n"
static const char layout_es[] = LAYOUT("es", "Dejar de recibir recordatorios");
static const char layout_en[] = LAYOUT("en", "Stop receiving reminders");

static void check_render(void)
{
    struct embedded_file files[] = {
        F("web/mail/demo.es.txt", demo_es_txt),     F("web/mail/demo.en.txt", demo_en_txt),
        F("web/mail/demo.es.html", demo_es_html),   F("web/mail/_sig.es.txt", sig_es_txt),
        F("web/mail/other.es.txt", "Subject: x\n"), F("web/mail/_layout.es.html", layout_es),
        F("web/mail/_layout.en.html", layout_en),   {NULL, NULL, 0},
    };
    char err[512];
    CHECK(mail_render_init_files(files, err, sizeof err));
    CHECK_STR(mail_render_kind(0), "demo");
    CHECK_STR(mail_render_kind(1), "other");
    CHECK(mail_render_kind(2) == NULL);

    json_t *payload = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "token", "t0k&n", "reason",
                                "aforo <completo>", "edition", "title", "GESS 2026", "starts_on",
                                "2026-08-13", "ends_on", "2026-08-15");
    json_t *ctx = mail_render_context("es", "Ana <b> & \"q\" 'x'\r\nBcc: evil@x.org",
                                      "ana@example.org", "https://gess.example", payload, NULL);
    CHECK(ctx != NULL);
    struct mail_text m;
    CHECK(mail_render("demo", "es", ctx, &m, err, sizeof err) == 0);
    /* the subject is one line: the name's CR LF cannot start a header */
    CHECK_STR(m.subject, "Hola Ana <b> & \"q\" 'x'Bcc: evil@x.org — GESS 2026");
    /* the text is intact, the standalone section lines leave no gap */
    CHECK_STR(m.text, "Hola Ana <b> & \"q\" 'x'\nBcc: evil@x.org:\n"
                      "Motivo: aforo <completo>\n"
                      "Fechas: 13–15 de agosto de 2026\n"
                      "-- GESS https://gess.example\n");
    /* the html is escaped, framed by the layout whose title is the subject */
    CHECK(m.html != NULL && strncmp(m.html, "<!DOCTYPE html>\n<html lang=\"es\">", 32) == 0);
    CHECK(m.html != NULL &&
          strstr(m.html, "<title>Hola Ana &lt;b&gt; &amp; &quot;q&quot; &#39;x&#39;"
                         "Bcc: evil@x.org — GESS 2026</title>") != NULL);
    CHECK(m.html != NULL && strstr(m.html, "<p>Hola Ana &lt;b&gt; &amp; &quot;q&quot; "
                                           "&#39;x&#39;\r\nBcc: evil@x.org</p>") != NULL);
    CHECK(m.html != NULL && strstr(m.html, "href=\"https://gess.example/verify-email?token="
                                           "t0k%26n\"") != NULL);
    CHECK(m.html != NULL && strstr(m.html, "<a href=\"https://gess.example\"") != NULL);
    CHECK(m.html != NULL && strstr(m.html, "recordatorios") == NULL); /* no unsubscribe_url */
    CHECK(json_object_get(ctx, "subject") == NULL); /* the caller's context is untouched */
    mail_text_free(&m);

    /* en: its own text; no en html, so the es one */
    json_decref(ctx);
    ctx = mail_render_context("en", "Bob", "bob@example.org", "https://gess.example", payload,
                              "https://gess.example/v1/unsubscribe?token=k");
    CHECK(mail_render("demo", "en", ctx, &m, err, sizeof err) == 0);
    CHECK_STR(m.subject, "Hello Bob");
    CHECK_STR(m.text, "Hello Bob, 13–15 August 2026\n-- GESS https://gess.example\n");
    CHECK(m.html != NULL && strstr(m.html, "Stop receiving reminders") == NULL);
    CHECK(m.html != NULL && strstr(m.html, "Dejar de recibir recordatorios") != NULL);
    mail_text_free(&m);
    /* an unknown language is es; a kind without html has none */
    CHECK(mail_render("other", "fr", ctx, &m, err, sizeof err) == 0);
    CHECK_STR(m.subject, "x");
    CHECK_STR(m.text, "");
    CHECK(m.html == NULL);
    mail_text_free(&m);
    CHECK(mail_render("nope", "es", ctx, &m, err, sizeof err) == -1);
    CHECK(strstr(err, "nope") != NULL);
    CHECK(m.subject == NULL && m.text == NULL && m.html == NULL);
    json_decref(ctx);
    json_decref(payload);
    mail_render_shutdown();
}

/* A table holding one broken kind must fail with err starting with where. */
static void expect_broken(const char *name, const char *text, const char *where)
{
    struct embedded_file files[] = {
        {name, (const unsigned char *)text, strlen(text)},
        {NULL, NULL, 0},
    };
    char err[512];
    CHECK(!mail_render_init_files(files, err, sizeof err));
    if (strncmp(err, where, strlen(where)) != 0)
        fprintf(stderr, "error was: %s (want %s)\n", err, where);
    CHECK(strncmp(err, where, strlen(where)) == 0);
    CHECK(mail_render_kind(0) == NULL);
}

static void check_broken(void)
{
    expect_broken("web/mail/bad.es.txt", "Subject: a {{{x}}}\n\n", "web/mail/bad.es.txt:1:12: ");
    expect_broken("web/mail/bad.es.txt", "Subject: a\n\nb\n  {{#x}}\n",
                  "web/mail/bad.es.txt:4:3: ");
    expect_broken("web/mail/bad.es.txt", "Hola\n\n", "web/mail/bad.es.txt:1:1: ");
    expect_broken("web/mail/bad.es.txt", "Subject: a\nb\n", "web/mail/bad.es.txt:2:1: ");
    expect_broken("web/mail/bad.en.txt", "Subject: a\n\n", "web/mail/bad.es.txt: missing");
    expect_broken("web/mail/bad.fr.txt", "Subject: a\n\n", "web/mail/bad.fr.txt: not");
    expect_broken("web/mail/bad.es.html", "<!doctype html><script>{{x}}</script>",
                  "web/mail/bad.es.txt: missing");
}

static void check_dates(void)
{
    char b[128];
    static const char *const cases[][4] = {
        {"es", "2026-08-13", "2026-08-15", "13–15 de agosto de 2026"},
        {"en", "2026-08-13", "2026-08-15", "13–15 August 2026"},
        {"es", "2026-08-13", "2026-08-13", "13 de agosto de 2026"},
        {"en", "2026-08-13", "2026-08-13", "13 August 2026"},
        {"es", "2026-07-30", "2026-08-02", "30 de julio – 2 de agosto de 2026"},
        {"en", "2026-07-30", "2026-08-02", "30 July – 2 August 2026"},
        {"es", "2026-12-30", "2027-01-02", "30 de diciembre de 2026 – 2 de enero de 2027"},
        {"en", "2026-12-30", "2027-01-02", "30 December 2026 – 2 January 2027"},
        {NULL, "2026-09-01", "2026-09-03", "1–3 de septiembre de 2026"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK(mail_dates_span(cases[i][0], cases[i][1], cases[i][2], b, sizeof b));
        CHECK_STR(b, cases[i][3]);
    }
    CHECK(!mail_dates_span("es", "2026-08-15", "2026-08-13", b, sizeof b)); /* backwards */
    CHECK(!mail_dates_span("es", "2026-02-30", "2026-03-01", b, sizeof b));
    CHECK(!mail_dates_span("es", NULL, "2026-03-01", b, sizeof b));
    CHECK(!mail_dates_span("es", "2026-08-13", "2026-08-15", b, 10)); /* too small */
}

static void check_ics(void)
{
    json_t *ed = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "slug", "gess-2026", "title",
                           "GESS 2026; el congreso, de todos", "starts_on", "2026-12-30", "ends_on",
                           "2026-12-31", "timezone", "America/Lima", "city", "Lima", "venue",
                           "Centro de Convenciones");
    size_t len = 0;
    char *ics = mail_ics_edition(ed, 1700000000, &len);
    CHECK(ics != NULL && strlen(ics) == len);
    CHECK_STR(ics, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//GESS//gess//ES\r\n"
                   "CALSCALE:GREGORIAN\r\nBEGIN:VEVENT\r\nUID:edition-gess-2026@gess\r\n"
                   "DTSTAMP:20231114T221320Z\r\nDTSTART;VALUE=DATE:20261230\r\n"
                   "DTEND;VALUE=DATE:20270101\r\n"
                   "SUMMARY:GESS 2026\\; el congreso\\, de todos\r\n"
                   "LOCATION:Centro de Convenciones\\, Lima\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    CHECK(ics == NULL || (strstr(ics, "METHOD") == NULL && strstr(ics, "ORGANIZER") == NULL));
    free(ics);
    /* a long title folds at 75 octets without cutting a character */
    json_object_set_new(ed, "title",
                        json_string("ñññññññññññññññññññññññññññññññññññññññññññ"
                                    "ññññññññññññññññññññññ\r\nX-EVIL:1"));
    json_object_set_new(ed, "ends_on", json_string("2028-02-28"));
    json_object_del(ed, "venue");
    ics = mail_ics_edition(ed, 1700000000, &len);
    CHECK(ics != NULL && strstr(ics, "\r\nX-EVIL") == NULL);
    CHECK(ics != NULL && strstr(ics, "DTEND;VALUE=DATE:20280229\r\n") != NULL);
    CHECK(ics != NULL && strstr(ics, "\r\nLOCATION:Lima\r\n") != NULL);
    CHECK(ics != NULL && strstr(ics, "URL:") == NULL);
    for (const char *p = ics; p != NULL && *p != '\0';) {
        const char *eol = strstr(p, "\r\n");
        CHECK(eol != NULL && eol - p <= 75);
        CHECK(eol == NULL || ((unsigned char)eol[2] & 0xC0) != 0x80);
        p = eol ? eol + 2 : NULL;
    }
    free(ics);
    /* a URL (GET /v1/editions/{slug}?format=ics): a URI value, nothing
     * escaped, a control character dropped */
    json_object_set_new(ed, "url", json_string("https://gess.pe/editions/gess-2026\r\nX-EVIL:1"));
    ics = mail_ics_edition(ed, 1700000000, &len);
    CHECK(ics != NULL &&
          strstr(ics, "\r\nURL:https://gess.pe/editions/gess-2026X-EVIL:1\r\nEND:VEVENT") != NULL);
    free(ics);
    json_object_del(ed, "url");
    json_object_set_new(ed, "ends_on", json_string("2026-12-29")); /* before the start */
    CHECK(mail_ics_edition(ed, 1700000000, &len) == NULL && len == 0);
    json_object_set_new(ed, "ends_on", json_string("2026-12-31"));
    json_object_set_new(ed, "slug", json_string("a b"));
    CHECK(mail_ics_edition(ed, 1700000000, &len) == NULL);
    CHECK(mail_ics_edition(NULL, 1700000000, &len) == NULL);
    json_decref(ed);
}

void test_mail_render(void)
{
    check_render();
    check_broken();
    check_dates();
    check_ics();
    /* the real embedded templates all compile */
    char err[512];
    CHECK(mail_render_init(err, sizeof err));
    if (err[0] != '\0')
        fprintf(stderr, "mail_render_init: %s\n", err);
    mail_render_shutdown();
}
