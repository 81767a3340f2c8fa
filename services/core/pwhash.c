/* pwhash.c — the hashing thread pool (PgBouncer's pam.c and Kore's tasks
 * show the shape: worker threads, a locked queue, results handed back to
 * the loop that asked). */
#include "core/pwhash.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct pwhash_job *head, *tail;
static int qlen, qmax, nthreads;
static bool stopping;
static pthread_t *threads;
static _Atomic int depth;
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

static void *worker(void *unused)
{
    (void)unused;
    for (;;) {
        pthread_mutex_lock(&mu);
        while (head == NULL && !stopping)
            pthread_cond_wait(&cv, &mu);
        if (stopping) {
            pthread_mutex_unlock(&mu);
            return NULL;
        }
        struct pwhash_job *j = head;
        head = j->next;
        if (head == NULL)
            tail = NULL;
        qlen--;
        pthread_mutex_unlock(&mu);
        run(j);
        atomic_fetch_sub(&depth, 1);
        j->deliver(j);
    }
}

bool pwhash_start(int n, int queue_max, unsigned long long opslimit, size_t memlimit)
{
    pwhash_configure(opslimit, memlimit);
    qmax = queue_max;
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
    while (head != NULL) {
        struct pwhash_job *j = head;
        head = j->next;
        pwhash_job_free(j);
    }
    tail = NULL;
    qlen = 0;
    atomic_store(&depth, 0);
}

struct pwhash_job *pwhash_job_new(enum pwhash_op op, const char *password)
{
    struct pwhash_job *j = calloc(1, sizeof *j);
    if (j == NULL)
        return NULL;
    j->op = op;
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

bool pwhash_submit(struct pwhash_job *j)
{
    pthread_mutex_lock(&mu);
    if (qlen >= qmax || stopping) {
        pthread_mutex_unlock(&mu);
        return false;
    }
    j->next = NULL;
    if (tail != NULL)
        tail->next = j;
    else
        head = j;
    tail = j;
    qlen++;
    atomic_fetch_add(&depth, 1);
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return true;
}

int pwhash_depth(void)
{
    return atomic_load(&depth);
}

const char *pwhash_dummy(void)
{
    return dummy;
}
