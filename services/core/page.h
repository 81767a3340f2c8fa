/* page.h — the pages people use (DESIGN.md §9): server-rendered HTML from
 * the embedded web/pages/ templates inside one layout, in Spanish or
 * English, with the page headers (a strict CSP, nosniff, Referrer-Policy).
 *
 * Files:
 *   web/pages/<name>.html      a page: the {{>content}} of _layout.html;
 *   web/pages/_<name>.html     a partial ({{>name}}); _layout.html the layout;
 *   web/pages/strings.<area>.<es|en>.json  the UI words, all areas merged
 *                              into `t` (an area's two files have the same
 *                              keys; no top-level key is in two areas).
 * Every template is compiled by page_init (serve refuses to start when one
 * fails). The <title> is data.title, else t.<name>.title, else "GESS".
 *
 * A template's context: {lang, other_lang, other_lang_url, t, me (the
 * signed-in account or null), signed_in, csrf_token, path, assets_v,
 * public_url, year, nav: {<section>: true}, title, data (the page's data),
 * errors: {<field>: message}, error_list: [{field, message}], values}.
 * {{{x}}} writes raw.x (trusted HTML the handler made; never user text).
 *
 * Page routes: produces OUT_HTML (answered whatever Accept says), auth
 * AUTH_OPTIONAL (a cookie session fills `me`) or AUTH_USER (an anonymous
 * caller is sent to /login?next=…). Any problem a page route answers
 * (a 403 role, a 404, a 503…) becomes the error page of its status. */
#ifndef GESS_PAGE_H
#define GESS_PAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct req;
struct db_stmt;
struct valid;
struct embedded_file;

/* The Content-Security-Policy of every page: nothing from another origin,
 * no inline script or style (so no style= or onclick=), no framing. */
#define PAGE_CSP                                                                \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " \
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

#define PAGE_LANG_COOKIE "gess_lang"

/* Fills the page's data (and trusted HTML fragments) after SQL answered. */
typedef void (*page_fill_fn)(struct req *r, json_t *data, json_t *raw);

/* Renders page `name` (web/pages/<name>.html inside the layout) with data (stolen
   reference; may be NULL) and raw (trusted fragments for {{{x}}}, stolen, may be
   NULL), answers status with the page headers. */
void page_reply(struct req *r, int status, const char *name, json_t *data, json_t *raw);

/* Runs stmt (an api_answer statement) and renders page `name` with its body as data
   (after fill, when not NULL); a problem answer renders the error page of its status
   (404, 403, 409 as 409 page, 422…); a db error the 503 page. */
void page_query(struct req *r, const char *name, const struct db_stmt *stmt, int nparams,
                const char *const *params, page_fill_fn fill);

void page_redirect(struct req *r, const char *location); /* 303 See Other */
void page_error(struct req *r, int status);              /* 403 404 409 500 503 */

/* The form body of a BODY_FORM route (r->body) after the CSRF check: false when the
   csrf_token field is wrong (then the 403 page was answered). */
bool page_form_csrf_ok(struct req *r) __attribute__((warn_unused_result));

/* Re-renders a form page with 422: `values` (what was typed, never a password) and
   the validation errors of v, each next to its field. */
void page_form_invalid(struct req *r, const char *name, json_t *values, const struct valid *v);

/* The page's language ("es"/"en") and whether the caller is signed in. */
const char *page_lang(const struct req *r);
bool page_signed_in(const struct req *r);

/* page_form_invalid with one error of the form as a whole (no field):
 * shown in the summary only, e.g. a login's generic "wrong email or
 * password". message is in the page's language. */
void page_form_failed(struct req *r, int status, const char *name, json_t *values,
                      const char *message);

/* page_form_failed with the one error at a field: shown next to it and
 * in the summary, e.g. a badge code no registration has. */
void page_form_field_failed(struct req *r, int status, const char *name, json_t *values,
                            const char *field, const char *message);

/* Renders a form page as page_reply does, with values (stolen, may be
 * NULL; a password or token member is dropped) as {{values.x}}: e.g. a
 * form filled from the query (?next=) or from the account. */
void page_form(struct req *r, int status, const char *name, json_t *data, json_t *values);

/* A UI string of the page's language: t.<key> (dotted), or key itself
 * when there is none. Alive until page_shutdown. */
const char *page_string(const struct req *r, const char *key);

/* Whether a local redirect target is safe: starts with "/" and not "//"
 * or "/\", no control characters. */
bool page_local_path(const char *path);

/* Adds the headers every page answer carries: CSP, X-Content-Type-Options,
 * Referrer-Policy, Cache-Control no-store (pages show who is signed in). */
void page_headers(struct req *r);

/* Decides r's page language (?lang=, remembered in the gess_lang cookie
 * for a year; else that cookie; else Accept-Language naming en before es;
 * else Spanish) into r->lang, so validation messages follow it. The
 * dispatcher calls it for page routes and the HTML 404. */
void page_begin(struct req *r);

/* Compiles every embedded page template and merges the strings; joins the
 * assets (core/assets.h). False with "file:line:col: what" in err. */
bool page_init(char *err, size_t errlen) __attribute__((warn_unused_result));

/* page_init over another table of files (ended by a NULL name, alive until
 * page_shutdown): for the unit tests. */
bool page_init_files(const struct embedded_file *files, char *err, size_t errlen)
    __attribute__((warn_unused_result));

void page_shutdown(void);

/* Renders page `name` over ctx (a whole template context) into *out, for
 * the unit tests; false when there is no such page or rendering fails. */
bool page_render_ctx(const char *name, const json_t *ctx, const json_t *raw, char **out)
    __attribute__((warn_unused_result));

/* The merged strings of lang ("es"/"en"), borrowed; NULL before page_init. */
const json_t *page_strings(const char *lang);

/* Prepares API data for a logic-less template, all through v: beside each
 * member named in coded (NULL-terminated) whose value is a string code,
 * `<key>_is: {<code>: true}` (so the template picks its words by code);
 * beside each `progress` number, `percent` (whole, truncated as progress
 * is); beside each non-empty array, `<key>_any: true` (a list section
 * renders once per item, so "whether there is any" needs its own flag). */
void page_decorate(json_t *v, const char *const *coded);

#endif
