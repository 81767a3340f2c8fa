/* lane.c — the mail lane: claim, render, build, send, record. Blocking
 * libpq on its own connection is fine here: this thread has nothing else
 * to do while it waits (serve's event loops are another process).
 *
 * Exactly-once where it can be: a row is leased when claimed (outbox_claim)
 * and a lane never starts a mail once half its lease is gone, and bounds
 * each transfer by the lease left (smtp_send's timeout), so no other sender
 * can have claimed it meanwhile; the outcome is recorded only on rows still
 * held by this claim (its locked_until), so a late one changes nothing.
 * Only a sender killed between sending and recording leaves a row that is
 * sent again, once its lease is over. */
#include <jansson.h>
#include <libpq-fe.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "mail/attach_ics.h"
#include "mail/mime.h"
#include "mail/render.h"
#include "mail/transport.h"
#include "notify/db.h"
#include "notify/notify.h"

#define BATCH_MAX 50

static const char sql_claim[] =
    "SELECT id, message_id, kind, payload, priority, attempts,"
    " extract(epoch FROM created_at)::float8, email, full_name, language, unsubscribe_key,"
    " reminder, opted_out, locked_until::text, extract(epoch FROM due_since)::float8, verified"
    " FROM outbox_claim('mail', $1::int, $2::int)";
static const char sql_delivered[] = "SELECT outbox_delivered($1::bigint[], $2::timestamptz)";
static const char sql_failed[] =
    "SELECT outbox_failed($1::bigint, $2, to_timestamp($3::float8), $4::timestamptz)";
static const char sql_release[] = "SELECT outbox_release($1::bigint[])";

enum {
    C_ID,
    C_MSGID,
    C_KIND,
    C_PAYLOAD,
    C_PRIO,
    C_ATTEMPTS,
    C_CREATED,
    C_EMAIL,
    C_NAME,
    C_LANG,
    C_UNSUB,
    C_REMINDER,
    C_OPTOUT,
    C_LOCK,
    C_DUE,
    C_VERIFIED
};

struct lane {
    const struct config *cfg;
    const atomic_bool *stop;
    int wake_fd;
    PGconn *conn;
    struct smtp *smtp;
    struct bucket bucket;
    char *done_ids; /* "{1,2,3}" being built: delivered, not yet recorded */
    size_t done_len, done_cap;
    size_t ndone;
    char done_lock[64]; /* the claim (its locked_until) the done rows belong to */
    const char *lock;   /* the current claim's locked_until */
    double deadline;    /* mono_s() when the current claim's lease ends */
};

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits up to ms for the database socket (a NOTIFY) or the stop pipe. */
static void wait_for(struct lane *l, int ms)
{
    struct pollfd fds[2] = {{l->wake_fd, POLLIN, 0}, {-1, POLLIN, 0}};
    if (l->conn != NULL && PQstatus(l->conn) == CONNECTION_OK) {
        /* a NOTIFY libpq already read (with the claim's result) is in its
         * buffer, not on the socket: poll() would sleep past it */
        PGnotify *n = PQnotifies(l->conn);
        if (n != NULL) {
            do
                PQfreemem(n);
            while ((n = PQnotifies(l->conn)) != NULL);
            return;
        }
        fds[1].fd = PQsocket(l->conn);
    }
    poll(fds, 2, ms);
    if (fds[1].fd >= 0 && PQconsumeInput(l->conn)) {
        PGnotify *n;
        while ((n = PQnotifies(l->conn)) != NULL)
            PQfreemem(n);
    }
}

static bool ids_add(char **buf, size_t *len, size_t *cap, const char *id)
{
    size_t n = strlen(id) + 2;
    if (*len + n + 2 > *cap) {
        size_t c = *cap ? *cap * 2 : 1024;
        while (c < *len + n + 2)
            c *= 2;
        char *p = realloc(*buf, c);
        if (p == NULL)
            return false;
        *buf = p;
        *cap = c;
    }
    *len += (size_t)snprintf(*buf + *len, *cap - *len, "%s%s", *len == 0 ? "{" : ",", id);
    return true;
}

/* Records the delivered rows in one statement; true when it did (or there
 * were none). On failure the list is kept, to be recorded once the
 * database is back (the main loop flushes before it claims again): dropped,
 * those rows were sent again after the lease. The ids close with "}" only
 * for the statement, so more can be added after a failure. */
static bool flush_done(struct lane *l)
{
    if (l->ndone == 0)
        return true;
    if (l->conn == NULL)
        return false;
    snprintf(l->done_ids + l->done_len, l->done_cap - l->done_len, "}");
    const char *p[] = {l->done_ids, l->done_lock};
    if (!notify_db_exec(&l->conn, sql_delivered, 2, p, NULL))
        return false;
    l->done_len = 0;
    l->ndone = 0;
    return true;
}

static void mark_done(struct lane *l, const char *id)
{
    snprintf(l->done_lock, sizeof l->done_lock, "%s", l->lock);
    if (!ids_add(&l->done_ids, &l->done_len, &l->done_cap, id)) {
        (void)flush_done(l);
        const char *p[2];
        char one[40];
        snprintf(one, sizeof one, "{%s}", id);
        p[0] = one;
        p[1] = l->lock;
        if (l->conn != NULL)
            (void)notify_db_exec(&l->conn, sql_delivered, 2, p, NULL);
        return;
    }
    l->ndone++;
}

/* retry_at: NULL for dead. */
static void mark_failed(struct lane *l, const char *id, const char *error, const char *retry_at)
{
    char clean[2048];
    snprintf(clean, sizeof clean, "%s", error);
    notify_utf8_clean(clean);
    const char *p[] = {id, clean, retry_at, l->lock};
    if (l->conn != NULL)
        (void)notify_db_exec(&l->conn, sql_failed, 4, p, NULL);
}

/* The next try after attempts failed ones: mail_retry_s·2^(attempts−1)
 * ± 20 % (so that a relay's outage does not come back as one burst), or
 * dead (NULL) once that is past mail_give_up_s after the row first became
 * due (due_since: not created_at, which for a reminder written weeks before
 * its day, or a dead row an admin retried, is long past). */
static const char *retry_time(const struct lane *l, int attempts, double due_since, char *buf,
                              size_t len)
{
    double wait = l->cfg->mail_retry_s * pow(2, attempts > 1 ? attempts - 1 : 0);
    if (wait > 1e9)
        wait = 1e9;
    wait *= 0.8 + 0.4 * ((double)rand() / RAND_MAX);
    double at = wall_s() + wait;
    if (at > due_since + l->cfg->mail_give_up_s)
        return NULL;
    snprintf(buf, len, "%.3f", at);
    return buf;
}

static json_t *render_context(const struct lane *l, PGresult *r, int i, const char *unsub_url)
{
    json_error_t jerr;
    json_t *payload = json_loads(PQgetvalue(r, i, C_PAYLOAD), 0, &jerr);
    if (payload == NULL)
        payload = json_object();
    /* mail_render_context takes a reference of its own (json_pack "O", and
     * adds edition_dates from it): ours is dropped here, else every mail
     * leaked its payload (LeakSanitizer, test_mail_e2e.py) */
    json_t *ctx =
        mail_render_context(PQgetvalue(r, i, C_LANG), PQgetvalue(r, i, C_NAME),
                            PQgetvalue(r, i, C_EMAIL), l->cfg->public_url, payload, unsub_url);
    json_decref(payload);
    return ctx;
}

/* The attachments of a kind: the edition's .ics for the registration mails
 * that leave the person with a date to keep (created unless waitlisted,
 * promoted, approved);
 * a rejection or cancellation attaches none, since a calendar file would
 * invite them to keep a date they no longer have. */
static char *attachment_for(const char *kind, json_t *payload, size_t *len, char *name,
                            size_t namelen)
{
    static const char *const with_ics[] = {"registration_created", "registration_promoted",
                                           "registration_approved", NULL};
    bool wanted = false;
    for (int k = 0; with_ics[k] != NULL; k++)
        wanted = wanted || strcmp(kind, with_ics[k]) == 0;
    json_t *edition = json_object_get(payload, "edition");
    /* nor a waitlisted registration: it holds no date yet (its promotion
     * will bring the file) */
    const char *status = json_string_value(json_object_get(payload, "status"));
    if (!wanted || !json_is_object(edition) ||
        (status != NULL && strcmp(status, "waitlisted") == 0))
        return NULL;
    const char *slug = json_string_value(json_object_get(edition, "slug"));
    snprintf(name, namelen, "%s.ics", slug != NULL ? slug : "gess");
    return mail_ics_edition(edition, time(NULL), len);
}

/* One row: the outcome recorded, or left leased when the database went
 * away (sent again after the lease). */
static void deliver(struct lane *l, PGresult *r, int i)
{
    const char *id = PQgetvalue(r, i, C_ID);
    const char *kind = PQgetvalue(r, i, C_KIND);
    char err[512] = "";
    if (PQgetisnull(r, i, C_EMAIL)) {
        mark_failed(l, id, "no recipient", NULL); /* the account was erased */
        return;
    }
    bool reminder = PQgetvalue(r, i, C_REMINDER)[0] == 't';
    if (reminder && PQgetvalue(r, i, C_OPTOUT)[0] == 't') {
        mark_failed(l, id, "opted out of reminders", NULL);
        return;
    }
    /* with require_verified_email nobody can make gess mail an address they
     * did not prove: only the mails that prove it (or reset a password
     * through it) go to an unverified one */
    if (config_require_verified(l->cfg) && PQgetvalue(r, i, C_VERIFIED)[0] != 't' &&
        strcmp(kind, "email_verification") != 0 && strcmp(kind, "password_reset") != 0) {
        mark_failed(l, id, "address not verified", NULL);
        return;
    }
    char unsub[600];
    const char *unsub_url = NULL;
    if (reminder && !PQgetisnull(r, i, C_UNSUB)) {
        snprintf(unsub, sizeof unsub, "%s/v1/unsubscribe?token=%s", l->cfg->public_url,
                 PQgetvalue(r, i, C_UNSUB));
        unsub_url = unsub;
    }
    json_t *ctx = render_context(l, r, i, unsub_url);
    struct mail_text t = {0};
    if (ctx == NULL || mail_render(kind, PQgetvalue(r, i, C_LANG), ctx, &t, err, sizeof err) != 0) {
        json_decref(ctx);
        log_msg(LOG_ERROR, "notify: outbox %s (%s) does not render: %s", id, kind, err);
        mark_failed(l, id, err[0] ? err : "out of memory", NULL);
        return;
    }
    char att_name[128] = "";
    size_t att_len = 0;
    char *att =
        attachment_for(kind, json_object_get(ctx, "payload"), &att_len, att_name, sizeof att_name);
    struct mime_attachment a = {att_name, "text/calendar; charset=UTF-8", att, att_len};
    struct mime_mail m = {
        .from = l->cfg->mail_from,
        .to_email = PQgetvalue(r, i, C_EMAIL),
        .to_name = PQgetvalue(r, i, C_NAME),
        .subject = t.subject,
        .message_id = PQgetvalue(r, i, C_MSGID),
        .date = time(NULL),
        .text = t.text,
        .html = t.html,
        .unsubscribe_url = unsub_url,
        .attachments = att ? &a : NULL,
        .nattachments = att ? 1 : 0,
    };
    size_t len = 0;
    char *msg = mime_build(&m, &len);
    free(att);
    mail_text_free(&t);
    json_decref(ctx);
    if (msg == NULL) {
        char at[32];
        mark_failed(l, id, "out of memory",
                    retry_time(l, atoi(PQgetvalue(r, i, C_ATTEMPTS)), atof(PQgetvalue(r, i, C_DUE)),
                               at, sizeof at));
        return;
    }
    /* the transfer ends before the lease does (less a margin for recording
     * the outcome), so no other sender claims a mail still being sent */
    double left = l->deadline - mono_s() - 1.0;
    long timeout_ms = left < 1.0 ? 1000 : (long)(left * 1000);
    enum mail_outcome o =
        l->smtp != NULL ? smtp_send(l->smtp, m.to_email, msg, len, timeout_ms, err, sizeof err)
                        : maildir_write(l->cfg->mail_dir, msg, len, err, sizeof err);
    free(msg);
    if (o == MAIL_SENT) {
        mark_done(l, id);
        return;
    }
    char at[32];
    const char *retry = o == MAIL_RETRY ? retry_time(l, atoi(PQgetvalue(r, i, C_ATTEMPTS)),
                                                     atof(PQgetvalue(r, i, C_DUE)), at, sizeof at)
                                        : NULL;
    log_msg(retry ? LOG_INFO : LOG_WARN, "notify: outbox %s to %s: %s; %s", id, m.to_email, err,
            retry ? "will retry" : "dead");
    mark_failed(l, id, err, retry);
}

/* Hands back rows i.. of the claim: not tried, so claimable at once. */
static void release_from(struct lane *l, PGresult *r, int i)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    bool ok = true;
    for (int k = i; k < PQntuples(r) && ok; k++)
        ok = ids_add(&buf, &len, &cap, PQgetvalue(r, k, C_ID));
    if (ok && len > 0 && l->conn != NULL) {
        snprintf(buf + len, cap - len, "}");
        const char *p[] = {buf};
        (void)notify_db_exec(&l->conn, sql_release, 1, p, NULL);
    }
    free(buf);
}

/* One claim and its mails; the number claimed, or -1 when the database
 * failed. */
static int one_batch(struct lane *l)
{
    int limit = BATCH_MAX;
    /* paced by the relay: claim no more than half a lease can send */
    if (l->cfg->smtp_rate_per_minute > 0 && l->smtp != NULL) {
        long fit = (long)l->cfg->smtp_rate_per_minute * l->cfg->outbox_lease_s / 120;
        limit = fit < 1 ? 1 : fit < BATCH_MAX ? (int)fit : BATCH_MAX;
    }
    char lim[16], lease[16];
    snprintf(lim, sizeof lim, "%d", limit);
    snprintf(lease, sizeof lease, "%d", l->cfg->outbox_lease_s);
    const char *p[] = {lim, lease};
    PGresult *r = NULL;
    double claimed_at = mono_s();
    if (!notify_db_exec(&l->conn, sql_claim, 2, p, &r))
        return -1;
    l->deadline = claimed_at + l->cfg->outbox_lease_s;
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        l->lock = PQgetvalue(r, i, C_LOCK);
        /* the token first: its wait may take the lease past half, which the
         * check after it then sees */
        if ((l->smtp != NULL && !bucket_take(&l->bucket, l->stop)) || atomic_load(l->stop) ||
            mono_s() - claimed_at > l->cfg->outbox_lease_s / 2.0) {
            (void)flush_done(l);
            release_from(l, r, i);
            break;
        }
        deliver(l, r, i);
        if (l->conn == NULL)
            break; /* the rest stay leased; claimed again after the lease */
    }
    (void)flush_done(l);
    l->lock = NULL;
    PQclear(r);
    return n;
}

/* The same least-privileged role as serve, and LISTEN for urgent rows. */
static const char session[] = "SET ROLE gess_app; SET TIME ZONE 'UTC'; LISTEN gess_outbox";

void *notify_mail_lane(void *arg)
{
    struct lane_args *a = arg;
    struct lane l = {.cfg = a->cfg, .stop = a->stop, .wake_fd = a->wake_fd};
    srand((unsigned)time(NULL) ^ (unsigned)(size_t)&l);
    if (strcmp(a->cfg->mail_transport, "smtp") == 0) {
        l.smtp = smtp_new(a->cfg);
        if (l.smtp == NULL) {
            log_msg(LOG_ERROR, "notify: cannot set up SMTP (mail_from: an address?)");
            a->exit_code = 1;
            kill(getpid(), SIGTERM); /* the main thread waits for a signal */
            return NULL;
        }
    }
    /* this lane's share of the relay's rate (rounded up: a rate below the
     * number of lanes still sends) */
    int rate = a->cfg->smtp_rate_per_minute;
    int lanes = a->lanes > 0 ? a->lanes : 1;
    bucket_init(&l.bucket, rate > 0 ? (rate + lanes - 1) / lanes : 0);
    while (!atomic_load(l.stop)) {
        if (!notify_db_connect(&l.conn, a->cfg->database_url, session)) {
            wait_for(&l, 1000);
            continue;
        }
        /* the delivered rows of the last claim first: recorded under that
         * claim's lock, before another claim can take them */
        if (!flush_done(&l)) {
            wait_for(&l, a->cfg->outbox_poll_ms);
            continue;
        }
        int n = one_batch(&l);
        if (n < 0) {
            /* a claim that failed on a good connection would fail again at
             * once: wait a poll interval rather than spin */
            wait_for(&l, a->cfg->outbox_poll_ms);
            continue;
        }
        if (n < BATCH_MAX) /* a full batch: more may be due now */
            wait_for(&l, n > 0 ? 0 : a->cfg->outbox_poll_ms);
    }
    PQfinish(l.conn);
    smtp_free(l.smtp);
    free(l.done_ids);
    return NULL;
}
