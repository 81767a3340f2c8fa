/* page.h — the pages people use (DESIGN.md §9): server-rendered HTML from
 * web/pages/ templates inside one layout, with the page headers (a strict
 * CSP, nosniff, Referrer-Policy). */
#ifndef GESS_PAGE_H
#define GESS_PAGE_H

struct req;

/* The Content-Security-Policy of every page: nothing from another origin,
 * no inline script or style (so no style= or onclick=), no framing. */
#define PAGE_CSP                                                                \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " \
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

/* Adds the headers every page answer carries: CSP, X-Content-Type-Options,
 * Referrer-Policy, Cache-Control no-store (pages show who is signed in). */
void page_headers(struct req *r);

void page_redirect(struct req *r, const char *location); /* 303 See Other */
void page_error(struct req *r, int status);              /* 403 404 409 500 503 */

#endif
