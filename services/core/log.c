/* log.c — structured logging. */
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Atomic int min_level = LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, level_names[i]) == 0)
            atomic_store(&min_level, i);
}

bool log_enabled(enum log_level level)
{
    return (int)level >= atomic_load_explicit(&min_level, memory_order_relaxed);
}

void log_json_escape(char *buf, size_t cap, size_t *len, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = *len;
    for (; *s != '\0' && n + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf[n++] = '\\';
            buf[n++] = (char)c;
        } else if (c < 0x20) {
            memcpy(buf + n, "\\u00", 4);
            buf[n + 4] = hex[c >> 4];
            buf[n + 5] = hex[c & 15];
            n += 6;
        } else {
            buf[n++] = (char)c;
        }
    }
    buf[n] = '\0';
    *len = n;
}

static size_t put_ts(char *buf, size_t cap)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, cap, "{\"ts\":\"%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(buf + n, cap - n, ".%03ldZ\"", ts.tv_nsec / 1000000);
    return n;
}

static void emit(char *buf, size_t n, size_t cap)
{
    if (n + 2 > cap)
        n = cap - 2;
    buf[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, buf, n);
    (void)w; /* nowhere to report a failed log write */
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    char msg[1024], buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t n = put_ts(buf, sizeof buf);
    n += (size_t)snprintf(buf + n, sizeof buf - n, ",\"level\":\"%s\",\"msg\":\"",
                          level_names[level]);
    log_json_escape(buf, sizeof buf - 4, &n, msg);
    buf[n++] = '"';
    buf[n++] = '}';
    emit(buf, n, sizeof buf);
}

void log_request(const char *req_id, const char *method, const char *route, const char *path,
                 int status, double dur_ms, int worker)
{
    if (!log_enabled(LOG_INFO))
        return;
    char buf[2048];
    size_t n = put_ts(buf, sizeof buf);
    n += (size_t)snprintf(buf + n, sizeof buf - n,
                          ",\"level\":\"info\",\"msg\":\"request\",\"req_id\":\"%s\",\"method\":\"%s\","
                          "\"route\":\"",
                          req_id, method);
    log_json_escape(buf, 1200, &n, route);
    memcpy(buf + n, "\",\"path\":\"", 10);
    n += 10;
    log_json_escape(buf, 1900, &n, path);
    n += (size_t)snprintf(buf + n, sizeof buf - n,
                          "\",\"status\":%d,\"duration_ms\":%.3f,\"worker\":%d}", status, dur_ms,
                          worker);
    emit(buf, n, sizeof buf);
}
