/* auth.c — bearer tokens and the authentication hop before a handler. */
#include "core/auth.h"

#include <event2/http.h>
#include <event2/util.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/cookie.h"
#include "core/csrf.h"
#include "core/page.h"
#include "core/req.h"

/* One round trip: find a live token, touch its last_used_at at most once a
 * minute (so authenticated reads stay reads), and return the account. */
const struct db_stmt auth_stmt_lookup = {
    "auth_lookup",
    "WITH t AS ("
    "  SELECT id, account_id, last_used_at FROM tokens"
    "   WHERE token_hash = decode($1, 'hex') AND expires_at > now()"
    "     AND last_used_at > now() - make_interval(secs => $2::int)"
    "), touch AS ("
    "  UPDATE tokens SET last_used_at = now() FROM t"
    "   WHERE tokens.id = t.id AND t.last_used_at < now() - interval '1 minute'"
    ")"
    " SELECT a.id, a.roles::text, account_json(a)::text"
    "   FROM t JOIN accounts a ON a.id = t.account_id",
};

void auth_token_new(char token[AUTH_TOKEN_LEN + 1], char hash_hex[65])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, AUTH_TOKEN_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    if (!auth_token_hash(token, hash_hex))
        hash_hex[0] = '\0'; /* unreachable: we just made it token-shaped */
}

bool auth_token_hash(const char *token, char hash_hex[65])
{
    size_t n = strlen(token);
    if (n != AUTH_TOKEN_LEN)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = token[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, n, NULL, 0);
    sodium_bin2hex(hash_hex, 65, h, sizeof h);
    return true;
}

unsigned auth_roles_parse(const char *text)
{
    unsigned bits = 0;
    if (strstr(text, "admin") != NULL)
        bits |= ROLE_ADMIN | ROLE_ORGANIZER | ROLE_FOLLOWUP | ROLE_CURATOR;
    if (strstr(text, "curator") != NULL)
        bits |= ROLE_CURATOR;
    if (strstr(text, "organizer") != NULL)
        bits |= ROLE_ORGANIZER;
    if (strstr(text, "followup") != NULL)
        bits |= ROLE_FOLLOWUP;
    return bits;
}

static bool allowed(enum route_auth need, unsigned roles)
{
    switch (need) {
    case AUTH_NONE:
    case AUTH_OPTIONAL:
    case AUTH_USER:
        return true;
    case AUTH_ORGANIZER:
        return roles & ROLE_ORGANIZER;
    case AUTH_FOLLOWUP:
        return roles & ROLE_FOLLOWUP;
    case AUTH_CURATOR:
        return roles & ROLE_CURATOR;
    case AUTH_ADMIN:
        return roles & ROLE_ADMIN;
    }
    return false;
}

static bool is_page(const struct req *r)
{
    return (r->rt->produces & OUT_HTML) != 0;
}

static bool unsafe_method(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

/* No valid credentials where the route needs some: a page sends the
 * browser to the login form, coming back here afterwards. */
static void refuse_anonymous(struct req *r)
{
    if (!is_page(r)) {
        req_reply_problem(r, "unauthorized", NULL);
        return;
    }
    /* back to where they were after logging in, but only to a page a GET
     * shows: a form's POST target (/me/data/erase) is no page to return to */
    const char *uri = evhttp_request_get_uri(r->ev);
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        page_redirect(r, "/login");
        return;
    }
    char *next = evhttp_uriencode(uri != NULL ? uri : "/", -1, 0);
    char location[1200];
    if (next == NULL || strlen(next) > 1000)
        snprintf(location, sizeof location, "/login");
    else
        snprintf(location, sizeof location, "/login?next=%s", next);
    free(next);
    page_redirect(r, location);
}

/* A gess_session cookie that names no live session: cleared, and the
 * caller is anonymous (served as such where the route allows it). */
static void stale_cookie(struct req *r)
{
    r->auth.by_cookie = false;
    sodium_memzero(r->auth.cookie_token, sizeof r->auth.cookie_token);
    if (cookie_set(r, AUTH_SESSION_COOKIE, "", 0, COOKIE_HTTPONLY) != 0) {
        /* unreachable: the name and empty value are well-formed */
    }
    if (r->rt->auth == AUTH_OPTIONAL) {
        req_run_handler(r);
        return;
    }
    refuse_anonymous(r);
}

static void lookup_done(struct req *r, enum db_status st, PGresult *res)
{
    if (st != DB_OK) {
        req_reply_db_error(r, st, res);
        return;
    }
    if (PQntuples(res) != 1) {
        if (r->auth.by_cookie)
            stale_cookie(r);
        else
            req_reply_problem(r, "unauthorized", NULL);
        return;
    }
    snprintf(r->auth.account_id, sizeof r->auth.account_id, "%s", PQgetvalue(res, 0, 0));
    r->auth.roles = auth_roles_parse(PQgetvalue(res, 0, 1));
    r->auth.me = strdup(PQgetvalue(res, 0, 2));
    if (r->auth.me == NULL) {
        req_reply_problem(r, "internal-error", NULL);
        return;
    }
    r->auth.ok = true;
    /* a cookie rides along on any request a browser sends, another site's
     * too: an API call that changes something must prove it came from our
     * pages (pages check their form's csrf_token themselves) */
    if (r->auth.by_cookie && !is_page(r) && unsafe_method(r->method) &&
        !csrf_ok(r, req_header(r, "X-CSRF-Token"))) {
        req_reply_problem(r, "csrf-failed", NULL);
        return;
    }
    if (!allowed(r->rt->auth, r->auth.roles)) {
        req_reply_problem(r, "forbidden", NULL);
        return;
    }
    req_run_handler(r);
}

void auth_then_handle(struct req *r)
{
    const char *h = req_header(r, "Authorization");
    if (h == NULL) {
        /* a browser: the session cookie, when there is one */
        char *tok = r->auth.cookie_token;
        if (!cookie_req_get(r, AUTH_SESSION_COOKIE, tok, sizeof r->auth.cookie_token) ||
            tok[0] == '\0') {
            if (r->rt->auth == AUTH_OPTIONAL)
                req_run_handler(r);
            else
                refuse_anonymous(r);
            return;
        }
        r->auth.by_cookie = true;
        if (!auth_token_hash(tok, r->auth.token_hash)) {
            stale_cookie(r);
            return;
        }
    } else {
        if (evutil_ascii_strncasecmp(h, "Bearer ", 7) != 0) {
            req_reply_problem(r, "unauthorized", NULL);
            return;
        }
        const char *token = h + 7;
        while (*token == ' ')
            token++;
        if (!auth_token_hash(token, r->auth.token_hash)) {
            req_reply_problem(r, "unauthorized", NULL);
            return;
        }
    }
    char idle[16];
    snprintf(idle, sizeof idle, "%d", req_config(r)->token_idle_s);
    const char *params[] = {r->auth.token_hash, idle};
    req_query(r, &auth_stmt_lookup, 2, params, lookup_done);
}
