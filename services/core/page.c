/* page.c — the page layer (core/page.h): templates compiled once at
 * start-up and only read afterwards (by every loop), the strings of both
 * languages, the common context, and the answers a page handler gives. */
#include "core/page.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/assets.h"
#include "core/config.h"
#include "core/cookie.h"
#include "core/csrf.h"
#include "core/embedded.h"
#include "core/log.h"
#include "core/req.h"
#include "core/tmpl.h"
#include "core/valid.h"

#define PAGES_DIR "web/pages/"
#define LAYOUT PAGES_DIR "_layout.html"
#define PATH_MAX_LEN 256
#define LANG_MAX_AGE (365 * 24 * 3600)

enum { L_ES, L_EN, N_LANGS };
static const char *const langs[N_LANGS] = {"es", "en"};

struct page_tmpl {
    char *name;
    struct tmpl *t;
    bool form; /* the page's file holds a form: it needs a CSRF secret */
};

static struct page_tmpl *pages;
static size_t n_pages;
static json_t *strings[N_LANGS];
static const struct embedded_file *table;

/* ---- start-up -------------------------------------------------------------- */

static const struct embedded_file *find_file(const char *path)
{
    for (const struct embedded_file *f = table; f != NULL && f->name != NULL; f++)
        if (strcmp(f->name, path) == 0)
            return f;
    return NULL;
}

/* {{>content}} is the page being compiled; {{>x}} is web/pages/_x.html. */
static const char *resolve(void *arg, const char *name, size_t *len, const char **file)
{
    const struct embedded_file *f = NULL;
    if (strcmp(name, "content") == 0) {
        f = arg;
    } else {
        char path[PATH_MAX_LEN];
        int n = snprintf(path, sizeof path, PAGES_DIR "_%s.html", name);
        if (n > 0 && (size_t)n < sizeof path && strcmp(name, "layout") != 0)
            f = find_file(path);
    }
    if (f == NULL)
        return NULL;
    *len = f->len;
    *file = f->name;
    return (const char *)f->data;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct page_tmpl *)a)->name, ((const struct page_tmpl *)b)->name);
}

/* Whether two JSON values have the same keys, recursively (values that
 * are not objects count as leaves). */
static bool same_keys(const json_t *a, const json_t *b, char *where, size_t wlen)
{
    if (!json_is_object(a) || !json_is_object(b))
        return json_is_object(a) == json_is_object(b);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)a, k, v) {
        const json_t *w = json_object_get(b, k);
        if (w == NULL || !same_keys(v, w, where, wlen)) {
            if (where[0] == '\0')
                snprintf(where, wlen, "%s", k);
            return false;
        }
    }
    json_object_foreach((json_t *)b, k, v) {
        if (json_object_get(a, k) == NULL) {
            if (where[0] == '\0')
                snprintf(where, wlen, "%s", k);
            return false;
        }
    }
    return true;
}

/* "web/pages/strings.<area>.<lang>.json" → area (into out), lang index. */
static bool strings_name(const char *path, char *area, size_t arealen, int *lang)
{
    static const char prefix[] = PAGES_DIR "strings.";
    if (strncmp(path, prefix, sizeof prefix - 1) != 0 || !ends_with(path, ".json"))
        return false;
    const char *a = path + sizeof prefix - 1;
    const char *end = path + strlen(path) - strlen(".json");
    const char *dot = end;
    while (dot > a && dot[-1] != '.')
        dot--;
    if (dot <= a + 1 || (size_t)(dot - 1 - a) >= arealen)
        return false;
    memcpy(area, a, (size_t)(dot - 1 - a));
    area[dot - 1 - a] = '\0';
    *lang = -1;
    for (int l = 0; l < N_LANGS; l++)
        if ((size_t)(end - dot) == strlen(langs[l]) && strncmp(dot, langs[l], 2) == 0)
            *lang = l;
    return true;
}

/* Merges every area's strings into strings[es|en]: an area has both
 * languages with the same keys, and no top-level key is in two areas. */
static bool load_strings(char *err, size_t errlen)
{
    json_t *owner = json_object(); /* top-level key -> area */
    for (int l = 0; l < N_LANGS; l++)
        strings[l] = json_object();
    if (owner == NULL || strings[0] == NULL || strings[1] == NULL) {
        snprintf(err, errlen, "page strings: out of memory");
        json_decref(owner);
        return false;
    }
    bool ok = true;
    for (const struct embedded_file *f = table; ok && f->name != NULL; f++) {
        char area[64];
        int l;
        if (!strings_name(f->name, area, sizeof area, &l))
            continue;
        if (l < 0) {
            snprintf(err, errlen, "%s: not strings.<area>.<es|en>.json", f->name);
            ok = false;
            break;
        }
        json_error_t je;
        json_t *doc = json_loadb((const char *)f->data, f->len, JSON_REJECT_DUPLICATES, &je);
        char other[PATH_MAX_LEN];
        snprintf(other, sizeof other, PAGES_DIR "strings.%s.%s.json", area, langs[1 - l]);
        const struct embedded_file *of = find_file(other);
        json_t *odoc = of ? json_loadb((const char *)of->data, of->len, 0, NULL) : NULL;
        char where[128] = "";
        if (doc == NULL) {
            snprintf(err, errlen, "%s:%d:%d: %s", f->name, je.line, je.column, je.text);
            ok = false;
        } else if (!json_is_object(doc)) {
            snprintf(err, errlen, "%s: not a JSON object", f->name);
            ok = false;
        } else if (of == NULL) {
            snprintf(err, errlen, "%s: there is no %s beside it", f->name, other);
            ok = false;
        } else if (odoc != NULL && !same_keys(doc, odoc, where, sizeof where)) {
            snprintf(err, errlen, "%s: key \"%s\" is not in both languages (see %s)", f->name,
                     where, other);
            ok = false;
        }
        const char *k;
        json_t *v;
        if (ok)
            json_object_foreach(doc, k, v) {
                const char *by = json_string_value(json_object_get(owner, k));
                if (by != NULL && strcmp(by, area) != 0) {
                    snprintf(err, errlen, "%s: key \"%s\" is area %s's too", f->name, k, by);
                    ok = false;
                    break;
                }
                if (json_object_set_new(owner, k, json_string(area)) != 0 ||
                    json_object_set(strings[l], k, v) != 0) {
                    snprintf(err, errlen, "page strings: out of memory");
                    ok = false;
                    break;
                }
            }
        json_decref(doc);
        json_decref(odoc);
    }
    json_decref(owner);
    return ok;
}

/* Whether a page holds a form posted back (method="post", any case): it
 * gets a csrf_token, and the pre-session cookie when there is no session.
 * A GET form (a search, a filter) changes nothing and needs neither. */
static bool has_post_form(const char *s)
{
    for (const char *f = strstr(s, "<form"); f != NULL; f = strstr(f + 5, "<form")) {
        const char *end = strchr(f, '>');
        for (const char *m = f; end != NULL && m < end; m++)
            if (strncasecmp(m, "method=\"post\"", 13) == 0)
                return true;
    }
    return false;
}

bool page_init(char *err, size_t errlen)
{
    return page_init_files(embedded_files, err, errlen);
}

bool page_init_files(const struct embedded_file *files, char *err, size_t errlen)
{
    err[0] = '\0';
    page_shutdown();
    table = files;
    if (!assets_init_files(files)) {
        snprintf(err, errlen, "web assets: out of memory");
        goto fail;
    }
    if (!load_strings(err, errlen))
        goto fail;
    const struct embedded_file *layout = find_file(LAYOUT);
    size_t cap = 0;
    for (const struct embedded_file *f = table; f->name != NULL; f++)
        cap++;
    pages = calloc(cap ? cap : 1, sizeof *pages);
    if (pages == NULL) {
        snprintf(err, errlen, "page templates: out of memory");
        goto fail;
    }
    for (const struct embedded_file *f = table; f->name != NULL; f++) {
        const char *base = f->name + strlen(PAGES_DIR);
        if (strncmp(f->name, PAGES_DIR, strlen(PAGES_DIR)) != 0 || !ends_with(base, ".html") ||
            base[0] == '_' || strchr(base, '/') != NULL)
            continue;
        if (layout == NULL) {
            snprintf(err, errlen, "%s: a page but there is no " LAYOUT, f->name);
            goto fail;
        }
        struct page_tmpl *p = &pages[n_pages];
        p->name = strndup(base, strlen(base) - strlen(".html"));
        if (p->name == NULL) {
            snprintf(err, errlen, "page templates: out of memory");
            goto fail;
        }
        n_pages++;
        p->form = has_post_form((const char *)f->data);
        p->t = tmpl_compile(layout->name, (const char *)layout->data, layout->len, TMPL_HTML,
                            resolve, (void *)f, err, errlen);
        if (p->t == NULL)
            goto fail;
    }
    qsort(pages, n_pages, sizeof *pages, by_name);
    return true;
fail:
    page_shutdown();
    return false;
}

void page_shutdown(void)
{
    for (size_t i = 0; i < n_pages; i++) {
        tmpl_free(pages[i].t);
        free(pages[i].name);
    }
    free(pages);
    pages = NULL;
    n_pages = 0;
    for (int l = 0; l < N_LANGS; l++) {
        json_decref(strings[l]);
        strings[l] = NULL;
    }
    table = NULL;
    assets_shutdown();
}

static const struct page_tmpl *page_find(const char *name)
{
    for (size_t i = 0; i < n_pages; i++)
        if (strcmp(pages[i].name, name) == 0)
            return &pages[i];
    return NULL;
}

const json_t *page_strings(const char *lang)
{
    return strings[lang != NULL && strcmp(lang, "en") == 0 ? L_EN : L_ES];
}

/* ---- the request's language -------------------------------------------------- */

/* Whether an Accept-Language header names English (en, en-GB…) with a
 * q above zero. */
static bool names_english(const char *h)
{
    for (const char *p = h; p != NULL && *p != '\0';) {
        while (*p == ' ' || *p == ',')
            p++;
        if ((p[0] == 'e' || p[0] == 'E') && (p[1] == 'n' || p[1] == 'N') &&
            (p[2] == '\0' || p[2] == '-' || p[2] == ';' || p[2] == ',' || p[2] == ' ')) {
            const char *q = strchr(p, ',');
            const char *semi = strstr(p, "q=0");
            if (semi == NULL || (q != NULL && semi > q) || strncmp(semi, "q=0.", 4) == 0)
                return true;
        }
        p = strchr(p, ',');
    }
    return false;
}

void page_begin(struct req *r)
{
    const char *q = req_query_param(r, "lang");
    char cookie[8];
    enum lang l;
    if (q != NULL && (strcmp(q, "es") == 0 || strcmp(q, "en") == 0)) {
        l = strcmp(q, "en") == 0 ? LANG_EN : LANG_ES;
        if (!cookie_req_get(r, PAGE_LANG_COOKIE, cookie, sizeof cookie) || strcmp(cookie, q) != 0)
            if (cookie_set(r, PAGE_LANG_COOKIE, q, LANG_MAX_AGE, 0) != 0)
                log_msg(LOG_WARN, "req %s: the language cookie could not be set", r->id);
    } else if (cookie_req_get(r, PAGE_LANG_COOKIE, cookie, sizeof cookie) &&
               (strcmp(cookie, "es") == 0 || strcmp(cookie, "en") == 0)) {
        l = strcmp(cookie, "en") == 0 ? LANG_EN : LANG_ES;
    } else {
        const char *al = req_header(r, "Accept-Language");
        l = al != NULL && problem_lang(al) == LANG_EN && names_english(al) ? LANG_EN : LANG_ES;
    }
    r->lang = l;
}

const char *page_lang(const struct req *r)
{
    return r->lang == LANG_EN ? "en" : "es";
}

bool page_signed_in(const struct req *r)
{
    return r->auth.ok;
}

const char *page_string(const struct req *r, const char *key)
{
    const json_t *v = page_strings(page_lang(r));
    const char *seg = key;
    while (v != NULL && seg != NULL) {
        const char *dot = strchr(seg, '.');
        size_t k = dot ? (size_t)(dot - seg) : strlen(seg);
        v = json_is_object(v) ? json_object_getn(v, seg, k) : NULL;
        seg = dot ? dot + 1 : NULL;
    }
    return json_is_string(v) ? json_string_value(v) : key;
}

bool page_local_path(const char *p)
{
    if (p == NULL || p[0] != '/' || p[1] == '/' || p[1] == '\\')
        return false;
    for (const char *c = p; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return false;
    return true;
}

/* ---- the context -------------------------------------------------------------- */

/* The current URL with lang=<other> instead of any lang= it had. */
static json_t *other_lang_url(struct req *r, const char *other)
{
    if (!valid_utf8(r->path, strlen(r->path)))
        return json_sprintf("/?lang=%s", other);
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(r->ev);
    const char *q = uri ? evhttp_uri_get_query(uri) : NULL;
    size_t n = strlen(r->path) + (q ? strlen(q) : 0) + 16;
    char *s = malloc(n), *o = s;
    if (s == NULL)
        return NULL;
    o += sprintf(o, "%s?", r->path);
    for (const char *p = q; p != NULL && *p != '\0';) {
        size_t k = strcspn(p, "&");
        if (!(k >= 5 && strncmp(p, "lang=", 5) == 0) && k > 0) {
            memcpy(o, p, k);
            o += k;
            *o++ = '&';
        }
        p += k;
        if (*p == '&')
            p++;
    }
    sprintf(o, "lang=%s", other);
    json_t *v = json_string(s);
    free(s);
    return v;
}

/* Which part of the site a path belongs to, for the nav's aria-current. */
static const char *nav_section(const char *path)
{
    if (strcmp(path, "/") == 0)
        return "home";
    if (strncmp(path, "/practices", 10) == 0)
        return "practices";
    if (strncmp(path, "/pacts", 6) == 0 ||
        (strncmp(path, "/editions/", 10) == 0 && ends_with(path, "/pacts")))
        return "pacts";
    if (strncmp(path, "/series-events/", 15) == 0 || strcmp(path, "/rumbo") == 0 ||
        (strncmp(path, "/editions/", 10) == 0 && ends_with(path, "/rumbo")))
        return "rumbo";
    if (strncmp(path, "/sessions/", 10) == 0 || strcmp(path, "/programme") == 0 ||
        (strncmp(path, "/editions/", 10) == 0 && ends_with(path, "/programme")))
        return "programme";
    if (strcmp(path, "/manage") == 0 || strncmp(path, "/manage/", 8) == 0)
        return "manage";
    if (strncmp(path, "/me", 3) == 0 || strcmp(path, "/login") == 0 || strcmp(path, "/signup") == 0)
        return "account";
    return "other";
}

/* The common context of a page (see page.h); data, values and errors are
 * stolen. NULL when out of memory (or the CSRF cookie failed). */
static json_t *context(struct req *r, const struct page_tmpl *p, json_t *data, json_t *values,
                       json_t *errors, json_t *error_list)
{
    const char *lang = page_lang(r), *other = r->lang == LANG_EN ? "es" : "en";
    const json_t *t = page_strings(lang);
    json_t *me = r->auth.ok && r->auth.me ? json_loads(r->auth.me, 0, NULL) : NULL;
    char secret[44] = "", token[CSRF_MASKED_LEN + 1] = "";
    bool need = p != NULL && (p->form || r->auth.ok);
    if (need && csrf_secret(r, secret))
        csrf_token_masked(secret, token); /* masked anew: pages are compressed */
    sodium_memzero(secret, sizeof secret);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    const char *title = json_string_value(json_object_get(data, "title"));
    if (title == NULL && p != NULL) {
        json_t *own = json_object_get(t, p->name);
        title = json_string_value(json_object_get(own, "title"));
    }
    /* the 404 page of a path that is not UTF-8 (any client can ask for
     * one) shows "/" rather than fail to build: JSON text must be UTF-8 */
    const char *path = valid_utf8(r->path, strlen(r->path)) ? r->path : "/";
    const char *pub = req_config(r)->public_url;
    /* ?notice=<word> after a redirect (a password reset, an erasure): shown
     * only when it is one of core's worded notices (t.notice), so a link
     * cannot make the page say anything of its own */
    const char *word = req_query_param(r, "notice");
    const char *notice =
        word != NULL ? json_string_value(json_object_get(json_object_get(t, "notice"), word))
                     : NULL;
    json_t *ctx = json_pack(
        "{s:s, s:s, s:o?, s:O?, s:o, s:b, s:s, s:s, s:s, s:s, s:i, s:{s:b}, s:s, s:o, s:o, s:o, "
        "s:o, s:b}",
        "lang", lang, "other_lang", other, "other_lang_url", other_lang_url(r, other), "t", t, "me",
        me ? me : json_null(), "signed_in", r->auth.ok, "csrf_token", token, "path", path,
        "assets_v", assets_version(), "public_url", pub ? pub : "", "year", tm.tm_year + 1900,
        "nav", nav_section(r->path), 1, "title", title ? title : "GESS", "data",
        data ? data : json_object(), "values", values ? values : json_object(), "errors",
        errors ? errors : json_object(), "error_list", error_list ? error_list : json_array(),
        "has_errors", json_array_size(error_list) > 0);
    if (ctx != NULL && notice != NULL)
        json_object_set_new(ctx, "notice", json_string(notice));
    /* the layout's link to the staff pages (/manage), for whoever has one */
    if (ctx != NULL && r->auth.ok &&
        (r->auth.roles & (ROLE_ORGANIZER | ROLE_FOLLOWUP | ROLE_CURATOR)) != 0)
        json_object_set_new(ctx, "staff", json_true());
    return ctx;
}

/* Renders p (or fails) and answers; the one exit of every page answer. */
static void reply(struct req *r, int status, const struct page_tmpl *p, json_t *ctx, json_t *raw)
{
    char *out = NULL;
    size_t len = 0;
    char err[256] = "";
    bool ok =
        p != NULL && ctx != NULL && tmpl_render_raw(p->t, ctx, raw, &out, &len, err, sizeof err);
    json_decref(ctx);
    json_decref(raw);
    /* an anonymous render with no token in it may be cached and answered
     * from there (core/page_cache.h) */
    if (ok && status == 200 && r->page_keep != NULL && !p->form && !r->auth.ok &&
        r->page_keep(r, out, len)) {
        free(out);
        return;
    }
    page_headers(r);
    if ((status == 503 || status == 429) &&
        evhttp_find_header(evhttp_request_get_output_headers(r->ev), "Retry-After") == NULL)
        req_add_header(r, "Retry-After", "1");
    if (!ok) {
        static const char fallback[] =
            "<!doctype html><html lang=\"es\"><meta charset=\"utf-8\"><title>GESS</title>"
            "<main><h1>GESS</h1><p>Error interno. Internal error.</p><p><a href=\"/\">GESS</a>"
            "</p></main></html>";
        log_msg(LOG_ERROR, "req %s: page %s: %s", r->id, p ? p->name : "?",
                err[0] ? err : "out of memory");
        req_reply_raw(r, 500, "text/html; charset=utf-8", fallback, sizeof fallback - 1);
        return;
    }
    req_reply_raw(r, status, "text/html; charset=utf-8", out, len);
    free(out);
}

void page_headers(struct req *r)
{
    req_add_header(r, "Content-Security-Policy", PAGE_CSP);
    req_add_header(r, "X-Content-Type-Options", "nosniff");
    req_add_header(r, "Referrer-Policy", "same-origin");
    req_add_header(r, "Cache-Control", "no-store");
}

void page_reply(struct req *r, int status, const char *name, json_t *data, json_t *raw)
{
    const struct page_tmpl *p = page_find(name);
    if (p == NULL) {
        log_msg(LOG_ERROR, "req %s: no page template web/pages/%s.html", r->id, name);
        json_decref(data);
        json_decref(raw);
        reply(r, 500, NULL, NULL, NULL);
        return;
    }
    reply(r, status, p, context(r, p, data, NULL, NULL, NULL), raw);
}

void page_redirect(struct req *r, const char *location)
{
    static const char body[] = "<!doctype html><title>303</title>";
    page_headers(r);
    req_add_header(r, "Location", location);
    req_reply_raw(r, 303, "text/html; charset=utf-8", body, sizeof body - 1);
}

void page_error(struct req *r, int status)
{
    const json_t *t = page_strings(page_lang(r));
    const json_t *errs = json_object_get(t, "error");
    char key[8];
    snprintf(key, sizeof key, "%d", status);
    const json_t *e = json_object_get(errs, key);
    if (e == NULL)
        e = json_object_get(errs, status >= 500 ? "500" : "default");
    json_t *data = json_pack("{s:i, s:s?, s:s?}", "status", status, "title",
                             json_string_value(json_object_get(e, "title")), "message",
                             json_string_value(json_object_get(e, "text")));
    const struct page_tmpl *p = page_find("error");
    reply(r, status, p, p ? context(r, p, data, NULL, NULL, NULL) : NULL, NULL);
    if (p == NULL)
        json_decref(data);
}

/* ---- page_query ------------------------------------------------------------------ */

static void query_done(struct req *r, enum db_status st, PGresult *res)
{
    if (st != DB_OK) {
        if (st != DB_UNAVAILABLE)
            log_msg(LOG_ERROR, "req %s: page %s: query failed: %s %s", r->id, r->page_name,
                    db_sqlstate(res), res ? PQresultErrorMessage(res) : "no result");
        page_error(r, st == DB_UNAVAILABLE ? 503 : 500);
        return;
    }
    if (PQntuples(res) != 1 || PQnfields(res) != 3 || PQgetisnull(res, 0, 0)) {
        log_msg(LOG_ERROR, "req %s: page %s: answer breaks the (status, problem, body) contract",
                r->id, r->page_name);
        page_error(r, 500);
        return;
    }
    int status = atoi(PQgetvalue(res, 0, 0));
    if (!PQgetisnull(res, 0, 1)) {
        page_error(r, problem_status(PQgetvalue(res, 0, 1)));
        return;
    }
    json_t *data =
        PQgetisnull(res, 0, 2) ? json_object() : json_loads(PQgetvalue(res, 0, 2), 0, NULL);
    json_t *raw = json_object();
    if (data == NULL || raw == NULL) {
        json_decref(data);
        json_decref(raw);
        page_error(r, 500);
        return;
    }
    if (r->page_fill != NULL)
        r->page_fill(r, data, raw);
    page_reply(r, status >= 200 && status < 300 && status != 204 ? status : 200, r->page_name, data,
               raw);
}

void page_query(struct req *r, const char *name, const struct db_stmt *stmt, int nparams,
                const char *const *params, page_fill_fn fill)
{
    r->page_name = name;
    r->page_fill = fill;
    req_query(r, stmt, nparams, params, query_done);
}

/* ---- forms ------------------------------------------------------------------------- */

bool page_form_csrf_ok(struct req *r)
{
    const char *presented = json_string_value(json_object_get(r->body, "csrf_token"));
    if (csrf_ok(r, presented))
        return true;
    page_error(r, 403);
    return false;
}

/* values without what must never be echoed */
static json_t *safe_values(json_t *values)
{
    if (!json_is_object(values)) {
        json_decref(values);
        return json_object();
    }
    static const char *const secret[] = {"password", "new_password", "csrf_token", "token"};
    for (size_t i = 0; i < sizeof secret / sizeof secret[0]; i++)
        json_object_del(values, secret[i]);
    return values;
}

static void form_reply(struct req *r, int status, const char *name, json_t *values, json_t *errors,
                       json_t *list)
{
    const struct page_tmpl *p = page_find(name);
    if (p == NULL) {
        json_decref(values);
        json_decref(errors);
        json_decref(list);
        page_reply(r, 500, name, NULL, NULL); /* logs the missing template */
        return;
    }
    reply(r, status, p, context(r, p, NULL, safe_values(values), errors, list), NULL);
}

void page_form_invalid(struct req *r, const char *name, json_t *values, const struct valid *v)
{
    json_t *errors = json_object(), *list = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(v->errors, i, e) {
        const char *field = json_string_value(json_object_get(e, "field"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        if (field == NULL || msg == NULL || errors == NULL || list == NULL)
            continue;
        if (json_object_get(errors, field) == NULL) /* the first message of a field */
            json_object_set_new(errors, field, json_string(msg));
        json_array_append_new(list, json_pack("{s:s, s:s}", "field", field, "message", msg));
    }
    form_reply(r, 422, name, values, errors, list);
}

void page_form(struct req *r, int status, const char *name, json_t *data, json_t *values)
{
    const struct page_tmpl *p = page_find(name);
    if (p == NULL) {
        json_decref(values);
        page_reply(r, 500, name, data, NULL); /* logs the missing template */
        return;
    }
    reply(r, status, p, context(r, p, data, safe_values(values), NULL, NULL), NULL);
}

void page_form_failed(struct req *r, int status, const char *name, json_t *values,
                      const char *message)
{
    json_t *list = json_pack("[{s:s}]", "message", message ? message : "");
    form_reply(r, status, name, values, json_object(), list);
}

void page_form_field_failed(struct req *r, int status, const char *name, json_t *values,
                            const char *field, const char *message)
{
    const char *m = message ? message : "";
    form_reply(r, status, name, values, json_pack("{s:s}", field, m),
               json_pack("[{s:s, s:s}]", "field", field, "message", m));
}

bool page_render_ctx(const char *name, const json_t *ctx, const json_t *raw, char **out)
{
    const struct page_tmpl *p = page_find(name);
    *out = NULL;
    return p != NULL && tmpl_render_raw(p->t, ctx, raw, out, NULL, NULL, 0);
}

static bool is_coded(const char *key, const char *const *coded)
{
    for (const char *const *k = coded; k != NULL && *k != NULL; k++)
        if (strcmp(key, *k) == 0)
            return true;
    return false;
}

void page_decorate(json_t *v, const char *const *coded)
{
    size_t i;
    json_t *x;
    if (json_is_array(v)) {
        json_array_foreach(v, i, x) {
            page_decorate(x, coded);
        }
        return;
    }
    if (!json_is_object(v))
        return;
    json_t *add = json_object();
    if (add == NULL)
        return;
    const char *k;
    json_object_foreach(v, k, x) {
        char name[64];
        if (json_is_string(x) && is_coded(k, coded)) {
            snprintf(name, sizeof name, "%s_is", k);
            json_object_set_new(add, name, json_pack("{s:b}", json_string_value(x), 1));
        } else if (strcmp(k, "progress") == 0 && json_is_number(x)) {
            json_object_set_new(add, "percent",
                                json_integer((json_int_t)floor(json_number_value(x) * 100 + 1e-6)));
        } else if (json_is_array(x) || json_is_object(x)) {
            if (json_is_array(x) && json_array_size(x) > 0) {
                snprintf(name, sizeof name, "%s_any", k);
                json_object_set_new(add, name, json_true());
            }
            page_decorate(x, coded);
        }
    }
    json_object_update(v, add);
    json_decref(add);
}
