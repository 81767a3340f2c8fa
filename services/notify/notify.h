/* notify.h — `gessd notify`: delivers the outbox (issue 16). Its own
 * process without an HTTP listener: lanes on threads (mail_lanes for mail,
 * one for webhooks: a slow endpoint never holds up mail), each with its own
 * blocking libpq connection, polling every outbox_poll_ms; the mail lanes
 * are woken at once by LISTEN gess_outbox for urgent rows. */
#ifndef GESS_NOTIFY_H
#define GESS_NOTIFY_H

#include <stdatomic.h>

#include "core/config.h"

/* The command: runs until SIGTERM or SIGINT, then finishes the mail in
 * flight, hands back the rows it claimed and did not try, and exits 0. */
int notify_cli(const struct config *cfg, int argc, char **argv);

/* One lane's life (lane.c: channel "mail"; hook_lane.c: "webhook"). stop is set and wake_fd made
 * readable when the process is asked to stop. */
struct lane_args {
    const struct config *cfg;
    const atomic_bool *stop;
    int wake_fd;
    int exit_code; /* set by the lane: 0, or 1 when it could not start */
    int lanes;     /* how many run: each takes 1/lanes of smtp_rate_per_minute */
};
void *notify_mail_lane(void *args);

/* The webhook lane (hook_lane.c): channel "webhook", one thread on
 * libcurl's multi interface. */
void *notify_hook_lane(void *args);

#endif
