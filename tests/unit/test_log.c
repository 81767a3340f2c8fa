/* test_log.c — every log line is valid JSON whatever bytes it carries:
 * the escaper, truncation, the request line, libevent's messages and
 * their rate limit. */
#include <errno.h>
#include <event2/util.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/log.h"
#include "unit.h"

#define FFFD "\xef\xbf\xbd"

static void check_escape(const char *in, const char *want)
{
    char buf[256];
    size_t n = 0;
    log_json_escape(buf, sizeof buf, &n, in);
    CHECK_STR(buf, want);
    CHECK(n == strlen(want));
}

/* The lines written between start and stop, read from a pipe. */
static int pipe_fds[2], saved_fd;

static void capture_start(void)
{
    CHECK(pipe(pipe_fds) == 0);
    CHECK(fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK) == 0);
    saved_fd = log_set_fd(pipe_fds[1]);
}

static size_t capture_stop(char *out, size_t cap)
{
    log_set_fd(saved_fd);
    close(pipe_fds[1]);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < cap && (r = read(pipe_fds[0], out + n, cap - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    close(pipe_fds[0]);
    return n;
}

/* Parses one line (with its newline) as a JSON object; NULL if it is not. */
static json_t *parse_line(const char *line)
{
    size_t len = strlen(line);
    CHECK(len > 0 && line[len - 1] == '\n');
    CHECK(memchr(line, '\n', len) == line + len - 1); /* exactly one line */
    json_error_t e;
    json_t *j = json_loads(line, JSON_REJECT_DUPLICATES, &e);
    CHECK(j != NULL && json_is_object(j));
    if (j == NULL)
        fprintf(stderr, "not JSON (%s): %s", e.text, line);
    return j;
}

static void test_escape(void)
{
    check_escape("plain /v1/editions", "plain /v1/editions");
    check_escape("a\"b\\c", "a\\\"b\\\\c");
    check_escape("\n\t\r\x01\x1f\x7f", "\\n\\t\\r\\u0001\\u001f\\u007f");
    check_escape("ñandú € \xf0\x9d\x84\x9e", "ñandú € \xf0\x9d\x84\x9e"); /* 2, 3, 4 bytes */
    check_escape("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");                 /* U+10FFFF */
    check_escape("/v1/\xff\xfe", "/v1/" FFFD FFFD);
    check_escape("\x80x", FFFD "x");     /* stray */
    check_escape("\xc0\xaf", FFFD FFFD); /* overlong '/' */
    check_escape("\xc1\xbf", FFFD FFFD);
    check_escape("\xe0\x80\xaf", FFFD FFFD FFFD);          /* overlong, 3 */
    check_escape("\xf0\x80\x80\xaf", FFFD FFFD FFFD FFFD); /* overlong, 4 */
    check_escape("\xed\xa0\x80", FFFD FFFD FFFD);          /* U+D800 */
    check_escape("\xed\xbf\xbf", FFFD FFFD FFFD);          /* U+DFFF */
    check_escape("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD); /* > U+10FFFF */
    check_escape("\xf5\x80", FFFD FFFD);
    check_escape("\xe2\x82x", FFFD "x");         /* truncated: one U+FFFD for its prefix */
    check_escape("\xe2\x82", FFFD);              /* ... at the end */
    check_escape("\xf0\x9f\x98", FFFD);          /* 4-byte prefix */
    check_escape("\xf0\x9f\x98\"", FFFD "\\\""); /* the quote after it survives */

    /* Truncation keeps whole units: never half a sequence or an escape. */
    char buf[8];
    size_t n = 0;
    log_json_escape(buf, 5, &n, "ab€c");
    CHECK_STR(buf, "ab");
    n = 0;
    log_json_escape(buf, 3, &n, "a\nb");
    CHECK_STR(buf, "a");
    n = 0;
    log_json_escape(buf, 8, &n, "x\x01");
    CHECK_STR(buf, "x\\u0001");
    n = 2;
    memcpy(buf, "ab", 2);
    log_json_escape(buf, 2, &n, "c"); /* full already: left as it was */
    CHECK(n == 2);
}

static void test_lines(void)
{
    /* Whatever a client put in the path and the request id. */
    static char big[6000];
    for (size_t i = 0; i + 3 < sizeof big; i += 3)
        memcpy(big + i, "€", 3);
    big[sizeof big - 1] = '\0';
    char out[32768];

    capture_start();
    log_request("id-\xc3(\x01", "GET", "unmatched", "/v1/\xff\xfe", 404, 0.5, 1);
    capture_stop(out, sizeof out);
    json_t *j = parse_line(out);
    CHECK_STR(json_string_value(json_object_get(j, "path")), "/v1/" FFFD FFFD);
    CHECK_STR(json_string_value(json_object_get(j, "req_id")), "id-" FFFD "(\x01");
    CHECK(json_integer_value(json_object_get(j, "status")) == 404);
    json_decref(j);

    capture_start();
    log_request(big, "GET", big, big, 200, 1, 0); /* everything too long */
    capture_stop(out, sizeof out);
    j = parse_line(out);
    CHECK(json_integer_value(json_object_get(j, "worker")) == 0);
    json_decref(j);

    /* log_msg: vsnprintf cuts a long message; the cut sequence goes, and
     * so does libpq's trailing newline. */
    capture_start();
    log_msg(LOG_ERROR, "xy%s", big); /* 2 + 3k bytes: vsnprintf cuts inside a "€" */
    log_msg(LOG_ERROR, "cannot connect: %s", "refused\n\tIs the server running?\n");
    log_msg(LOG_DEBUG, "not written at the default level");
    capture_stop(out, sizeof out);
    char *second = strchr(out, '\n');
    CHECK(second != NULL);
    if (second != NULL) {
        char first[8192];
        size_t len = (size_t)(second + 1 - out);
        CHECK(len < sizeof first);
        memcpy(first, out, len);
        first[len] = '\0';
        j = parse_line(first);
        const char *msg = json_string_value(json_object_get(j, "msg"));
        CHECK(msg != NULL && strstr(msg, FFFD) == NULL && msg[0] == 'x');
        json_decref(j);
        j = parse_line(second + 1);
        CHECK_STR(json_string_value(json_object_get(j, "msg")),
                  "cannot connect: refused\n\tIs the server running?");
        CHECK_STR(json_string_value(json_object_get(j, "level")), "error");
        json_decref(j);
    }
}

static void test_libevent(void)
{
    unsigned long sup = 99;
    CHECK(log_ratelimit("unit: repeated", 1000.0, &sup) && sup == 0);
    CHECK(!log_ratelimit("unit: repeated", 1000.1, &sup));
    CHECK(log_ratelimit("unit: another", 1000.2, &sup) && sup == 0); /* per message */
    CHECK(!log_ratelimit("unit: repeated", 1000.9, &sup));
    CHECK(log_ratelimit("unit: repeated", 1001.0, &sup) && sup == 2);
    CHECK(!log_ratelimit("unit: repeated", 1001.5, &sup));
    CHECK(log_ratelimit("unit: repeated", 1005.0, &sup) && sup == 1);
    /* Many distinct messages at once do not break it. */
    char m[32];
    for (int i = 0; i < 100; i++) {
        snprintf(m, sizeof m, "unit: message %d", i);
        CHECK(log_ratelimit(m, 2000.0, &sup) && sup == 0);
    }

    /* A real libevent warning (fcntl on a bad descriptor), twice at once:
     * one JSON line, marked as libevent's. */
    char out[4096];
    log_libevent_install();
    capture_start();
    CHECK(evutil_make_socket_nonblocking(-1) != 0);
    CHECK(evutil_make_socket_nonblocking(-1) != 0);
    capture_stop(out, sizeof out);
    json_t *j = parse_line(out);
    CHECK_STR(json_string_value(json_object_get(j, "source")), "libevent");
    CHECK_STR(json_string_value(json_object_get(j, "level")), "warn");
    CHECK(json_object_get(j, "suppressed") == NULL);
    json_decref(j);

    /* The held-back repeat is reported at exit. */
    capture_start();
    log_libevent_flush();
    capture_stop(out, sizeof out);
    j = parse_line(out);
    CHECK(json_integer_value(json_object_get(j, "suppressed")) == 1);
    json_decref(j);
}

void test_log(void)
{
    test_escape();
    test_lines();
    test_libevent();
}
