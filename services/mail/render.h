/* render.h — a mail's subject, text and HTML from its kind, language and
 * context (TEMPLATES' layer, issue 16: web/mail/<kind>.<lang>.{txt,html}).
 * TEMPORARY until the template layer merges: this header states its
 * interface, render_tmp.c stands in for it. */
#ifndef GESS_MAIL_RENDER_H
#define GESS_MAIL_RENDER_H

#include <jansson.h>
#include <stddef.h>

struct mail_text {
    char *subject, *text, *html; /* malloc'd; mail_text_free() */
};

/* Compiles every template once; non-zero when one is broken. */
int mail_render_init(void);

/* Renders kind in lang (an unknown language falls back to es); non-zero
 * with err filled for an unknown kind or a failed render. */
int mail_render(const char *kind, const char *lang, json_t *ctx, struct mail_text *out, char *err,
                size_t errlen);

void mail_text_free(struct mail_text *t);

#endif
