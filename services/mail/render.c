/* render.c — the mail templates, all compiled at start-up from the files
 * embedded under web/mail/ (tools/embed.sh), so a broken one stops gessd
 * before any mail goes out, and rendering is only reading trees. */
#include "mail/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"
#include "core/tmpl.h"
#include "mail/dates.h"

#define MAIL_DIR "web/mail/"
#define PATH_MAX_LEN 256

enum { L_ES, L_EN, N_LANGS };
static const char *const langs[N_LANGS] = {"es", "en"};

struct kind {
    char *name;
    struct tmpl *subject[N_LANGS], *text[N_LANGS], *html[N_LANGS];
};

static struct kind *kinds;
static size_t n_kinds;
static const struct embedded_file *table; /* the files compiled from */

/* What a partial tag of one template resolves against. */
struct resolver {
    const char *lang, *ext;
    const struct embedded_file *body; /* {{>body}}: the kind's own .html */
};

static const struct embedded_file *find(const char *fmt, const char *a, const char *b,
                                        const char *c)
{
    char path[PATH_MAX_LEN];
    int n = snprintf(path, sizeof path, fmt, a, b, c);
    if (n < 0 || (size_t)n >= sizeof path)
        return NULL;
    for (const struct embedded_file *f = table; f != NULL && f->name != NULL; f++)
        if (strcmp(f->name, path) == 0)
            return f;
    return NULL;
}

/* {{>name}}: body, then web/mail/_<name>.<lang>.<ext> (a partial), then
 * the es one, then web/mail/<name>.<lang>.<ext> and its es one, then
 * web/mail/<name> as written (so {{>_layout.es.html}} works too). */
static const char *resolve(void *arg, const char *name, size_t *len, const char **file)
{
    const struct resolver *r = arg;
    const struct embedded_file *f = NULL;
    if (strcmp(name, "body") == 0)
        f = r->body;
    if (f == NULL && strcmp(name, "body") != 0) {
        /* partial files are named _<name> so they are not taken for kinds */
        f = find(MAIL_DIR "_%s.%s.%s", name, r->lang, r->ext);
        if (f == NULL)
            f = find(MAIL_DIR "_%s.%s.%s", name, "es", r->ext);
        if (f == NULL)
            f = find(MAIL_DIR "%s.%s.%s", name, r->lang, r->ext);
        if (f == NULL)
            f = find(MAIL_DIR "%s.%s.%s", name, "es", r->ext);
        if (f == NULL)
            f = find(MAIL_DIR "%s%s%s", name, "", "");
    }
    if (f == NULL)
        return NULL;
    *len = f->len;
    *file = f->name;
    return (const char *)f->data;
}

/* An error "file:L:C: what" from a template compiled out of part of file,
 * whose first byte stands at line line0, column col0, written with the
 * file's own line and column. */
static void place_error(char *err, size_t errlen, const char *file, int line0, int col0)
{
    size_t n = strlen(file);
    unsigned line, col;
    int used = 0;
    if (strncmp(err, file, n) != 0 || sscanf(err + n, ":%u:%u:%n", &line, &col, &used) != 2 ||
        used == 0)
        return;
    char rest[512];
    snprintf(rest, sizeof rest, "%s", err + n + (size_t)used);
    if (line == 1)
        col += (unsigned)col0 - 1;
    line += (unsigned)line0 - 1;
    snprintf(err, errlen, "%s:%u:%u:%s", file, line, col, rest);
}

static bool starts_nocase(const char *s, const char *prefix)
{
    for (; *prefix != '\0'; s++, prefix++)
        if ((*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s) != *prefix)
            return false;
    return true;
}

/* The .txt: "Subject: …" on line 1, a blank line, the body. */
static bool compile_txt(struct kind *k, int l, const struct embedded_file *f, char *err,
                        size_t errlen)
{
    const char *s = (const char *)f->data;
    struct resolver r = {langs[l], "txt", NULL};
    if (strncmp(s, "Subject:", 8) != 0) {
        snprintf(err, errlen, "%s:1:1: the first line must be \"Subject: …\"", f->name);
        return false;
    }
    const char *subj = s + 8;
    while (*subj == ' ')
        subj++;
    const char *eol = strchr(subj, '\n');
    size_t subj_len = eol ? (size_t)(eol - subj) : strlen(subj);
    if (subj_len > 0 && subj[subj_len - 1] == '\r')
        subj_len--;
    k->subject[l] = tmpl_compile(f->name, subj, subj_len, TMPL_SUBJECT, resolve, &r, err, errlen);
    if (k->subject[l] == NULL) {
        place_error(err, errlen, f->name, 1, (int)(subj - s) + 1);
        return false;
    }
    const char *body = eol ? eol + 1 : subj + subj_len;
    int line0 = 2;
    if (body[0] == '\n' || (body[0] == '\r' && body[1] == '\n')) {
        body += body[0] == '\n' ? 1 : 2;
        line0 = 3;
    } else if (body[0] != '\0') {
        snprintf(err, errlen, "%s:2:1: a blank line must follow the subject", f->name);
        return false;
    }
    size_t body_len = f->len - (size_t)(body - s);
    k->text[l] = tmpl_compile(f->name, body, body_len, TMPL_TEXT, resolve, &r, err, errlen);
    if (k->text[l] == NULL) {
        place_error(err, errlen, f->name, line0, 1);
        return false;
    }
    return true;
}

static bool compile_html(struct kind *k, int l, const struct embedded_file *f, char *err,
                         size_t errlen)
{
    const char *s = (const char *)f->data;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    struct resolver r = {langs[l], "html", NULL};
    if (starts_nocase(s, "<!doctype") || starts_nocase(s, "<html")) {
        k->html[l] = tmpl_compile(f->name, (const char *)f->data, f->len, TMPL_HTML, resolve, &r,
                                  err, errlen);
        return k->html[l] != NULL;
    }
    /* a fragment: the layout frames it */
    const struct embedded_file *layout = find(MAIL_DIR "_layout.%s.html%s%s", langs[l], "", "");
    if (layout == NULL)
        layout = find(MAIL_DIR "_layout.%s.html%s%s", "es", "", "");
    if (layout == NULL) {
        snprintf(err, errlen, "%s: a fragment but there is no " MAIL_DIR "_layout.%s.html", f->name,
                 langs[l]);
        return false;
    }
    r.body = f;
    k->html[l] = tmpl_compile(layout->name, (const char *)layout->data, layout->len, TMPL_HTML,
                              resolve, &r, err, errlen);
    return k->html[l] != NULL;
}

/* "web/mail/<kind>.<lang>.<ext>" → kind (into out), lang index, ext; false
 * for partials (_name) and names of another shape. */
static bool split_name(const char *path, char *out, size_t outlen, int *lang, const char **ext)
{
    if (strncmp(path, MAIL_DIR, strlen(MAIL_DIR)) != 0)
        return false;
    const char *base = path + strlen(MAIL_DIR);
    if (base[0] == '_' || strchr(base, '/') != NULL)
        return false;
    const char *dot2 = strrchr(base, '.');
    if (dot2 == NULL || dot2 == base)
        return false;
    const char *dot1 = dot2 - 1;
    while (dot1 > base && *dot1 != '.')
        dot1--;
    if (*dot1 != '.' || dot1 == base || (size_t)(dot1 - base) >= outlen)
        return false;
    *lang = -1;
    for (int l = 0; l < N_LANGS; l++)
        if ((size_t)(dot2 - dot1 - 1) == strlen(langs[l]) &&
            strncmp(dot1 + 1, langs[l], strlen(langs[l])) == 0)
            *lang = l;
    memcpy(out, base, (size_t)(dot1 - base));
    out[dot1 - base] = '\0';
    *ext = dot2 + 1;
    return true;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct kind *)a)->name, ((const struct kind *)b)->name);
}

static struct kind *kind_find(const char *name)
{
    for (size_t i = 0; i < n_kinds; i++)
        if (strcmp(kinds[i].name, name) == 0)
            return &kinds[i];
    return NULL;
}

bool mail_render_init(char *err, size_t errlen)
{
    return mail_render_init_files(embedded_files, err, errlen);
}

bool mail_render_init_files(const struct embedded_file *files, char *err, size_t errlen)
{
    err[0] = '\0';
    mail_render_shutdown();
    table = files;
    size_t cap = 0;
    for (const struct embedded_file *f = table; f->name != NULL; f++)
        cap++;
    kinds = calloc(cap ? cap : 1, sizeof *kinds);
    if (kinds == NULL) {
        snprintf(err, errlen, "mail templates: out of memory");
        return false;
    }
    /* the kinds: every name with a .txt or .html */
    for (const struct embedded_file *f = table; f->name != NULL; f++) {
        char name[128];
        int l;
        const char *ext;
        if (!split_name(f->name, name, sizeof name, &l, &ext))
            continue;
        if (l < 0 || (strcmp(ext, "txt") != 0 && strcmp(ext, "html") != 0)) {
            snprintf(err, errlen, "%s: not <kind>.<es|en>.<txt|html>", f->name);
            goto fail;
        }
        if (kind_find(name) != NULL)
            continue;
        if ((kinds[n_kinds].name = strdup(name)) == NULL) {
            snprintf(err, errlen, "mail templates: out of memory");
            goto fail;
        }
        n_kinds++;
    }
    qsort(kinds, n_kinds, sizeof *kinds, by_name);
    for (size_t i = 0; i < n_kinds; i++) {
        struct kind *k = &kinds[i];
        for (int l = 0; l < N_LANGS; l++) {
            const struct embedded_file *txt = find(MAIL_DIR "%s.%s.%s", k->name, langs[l], "txt");
            const struct embedded_file *html = find(MAIL_DIR "%s.%s.%s", k->name, langs[l], "html");
            if (txt == NULL && (l == L_ES || html != NULL)) {
                snprintf(err, errlen, MAIL_DIR "%s.%s.txt: missing (every kind needs its es text)",
                         k->name, langs[l]);
                goto fail;
            }
            if (txt != NULL && !compile_txt(k, l, txt, err, errlen))
                goto fail;
            if (html != NULL && !compile_html(k, l, html, err, errlen))
                goto fail;
        }
    }
    return true;
fail:
    mail_render_shutdown();
    return false;
}

void mail_render_shutdown(void)
{
    for (size_t i = 0; i < n_kinds; i++) {
        for (int l = 0; l < N_LANGS; l++) {
            tmpl_free(kinds[i].subject[l]);
            tmpl_free(kinds[i].text[l]);
            tmpl_free(kinds[i].html[l]);
        }
        free(kinds[i].name);
    }
    free(kinds);
    kinds = NULL;
    n_kinds = 0;
    table = NULL;
}

const char *mail_render_kind(size_t i)
{
    return i < n_kinds ? kinds[i].name : NULL;
}

void mail_text_free(struct mail_text *m)
{
    if (m == NULL)
        return;
    free(m->subject);
    free(m->text);
    free(m->html);
    m->subject = m->text = m->html = NULL;
}

int mail_render(const char *kind, const char *lang, json_t *ctx, struct mail_text *out, char *err,
                size_t errlen)
{
    memset(out, 0, sizeof *out);
    const struct kind *k = kind ? kind_find(kind) : NULL;
    if (k == NULL) {
        snprintf(err, errlen, "no mail template for kind \"%s\"", kind ? kind : "(null)");
        return -1;
    }
    int l = lang != NULL && strcmp(lang, "en") == 0 ? L_EN : L_ES;
    int lt = k->subject[l] != NULL ? l : L_ES;
    int lh = k->html[l] != NULL ? l : L_ES;
    json_t *html_ctx = NULL;
    if (!tmpl_render(k->subject[lt], ctx, &out->subject, NULL, err, errlen) ||
        !tmpl_render(k->text[lt], ctx, &out->text, NULL, err, errlen))
        goto fail;
    if (k->html[lh] != NULL) {
        /* the layout's <title> is the subject: a shallow copy of the
         * caller's context gains it, the caller's stays as it was */
        if (json_is_object(ctx)) {
            html_ctx = json_copy(ctx);
            if (html_ctx == NULL ||
                json_object_set_new(html_ctx, "subject", json_string(out->subject)) != 0) {
                snprintf(err, errlen, "%s: out of memory", kind);
                goto fail;
            }
        }
        if (!tmpl_render(k->html[lh], html_ctx ? html_ctx : ctx, &out->html, NULL, err, errlen))
            goto fail;
    }
    json_decref(html_ctx);
    return 0;
fail:
    json_decref(html_ctx);
    mail_text_free(out);
    return -1;
}

json_t *mail_render_context(const char *lang, const char *full_name, const char *email,
                            const char *public_url, json_t *payload, const char *unsubscribe_url)
{
    json_t *ctx =
        json_pack("{s:{s:s?, s:s?, s:s}, s:s, s:O?}", "recipient", "full_name", full_name, "email",
                  email, "language", lang != NULL && strcmp(lang, "en") == 0 ? "en" : "es",
                  "public_url", public_url ? public_url : "", "payload", payload);
    if (ctx == NULL)
        return NULL;
    if (unsubscribe_url != NULL &&
        json_object_set_new(ctx, "unsubscribe_url", json_string(unsubscribe_url)) != 0)
        goto fail;
    /* The link a person clicks in the mail's body: a page that asks before
     * unsubscribing (GET /unsubscribe?token=…, the pages issue), since a
     * link scanner's prefetch must not unsubscribe anyone, and the API
     * route is the POST of List-Unsubscribe (RFC 8058) */
    const char *q = unsubscribe_url != NULL ? strchr(unsubscribe_url, '?') : NULL;
    if (q != NULL) {
        size_t n = strlen(public_url ? public_url : "") + strlen("/unsubscribe") + strlen(q) + 1;
        char *page = malloc(n);
        if (page == NULL)
            goto fail;
        snprintf(page, n, "%s/unsubscribe%s", public_url ? public_url : "", q);
        int bad = json_object_set_new(ctx, "unsubscribe_page_url", json_string(page));
        free(page);
        if (bad != 0)
            goto fail;
    }
    const json_t *ed = json_object_get(payload, "edition");
    char dates[128];
    if (mail_dates_span(lang, json_string_value(json_object_get(ed, "starts_on")),
                        json_string_value(json_object_get(ed, "ends_on")), dates, sizeof dates) &&
        json_object_set_new(ctx, "edition_dates", json_string(dates)) != 0)
        goto fail;
    return ctx;
fail:
    json_decref(ctx);
    return NULL;
}
