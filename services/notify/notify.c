/* notify.c — the command: checks the schema, starts the lanes, waits for a
 * signal. Signals are blocked in every thread and taken by sigwait() here,
 * so a lane is never interrupted in the middle of a libpq or libcurl call;
 * stopping is a flag and a byte in a pipe the lanes poll. */
#include "notify/notify.h"

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "core/log.h"
#include "core/migrate.h"
#include "mail/render.h"

/* The relay as the start line shows it: scheme://host:port only, since
 * smtp_url may hold a user and password (smtp://user:pass@host), and the
 * log is read by more people than the config. */
static void relay_for_log(const char *url, char *out, size_t outlen)
{
    snprintf(out, outlen, "(an SMTP URL that does not parse)");
    CURLU *u = curl_url();
    if (u == NULL)
        return;
    char *scheme = NULL, *host = NULL, *port = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
        snprintf(out, outlen, "%s://%s:%s", scheme, host, port);
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
}

int notify_cli(const struct config *cfg, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: gessd notify\n");
        return 2;
    }
    if (cfg->database_url[0] == '\0') {
        log_msg(LOG_ERROR, "notify: config: database_url is not set (GESS_DATABASE_URL)");
        return 2;
    }
    char err[512];
    if (!migrate_check(cfg->database_url, err, sizeof err)) {
        log_msg(LOG_ERROR, "notify: %s", err);
        return 1;
    }
    if (!mail_render_init(err, sizeof err)) {
        log_msg(LOG_ERROR, "notify: the mail templates do not compile: %s", err);
        return 1;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        log_msg(LOG_ERROR, "notify: libcurl failed to initialise");
        return 1;
    }
    int pipefd[2];
    if (pipe(pipefd) != 0) {
        log_msg(LOG_ERROR, "notify: pipe failed");
        curl_global_cleanup();
        mail_render_shutdown();
        return 1;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* the lanes inherit it */
    signal(SIGPIPE, SIG_IGN);               /* a relay closing on us is an error, not a death */

    /* mail_lanes threads: one renders while another waits for the relay;
     * each claims its own rows (SKIP LOCKED), as separate processes would,
     * and takes its share of smtp_rate_per_minute */
    static atomic_bool stop;
    enum { MAX_LANES = 16 };
    int lanes = cfg->mail_lanes < 1 ? 1 : cfg->mail_lanes > MAX_LANES ? MAX_LANES : cfg->mail_lanes;
    struct lane_args mail[MAX_LANES + 1];
    pthread_t t[MAX_LANES + 1];
    int started = 0;
    for (int i = 0; i < lanes; i++) {
        mail[i] = (struct lane_args){cfg, &stop, pipefd[0], 0, lanes};
        if (pthread_create(&t[i], NULL, notify_mail_lane, &mail[i]) != 0)
            break;
        started++;
    }
    /* and the webhook lane, last in the arrays */
    bool hooks = false;
    if (started == lanes) {
        mail[started] = (struct lane_args){cfg, &stop, pipefd[0], 0, 1};
        hooks = pthread_create(&t[started], NULL, notify_hook_lane, &mail[started]) == 0;
        started += hooks;
    }
    if (started == 0 || !hooks) {
        log_msg(LOG_ERROR, "notify: cannot start the %s lane", started == 0 ? "mail" : "webhook");
        atomic_store(&stop, true);
        for (int i = 0; i < started; i++)
            (void)!write(pipefd[1], "x", 1);
        for (int i = 0; i < started; i++)
            pthread_join(t[i], NULL);
        close(pipefd[0]);
        close(pipefd[1]);
        curl_global_cleanup();
        mail_render_shutdown();
        return 1;
    }
    char relay[300];
    relay_for_log(cfg->smtp_url, relay, sizeof relay);
    log_msg(LOG_INFO, "notify started: %d mail lane(s) and a webhook lane, transport %s%s%s",
            started - 1, cfg->mail_transport, cfg->mail_transport[0] == 'm' ? " into " : " via ",
            cfg->mail_transport[0] == 'm' ? cfg->mail_dir : relay);
    int sig = 0;
    sigwait(&set, &sig);
    log_msg(LOG_INFO, "notify: signal %d, finishing the mail in flight", sig);
    atomic_store(&stop, true);
    int code = 0;
    for (int i = 0; i < started; i++)
        (void)!write(pipefd[1], "x", 1); /* a byte for each lane to read */
    for (int i = 0; i < started; i++) {
        pthread_join(t[i], NULL);
        if (mail[i].exit_code > code)
            code = mail[i].exit_code;
    }
    close(pipefd[0]);
    close(pipefd[1]);
    curl_global_cleanup();
    mail_render_shutdown();
    log_msg(LOG_INFO, "notify stopped");
    return code;
}
