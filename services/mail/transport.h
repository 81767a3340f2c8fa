/* transport.h — handing a built mail to the world: SMTP through libcurl
 * (smtp.c) or a maildir (maildir.c), and the token bucket that paces a
 * relay (bucket.c). */
#ifndef GESS_MAIL_TRANSPORT_H
#define GESS_MAIL_TRANSPORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

/* The outcome of one delivery: what the outbox does with the row. */
enum mail_outcome {
    MAIL_SENT,
    MAIL_RETRY, /* 4xx, a lost or refused connection: try again later */
    MAIL_DEAD,  /* 5xx to this mail (its RCPT or its data): never taken */
};

/* One SMTP session: the libcurl easy handle is kept across mails, so its
 * connection to the relay is reused (one per lane). */
struct smtp;
struct smtp *smtp_new(const struct config *cfg);
void smtp_free(struct smtp *s);
/* One envelope: MAIL FROM mail_from's address, RCPT TO rcpt alone; the
 * whole transfer bounded by timeout_ms (the lease left: notify/lane.c). */
enum mail_outcome smtp_send(struct smtp *s, const char *rcpt, const char *msg, size_t len,
                            long timeout_ms, char *err, size_t errlen);

/* Writes msg into dir/tmp/ and renames it into dir/new/ (the maildir
 * rule: a reader never sees half a file); creates the folders. */
enum mail_outcome maildir_write(const char *dir, const char *msg, size_t len, char *err,
                                size_t errlen);

/* A token bucket of rate_per_minute tokens refilling continuously, holding
 * at most a second's worth (at least one): short bursts, the rate kept. */
struct bucket {
    double tokens, per_s, cap;
    double last; /* CLOCK_MONOTONIC seconds */
};
void bucket_init(struct bucket *b, int rate_per_minute);
/* Takes one token, sleeping until there is one, in slices so that *stop
 * is seen within 100 ms; false when stopped first. rate 0: at once. */
bool bucket_take(struct bucket *b, const atomic_bool *stop);

#endif
