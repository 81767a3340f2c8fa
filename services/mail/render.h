/* render.h — mail text from the embedded templates web/mail/<kind>.<lang>.txt
 * (first line "Subject: …", a blank line, the text body) and
 * web/mail/<kind>.<lang>.html, with partials web/mail/_<name>.<lang>.<ext>.
 * Langs es and en; es is the fallback. An .html that is not a whole document
 * (it does not start with <!doctype or <html) is the {{>body}} of
 * _layout.<lang>.html, which then frames it (the layout's <title> is
 * {{subject}}, the rendered subject). */
#ifndef GESS_MAIL_RENDER_H
#define GESS_MAIL_RENDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct mail_text {
    char *subject; /* one line: no CR, LF or other control character */
    char *text;
    char *html; /* NULL when the kind has no .html */
};

/* Compiles every embedded web/mail template (once, at start-up, before
 * any mail_render). False with "file:line:col: what" in err when one is
 * broken: a broken template must stop the process from starting. */
bool mail_render_init(char *err, size_t errlen) __attribute__((warn_unused_result));

struct embedded_file;

/* mail_render_init over another table of files (same names, ended by a
 * NULL name, alive until mail_render_shutdown): for the unit tests. */
bool mail_render_init_files(const struct embedded_file *files, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Frees what mail_render_init compiled. */
void mail_render_shutdown(void);

/* The i-th known kind (in name order), NULL past the last. */
const char *mail_render_kind(size_t i);

/* Renders kind in lang (an unknown or NULL lang is es; a kind without the
 * lang's files is es too) over ctx: {recipient: {full_name, email,
 * language}, public_url, payload, unsubscribe_url?, edition_dates?} (see
 * mail_render_context). 0 and *out filled (free with mail_text_free), or -1
 * with err set (unknown kind, render limits, out of memory). Thread safe
 * after mail_render_init. */
int mail_render(const char *kind, const char *lang, json_t *ctx, struct mail_text *out, char *err,
                size_t errlen) __attribute__((warn_unused_result));

void mail_text_free(struct mail_text *m);

/* The render context of one outbox row: recipient {full_name, email,
 * language}, public_url, payload (a reference is taken), unsubscribe_url
 * (when not NULL), and edition_dates when the payload has an edition with
 * starts_on and ends_on. A new reference, NULL when out of memory. */
json_t *mail_render_context(const char *lang, const char *full_name, const char *email,
                            const char *public_url, json_t *payload, const char *unsubscribe_url);

#endif
