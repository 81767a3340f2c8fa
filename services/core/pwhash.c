/* pwhash.c — the hashing thread pool (PgBouncer's pam.c and Kore's tasks
 * show the shape: worker threads, a locked queue, results handed back to
 * the loop that asked). */
/* POLLRDHUP (Linux): a peer's FIN seen behind bytes it left unread */
#define _GNU_SOURCE
#include "core/pwhash.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* One FIFO per kind, all under mu. Threads take the kinds in turn (turn
 * says whose it is) when both have work, so neither waits behind the
 * other's backlog. */
struct fifo {
    struct pwhash_job *head, *tail;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct fifo queue[PWHASH_KINDS];
static int turn;
static int qmax, kind_max[PWHASH_KINDS], nthreads;
static bool stopping;
static pthread_t *threads;
/* per kind: waiting for a thread (changed under mu; the total is bounded by
 * qmax, each kind by kind_max), and waiting or running (for /metrics) */
static _Atomic int waiting[PWHASH_KINDS], depth[PWHASH_KINDS];
static _Atomic unsigned long refused[PWHASH_KINDS], dropped[PWHASH_KINDS];
static unsigned long long ops;
static size_t mem;
static char dummy[crypto_pwhash_STRBYTES];

void pwhash_configure(unsigned long long opslimit, size_t memlimit)
{
    ops = opslimit;
    mem = memlimit;
}

bool pwhash_hash_now(const char *password, char out[crypto_pwhash_STRBYTES])
{
    return crypto_pwhash_str(out, password, strlen(password), ops, mem) == 0;
}

static void run(struct pwhash_job *j)
{
    if (j->op == PWHASH_HASH) {
        j->ok = pwhash_hash_now(j->password, j->out);
        return;
    }
    j->ok = crypto_pwhash_str_verify(j->stored, j->password, strlen(j->password)) == 0;
    if (j->ok && j->rehash && crypto_pwhash_str_needs_rehash(j->stored, ops, mem) != 0)
        j->rehashed = pwhash_hash_now(j->password, j->out);
}

/* The next job (called with mu held, work waiting): the kind whose turn it
 * is if it has one, else the other; the turn then passes. */
_Static_assert(PWHASH_KINDS == 2, "take() passes the turn between two kinds");

static struct pwhash_job *take(void)
{
    int k = queue[turn].head != NULL ? turn : 1 - turn;
    struct pwhash_job *j = queue[k].head;
    queue[k].head = j->next;
    if (queue[k].head == NULL)
        queue[k].tail = NULL;
    atomic_fetch_sub(&waiting[k], 1);
    turn = 1 - k;
    return j;
}

/* Whether the client that asked has closed its connection (FIN or RST).
 * poll() with POLLRDHUP sees a FIN also behind bytes the client sent and
 * left unread (evhttp stops reading while a request is handled, so a
 * trailing CRLF or a pipelined request stays in the kernel), which a
 * recv(MSG_PEEK) would not, and unlike recv it leaves a pending socket
 * error alone. A half-close (shutdown(SHUT_WR), the client still reading)
 * looks the same and is taken as leaving, as nginx does. While the job
 * waits, the loop neither reads nor closes the descriptor (conn.c only
 * shuts a connection down during a handler), so the number is the
 * client's; were it reused, a live socket would only be hashed as before. */
static bool client_gone(int fd)
{
    if (fd < 0)
        return false;
    struct pollfd p = {.fd = fd, .events = POLLRDHUP};
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

static void *worker(void *unused)
{
    (void)unused;
    for (;;) {
        pthread_mutex_lock(&mu);
        while (queue[0].head == NULL && queue[1].head == NULL && !stopping)
            pthread_cond_wait(&cv, &mu);
        if (stopping) {
            pthread_mutex_unlock(&mu);
            return NULL;
        }
        struct pwhash_job *j = take();
        pthread_mutex_unlock(&mu);
        if (client_gone(j->client_fd)) {
            j->dropped = true;
            atomic_fetch_add(&dropped[j->kind], 1);
        } else {
            run(j);
        }
        atomic_fetch_sub(&depth[j->kind], 1);
        j->deliver(j);
    }
}

bool pwhash_start(int n, int queue_max, int signup_max, unsigned long long opslimit,
                  size_t memlimit)
{
    pwhash_configure(opslimit, memlimit);
    qmax = queue_max;
    kind_max[PWHASH_LOGIN] = queue_max;
    kind_max[PWHASH_SIGNUP] = signup_max < queue_max ? signup_max : queue_max;
    stopping = false;
    char pw[33];
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(pw, sizeof pw, raw, sizeof raw);
    if (!pwhash_hash_now(pw, dummy))
        return false;
    threads = calloc((size_t)n, sizeof *threads);
    if (threads == NULL)
        return false;
    for (nthreads = 0; nthreads < n; nthreads++)
        if (pthread_create(&threads[nthreads], NULL, worker, NULL) != 0) {
            pwhash_stop();
            return false;
        }
    return true;
}

void pwhash_stop(void)
{
    pthread_mutex_lock(&mu);
    stopping = true;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < nthreads; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    threads = NULL;
    nthreads = 0;
    for (int k = 0; k < PWHASH_KINDS; k++) {
        while (queue[k].head != NULL) {
            struct pwhash_job *j = queue[k].head;
            queue[k].head = j->next;
            pwhash_job_free(j);
        }
        queue[k].tail = NULL;
        atomic_store(&waiting[k], 0);
        atomic_store(&depth[k], 0);
    }
}

struct pwhash_job *pwhash_job_new(enum pwhash_op op, enum pwhash_kind kind, const char *password)
{
    struct pwhash_job *j = calloc(1, sizeof *j);
    if (j == NULL)
        return NULL;
    j->op = op;
    j->kind = kind;
    j->client_fd = -1;
    j->password = strdup(password);
    if (j->password == NULL) {
        free(j);
        return NULL;
    }
    return j;
}

void pwhash_job_free(struct pwhash_job *j)
{
    if (j == NULL)
        return;
    sodium_memzero(j->password, strlen(j->password));
    free(j->password);
    sodium_memzero(j, sizeof *j);
    free(j);
}

static bool has_room(enum pwhash_kind kind)
{
    int all = atomic_load(&waiting[PWHASH_LOGIN]) + atomic_load(&waiting[PWHASH_SIGNUP]);
    return all < qmax && atomic_load(&waiting[kind]) < kind_max[kind];
}

bool pwhash_admits(enum pwhash_kind kind)
{
    if (has_room(kind))
        return true;
    atomic_fetch_add(&refused[kind], 1);
    return false;
}

bool pwhash_submit(struct pwhash_job *j)
{
    pthread_mutex_lock(&mu);
    /* waiting changes only under mu, so this check cannot overfill */
    if (stopping || !has_room(j->kind)) {
        pthread_mutex_unlock(&mu);
        atomic_fetch_add(&refused[j->kind], 1);
        return false;
    }
    struct fifo *q = &queue[j->kind];
    j->next = NULL;
    if (q->tail != NULL)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
    atomic_fetch_add(&waiting[j->kind], 1);
    atomic_fetch_add(&depth[j->kind], 1);
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return true;
}

int pwhash_depth(enum pwhash_kind kind)
{
    return atomic_load(&depth[kind]);
}

unsigned long pwhash_refused(enum pwhash_kind kind)
{
    return atomic_load(&refused[kind]);
}

unsigned long pwhash_dropped(enum pwhash_kind kind)
{
    return atomic_load(&dropped[kind]);
}

const char *pwhash_kind_name(enum pwhash_kind kind)
{
    return kind == PWHASH_SIGNUP ? "signup" : "login";
}

const char *pwhash_dummy(void)
{
    return dummy;
}
