/* page.c — the page layer (core/page.h). */
#include "core/page.h"

#include <stdio.h>

#include "core/req.h"

void page_headers(struct req *r)
{
    req_add_header(r, "Content-Security-Policy", PAGE_CSP);
    req_add_header(r, "X-Content-Type-Options", "nosniff");
    req_add_header(r, "Referrer-Policy", "same-origin");
    req_add_header(r, "Cache-Control", "no-store");
}

void page_error(struct req *r, int status)
{
    char body[512];
    int n =
        snprintf(body, sizeof body,
                 "<!doctype html><html lang=\"es\"><meta charset=\"utf-8\">"
                 "<title>%d</title><main><h1>%d</h1><p><a href=\"/\">GESS</a></p></main></html>",
                 status, status);
    page_headers(r);
    req_reply_raw(r, status, "text/html; charset=utf-8", body, (size_t)n);
}

void page_redirect(struct req *r, const char *location)
{
    static const char body[] = "<!doctype html><title>303</title>";
    page_headers(r);
    req_add_header(r, "Location", location);
    req_reply_raw(r, 303, "text/html; charset=utf-8", body, sizeof body - 1);
}
