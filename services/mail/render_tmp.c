/* render_tmp.c — TEMPORARY until the template layer merges (issue 16,
 * helper TEMPLATES writes services/mail/render.c): the subject is the
 * kind, the text part the context as JSON, the HTML part the same JSON
 * HTML-escaped in a <pre>. Enough for the sender and its tests to run; the
 * lead replaces this file at merge. */
#include "mail/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mail_render_init(void)
{
    return 0;
}

static char *html_escape(const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++)
        n += *p == '&' ? 5 : *p == '<' || *p == '>' ? 4 : *p == '"' || *p == '\'' ? 6 : 1;
    char *out = malloc(n + 1), *o = out;
    if (out == NULL)
        return NULL;
    for (const char *p = s; *p; p++) {
        const char *r = *p == '&'    ? "&amp;"
                        : *p == '<'  ? "&lt;"
                        : *p == '>'  ? "&gt;"
                        : *p == '"'  ? "&quot;"
                        : *p == '\'' ? "&#39;"
                                     : NULL;
        if (r != NULL) {
            memcpy(o, r, strlen(r));
            o += strlen(r);
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

int mail_render(const char *kind, const char *lang, json_t *ctx, struct mail_text *out, char *err,
                size_t errlen)
{
    (void)lang;
    memset(out, 0, sizeof *out);
    char *json = json_dumps(ctx, JSON_INDENT(2) | JSON_SORT_KEYS);
    char *esc = json ? html_escape(json) : NULL;
    size_t hl = esc ? strlen(esc) + 64 : 0;
    out->subject = strdup(kind);
    out->text = json;
    out->html = esc ? malloc(hl) : NULL;
    if (out->html != NULL)
        snprintf(out->html, hl, "<html><body><pre>%s</pre></body></html>", esc);
    free(esc);
    if (out->subject == NULL || out->text == NULL || out->html == NULL) {
        mail_text_free(out);
        snprintf(err, errlen, "out of memory rendering %s", kind);
        return -1;
    }
    return 0;
}

void mail_text_free(struct mail_text *t)
{
    free(t->subject);
    free(t->text);
    free(t->html);
    t->subject = t->text = t->html = NULL;
}
