/* hook_lane.c — the webhook lane (issue 17): claims due webhook rows, posts
 * them signed, records each attempt. One thread, on libcurl's multi
 * interface: up to webhook_concurrency posts in flight, at most
 * webhook_per_endpoint of them to one endpoint (webhook_claim counts), so
 * an endpoint that hangs holds a few slots, and the mail lanes, threads of
 * their own, not at all.
 *
 * The database calls are blocking, on the lane's own connection: while one
 * runs (a claim, a record: a millisecond) the transfers wait, which costs
 * them nothing but that millisecond. Outcomes are recorded in batches, one
 * statement for everything that finished together.
 *
 * At least once: a row is leased when claimed, and every attempt ends
 * (webhook_timeout_s, capped to the lease less 2 s) before its lease does;
 * the outcome is recorded only on rows its claim still holds. A lane killed
 * between the receiver's answer and the record leaves rows that are posted
 * again after the lease, with the same webhook-id, for the receiver to drop. */
#include <curl/curl.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/log.h"
#include "notify/db.h"
#include "notify/hook_addr.h"
#include "notify/hook_sign.h"
#include "notify/notify.h"

#define RESPONSE_MAX 65536 /* of an answer's body, kept in the log */
#define CLAIM_MAX 100
#define STOP_GRACE_S 5.0 /* how long a stopping lane lets posts in flight finish */
#define RETRY_MAX_S 43200.0

static const char sql_claim[] =
    "SELECT id, message_id, kind, body, attempts, extract(epoch FROM due_since)::float8,"
    " locked_until::text, url, secret, previous_secret, webhook_id"
    " FROM webhook_claim($1::int, $2::int, $3::int, $4::jsonb)";
static const char sql_record[] = "SELECT webhook_record($1::jsonb)";
static const char sql_release[] = "SELECT webhook_release($1::bigint[], $2::timestamptz[])";

/* serve's role; and commits that do not wait for the disk: a claim or an
 * outcome lost in a crash (the last few hundred milliseconds) only means a
 * row posted again, with the same webhook-id, which at-least-once delivery
 * allows and receivers drop, while waiting for each commit's flush would
 * bound the lane by the disk. (The mail lanes keep synchronous commits: a
 * second copy of a mail is a person's nuisance, not a receiver's
 * duplicate.) */
static const char session[] =
    "SET ROLE gess_app; SET TIME ZONE 'UTC'; SET synchronous_commit = off";

enum {
    C_ID,
    C_MSGID,
    C_KIND,
    C_BODY,
    C_ATTEMPTS,
    C_DUE,
    C_LOCK,
    C_URL,
    C_SECRET,
    C_PREVIOUS,
    C_WEBHOOK
};

struct hook_lane;

/* One post in flight: what it sends, and what came back. */
struct job {
    struct hook_lane *lane;
    CURL *easy;
    struct curl_slist *headers;
    char *body, *url;
    char id[24], msgid[40], lock[48], ts[24], webhook[40];
    char sig[2 * HOOK_SIGNATURE_MAX]; /* one signature, or two during a rotation */
    int attempts;
    double due_since; /* epoch s: webhook_give_up_s counts from here */
    double started;   /* mono_s() */
    char *resp;       /* RESPONSE_MAX + 1 bytes, made on the first byte */
    size_t resp_len;
    bool resp_cut;     /* the answer was longer than RESPONSE_MAX: the rest not read */
    char refused[200]; /* why the last address refused was refused */
    bool allowed;      /* some address was not: its failure is the one to tell */
    char errbuf[CURL_ERROR_SIZE];
};

struct hook_lane {
    const struct config *cfg;
    const atomic_bool *stop;
    int wake_fd;
    PGconn *conn;
    CURLM *multi;
    struct job **jobs; /* in flight */
    int njobs, cap;
    json_t *results; /* finished attempts not yet recorded */
    bool allow_private;
    long timeout_ms;
};

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every connection libcurl opens for a post comes here with the address it
 * is about to use, the resolved one: the check that a name cannot slip. */
static curl_socket_t open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct job *j = clientp;
    (void)purpose;
    if (!j->lane->allow_private && hook_addr_refused(&a->addr, j->refused, sizeof j->refused))
        return CURL_SOCKET_BAD;
    j->allowed = true;
    return socket(a->family, a->socktype, a->protocol);
}

/* Keeps the first RESPONSE_MAX bytes of the answer, then stops reading:
 * the log needs no more, and a receiver streaming without end must not
 * hold the slot until the timeout. */
static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    struct job *j = ud;
    size_t len = size * n;
    if (j->resp == NULL && (j->resp = malloc(RESPONSE_MAX + 1)) == NULL)
        return 0;
    size_t room = RESPONSE_MAX - j->resp_len;
    size_t take = len < room ? len : room;
    memcpy(j->resp + j->resp_len, p, take);
    j->resp_len += take;
    if (take < len) {
        j->resp_cut = true;
        return 0;
    }
    return len;
}

static void job_free(struct job *j)
{
    if (j == NULL)
        return;
    if (j->easy != NULL)
        curl_easy_cleanup(j->easy);
    curl_slist_free_all(j->headers);
    free(j->body);
    free(j->url);
    free(j->resp);
    free(j);
}

static bool header_add(struct job *j, const char *name, const char *value)
{
    char line[256];
    snprintf(line, sizeof line, "%s: %s", name, value);
    struct curl_slist *s = curl_slist_append(j->headers, line);
    if (s == NULL)
        return false;
    j->headers = s;
    return true;
}

/* The post of claimed row i, signed now; NULL when it cannot be made (no
 * memory, a secret that does not decode: then why says so). */
static struct job *job_new(struct hook_lane *l, PGresult *r, int i, char *why, size_t whylen)
{
    unsigned char key[HOOK_KEY_MAX], old[HOOK_KEY_MAX];
    size_t keylen = 0, oldlen = 0;
    bool rotating = !PQgetisnull(r, i, C_PREVIOUS);
    if (!hook_secret_decode(PQgetvalue(r, i, C_SECRET), key, &keylen) ||
        (rotating && !hook_secret_decode(PQgetvalue(r, i, C_PREVIOUS), old, &oldlen))) {
        snprintf(why, whylen, "the endpoint's secret does not decode");
        return NULL;
    }
    struct job *j = calloc(1, sizeof *j);
    if (j != NULL) {
        j->lane = l;
        j->body = strdup(PQgetvalue(r, i, C_BODY));
        j->url = strdup(PQgetvalue(r, i, C_URL));
        j->easy = curl_easy_init();
        snprintf(j->id, sizeof j->id, "%s", PQgetvalue(r, i, C_ID));
        snprintf(j->msgid, sizeof j->msgid, "%s", PQgetvalue(r, i, C_MSGID));
        snprintf(j->webhook, sizeof j->webhook, "%s", PQgetvalue(r, i, C_WEBHOOK));
        snprintf(j->lock, sizeof j->lock, "%s", PQgetvalue(r, i, C_LOCK));
        snprintf(j->ts, sizeof j->ts, "%lld", (long long)time(NULL));
        j->attempts = atoi(PQgetvalue(r, i, C_ATTEMPTS));
        j->due_since = atof(PQgetvalue(r, i, C_DUE));
    }
    if (j == NULL || j->body == NULL || j->url == NULL || j->easy == NULL) {
        sodium_memzero(key, sizeof key);
        sodium_memzero(old, sizeof old);
        job_free(j);
        snprintf(why, whylen, "out of memory");
        return NULL;
    }
    size_t body_len = strlen(j->body);
    hook_sign(key, keylen, j->msgid, j->ts, j->body, body_len, j->sig);
    if (rotating) {
        /* the new key's signature first, then the old one's, space
         * separated: a receiver with either secret finds its own */
        size_t n = strlen(j->sig);
        j->sig[n] = ' ';
        hook_sign(old, oldlen, j->msgid, j->ts, j->body, body_len, j->sig + n + 1);
    }
    /* the keys are of no use past the signature */
    sodium_memzero(key, sizeof key);
    sodium_memzero(old, sizeof old);
    /* "Expect:" keeps libcurl from waiting for a 100 Continue on bodies
     * over 1 KiB, a round trip most receivers never answer */
    if (!header_add(j, "Content-Type", "application/json") ||
        !header_add(j, "webhook-id", j->msgid) || !header_add(j, "webhook-timestamp", j->ts) ||
        !header_add(j, "webhook-signature", j->sig) || !header_add(j, "Expect", "")) {
        job_free(j);
        snprintf(why, whylen, "out of memory");
        return NULL;
    }
    CURL *e = j->easy;
    curl_easy_setopt(e, CURLOPT_URL, j->url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    /* no proxy from the environment: the address checked is the receiver's */
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, l->timeout_ms);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "gess-webhooks/1");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, j->headers);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, j->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, j);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, j);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j->errbuf);
    curl_easy_setopt(e, CURLOPT_PRIVATE, j);
    j->started = mono_s();
    return j;
}

/* When to try again, as epoch seconds, or 0 for never (dead): what a 429
 * or 503 asks for in Retry-After, else webhook_retry_s·2^(attempts−1)
 * ± 20 % (capped at 12 h), while that is within webhook_give_up_s of the
 * row's first being due. */
static double retry_at(const struct hook_lane *l, const struct job *j, long status,
                       curl_off_t retry_after)
{
    double wait;
    if ((status == 429 || status == 503) && retry_after > 0) {
        wait = retry_after > 86400 ? 86400.0 : (double)retry_after;
    } else {
        wait = l->cfg->webhook_retry_s * pow(2, j->attempts > 1 ? j->attempts - 1 : 0);
        if (wait > RETRY_MAX_S)
            wait = RETRY_MAX_S;
        wait *= 0.8 + 0.4 * ((double)rand() / RAND_MAX);
    }
    double at = wall_s() + wait;
    return at > j->due_since + l->cfg->webhook_give_up_s ? 0 : at;
}

/* Text for the database: valid UTF-8, no NUL (a receiver's answer may hold
 * either); NULL when out of memory. */
static json_t *clean_text(const char *s, size_t len)
{
    char *c = malloc(len + 1);
    if (c == NULL)
        return NULL;
    for (size_t k = 0; k < len; k++)
        c[k] = s[k] == '\0' ? '?' : s[k];
    c[len] = '\0';
    notify_utf8_clean(c);
    json_t *t = json_stringn(c, len);
    free(c);
    return t;
}

static json_t *request_headers(const struct job *j)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "content-type", "application/json", "user-agent",
                     "gess-webhooks/1", "webhook-id", j->msgid, "webhook-timestamp", j->ts,
                     "webhook-signature", j->sig);
}

/* The endpoint as the log shows it: scheme://host:port only, since a
 * receiver's path or query often holds a token of its own, and the log is
 * read by more people than the endpoint list. */
static void url_for_log(const char *url, char *out, size_t outlen)
{
    snprintf(out, outlen, "(an endpoint URL that does not parse)");
    CURLU *u = curl_url();
    if (u == NULL)
        return;
    char *scheme = NULL, *host = NULL, *port = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
        snprintf(out, outlen, "%s://%s:%s", scheme, host, port);
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
}

/* A finished post: its outcome added to the batch to record. */
static void finish(struct hook_lane *l, struct job *j, CURLcode rc)
{
    long status = 0;
    curl_off_t retry_after = 0;
    char *redirect = NULL;
    curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(j->easy, CURLINFO_RETRY_AFTER, &retry_after);
    curl_easy_getinfo(j->easy, CURLINFO_REDIRECT_URL, &redirect);
    /* an answer cut at RESPONSE_MAX is an answer */
    bool answered = status >= 100 && (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && j->resp_cut));
    char err[700] = "";
    const char *outcome = "retry";
    if (!answered) {
        if (j->refused[0] != '\0' && !j->allowed)
            snprintf(err, sizeof err, "refused: %s (webhook_allow_private is false)", j->refused);
        else
            snprintf(err, sizeof err, "%s", j->errbuf[0] ? j->errbuf : curl_easy_strerror(rc));
    } else if (status >= 200 && status < 300) {
        outcome = "sent";
    } else if (status == 410) {
        outcome = "gone";
        snprintf(err, sizeof err, "HTTP 410: the endpoint is gone; disabled");
    } else if (status >= 300 && status < 400) {
        snprintf(err, sizeof err, "HTTP %ld: a redirect%s%.400s, not followed", status,
                 redirect ? " to " : "", redirect ? redirect : "");
    } else {
        snprintf(err, sizeof err, "HTTP %ld", status);
    }
    double at = strcmp(outcome, "retry") == 0 ? retry_at(l, j, status, retry_after) : 0;
    long ms = (long)((mono_s() - j->started) * 1000);
    if (strcmp(outcome, "sent") != 0) {
        char where[300];
        url_for_log(j->url, where, sizeof where);
        log_msg(at > 0 ? LOG_INFO : LOG_WARN, "notify: webhook %s to %s: %s; %s", j->msgid, where,
                err, at > 0 ? "will retry" : "not again");
    }
    json_t *o = json_object();
    json_t *headers = request_headers(j);
    json_t *body = clean_text(j->body, strlen(j->body));
    json_t *resp = clean_text(j->resp ? j->resp : "", j->resp_len);
    json_t *error = err[0] ? clean_text(err, strlen(err)) : json_null();
    if (o == NULL || headers == NULL || body == NULL || resp == NULL || error == NULL) {
        /* not recorded: posted again after the lease */
        json_decref(o);
        json_decref(headers);
        json_decref(body);
        json_decref(resp);
        json_decref(error);
        return;
    }
    json_object_set_new(o, "id", json_string(j->id));
    json_object_set_new(o, "lock", json_string(j->lock));
    json_object_set_new(o, "attempt", json_integer(j->attempts));
    json_object_set_new(o, "url", clean_text(j->url, strlen(j->url)));
    json_object_set_new(o, "headers", headers);
    json_object_set_new(o, "body", body);
    json_object_set_new(o, "status", answered ? json_integer(status) : json_null());
    json_object_set_new(o, "response", resp);
    json_object_set_new(o, "error", error);
    json_object_set_new(o, "duration_ms", json_integer(ms));
    json_object_set_new(o, "outcome", json_string(outcome));
    json_object_set_new(o, "retry_at", at > 0 ? json_real(at) : json_null());
    json_array_append_new(l->results, o);
}

static bool record(struct hook_lane *l, const json_t *results)
{
    char *text = json_dumps(results, JSON_COMPACT);
    if (text == NULL)
        return false;
    const char *p[] = {text};
    bool ok = notify_db_exec(&l->conn, sql_record, 1, p, NULL);
    free(text);
    return ok;
}

/* Records the batch in one statement; kept for the next try when the
 * database is away (the leases may run out meanwhile: then those rows are
 * posted again, which at least once allows). Refused on a good connection
 * (an endpoint deleted in the same instant, a deadlock with that delete),
 * the outcomes are recorded one by one, so that one bad row costs only
 * itself: a dropped outcome is a row posted again after its lease. */
static void flush_results(struct hook_lane *l)
{
    size_t n = json_array_size(l->results);
    if (n == 0 || l->conn == NULL)
        return;
    if (!record(l, l->results)) {
        if (l->conn == NULL)
            return; /* the database went: kept */
        size_t lost = 0;
        for (size_t k = 0; k < n; k++) {
            json_t *one = json_pack("[O]", json_array_get(l->results, k));
            if (one == NULL || !record(l, one))
                lost++;
            json_decref(one);
            if (l->conn == NULL)
                return; /* kept whole: some may be logged twice */
        }
        if (lost > 0)
            log_msg(LOG_ERROR, "notify: %zu webhook outcome(s) not recorded; posted again", lost);
    }
    json_array_clear(l->results);
}

static void jobs_remove(struct hook_lane *l, struct job *j)
{
    for (int k = 0; k < l->njobs; k++)
        if (l->jobs[k] == j) {
            l->jobs[k] = l->jobs[--l->njobs];
            break;
        }
}

/* Claims up to n rows and starts their posts; the number claimed, -1 when
 * the database failed. A row whose post cannot be made is recorded as a
 * failed attempt, retried like one. */
static int claim(struct hook_lane *l, int n)
{
    char lim[16], lease[16], per[16];
    snprintf(lim, sizeof lim, "%d", n);
    snprintf(lease, sizeof lease, "%d", l->cfg->outbox_lease_s);
    snprintf(per, sizeof per, "%d", l->cfg->webhook_per_endpoint);
    /* the posts in flight per endpoint, {"<webhook id>": n}: counted here,
     * where they are, rather than read back from the leases */
    json_t *busy = json_object();
    for (int k = 0; busy != NULL && k < l->njobs; k++) {
        const char *w = l->jobs[k]->webhook;
        json_object_set_new(busy, w,
                            json_integer(json_integer_value(json_object_get(busy, w)) + 1));
    }
    char *busy_text = busy != NULL ? json_dumps(busy, JSON_COMPACT) : NULL;
    json_decref(busy);
    if (busy_text == NULL)
        return -1;
    const char *p[] = {lim, lease, per, busy_text};
    PGresult *r = NULL;
    bool ok = notify_db_exec(&l->conn, sql_claim, 4, p, &r);
    free(busy_text);
    if (!ok)
        return -1;
    int got = PQntuples(r);
    for (int i = 0; i < got; i++) {
        char why[200] = "";
        struct job *j = job_new(l, r, i, why, sizeof why);
        if (j != NULL && curl_multi_add_handle(l->multi, j->easy) == CURLM_OK) {
            l->jobs[l->njobs++] = j;
            continue;
        }
        if (j != NULL)
            snprintf(why, sizeof why, "libcurl refused the transfer");
        log_msg(LOG_ERROR, "notify: webhook %s: %s", PQgetvalue(r, i, C_MSGID), why);
        /* retried like a failed post (a key fixed by hand, memory back),
         * and dead once past webhook_give_up_s like one */
        double at = wall_s() + l->cfg->webhook_retry_s;
        bool again = at <= atof(PQgetvalue(r, i, C_DUE)) + l->cfg->webhook_give_up_s;
        json_t *o =
            json_pack("{s:s, s:s, s:i, s:s, s:{}, s:s, s:n, s:s, s:s, s:i, s:s, s:o}", "id",
                      PQgetvalue(r, i, C_ID), "lock", PQgetvalue(r, i, C_LOCK), "attempt",
                      atoi(PQgetvalue(r, i, C_ATTEMPTS)), "url", PQgetvalue(r, i, C_URL), "headers",
                      "body", "", "status", "response", "", "error", why, "duration_ms", 0,
                      "outcome", "retry", "retry_at", again ? json_real(at) : json_null());
        if (o != NULL)
            json_array_append_new(l->results, o);
        job_free(j);
    }
    PQclear(r);
    return got;
}

/* Collects the posts that finished; true when any did. */
static bool collect(struct hook_lane *l)
{
    bool any = false;
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(l->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        char *private = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &private);
        struct job *j = (struct job *)private;
        CURLcode rc = m->data.result;
        curl_multi_remove_handle(l->multi, m->easy_handle);
        finish(l, j, rc);
        jobs_remove(l, j);
        job_free(j);
        any = true;
    }
    return any;
}

/* Stopping: the posts still in flight after the grace are abandoned and
 * their rows handed back, those this lane's claims still hold (the
 * receiver may have had them: posted again, with the same webhook-id). */
static void abandon(struct hook_lane *l)
{
    if (l->njobs == 0)
        return;
    size_t cap = (size_t)l->njobs * 64 + 4, ilen = 0, llen = 0;
    char *ids = malloc(cap), *locks = malloc(cap);
    for (int k = 0; k < l->njobs; k++) {
        struct job *j = l->jobs[k];
        if (ids != NULL && locks != NULL) {
            ilen += (size_t)snprintf(ids + ilen, cap - ilen, "%s%s", ilen ? "," : "{", j->id);
            llen +=
                (size_t)snprintf(locks + llen, cap - llen, "%s\"%s\"", llen ? "," : "{", j->lock);
        }
        curl_multi_remove_handle(l->multi, j->easy);
        job_free(j);
    }
    log_msg(LOG_INFO, "notify: %d webhook post(s) abandoned at stop; posted again later", l->njobs);
    l->njobs = 0;
    if (ids != NULL && locks != NULL && l->conn != NULL) {
        snprintf(ids + ilen, cap - ilen, "}");
        snprintf(locks + llen, cap - llen, "}");
        const char *p[] = {ids, locks};
        (void)notify_db_exec(&l->conn, sql_release, 2, p, NULL);
    }
    free(ids);
    free(locks);
}

static void lane_run(struct hook_lane *l)
{
    double next_claim = 0, stop_by = 0, reconnect_at = 0;
    for (;;) {
        bool stopping = atomic_load(l->stop);
        if (stopping && stop_by == 0)
            stop_by = mono_s() + STOP_GRACE_S;
        if (stopping && (l->njobs == 0 || mono_s() > stop_by))
            break;
        /* a database that is away is looked for once a second */
        if (l->conn == NULL && mono_s() >= reconnect_at &&
            !notify_db_connect(&l->conn, l->cfg->database_url, session))
            reconnect_at = mono_s() + 1.0;
        flush_results(l);
        int room = l->cfg->webhook_concurrency - l->njobs;
        /* a claim is a round trip: made for a quarter of the slots at
         * least, unless nothing is in flight */
        int want = l->cfg->webhook_concurrency / 4 > 0 ? l->cfg->webhook_concurrency / 4 : 1;
        if (!stopping && l->conn != NULL && room > 0 && (room >= want || l->njobs == 0) &&
            mono_s() >= next_claim) {
            int ask = room < CLAIM_MAX ? room : CLAIM_MAX;
            int got = claim(l, ask);
            /* fewer than asked: nothing more is due now, look again after
             * a poll interval (or when a post finishes: an endpoint's slot
             * may be free again) */
            next_claim = got == ask ? 0 : mono_s() + l->cfg->outbox_poll_ms / 1000.0;
        }
        int running = 0;
        curl_multi_perform(l->multi, &running);
        if (collect(l)) {
            flush_results(l);
            next_claim = 0;
            continue;
        }
        /* the wait: until the next claim is due (at once when it is, and
         * the database is there to claim from), else until the database is
         * tried again; a post's progress wakes it earlier */
        double now = mono_s();
        double until = l->conn != NULL ? next_claim - now : reconnect_at - now;
        int ms = l->njobs > 0 ? 1000 : l->cfg->outbox_poll_ms;
        if (until > 0 && until * 1000 < ms)
            ms = (int)(until * 1000) + 1;
        else if (until <= 0 && l->conn != NULL && room > 0 && l->njobs == 0 && !stopping)
            ms = 0;
        struct curl_waitfd w = {l->wake_fd, CURL_WAIT_POLLIN, 0};
        /* once stopping, the pipe stays readable: not watched, else this
         * would spin through the grace */
        curl_multi_poll(l->multi, &w, stopping ? 0 : 1, ms, NULL);
    }
    abandon(l);
    flush_results(l);
}

void *notify_hook_lane(void *arg)
{
    struct lane_args *a = arg;
    struct hook_lane l = {.cfg = a->cfg, .stop = a->stop, .wake_fd = a->wake_fd};
    srand((unsigned)time(NULL) ^ (unsigned)(size_t)&l);
    l.allow_private = config_webhook_allow_private(a->cfg);
    /* an attempt ends 2 s before its lease (config keeps outbox_lease_s at
     * 3 or more), so no other sender claims a row still being posted */
    long t = a->cfg->webhook_timeout_s;
    if (t > a->cfg->outbox_lease_s - 2)
        t = a->cfg->outbox_lease_s - 2;
    l.timeout_ms = (t < 1 ? 1 : t) * 1000;
    l.cap = a->cfg->webhook_concurrency;
    l.jobs = calloc((size_t)l.cap, sizeof *l.jobs);
    l.results = json_array();
    l.multi = curl_multi_init();
    if (l.jobs == NULL || l.results == NULL || l.multi == NULL) {
        log_msg(LOG_ERROR, "notify: cannot start the webhook lane (out of memory)");
        a->exit_code = 1;
    } else {
        lane_run(&l);
    }
    if (l.multi != NULL)
        curl_multi_cleanup(l.multi);
    json_decref(l.results);
    free(l.jobs);
    PQfinish(l.conn);
    return NULL;
}
