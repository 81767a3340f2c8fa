/* log.c — structured logging: one JSON object per line, valid JSON
 * whatever bytes come in. A request path, a header or a database message
 * may hold anything a client sent; a line that is not JSON is dropped by
 * a log shipper, and with it the evidence, so strings are escaped here and
 * invalid UTF-8 becomes U+FFFD (RFC 8259 §8.1: JSON text is UTF-8). */
#include "core/log.h"

#include <event2/event.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Atomic int min_level = LOG_INFO;
static _Atomic int out_fd = STDERR_FILENO;
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

int log_set_fd(int fd)
{
    return atomic_exchange(&out_fd, fd);
}

/* Length of the well-formed UTF-8 sequence at s (1 to 4 bytes), or 0 when
 * an ill-formed one starts there; *bad then gets the length of its
 * maximal subpart (at least 1), which is replaced by one U+FFFD as Unicode
 * recommends (§3.9), so "\xe2\x82" + "x" reads as one U+FFFD then "x".
 * The ranges of the second byte exclude overlongs (E0, F0), surrogates
 * (ED) and code points past U+10FFFF (F4). s is NUL-terminated and NUL is
 * never a continuation byte, so the scan stops at the end of the string. */
static size_t utf8_seq(const unsigned char *s, size_t *bad)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t need;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c == 0xE0)
        need = 2, lo = 0xA0;
    else if (c == 0xED)
        need = 2, hi = 0x9F;
    else if (c >= 0xE1 && c <= 0xEF)
        need = 2;
    else if (c == 0xF0)
        need = 3, lo = 0x90;
    else if (c == 0xF4)
        need = 3, hi = 0x8F;
    else if (c >= 0xF1 && c <= 0xF3)
        need = 3;
    else {
        *bad = 1; /* 80..C1 and F5..FF never start a sequence */
        return 0;
    }
    for (size_t i = 1; i <= need; i++) {
        if (s[i] < lo || s[i] > hi) {
            *bad = i;
            return 0;
        }
        lo = 0x80, hi = 0xBF;
    }
    return need + 1;
}

void log_json_escape(char *buf, size_t cap, size_t *len, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t n = *len;
    if (n >= cap)
        return;
    while (*p != '\0') {
        char unit[6];
        size_t ulen = 1, used = 1;
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            unit[0] = '\\', unit[1] = (char)c, ulen = 2;
        } else if (c < 0x20 || c == 0x7f) {
            const char *shortform = c == '\n'   ? "\\n"
                                    : c == '\t' ? "\\t"
                                    : c == '\r' ? "\\r"
                                                : NULL;
            if (shortform != NULL) {
                memcpy(unit, shortform, 2);
                ulen = 2;
            } else {
                memcpy(unit, "\\u00", 4);
                unit[4] = hex[c >> 4], unit[5] = hex[c & 15], ulen = 6;
            }
        } else if (c < 0x80) {
            unit[0] = (char)c;
        } else {
            size_t bad = 1, k = utf8_seq(p, &bad);
            if (k > 0) {
                memcpy(unit, p, k);
                ulen = used = k;
            } else {
                memcpy(unit, "\xef\xbf\xbd", 3); /* U+FFFD */
                ulen = 3, used = bad;
            }
        }
        /* Whole units only: truncation never leaves half a sequence or
         * half an escape, which would make the line invalid JSON. */
        if (n + ulen >= cap)
            break;
        memcpy(buf + n, unit, ulen);
        n += ulen;
        p += used;
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

/* Appends ,"key":"value" with at most max bytes of escaped value; the
 * caller sizes buf for every field it adds (keys are literals). */
static void put_field(char *buf, size_t *n, const char *key, const char *val, size_t max)
{
    *n += (size_t)sprintf(buf + *n, ",\"%s\":\"", key);
    log_json_escape(buf, *n + max + 1, n, val != NULL ? val : "");
    buf[(*n)++] = '"';
}

/* One write(2) per line, so lines from several threads never interleave. */
static void emit(char *buf, size_t n)
{
    buf[n++] = '\n';
    ssize_t w = write(atomic_load_explicit(&out_fd, memory_order_relaxed), buf, n);
    (void)w; /* nowhere to report a failed log write */
}

/* Room for the timestamp, level and the longest extra members. */
#define LINE_MAX_BYTES 4096
#define MSG_MAX_BYTES 3600

/* {"ts","level","msg"} plus extra, members already rendered as JSON
 * (",\"k\":v", at most 200 bytes). */
static void log_line(enum log_level level, const char *msg, const char *extra)
{
    char buf[LINE_MAX_BYTES];
    size_t n = put_ts(buf, sizeof buf);
    n += (size_t)snprintf(buf + n, sizeof buf - n, ",\"level\":\"%s\"", level_names[level]);
    put_field(buf, &n, "msg", msg, MSG_MAX_BYTES);
    size_t e = strnlen(extra, 200);
    memcpy(buf + n, extra, e);
    n += e;
    buf[n++] = '}';
    emit(buf, n);
}

/* The length of s[0..len) without a multi-byte sequence that vsnprintf
 * cut at the end, nor trailing line breaks (libpq's messages end in one). */
static size_t trim_message(const char *s, size_t len, bool cut)
{
    if (cut) {
        size_t start = len;
        while (start > 0 && len - start < 3 && ((unsigned char)s[start - 1] & 0xC0) == 0x80)
            start--;
        if (start > 0) {
            unsigned char lead = (unsigned char)s[start - 1];
            size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            if (want > len - (start - 1))
                len = start - 1;
        }
    }
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
        len--;
    return len;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r < 0)
        r = 0;
    bool cut = (size_t)r >= sizeof msg;
    msg[trim_message(msg, cut ? sizeof msg - 1 : (size_t)r, cut)] = '\0';
    log_line(level, msg, "");
}

void log_request(const char *req_id, const char *method, const char *route, const char *path,
                 int status, double dur_ms, int worker)
{
    if (!log_enabled(LOG_INFO))
        return;
    /* ts 32 + level and msg 34 + req_id 138 + method 44 + route 522
     * + path 2057 + status, duration and worker < 100: under 4096. */
    char buf[LINE_MAX_BYTES];
    size_t n = put_ts(buf, sizeof buf);
    n += (size_t)snprintf(buf + n, sizeof buf - n, ",\"level\":\"info\",\"msg\":\"request\"");
    put_field(buf, &n, "req_id", req_id, 128);
    put_field(buf, &n, "method", method, 32);
    put_field(buf, &n, "route", route, 512);
    put_field(buf, &n, "path", path, 2048);
    n += (size_t)snprintf(buf + n, sizeof buf - n,
                          ",\"status\":%d,\"duration_ms\":%.3f,\"worker\":%d}", status, dur_ms,
                          worker);
    emit(buf, n);
}

/* --- libevent's own messages ------------------------------------------------
 * libevent reports trouble (accept() failing with EMFILE, a bad fd) through
 * one process-wide callback, from whichever thread hit it, and an accept
 * loop under descriptor exhaustion can say the same thing thousands of
 * times a second. Each distinct message is written at most once a second;
 * the repeats held back are counted and reported in its next line. */

#define RL_SLOTS 32

static struct rl_slot {
    uint64_t hash; /* of the message text; 0 = free */
    double last;   /* monotonic seconds of the last line written */
    double seen;   /* of the last occurrence, for eviction */
    unsigned long suppressed;
    enum log_level level;
    char msg[200]; /* for log_libevent_flush */
} rl[RL_SLOTS];
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h != 0 ? h : 1;
}

static bool ratelimit(const char *msg, enum log_level level, double now, unsigned long *suppressed)
{
    uint64_t h = fnv1a(msg);
    bool pass = false;
    pthread_mutex_lock(&rl_lock);
    struct rl_slot *slot = NULL, *victim = &rl[0];
    for (int i = 0; i < RL_SLOTS && slot == NULL; i++) {
        if (rl[i].hash == h)
            slot = &rl[i];
        else if (victim->hash != 0 && (rl[i].hash == 0 || rl[i].seen < victim->seen))
            victim = &rl[i];
    }
    if (slot == NULL) {
        /* More than RL_SLOTS distinct messages at once: the one seen
         * least recently loses its pending count. */
        slot = victim;
        *slot = (struct rl_slot){.hash = h, .last = now - 2, .level = level};
        snprintf(slot->msg, sizeof slot->msg, "%s", msg);
    }
    slot->seen = now;
    if (now - slot->last >= 1.0) {
        pass = true;
        *suppressed = slot->suppressed;
        slot->suppressed = 0;
        slot->last = now;
    } else {
        slot->suppressed++;
    }
    pthread_mutex_unlock(&rl_lock);
    return pass;
}

bool log_ratelimit(const char *msg, double now, unsigned long *suppressed)
{
    return ratelimit(msg, LOG_WARN, now, suppressed);
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum log_level libevent_level(int severity)
{
    switch (severity) {
    case EVENT_LOG_DEBUG:
        return LOG_DEBUG;
    case EVENT_LOG_MSG:
        return LOG_INFO;
    case EVENT_LOG_WARN:
        return LOG_WARN;
    default:
        return LOG_ERROR;
    }
}

static void libevent_line(enum log_level level, const char *msg, unsigned long suppressed)
{
    char extra[80];
    if (suppressed > 0)
        snprintf(extra, sizeof extra, ",\"source\":\"libevent\",\"suppressed\":%lu", suppressed);
    else
        snprintf(extra, sizeof extra, ",\"source\":\"libevent\"");
    log_line(level, msg, extra);
}

/* Must not call libevent (its documentation says so): it only formats
 * and writes. */
static void on_libevent_log(int severity, const char *msg)
{
    enum log_level level = libevent_level(severity);
    if (!log_enabled(level))
        return;
    unsigned long suppressed = 0;
    if (ratelimit(msg, level, mono_now(), &suppressed))
        libevent_line(level, msg, suppressed);
}

void log_libevent_install(void)
{
    event_set_log_callback(on_libevent_log);
}

void log_libevent_flush(void)
{
    struct rl_slot pending[RL_SLOTS];
    int k = 0;
    pthread_mutex_lock(&rl_lock);
    for (int i = 0; i < RL_SLOTS; i++)
        if (rl[i].hash != 0 && rl[i].suppressed > 0) {
            pending[k++] = rl[i];
            rl[i].suppressed = 0;
        }
    pthread_mutex_unlock(&rl_lock);
    for (int i = 0; i < k; i++)
        libevent_line(pending[i].level, pending[i].msg, pending[i].suppressed);
}

void log_pq_notice(void *arg, const char *message)
{
    (void)arg;
    /* a WARNING is for the operator (a migration that could not do all it
     * meant to); NOTICEs are chatter */
    log_msg(strncmp(message, "WARNING:", 8) == 0 ? LOG_WARN : LOG_INFO, "db: server says: %s",
            message);
}
