/* req.c — the life of one request: dispatch, body parsing, the async hops
 * to the database and the hashing pool, and the single answer. */
#include "core/req.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/assets.h"
#include "core/auth.h"
#include "core/config.h"
#include "core/form.h"
#include "core/gzip.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/page.h"
#include "core/proxy.h"
#include "core/query.h"
#include "core/worker.h"

static const char *method_name(enum evhttp_cmd_type cmd)
{
    switch (cmd) {
    case EVHTTP_REQ_GET:
        return "GET";
    case EVHTTP_REQ_POST:
        return "POST";
    case EVHTTP_REQ_HEAD:
        return "HEAD";
    case EVHTTP_REQ_PUT:
        return "PUT";
    case EVHTTP_REQ_DELETE:
        return "DELETE";
    case EVHTTP_REQ_PATCH:
        return "PATCH";
    case EVHTTP_REQ_OPTIONS:
        return "OPTIONS";
    default:
        return "OTHER";
    }
}

const struct config *req_config(const struct req *r)
{
    return r->w->srv->cfg;
}

const char *req_header(const struct req *r, const char *name)
{
    return evhttp_find_header(evhttp_request_get_input_headers(r->ev), name);
}

const char *req_client_addr(const struct req *r)
{
    return r->addr;
}

/* Worked out once per request, before anything can ask. The values of
 * every X-Forwarded-For header, in order, are handed over only when the
 * peer is a trusted proxy (proxy.c decides; nothing is read otherwise). */
#define XFF_MAX 16
static void set_client_addr(struct req *r)
{
    char *peer = NULL;
    ev_uint16_t port = 0;
    struct evhttp_connection *c = evhttp_request_get_connection(r->ev);
    if (c != NULL)
        evhttp_connection_get_peer(c, &peer, &port);
    const struct proxy_list *proxies = &r->w->srv->proxies;
    const char *xff[XFF_MAX];
    size_t n = 0;
    if (peer != NULL && proxies->n > 0 && proxy_is_trusted(proxies, peer)) {
        /* keyvalq_struct.h spells the list out without sys/queue.h */
        for (struct evkeyval *h = evhttp_request_get_input_headers(r->ev)->tqh_first; h != NULL;
             h = h->next.tqe_next) {
            if (evutil_ascii_strcasecmp(h->key, "X-Forwarded-For") != 0)
                continue;
            if (n == XFF_MAX) /* keep the right-most: those are the proxies' own */
                memmove(xff, xff + 1, --n * sizeof xff[0]);
            xff[n++] = h->value;
        }
    }
    char client[PROXY_ADDR_LEN];
    proxy_client_addr(proxies, peer ? peer : "unknown", xff, n, client);
    proxy_addr_key(client, r->addr);
}

const char *req_param(const struct req *r, const char *name)
{
    return router_param(&r->params, name);
}

void req_add_header(struct req *r, const char *name, const char *value)
{
    evhttp_add_header(evhttp_request_get_output_headers(r->ev), name, value);
}

/* A client may send its own X-Request-Id to trace a call across systems;
 * keep it only when it is short and plain. */
static void set_request_id(struct req *r)
{
    const char *in = req_header(r, "X-Request-Id");
    size_t n = in ? strlen(in) : 0;
    bool plain = n > 0 && n < 65;
    for (size_t i = 0; plain && i < n; i++)
        plain = (in[i] >= 'a' && in[i] <= 'z') || (in[i] >= 'A' && in[i] <= 'Z') ||
                (in[i] >= '0' && in[i] <= '9') || in[i] == '-' || in[i] == '_' || in[i] == '.';
    if (plain) {
        memcpy(r->id, in, n + 1);
        return;
    }
    unsigned char raw[8];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(r->id, sizeof r->id, raw, sizeof raw);
}

const char *req_query_param(struct req *r, const char *name)
{
    if (r->query == NULL) {
        r->query = calloc(1, sizeof *r->query);
        if (r->query == NULL)
            return NULL;
        r->query->tqh_first = NULL; /* an empty evkeyvalq */
        r->query->tqh_last = &r->query->tqh_first;
        const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(r->ev);
        const char *q = uri ? evhttp_uri_get_query(uri) : NULL;
        if (q != NULL && !query_parse(q, r->query))
            r->query_malformed = true;
    }
    return evhttp_find_header(r->query, name);
}

json_t *req_query_values(struct req *r, const char *name)
{
    if (req_query_param(r, name) == NULL)
        return NULL;
    json_t *out = json_array();
    for (const struct evkeyval *kv = r->query->tqh_first; out != NULL && kv != NULL;
         kv = kv->next.tqe_next)
        /* names as req_query_param matches them (evhttp: any case) */
        if (evutil_ascii_strcasecmp(kv->key, name) == 0 &&
            json_array_append_new(out, json_string(kv->value)) != 0) {
            json_decref(out);
            out = NULL;
        }
    return out;
}

bool req_is_organizer(const struct req *r)
{
    return r->auth.ok && (r->auth.roles & ROLE_ORGANIZER);
}

bool req_is_followup(const struct req *r)
{
    return r->auth.ok && (r->auth.roles & ROLE_FOLLOWUP);
}

bool req_is_curator(const struct req *r)
{
    return r->auth.ok && (r->auth.roles & ROLE_CURATOR);
}

bool req_is_staff(const struct req *r)
{
    return r->auth.ok && (r->auth.roles & (ROLE_ORGANIZER | ROLE_FOLLOWUP));
}

const char *req_viewer(const struct req *r)
{
    return r->auth.ok ? r->auth.account_id : NULL;
}

bool req_refuse_unverified(struct req *r)
{
    if (!config_require_verified(req_config(r)))
        return false;
    /* the account as the token check read it (core/auth.c) */
    json_t *me = r->auth.me != NULL ? json_loads(r->auth.me, 0, NULL) : NULL;
    bool ok = json_is_true(json_object_get(me, "email_verified"));
    json_decref(me);
    if (!ok)
        req_reply_problem(r, "email-unverified", NULL);
    return !ok;
}

const char *req_sql_bool(bool b)
{
    return b ? "true" : "false";
}

static void req_free(struct req *r)
{
    if (r->query != NULL) {
        evhttp_clear_headers(r->query);
        free(r->query);
    }
    if (r->data_free != NULL)
        r->data_free(r->data);
    json_decref(r->body);
    free(r->auth.me);
    free(r);
}

static void unlink_live(struct req *r)
{
    if (r->prev != NULL)
        r->prev->next = r->next;
    else
        r->w->live = r->next;
    if (r->next != NULL)
        r->next->prev = r->prev;
}

void req_free_all(struct worker *w)
{
    while (w->live != NULL) {
        struct req *r = w->live;
        unlink_live(r);
        req_free(r);
    }
}

/* evhttp wrote a reply completely. A reply whose write fails never gets
 * here; shutdown then waits for its bound instead. */
static void reply_flushed(struct evhttp_request *ev, void *arg)
{
    struct worker *w = arg;
    conn_reply_done(w, ev);
    w->flushing--;
    worker_request_done(w);
}

static void free_compressed(const void *data, size_t len, void *arg)
{
    (void)len;
    (void)arg;
    free((void *)(uintptr_t)data);
}

/* The answer as the client gets it (gzip.h): a compressible body over
 * GZIP_MIN without a Content-Encoding yet, for a client that takes gzip,
 * becomes *gz (made here, the caller frees it) with its own ETag. Never a
 * 204 or 304 (no body); a HEAD is answered as its GET would be, headers
 * and all, and evhttp leaves the body out.
 *
 * Pages are compressed with their CSRF token: compressing a secret next to
 * text the requester chose lets someone who sees the sizes on the wire
 * guess it a byte at a time (BREACH), so pages write the token masked
 * with a fresh pad each time (csrf_token_masked): no two answers repeat
 * its bytes. */
static struct evbuffer *compressed(struct req *r, int status, struct evbuffer *body,
                                   struct evbuffer **gz)
{
    struct evkeyvalq *out = evhttp_request_get_output_headers(r->ev);
    size_t len = body != NULL ? evbuffer_get_length(body) : 0;
    *gz = NULL;
    if (status == 204 || status == 304 || status < 200 ||
        evhttp_find_header(out, "Content-Encoding") != NULL ||
        !gzip_choose(r, evhttp_find_header(out, "Content-Type"), len))
        return body;
    const char *plain = (const char *)evbuffer_pullup(body, -1);
    if (plain == NULL)
        return body;
    size_t zlen = 0;
    unsigned char *z = gzip_compress(plain, len, &zlen);
    if (z == NULL)
        return body; /* the plain answer is still right */
    *gz = evbuffer_new();
    if (*gz == NULL || evbuffer_add_reference(*gz, z, zlen, free_compressed, NULL) != 0) {
        if (*gz != NULL)
            evbuffer_free(*gz);
        *gz = NULL;
        free(z);
        return body;
    }
    const char *etag = evhttp_find_header(out, "ETag");
    char tag[160];
    if (etag != NULL && gzip_etag(etag, tag, sizeof tag)) {
        evhttp_remove_header(out, "ETag");
        evhttp_add_header(out, "ETag", tag);
    } else if (etag != NULL) {
        evhttp_remove_header(out, "ETag"); /* not the tag of these bytes */
    }
    evhttp_add_header(out, "Content-Encoding", "gzip");
    gzip_count(len, zlen);
    return *gz;
}

/* The one place a request ends. */
static void finish(struct req *r, int status, struct evbuffer *body)
{
    struct worker *w = r->w;
    struct evkeyvalq *out = evhttp_request_get_output_headers(r->ev);
    struct evbuffer *gz;
    body = compressed(r, status, body, &gz);
    evhttp_add_header(out, "X-Request-Id", r->id);
    /* every answer, not only the pages: a calendar or a CSV fetched with a
     * browser's cookie must not be read as a script by another site */
    if (evhttp_find_header(out, "X-Content-Type-Options") == NULL)
        evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
    /* an answer made for the holder of a session cookie, or one that sets a
     * cookie, is nobody else's: a shared cache must neither keep it nor
     * hand its Set-Cookie to others (unlike Authorization, a Cookie header
     * does not stop a shared cache from storing the answer) */
    if (r->auth.by_cookie || evhttp_find_header(out, "Set-Cookie") != NULL) {
        evhttp_remove_header(out, "Cache-Control");
        evhttp_add_header(out, "Cache-Control", "private, no-store");
    }
    if (atomic_load(&w->draining))
        evhttp_add_header(out, "Connection", "close");
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double secs =
        (double)(now.tv_sec - r->started.tv_sec) + (double)(now.tv_nsec - r->started.tv_nsec) / 1e9;
    if (evhttp_request_get_connection(r->ev) != NULL) {
        /* else the client is gone and evhttp frees the request at once */
        evhttp_request_set_on_complete_cb(r->ev, reply_flushed, w);
        w->flushing++;
        conn_reply_begin(w, r->ev);
    }
    evhttp_send_reply(r->ev, status, NULL, body);
    if (gz != NULL)
        evbuffer_free(gz); /* evhttp moved its bytes into its output */
    metrics_observe(r->route, r->method, status, secs);
    log_request(r->id, r->method, r->rt ? r->rt->pattern : "unmatched", r->path, status, secs * 1e3,
                w->index);
    unlink_live(r);
    req_free(r);
    w->inflight--;
    worker_request_done(w);
}

void req_reply_raw(struct req *r, int status, const char *content_type, const void *data,
                   size_t len)
{
    struct evbuffer *buf = evbuffer_new();
    if (buf != NULL && len > 0)
        evbuffer_add(buf, data, len);
    req_add_header(r, "Content-Type", content_type);
    finish(r, status, buf);
    if (buf != NULL)
        evbuffer_free(buf);
}

void req_reply_shared(struct req *r, int status, const char *content_type, const void *data,
                      size_t len, void (*done)(const void *data, size_t len, void *arg), void *arg)
{
    struct evbuffer *buf = evbuffer_new();
    if (buf == NULL || evbuffer_add_reference(buf, data, len, done, arg) != 0) {
        if (buf != NULL)
            evbuffer_free(buf);
        done(data, len, arg);
        req_reply_problem(r, "internal-error", NULL);
        return;
    }
    req_add_header(r, "Content-Type", content_type);
    finish(r, status, buf); /* evhttp moves the reference into its output */
    evbuffer_free(buf);
}

void req_reply_json_text(struct req *r, int status, const char *text, size_t len)
{
    req_reply_raw(r, status, "application/json", text, len);
}

static void reply_json_typed(struct req *r, int status, json_t *body, const char *type)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (text == NULL) {
        static const char oom[] = "{\"type\":\"" PROBLEM_TYPE_BASE "internal-error\","
                                  "\"title\":\"Internal error\",\"status\":500}";
        req_reply_raw(r, 500, "application/problem+json", oom, sizeof oom - 1);
        return;
    }
    req_reply_raw(r, status, type, text, strlen(text));
    free(text);
}

void req_reply_json(struct req *r, int status, json_t *body)
{
    reply_json_typed(r, status, body, "application/json");
}

void req_reply_empty(struct req *r, int status)
{
    finish(r, status, NULL);
}

/* Every problem answer, whoever words it: the headers its status
 * promises (Retry-After on 503 and 429, WWW-Authenticate on 401), then the
 * document (owned). */
static bool is_page_route(const struct req *r)
{
    return r->rt != NULL && (r->rt->produces & OUT_HTML) && r->rt->handler != core_asset_css &&
           r->rt->handler != core_asset_js;
}

static void reply_problem_doc(struct req *r, const char *slug, json_t *p)
{
    int status = problem_status(slug);
    if (is_page_route(r)) { /* a page's problem is the error page of its status */
        json_decref(p);
        page_error(r, status);
        return;
    }
    if (status == 503 || status == 429)
        if (evhttp_find_header(evhttp_request_get_output_headers(r->ev), "Retry-After") == NULL)
            req_add_header(r, "Retry-After", "1");
    if (status == 401)
        req_add_header(r, "WWW-Authenticate", "Bearer");
    reply_json_typed(r, status, p, "application/problem+json");
}

void req_reply_problem(struct req *r, const char *slug, const char *detail)
{
    reply_problem_doc(r, slug, problem_new(r->lang, slug, detail));
}

void req_reply_problem_extra(struct req *r, const char *slug, const char *key, const char *value)
{
    json_t *p = problem_new(r->lang, slug, NULL);
    if (p != NULL)
        json_object_set_new(p, key, json_string(value));
    reply_problem_doc(r, slug, p);
}

/* A problem whose statement also answered a JSON object: its members (the
 * conflicting session, the field that failed) join the problem document,
 * never replacing type, title or status. */
void req_reply_problem_members(struct req *r, const char *slug, const char *members)
{
    json_t *p = problem_new(r->lang, slug, NULL);
    json_t *extra = members != NULL ? json_loads(members, 0, NULL) : NULL;
    if (p != NULL && json_is_object(extra)) {
        const char *key;
        json_t *val;
        json_object_foreach(extra, key, val) {
            if (strcmp(key, "type") != 0 && strcmp(key, "title") != 0 && strcmp(key, "status") != 0)
                json_object_set(p, key, val);
        }
    }
    json_decref(extra);
    reply_problem_doc(r, slug, p);
}

void req_reply_invalid(struct req *r, struct valid *v)
{
    if (is_page_route(r)) {
        valid_free(v);
        page_error(r, 422);
        return;
    }
    json_t *p = problem_new(r->lang, "validation-failed", NULL);
    if (p != NULL)
        json_object_set(p, "errors", v->errors);
    valid_free(v);
    reply_json_typed(r, 422, p, "application/problem+json");
}

bool req_valid_ok(struct req *r, struct valid *v)
{
    if (!valid_ok(v)) {
        req_reply_invalid(r, v);
        return false;
    }
    valid_free(v);
    return true;
}

void req_query_valid(struct req *r, struct valid *v, const struct db_stmt *stmt, int nparams,
                     const char *const *values, req_db_cb cb)
{
    if (req_valid_ok(r, v))
        req_query(r, stmt, nparams, values, cb);
}

char *req_valid_json(struct req *r, struct valid *v, json_t *out, size_t flags)
{
    if (!req_valid_ok(r, v)) {
        json_decref(out);
        return NULL;
    }
    char *text = out != NULL ? json_dumps(out, flags) : NULL;
    json_decref(out);
    if (text == NULL)
        req_reply_unavailable(r);
    return text;
}

void req_reply_field(struct req *r, const char *field, enum valid_msg msg)
{
    struct valid v;
    valid_init(&v, r->lang);
    valid_fail(&v, field, msg, 0, NULL);
    req_reply_invalid(r, &v);
}

void req_reply_unavailable(struct req *r)
{
    req_reply_problem(r, "service-unavailable", NULL);
}

void req_reply_db_error(struct req *r, enum db_status st, PGresult *res)
{
    if (st == DB_UNAVAILABLE) {
        req_reply_unavailable(r);
        return;
    }
    log_msg(LOG_ERROR, "req %s: query failed: %s %s", r->id, db_sqlstate(res),
            res ? PQresultErrorMessage(res) : "no result");
    req_reply_problem(r, "internal-error", NULL);
}

static void db_trampoline(void *arg, enum db_status st, PGresult *res)
{
    struct req *r = arg;
    r->db_cb(r, st, res);
}

void req_query(struct req *r, const struct db_stmt *stmt, int nparams, const char *const *values,
               req_db_cb cb)
{
    for (int i = 0; i < nparams; i++)
        if (values[i] != NULL && !valid_utf8(values[i], strlen(values[i]))) {
            log_msg(LOG_WARN, "req %s: %s: parameter $%d is not UTF-8; refused", r->id, stmt->name,
                    i + 1);
            req_reply_field(r, "request", MSG_NOT_UTF8);
            return;
        }
    r->db_cb = cb;
    if (!db_pool_query(r->w->db, stmt, nparams, values, db_trampoline, r))
        req_reply_unavailable(r);
}

/* Runs on a hashing thread: queue the job for its loop and wake it. */
static void hash_deliver(struct pwhash_job *job)
{
    struct worker *w = job->home;
    pthread_mutex_lock(&w->hash_mu);
    job->next = w->hash_done;
    w->hash_done = job;
    pthread_mutex_unlock(&w->hash_mu);
    event_active(w->hash_ready, EV_READ, 0);
}

static void hash_trampoline(struct pwhash_job *job)
{
    struct req *r = job->arg;
    r->hash_cb(r, job);
}

bool req_hash_try(struct req *r, struct pwhash_job *job, req_hash_cb cb)
{
    r->hash_cb = cb;
    job->deliver = hash_deliver;
    job->done = hash_trampoline;
    job->arg = r;
    job->home = r->w;
    /* the hashing thread peeks at it to skip clients that have left */
    struct evhttp_connection *evcon = evhttp_request_get_connection(r->ev);
    struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
    job->client_fd = bev ? (int)bufferevent_getfd(bev) : -1;
    return pwhash_submit(job);
}

static bool is_json_type(const char *ct)
{
    if (ct == NULL)
        return true; /* be lenient with clients that omit it */
    size_t n = strcspn(ct, ";");
    while (n > 0 && ct[n - 1] == ' ')
        n--;
    if (n == 16 && evutil_ascii_strncasecmp(ct, "application/json", 16) == 0)
        return true;
    return n > 5 && evutil_ascii_strncasecmp(ct + n - 5, "+json", 5) == 0;
}

static bool is_form_type(const char *ct)
{
    static const char form[] = "application/x-www-form-urlencoded";
    if (ct == NULL)
        return true; /* an empty one-click body may come without a type */
    size_t n = strcspn(ct, ";");
    while (n > 0 && ct[n - 1] == ' ')
        n--;
    return n == sizeof form - 1 && evutil_ascii_strncasecmp(ct, form, n) == 0;
}

/* A form body (BODY_FORM), read into r->body as an object of strings. */
static bool parse_form(struct req *r)
{
    const char *ct = req_header(r, "Content-Type");
    /* RFC 8058 one-click posts may come as multipart/form-data: taken
     * unread, since the form route acts on its query alone (the token is
     * the only secret) and a multipart parser would be attack surface for
     * nothing */
    if (ct != NULL && evutil_ascii_strncasecmp(ct, "multipart/form-data", 19) == 0) {
        r->body = json_object();
        if (r->body == NULL) {
            req_reply_unavailable(r);
            return false;
        }
        return true;
    }
    if (!is_form_type(ct)) {
        req_reply_problem(r, "unsupported-media-type",
                          r->lang == LANG_ES
                              ? "Envíe el cuerpo como application/x-www-form-urlencoded."
                              : "Send the body as application/x-www-form-urlencoded.");
        return false;
    }
    struct evbuffer *in = evhttp_request_get_input_buffer(r->ev);
    size_t len = evbuffer_get_length(in);
    const char *data = len ? (const char *)evbuffer_pullup(in, (ev_ssize_t)len) : "";
    struct valid v;
    valid_init(&v, r->lang);
    r->body = form_parse(data, len, &v);
    if (r->body == NULL && valid_ok(&v)) {
        valid_free(&v);
        req_reply_unavailable(r);
        return false;
    }
    return req_valid_ok(r, &v);
}

/* Parses the body of a route that takes one. jansson refuses invalid UTF-8,
 * NUL characters and (with the flag) duplicate keys. */
static bool parse_body(struct req *r)
{
    if (r->rt->body == BODY_FORM)
        return parse_form(r);
    if (!is_json_type(req_header(r, "Content-Type"))) {
        req_reply_problem(r, "unsupported-media-type", NULL);
        return false;
    }
    struct evbuffer *in = evhttp_request_get_input_buffer(r->ev);
    size_t len = evbuffer_get_length(in);
    const char *data = len ? (const char *)evbuffer_pullup(in, (ev_ssize_t)len) : "";
    json_error_t err;
    if (len == 0 && r->rt->body == BODY_OPTIONAL) {
        r->body = json_object();
        return r->body != NULL;
    }
    r->body = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    if (r->body == NULL) {
        char detail[256];
        snprintf(detail, sizeof detail, "%s: %s (%s %d)",
                 r->lang == LANG_ES ? "El cuerpo no es JSON UTF-8 válido"
                                    : "The body is not valid UTF-8 JSON",
                 err.text, r->lang == LANG_ES ? "posición" : "position", err.position);
        req_reply_problem(r, "malformed-body", detail);
        return false;
    }
    if (!json_is_object(r->body)) {
        req_reply_field(r, "body", MSG_NOT_OBJECT);
        return false;
    }
    return true;
}

/* Framing that two readers of the same bytes could split differently
 * (DESIGN.md §3, "Framing"): a proxy in front that takes the other
 * Content-Length, or reads a body gessd does not, would see a second
 * request nobody sent. The slug to refuse with, or NULL. */
static const char *framing_problem(struct evhttp_request *ev)
{
    const struct evkeyvalq *in = evhttp_request_get_input_headers(ev);
    int cl = 0, te = 0, host = 0;
    const char *cl_value = NULL, *te_value = NULL;
    for (const struct evkeyval *h = in->tqh_first; h != NULL; h = h->next.tqe_next) {
        if (evutil_ascii_strcasecmp(h->key, "Content-Length") == 0) {
            cl++;
            cl_value = h->value;
        } else if (evutil_ascii_strcasecmp(h->key, "Transfer-Encoding") == 0) {
            te++;
            te_value = h->value;
        } else if (evutil_ascii_strcasecmp(h->key, "Host") == 0) {
            host++;
        }
    }
    if (te > 1 || (te == 1 && evutil_ascii_strcasecmp(te_value, "chunked") != 0))
        return "not-implemented";
    if (te > 0 && cl > 0)
        return "malformed-request";
    if (cl > 1 ||
        (cl == 1 && (cl_value[0] == '\0' || strspn(cl_value, "0123456789") != strlen(cl_value))))
        return "malformed-request";
    /* HTTP/1.1 requires exactly one Host (RFC 9112 3.2) */
    if (host > 1 || (host == 0 && (ev->major > 1 || (ev->major == 1 && ev->minor >= 1))))
        return "malformed-request";
    return NULL;
}

static const char *accept_header(struct req *r, char **joined);

/* An unknown path answered as a page: a browser (it prefers text/html)
 * asking for something outside the API (/v1) and the assets. */
static bool not_found_as_page(struct req *r)
{
    if (strncmp(r->path, "/v1/", 4) == 0 || strcmp(r->path, "/v1") == 0 ||
        strncmp(r->path, "/assets/", 8) == 0)
        return false;
    char *joined;
    const char *accept = accept_header(r, &joined);
    bool html = accept != NULL && accept_prefers_html(accept);
    free(joined);
    return html;
}

static void reply_not_found(struct req *r)
{
    if (not_found_as_page(r)) {
        page_begin(r);
        page_error(r, 404);
    } else
        req_reply_problem(r, "not-found", NULL);
}

void req_dispatch(struct evhttp_request *ev, void *arg)
{
    struct worker *w = arg;
    struct req *r = calloc(1, sizeof *r);
    if (r == NULL) {
        evhttp_send_error(ev, 503, NULL);
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &r->started);
    r->w = w;
    r->ev = ev;
    r->route = (size_t)-1;
    r->method = method_name(evhttp_request_get_command(ev));
    r->next = w->live;
    if (w->live != NULL)
        w->live->prev = r;
    w->live = r;
    w->inflight++;
    set_request_id(r);
    set_client_addr(r);
    r->lang = problem_lang(req_header(r, "Accept-Language"));

    /* before anything reads the request: a connection over a cap, or
     * framing another reader of these bytes could take otherwise */
    enum conn_verdict verdict = conn_request_begin(w, ev);
    const char *framing = framing_problem(ev);
    if (verdict != CONN_SERVE || framing != NULL)
        req_add_header(r, "Connection", "close");
    if (verdict == CONN_REFUSE) {
        req_reply_problem(r, "service-unavailable",
                          r->lang == LANG_ES ? "Demasiadas conexiones abiertas; reintente en breve."
                                             : "Too many connections are open; retry shortly.");
        return;
    }
    if (framing != NULL) {
        req_reply_problem(r, framing, NULL);
        return;
    }

    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    const char *target = evhttp_request_get_uri(ev);
    if (target != NULL && target[0] == '/' && target[1] == '/') {
        /* "//x" parses as an authority with an empty path (RFC 3986's
         * network-path reference: "//v1/me" as the host v1 and the path
         * /me): it is neither "/" nor "/me" */
        snprintf(r->path, sizeof r->path, "%.500s", target);
        r->path[strcspn(r->path, "?")] = '\0';
        reply_not_found(r);
        return;
    }
    if (path == NULL || *path == '\0')
        path = "/";
    if (strlen(path) >= sizeof r->path) {
        snprintf(r->path, sizeof r->path, "%.500s...", path);
        reply_not_found(r);
        return;
    }
    strcpy(r->path, path);

    char allow[128];
    switch (
        router_match(w->srv->rt, r->method, r->path, &r->route, &r->params, allow, sizeof allow)) {
    case ROUTER_NOT_FOUND:
        reply_not_found(r);
        return;
    case ROUTER_METHOD_NOT_ALLOWED:
        req_add_header(r, "Allow", allow);
        req_reply_problem(r, "method-not-allowed", NULL);
        return;
    case ROUTER_FOUND:
        break;
    }
    r->rt = w->srv->rt->routes[r->route];
    if (is_page_route(r))
        page_begin(r); /* the page's language, before anything is worded */
    /* Who is asking comes before what they sent: an anonymous call to a
     * signed-in route is 401 whatever its body. */
    if (r->rt->auth == AUTH_NONE) {
        req_run_handler(r);
        return;
    }
    auth_then_handle(r); /* AUTH_OPTIONAL without credentials runs anonymously */
}

/* Every query value is text before a handler reads it (DESIGN.md §5):
 * what query_check refuses is 422 naming the parameter, or "query". */
static bool query_ok(struct req *r)
{
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(r->ev);
    const char *raw = uri ? evhttp_uri_get_query(uri) : NULL;
    if (raw == NULL)
        return true;
    (void)req_query_param(r, "format"); /* parses the query once */
    if (r->query == NULL)
        return true;
    struct valid v;
    valid_init(&v, r->lang);
    query_check(&v, raw, r->query, r->query_malformed);
    if (valid_ok(&v)) {
        valid_free(&v);
        return true;
    }
    req_reply_invalid(r, &v);
    return false;
}

/* Accept sent on several lines is one list (RFC 9110 §5.3): *joined gets
 * the lines joined by commas (malloc'd, the caller frees it), or stays
 * NULL when there is at most one line, which is returned as it is. */
static const char *accept_header(struct req *r, char **joined)
{
    const struct evkeyvalq *in = evhttp_request_get_input_headers(r->ev);
    const char *first = NULL;
    size_t len = 0, lines = 0;
    *joined = NULL;
    for (const struct evkeyval *h = in->tqh_first; h != NULL; h = h->next.tqe_next)
        if (evutil_ascii_strcasecmp(h->key, "Accept") == 0) {
            first = first ? first : h->value;
            len += strlen(h->value) + 1;
            lines++;
        }
    if (lines < 2 || (*joined = malloc(len)) == NULL)
        return first; /* out of memory: the first line still says much */
    size_t n = 0;
    for (const struct evkeyval *h = in->tqh_first; h != NULL; h = h->next.tqe_next)
        if (evutil_ascii_strcasecmp(h->key, "Accept") == 0) {
            size_t k = strlen(h->value);
            if (n > 0)
                (*joined)[n++] = ',';
            memcpy(*joined + n, h->value, k);
            n += k;
        }
    (*joined)[n] = '\0';
    return *joined;
}

/* Sets r->out from what the route offers, ?format= (on routes that offer
 * several types: a link cannot send Accept) and Accept with its q-values;
 * answers 406 when the client accepts none of them, and 422 for a format
 * the route does not offer. */
static bool negotiate(struct req *r)
{
    unsigned offered = r->rt->produces ? r->rt->produces : OUT_JSON;
    if (offered & OUT_HTML) {
        r->out = OUT_HTML; /* a page: whatever Accept says */
        return true;
    }
    char *joined;
    const char *accept = accept_header(r, &joined);
    const char *format = (offered & (offered - 1)) ? req_query_param(r, "format") : NULL;
    enum out_type t;
    if (format != NULL) {
        t = 0;
        char names[64] = "";
        for (unsigned bit = 1; bit <= OUT_LAST; bit <<= 1) {
            if (!(offered & bit))
                continue;
            if (strcmp(format, accept_format_name(bit)) == 0)
                t = bit;
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                     names[0] ? ", " : "", accept_format_name(bit));
        }
        if (t == 0) {
            free(joined);
            struct valid v;
            valid_init(&v, r->lang);
            valid_fail(&v, "format", MSG_ONE_OF, 0, names);
            req_reply_invalid(r, &v);
            return false;
        }
        if (accept_quality(accept, accept_media_type(t)) == 0)
            t = 0;
    } else {
        t = accept_choose(accept, offered);
    }
    free(joined);
    if (t != 0) {
        r->out = t;
        return true;
    }
    char detail[200];
    size_t n = (size_t)snprintf(detail, sizeof detail, "%s",
                                r->lang == LANG_ES ? "Este recurso está disponible como"
                                                   : "This resource is available as");
    for (unsigned bit = 1, k = 0; bit <= OUT_LAST && n < sizeof detail; bit <<= 1)
        if (offered & bit)
            n += (size_t)snprintf(detail + n, sizeof detail - n, "%s %s", k++ ? "," : "",
                                  accept_media_type(bit));
    if (n < sizeof detail - 1)
        memcpy(detail + n, ".", 2);
    req_reply_problem(r, "not-acceptable", detail);
    return false;
}

void req_run_handler(struct req *r)
{
    if (!query_ok(r) || !negotiate(r))
        return;
    if (r->rt->body != BODY_NONE && !parse_body(r))
        return;
    r->rt->handler(r);
}

void req_reply_outcome(struct req *r, enum db_status st, PGresult *res, int status)
{
    if (st != DB_OK || PQntuples(res) != 1) {
        if (st == DB_OK)
            req_reply_problem(r, "not-found", NULL);
        else
            req_reply_db_error(r, st, res);
        return;
    }
    if (!PQgetisnull(res, 0, 0)) {
        req_reply_problem_members(r, PQgetvalue(res, 0, 0),
                                  PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1));
        return;
    }
    if (status == 204 || PQgetisnull(res, 0, 1)) {
        req_reply_empty(r, 204);
        return;
    }
    req_reply_json_text(r, status, PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1));
}

void req_done_row(struct req *r, enum db_status st, PGresult *res)
{
    req_reply_row(r, st, res, 200);
}

void req_done_outcome(struct req *r, enum db_status st, PGresult *res)
{
    req_reply_outcome(r, st, res, 200);
}

void req_done_created(struct req *r, enum db_status st, PGresult *res)
{
    req_reply_outcome(r, st, res, 201);
}

void req_done_outcome_empty(struct req *r, enum db_status st, PGresult *res)
{
    req_reply_outcome(r, st, res, 204);
}

void req_done_empty(struct req *r, enum db_status st, PGresult *res)
{
    if (st != DB_OK) {
        req_reply_db_error(r, st, res);
        return;
    }
    req_reply_empty(r, 204);
}

int req_page_limit(struct req *r, struct valid *v)
{
    const char *s = req_query_param(r, "limit");
    if (s == NULL)
        return 50;
    char *end = NULL;
    long n = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || n < 1 || n > 200) {
        valid_fail(v, "limit", MSG_RANGE, 0, "1 to 200");
        return 50;
    }
    return (int)n;
}

bool req_reply_found(struct req *r, enum db_status st, PGresult *res, int status)
{
    if (st != DB_OK || PQntuples(res) != 1) {
        req_reply_db_error(r, st, res);
        return true;
    }
    if (strcmp(PQgetvalue(res, 0, 0), "0") == 0) {
        req_reply_problem(r, "not-found", NULL);
        return true;
    }
    if (PQgetisnull(res, 0, 1))
        return false;
    req_reply_json_text(r, status, PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1));
    return true;
}

void req_reply_row(struct req *r, enum db_status st, PGresult *res, int status)
{
    if (st != DB_OK) {
        req_reply_db_error(r, st, res);
        return;
    }
    if (PQntuples(res) < 1 || PQgetisnull(res, 0, 0)) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    req_reply_json_text(r, status, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
}
