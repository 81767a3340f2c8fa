/* bucket.c — pacing a relay that limits mails per minute: a relay over its
 * rate answers 4xx, which costs a retry back-off; waiting here costs less. */
#include <math.h>
#include <time.h>

#include "mail/transport.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bucket_init(struct bucket *b, int rate_per_minute)
{
    b->per_s = rate_per_minute / 60.0;
    b->cap = b->per_s > 1 ? b->per_s : 1;
    b->tokens = b->cap;
    b->last = now_s();
}

bool bucket_take(struct bucket *b, const atomic_bool *stop)
{
    if (b->per_s <= 0)
        return true;
    for (;;) {
        double t = now_s();
        b->tokens = fmin(b->cap, b->tokens + (t - b->last) * b->per_s);
        b->last = t;
        if (b->tokens >= 1) {
            b->tokens -= 1;
            return true;
        }
        if (atomic_load(stop))
            return false;
        double wait = (1 - b->tokens) / b->per_s;
        if (wait > 0.1)
            wait = 0.1;
        struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        nanosleep(&ts, NULL);
    }
}
