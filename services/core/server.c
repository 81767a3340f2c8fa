/* server.c — `gessd serve` as a process: the database parameters
 * (resolved once), one listening socket that each worker (worker.c) serves
 * through its own evhttp on a dup() of it (so a second gessd on the same
 * port fails loudly instead of silently sharing it, as SO_REUSEPORT would
 * allow), the hashing threads, the gauges summed over the workers, signals
 * and shutdown.
 *
 * Shutdown: SIGTERM/SIGINT reach the main thread's loop, which asks every
 * worker to drain: close its listener, let in-flight requests finish
 * (bounded by shutdown_timeout_ms), then leave its loop. Then the hashing
 * threads stop and everything is freed in reverse order of creation. */
#include "core/server.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/batch.h"
#include "core/db_listen.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/migrate.h"
#include "core/pwhash.h"
#include "core/worker.h"

/* Every new connection runs this first: it puts the session under the
 * least-privileged app role (DESIGN.md §4). */
static const char setup_sql[] = "SET ROLE gess_app; SET TIME ZONE 'UTC';"
                                " SET statement_timeout = '30s'";

struct conninfo {
    const char **keywords, **values;
    PQconninfoOption *opts;
    char hostaddr[64]; /* a numeric IPv4 or IPv6 address */
};

/* libpq resolves host names synchronously inside PQconnectStart, which
 * would stall a loop; resolve once here and connect by hostaddr. */
static bool conninfo_build(struct conninfo *ci, const char *url, char *err, size_t errlen)
{
    char *perr = NULL;
    ci->opts = PQconninfoParse(url, &perr);
    if (ci->opts == NULL) {
        snprintf(err, errlen, "config: database_url: %s", perr ? perr : "out of memory");
        PQfreemem(perr);
        return false;
    }
    size_t n = 0;
    const char *host = NULL, *hostaddr = NULL, *appname = NULL;
    for (PQconninfoOption *o = ci->opts; o->keyword != NULL; o++) {
        n++;
        if (o->val == NULL)
            continue;
        if (strcmp(o->keyword, "host") == 0)
            host = o->val;
        else if (strcmp(o->keyword, "hostaddr") == 0)
            hostaddr = o->val;
        else if (strcmp(o->keyword, "application_name") == 0)
            appname = o->val;
    }
    ci->keywords = calloc(n + 3, sizeof *ci->keywords);
    ci->values = calloc(n + 3, sizeof *ci->values);
    if (ci->keywords == NULL || ci->values == NULL) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    size_t k = 0;
    for (PQconninfoOption *o = ci->opts; o->keyword != NULL; o++)
        if (o->val != NULL && *o->val != '\0') {
            ci->keywords[k] = o->keyword;
            ci->values[k++] = o->val;
        }
    if (host != NULL && host[0] != '/' && host[0] != '@' && hostaddr == NULL &&
        strchr(host, ',') == NULL) {
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
        int rc = getaddrinfo(host, NULL, &hints, &ai);
        if (rc != 0) {
            snprintf(err, errlen, "config: database_url: cannot resolve %s: %s", host,
                     gai_strerror(rc));
            return false;
        }
        rc = getnameinfo(ai->ai_addr, ai->ai_addrlen, ci->hostaddr, sizeof ci->hostaddr, NULL, 0,
                         NI_NUMERICHOST);
        freeaddrinfo(ai);
        if (rc != 0) {
            snprintf(err, errlen, "config: database_url: %s", gai_strerror(rc));
            return false;
        }
        ci->keywords[k] = "hostaddr";
        ci->values[k++] = ci->hostaddr;
    }
    if (appname == NULL) {
        ci->keywords[k] = "application_name";
        ci->values[k++] = "gessd";
    }
    return true;
}

static void conninfo_free(struct conninfo *ci)
{
    free(ci->keywords);
    free(ci->values);
    PQconninfoFree(ci->opts);
}

/* A bound, listening, non-blocking socket for "host:port" or "[v6]:port". */
static evutil_socket_t listen_socket(const char *listen_at, char *err, size_t errlen)
{
    char host[256];
    const char *colon = strrchr(listen_at, ':');
    if (colon == NULL || colon == listen_at || (size_t)(colon - listen_at) >= sizeof host) {
        snprintf(err, errlen, "config: listen: '%s' is not host:port", listen_at);
        return -1;
    }
    memcpy(host, listen_at, (size_t)(colon - listen_at));
    host[colon - listen_at] = '\0';
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *ai = NULL;
    int rc = getaddrinfo(host, colon + 1, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "config: listen: '%s': %s", listen_at, gai_strerror(rc));
        return -1;
    }
    evutil_socket_t fd = socket(ai->ai_family, SOCK_STREAM, 0);
    if (fd < 0 || evutil_make_listen_socket_reuseable(fd) != 0 ||
        evutil_make_socket_nonblocking(fd) != 0 || evutil_make_socket_closeonexec(fd) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
        snprintf(err, errlen, "listen: cannot listen on %s: %s", listen_at, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

/* Each kind of hash job apart, so a flood of one shows as itself. */
static void render_hash_metrics(struct evbuffer *out)
{
    static const char *const names[] = {"gess_hash_queue_depth", "gess_hash_jobs_refused_total",
                                        "gess_hash_jobs_dropped_total"};
    static const char *const help[] = {
        "Password hashes waiting or running, by kind.",
        "Password hashes refused (503) because the queue or the kind's share was full.",
        "Password hashes dropped unhashed because their client had gone."};
    static const char *const type[] = {"gauge", "counter", "counter"};
    for (int m = 0; m < 3; m++) {
        evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", names[m], help[m], names[m],
                            type[m]);
        for (int k = 0; k < PWHASH_KINDS; k++) {
            unsigned long v = m == 0   ? (unsigned long)pwhash_depth((enum pwhash_kind)k)
                              : m == 1 ? pwhash_refused((enum pwhash_kind)k)
                                       : pwhash_dropped((enum pwhash_kind)k);
            evbuffer_add_printf(out, "%s{kind=\"%s\"} %lu\n", names[m],
                                pwhash_kind_name((enum pwhash_kind)k), v);
        }
    }
}

void server_render_gauges(struct server *srv, struct evbuffer *out)
{
    struct db_pool_stats sum = {0, 0, 0, 0, 0};
    for (int i = 0; i < srv->nworkers; i++) {
        struct db_pool_stats s;
        db_pool_stats(srv->workers[i].db, &s);
        sum.in_use += s.in_use;
        sum.idle += s.idle;
        sum.connecting += s.connecting;
        sum.down += s.down;
        sum.waiting += s.waiting;
    }
    evbuffer_add_printf(out,
                        "# HELP gess_db_pool_connections Database connections by state.\n"
                        "# TYPE gess_db_pool_connections gauge\n"
                        "gess_db_pool_connections{state=\"in_use\"} %d\n"
                        "gess_db_pool_connections{state=\"idle\"} %d\n"
                        "gess_db_pool_connections{state=\"connecting\"} %d\n"
                        "gess_db_pool_connections{state=\"down\"} %d\n"
                        "# HELP gess_db_pool_waiting Requests waiting for a connection.\n"
                        "# TYPE gess_db_pool_waiting gauge\ngess_db_pool_waiting %d\n"
                        "# HELP gess_workers Event loops serving requests.\n"
                        "# TYPE gess_workers gauge\ngess_workers %d\n",
                        sum.in_use, sum.idle, sum.connecting, sum.down, sum.waiting, srv->nworkers);
    render_hash_metrics(out);
    /* Per worker: a worker whose LISTEN connection stays down serves its
     * caches uncached (db_listen.h), which a sum would hide. */
    evbuffer_add_printf(out, "# HELP gess_db_listen_connected Whether the worker's LISTEN "
                             "connection is listening (1) or not (0).\n"
                             "# TYPE gess_db_listen_connected gauge\n");
    for (int i = 0; i < srv->nworkers; i++)
        evbuffer_add_printf(out, "gess_db_listen_connected{worker=\"%d\"} %d\n", i,
                            db_listen_connected(srv->workers[i].listen) ? 1 : 0);
    conn_render_metrics(srv, out);
    batch_render_metrics(out);
}

static int stop_signals;

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    struct server *srv = arg;
    if (stop_signals++ > 0) {
        log_msg(LOG_WARN, "second signal: stopping now");
        for (int i = 0; i < srv->nworkers; i++)
            event_base_loopexit(srv->workers[i].base, NULL);
        return;
    }
    log_msg(LOG_INFO, "signal %d: draining", (int)sig);
    for (int i = 0; i < srv->nworkers; i++) {
        worker_drain(&srv->workers[i]);
    }
}

/* Joins the workers off the main loop, then wakes that loop through an
 * event (an activation is not lost even if it comes before the loop
 * runs), so the main thread keeps answering signals meanwhile. */
struct joiner {
    struct server *srv;
    struct event *joined;
};

static void *joiner_main(void *arg)
{
    struct joiner *j = arg;
    for (int i = 0; i < j->srv->nworkers; i++)
        pthread_join(j->srv->workers[i].thread, NULL);
    event_active(j->joined, EV_READ, 0);
    return NULL;
}

static void on_joined(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(arg);
}

int server_run(const struct config *cfg, const struct router *rt,
               const struct db_stmt *const *stmts, const struct server_task *const *periodic)
{
    int code = 1, started = 0;
    char err[512];
    struct server srv = {.cfg = cfg, .rt = rt, .tasks = periodic};
    struct conninfo ci = {0};
    struct event_base *main_base = NULL;
    struct event *sigterm = NULL, *sigint = NULL;
    evutil_socket_t lfd = -1;
    bool hashing = false;

    log_set_level(cfg->log_level);
    signal(SIGPIPE, SIG_IGN);
    if (evthread_use_pthreads() != 0) {
        log_msg(LOG_ERROR, "cannot enable libevent threads");
        return 1;
    }
    if (cfg->database_url[0] == '\0') {
        log_msg(LOG_ERROR, "config: database_url is not set (GESS_DATABASE_URL)");
        return 2;
    }
    if (!proxy_parse(cfg->trusted_proxies, &srv.proxies, err, sizeof err)) {
        /* config_load() parsed it already; only memory can fail here */
        log_msg(LOG_ERROR, "config: trusted_proxies: %s", err);
        return 2;
    }
    if (!conninfo_build(&ci, cfg->database_url, err, sizeof err)) {
        log_msg(LOG_ERROR, "%s", err);
        code = 2;
        goto out;
    }
    if (!migrate_check(cfg->database_url, err, sizeof err)) {
        log_msg(LOG_ERROR, "%s", err);
        goto out;
    }
    lfd = listen_socket(cfg->listen, err, sizeof err);
    if (lfd < 0) {
        log_msg(LOG_ERROR, "%s", err);
        goto out;
    }
    if (!metrics_init(rt))
        goto out;
    int threads = cfg->hash_threads ? cfg->hash_threads : config_cores();
    /* at least one sign-up, or a small queue would refuse every one */
    int signup_max = cfg->hash_queue_max * cfg->hash_signup_share / 100;
    if (signup_max < 1)
        signup_max = 1;
    if (!pwhash_start(threads, cfg->hash_queue_max, signup_max,
                      (unsigned long long)cfg->argon2_opslimit,
                      (size_t)cfg->argon2_memlimit_kib * 1024)) {
        log_msg(LOG_ERROR, "cannot start the hashing threads");
        goto out;
    }
    hashing = true;

    srv.nworkers = cfg->workers ? cfg->workers : config_cores();
    conn_limits_init(&srv, &srv.limits); /* before anything opens more descriptors */
    srv.workers = calloc((size_t)srv.nworkers, sizeof *srv.workers);
    if (srv.workers == NULL)
        goto out;
    struct db_pool_opts dbo = {
        .keywords = ci.keywords,
        .values = ci.values,
        .size = cfg->db_pool_size,
        .queue_max = cfg->db_queue_max,
        .queue_timeout_ms = cfg->db_queue_timeout_ms,
        .setup_sql = setup_sql,
        .stmts = stmts,
    };
    for (int i = 0; i < srv.nworkers; i++)
        if (!worker_init(&srv.workers[i], &srv, i, lfd, &dbo)) {
            log_msg(LOG_ERROR, "cannot set up worker %d", i);
            goto out;
        }
    close(lfd); /* the workers hold dups; the last one closed stops accepting */
    lfd = -1;

    main_base = event_base_new();
    if (main_base == NULL)
        goto out;
    sigterm = evsignal_new(main_base, SIGTERM, on_signal, &srv);
    sigint = evsignal_new(main_base, SIGINT, on_signal, &srv);
    if (sigterm == NULL || sigint == NULL || event_add(sigterm, NULL) != 0 ||
        event_add(sigint, NULL) != 0)
        goto out;
    for (; started < srv.nworkers; started++)
        if (pthread_create(&srv.workers[started].thread, NULL, worker_main,
                           &srv.workers[started]) != 0)
            goto out;
    log_msg(LOG_INFO, "serving http://%s with %d workers, %d hashing threads", cfg->listen,
            srv.nworkers, threads);
    pthread_t jt;
    struct joiner jn = {&srv, event_new(main_base, -1, 0, on_joined, main_base)};
    if (jn.joined == NULL || pthread_create(&jt, NULL, joiner_main, &jn) != 0) {
        if (jn.joined != NULL)
            event_free(jn.joined);
        goto out;
    }
    event_base_dispatch(main_base);
    pthread_join(jt, NULL);
    event_free(jn.joined);
    started = 0; /* all joined */
    code = 0;
    log_msg(LOG_INFO, "stopped");
out:
    if (started > 0) {
        for (int i = 0; i < srv.nworkers; i++)
            event_base_loopexit(srv.workers[i].base, NULL);
        for (int i = 0; i < started; i++)
            pthread_join(srv.workers[i].thread, NULL);
    }
    if (hashing)
        pwhash_stop();
    for (int i = 0; srv.workers != NULL && i < srv.nworkers; i++)
        worker_free(&srv.workers[i]);
    free(srv.workers);
    if (sigterm != NULL)
        event_free(sigterm);
    if (sigint != NULL)
        event_free(sigint);
    if (main_base != NULL)
        event_base_free(main_base);
    if (lfd >= 0)
        close(lfd);
    metrics_free();
    conninfo_free(&ci);
    log_libevent_flush(); /* repeats of a libevent message still held back */
    proxy_list_free(&srv.proxies);
    return code;
}
