/* log.h — one JSON object per line on stderr, written with a single
 * write(2) so lines from several loops never interleave. */
#ifndef GESS_LOG_H
#define GESS_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the lowest level written; name is debug, info, warn or error. */
void log_set_level(const char *name);

/* True when lines of this level are written. */
bool log_enabled(enum log_level level);

/* A free-form event: {"ts","level","msg"}. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One line per request. */
void log_request(const char *req_id, const char *method, const char *route, const char *path,
                 int status, double dur_ms, int worker);

/* Appends s to buf (capacity cap, current length *len) as a JSON string
 * body without the quotes; truncates rather than overflows. */
void log_json_escape(char *buf, size_t cap, size_t *len, const char *s);

#endif
