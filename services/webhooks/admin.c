/* admin.c — POST/GET /v1/webhooks and GET/PATCH/DELETE /v1/webhooks/{id}
 * (admins). Bodies are checked here, once, before SQL: the url as
 * libcurl, which delivers, parses it; the events against the nine there
 * are. A literal private address is not refused here: the connect-time
 * check of `gessd notify` is the one policy point (names resolve to
 * private addresses too). */
#include <curl/curl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/req.h"
#include "webhooks/webhooks.h"

const struct db_stmt webhooks_stmt_create = DB_ANSWER(webhooks_create, "$1::jsonb, $2, $3::uuid");
const struct db_stmt webhooks_stmt_list = DB_ANSWER(webhooks_list, "$1::uuid, $2::int");
const struct db_stmt webhooks_stmt_get = DB_ANSWER(webhooks_get, "$1::uuid");
const struct db_stmt webhooks_stmt_patch = DB_ANSWER(webhooks_patch, "$1::uuid, $2::jsonb");
const struct db_stmt webhooks_stmt_delete = DB_ANSWER(webhooks_delete, "$1::uuid");

/* The events an endpoint may want: the CHECK of 0023_webhooks.sql lists
 * the same nine, and grows with it. */
static const char *const events[] = {
    "registration.created",   "registration.confirmed",
    "registration.cancelled", "registration.checked_in",
    "schedule.released",      "series_event.changed",
    "pact.updated",           "measurement.verified",
    "practice.published",     NULL,
};
#define NEVENTS (sizeof events / sizeof events[0] - 1)

#define URL_MAX 2000
#define DESCRIPTION_MAX 500
#define SECRET_BYTES 32
#define SECRET_PREFIX "whsec_"

/* What is wrong with a webhook url, or MSG_COUNT when nothing is. The
 * scheme, in lower case as the table's CHECK wants it, and the authority
 * (up to the first / ? #) read from the text itself, so what the CHECK
 * sees is what was checked; libcurl then says whether it is a URL with a
 * host and whether it holds a user, a password or a fragment. */
static enum valid_msg url_problem(const char *s)
{
    size_t skip = strncmp(s, "https://", 8) == 0 ? 8 : strncmp(s, "http://", 7) == 0 ? 7 : 0;
    if (skip == 0 || !valid_url_text(s))
        return MSG_URL;
    size_t authority = strcspn(s + skip, "/?#");
    if (authority == 0)
        return MSG_URL;
    if (memchr(s + skip, '@', authority) != NULL)
        return MSG_URL_USERINFO;
    if (strchr(s, '#') != NULL)
        return MSG_URL_FRAGMENT;
    CURLU *u = curl_url();
    if (u == NULL)
        return MSG_URL; /* out of memory: refused rather than unchecked */
    enum valid_msg msg = MSG_COUNT;
    char *part = NULL;
    if (curl_url_set(u, CURLUPART_URL, s, 0) != CURLUE_OK) {
        msg = MSG_URL;
    } else if (curl_url_get(u, CURLUPART_HOST, &part, 0) != CURLUE_OK || part[0] == '\0') {
        msg = MSG_URL;
    } else {
        curl_free(part);
        part = NULL;
        if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK ||
            curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK)
            msg = MSG_URL_USERINFO;
        else if (curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK)
            msg = MSG_URL_FRAGMENT;
    }
    curl_free(part);
    curl_url_cleanup(u);
    return msg;
}

json_t *webhooks_fields(struct valid *v, const json_t *b, bool create)
{
    json_t *out = json_object();
    if (out == NULL)
        return NULL;
    json_t *uj = json_object_get(b, "url");
    const char *url = valid_string(v, b, "url", 1, URL_MAX, create);
    if (url == NULL && uj != NULL && json_is_null(uj) && !create)
        valid_fail(v, "url", MSG_REQUIRED, 0, NULL);
    if (url != NULL) {
        enum valid_msg msg = url_problem(url);
        if (msg != MSG_COUNT)
            valid_fail(v, "url", msg, 0, NULL);
        else
            json_object_set_new(out, "url", json_string(url));
    }
    json_t *ej = json_object_get(b, "events");
    if (ej != NULL && json_is_array(ej) && json_array_size(ej) == 0) {
        valid_fail(v, "events", MSG_EMPTY, 0, NULL);
    } else if (ej != NULL && json_is_null(ej) && !create) {
        valid_fail(v, "events", MSG_REQUIRED, 0, NULL);
    } else {
        json_t *list = valid_enum_array(v, b, "events", events, NEVENTS, create);
        if (list != NULL)
            json_object_set(out, "events", list);
    }
    valid_long_text_into(v, b, out, "description", DESCRIPTION_MAX, true);
    json_t *aj = json_object_get(b, "active");
    if (aj != NULL && !json_is_boolean(aj))
        valid_fail(v, "active", MSG_NOT_BOOLEAN, 0, NULL);
    else if (aj != NULL)
        json_object_set(out, "active", aj);
    if (!valid_ok(v)) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* The secret shown once: "whsec_" and the standard base64 of 32 random
 * bytes (Standard Webhooks); SQL stores the bytes. */
#define SECRET_B64_LEN sodium_base64_ENCODED_LEN(SECRET_BYTES, sodium_base64_VARIANT_ORIGINAL)

void webhooks_create(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    char *text = req_valid_json(r, &v, webhooks_fields(&v, r->body, true), JSON_COMPACT);
    if (text == NULL)
        return;
    unsigned char raw[SECRET_BYTES];
    char secret[SECRET_B64_LEN];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(secret, sizeof secret, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(raw, sizeof raw);
    const char *params[] = {text, secret, req_viewer(r)};
    req_query(r, &webhooks_stmt_create, 3, params, req_done_sql);
    /* db_pool copied the parameters (db_pool.h) */
    sodium_memzero(secret, sizeof secret);
    free(text);
}

void webhooks_list(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    struct page page;
    (void)req_page(r, &v, &page, PAGE_CURSOR_UUID);
    const char *params[] = {page.cursor, page.limit_text};
    req_query_valid(r, &v, &webhooks_stmt_list, 2, params, req_done_sql);
}

void webhooks_get(struct req *r)
{
    const char *params[] = {req_param(r, "id")};
    req_query(r, &webhooks_stmt_get, 1, params, req_done_sql);
}

void webhooks_patch(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    char *text = req_valid_json(r, &v, webhooks_fields(&v, r->body, false), JSON_COMPACT);
    if (text == NULL)
        return;
    const char *params[] = {req_param(r, "id"), text};
    req_query(r, &webhooks_stmt_patch, 2, params, req_done_sql);
    free(text);
}

void webhooks_delete(struct req *r)
{
    const char *params[] = {req_param(r, "id")};
    req_query(r, &webhooks_stmt_delete, 1, params, req_done_sql);
}
