/* log.h — one JSON object per line on stderr, written with a single
 * write(2) so lines from several loops never interleave. Every line is
 * valid JSON whatever bytes its strings hold (invalid UTF-8 becomes
 * U+FFFD, control characters are escaped). */
#ifndef GESS_LOG_H
#define GESS_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the lowest level written; name is debug, info, warn or error. */
void log_set_level(const char *name);

/* True when lines of this level are written. */
bool log_enabled(enum log_level level);

/* Writes the lines to fd instead (stderr by default); returns the previous
 * one. For the unit tests. */
int log_set_fd(int fd);

/* A free-form event: {"ts","level","msg"}; trailing line breaks of the
 * message are dropped. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One line per request; every string is escaped. */
void log_request(const char *req_id, const char *method, const char *route, const char *path,
                 int status, double dur_ms, int worker);

/* Appends s to buf (capacity cap including the terminating NUL, current
 * length *len) as a JSON string body without the quotes: `"`, `\` and
 * control characters escaped, ill-formed UTF-8 (overlongs, surrogates,
 * truncated or stray bytes) replaced by U+FFFD. Truncates rather than
 * overflows, never in the middle of a sequence or an escape. */
void log_json_escape(char *buf, size_t cap, size_t *len, const char *s);

/* Routes libevent's own messages into this log (event_set_log_callback),
 * each distinct message at most once a second, with "source": "libevent"
 * and "suppressed": N for the repeats held back. Call before anything
 * else of libevent runs. */
void log_libevent_install(void);

/* Writes a line for each libevent message whose repeats are still held
 * back (at exit, so no count is lost). */
void log_libevent_flush(void);

/* The rate limit behind log_libevent_install: true when msg may be written
 * at now (monotonic seconds), at most once a second; *suppressed then gets
 * the number of repeats held back since its last line. Thread-safe. */
bool log_ratelimit(const char *msg, double now, unsigned long *suppressed);

/* A libpq notice processor (PQsetNoticeProcessor) writing notices and
 * warnings of the server as info lines instead of plain text on stderr. */
void log_pq_notice(void *arg, const char *message);

#endif
