/*
 * slowloris — holds N connections open against 127.0.0.1:PORT for `make
 * bench` part g.
 *
 * MODE trickle (the default): each connection sends a partial request head
 * ("GET /healthz HTTP/1.1", Host, one header line) and then one more header
 * byte per second, never the blank line that ends the head: a slowloris
 * client. MODE idle: each connection is opened and nothing is ever sent.
 *
 * Whenever the server closes a connection (EOF, reset, a failed send, or
 * after an answer such as a refusal), it is reopened, so that N stay held;
 * at most 128 connects are in flight at once (the listen backlog), and a
 * failed connect is retried after 100 ms.
 *
 * Every second, and once more at the end, one line on stdout:
 *   t=S held=H connecting=C reconnects=R answered=A connect_errors=E
 *   min_held=M mean_held=W
 * held: connected and not closed by the server; reconnects: connections
 * reopened after the server closed them; answered: connections on which the
 * server sent bytes (an answer to a partial head is a refusal or an error);
 * min_held and mean_held: the fewest held, and the time-weighted mean, since
 * all N were first held at once (-1 until then). The last line starts with
 * "done ".
 *
 * usage: slowloris PORT N SECONDS [trickle|idle]
 *   runs SECONDS (a safety bound) or until SIGTERM/SIGINT. Raises its soft
 *   RLIMIT_NOFILE to the hard limit. Connects to 127.0.0.1 only.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNECTING 128
#define HEAD "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: gess-bench-slowloris\r\n"
#define TRICKLE "X-a: b\r\n" /* one byte a second, cyclically: no blank line ever */

enum state { IDLE_SLOT, CONNECTING, HELD };

struct conn {
    int fd;
    enum state st;
    double next;  /* CONNECTING: nothing; HELD: next byte; IDLE_SLOT: next connect */
    unsigned pos; /* position in TRICKLE */
    int answered;
    int was_held; /* held before: reopening it is a reconnect */
};

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct sockaddr_in addr;
static int trickle = 1;
static long held, connecting, reconnects, answered, connect_errors;

static void drop(struct conn *c, double t, double retry)
{
    if (c->fd >= 0)
        close(c->fd);
    if (c->st == HELD)
        held--;
    else if (c->st == CONNECTING)
        connecting--;
    c->fd = -1;
    c->st = IDLE_SLOT;
    c->next = t + retry;
}

static void start_connect(struct conn *c, double t)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        connect_errors++;
        c->next = t + 0.1;
        return;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    c->fd = fd;
    c->answered = 0;
    c->pos = 0;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 || errno == EINPROGRESS) {
        c->st = CONNECTING;
        connecting++;
        return;
    }
    connect_errors++;
    close(fd);
    c->fd = -1;
    c->next = t + 0.1;
}

static int send_bytes(struct conn *c, const char *p, size_t n)
{
    ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
    return w == (ssize_t)n ? 0 : -1; /* a few bytes: a short write means trouble */
}

static void connected(struct conn *c, double t)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        connect_errors++;
        drop(c, t, 0.1);
        return;
    }
    connecting--;
    c->st = HELD;
    held++;
    if (c->was_held)
        reconnects++;
    c->was_held = 1;
    c->next = t + 1.0;
    if (trickle && send_bytes(c, HEAD, sizeof HEAD - 1) != 0)
        drop(c, t, 0);
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: %s PORT N SECONDS [trickle|idle]\n", argv[0]);
        return 2;
    }
    long port = strtol(argv[1], NULL, 10), n = strtol(argv[2], NULL, 10);
    double secs = strtod(argv[3], NULL);
    if (port < 1 || port > 65535 || n < 1 || n > 1000000 || secs <= 0) {
        fprintf(stderr, "slowloris: bad arguments\n");
        return 2;
    }
    if (argc == 5) {
        if (strcmp(argv[4], "idle") == 0)
            trickle = 0;
        else if (strcmp(argv[4], "trickle") != 0) {
            fprintf(stderr, "slowloris: MODE is trickle or idle\n");
            return 2;
        }
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (rlim_t)n + 16 > rl.rlim_cur)
        fprintf(stderr, "slowloris: descriptor limit %lu is below %ld connections\n",
                (unsigned long)rl.rlim_cur, n);

    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(0x7f000001); /* 127.0.0.1 only */

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct conn *cs = calloc((size_t)n, sizeof *cs);
    struct pollfd *pfd = calloc((size_t)n, sizeof *pfd);
    long *idx = calloc((size_t)n, sizeof *idx);
    if (!cs || !pfd || !idx) {
        fprintf(stderr, "slowloris: out of memory\n");
        return 1;
    }
    for (long i = 0; i < n; i++)
        cs[i].fd = -1;

    double t0 = now_s(), report = t0 + 1.0, end = t0 + secs;
    long min_held = -1;
    double full_since = 0, held_s = 0, last = t0; /* held x seconds since full */
    char buf[4096];
    while (!stop) {
        double t = now_s();
        if (t >= end)
            break;
        /* open what is missing, within the in-flight bound */
        for (long i = 0; i < n && connecting < MAX_CONNECTING; i++)
            if (cs[i].st == IDLE_SLOT && cs[i].next <= t)
                start_connect(&cs[i], t);
        /* one byte a second per held connection */
        if (trickle)
            for (long i = 0; i < n; i++) {
                struct conn *c = &cs[i];
                if (c->st != HELD || c->next > t)
                    continue;
                if (send_bytes(c, &TRICKLE[c->pos], 1) != 0) {
                    drop(c, t, 0);
                    continue;
                }
                c->pos = (c->pos + 1) % (sizeof TRICKLE - 1);
                c->next += 1.0;
                if (c->next < t)
                    c->next = t + 1.0;
            }
        if (min_held >= 0)
            held_s += (double)held * (t - last);
        last = t;
        if (held == n && min_held < 0) {
            min_held = n;
            full_since = t;
        }
        if (min_held >= 0 && held < min_held)
            min_held = held;
        if (t >= report) {
            printf("t=%.1f held=%ld connecting=%ld reconnects=%ld answered=%ld "
                   "connect_errors=%ld min_held=%ld mean_held=%.0f\n",
                   t - t0, held, connecting, reconnects, answered, connect_errors, min_held,
                   min_held < 0     ? -1.0
                   : t > full_since ? held_s / (t - full_since)
                                    : (double)n);
            fflush(stdout);
            report += 1.0;
        }

        nfds_t m = 0;
        for (long i = 0; i < n; i++) {
            if (cs[i].st == IDLE_SLOT)
                continue;
            pfd[m].fd = cs[i].fd;
            pfd[m].events = cs[i].st == CONNECTING ? POLLOUT : POLLIN;
            pfd[m].revents = 0;
            idx[m++] = i;
        }
        int r = poll(pfd, m, 10);
        if (r <= 0)
            continue;
        t = now_s();
        for (nfds_t j = 0; j < m; j++) {
            if (pfd[j].revents == 0)
                continue;
            struct conn *c = &cs[idx[j]];
            if (c->st == CONNECTING) {
                connected(c, t);
                continue;
            }
            ssize_t got = recv(c->fd, buf, sizeof buf, 0);
            if (got > 0) {
                if (!c->answered)
                    answered++;
                c->answered = 1;
                continue; /* discard; the close follows */
            }
            if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
                continue;
            drop(c, t, 0); /* EOF or reset: reopen */
        }
    }
    double t = now_s();
    if (min_held >= 0)
        held_s += (double)held * (t - last);
    printf("done t=%.1f held=%ld connecting=%ld reconnects=%ld answered=%ld "
           "connect_errors=%ld min_held=%ld mean_held=%.0f\n",
           t - t0, held, connecting, reconnects, answered, connect_errors, min_held,
           min_held < 0     ? -1.0
           : t > full_since ? held_s / (t - full_since)
                            : (double)n);
    fflush(stdout);
    for (long i = 0; i < n; i++)
        if (cs[i].fd >= 0)
            close(cs[i].fd);
    free(cs);
    free(pfd);
    free(idx);
    return 0;
}
