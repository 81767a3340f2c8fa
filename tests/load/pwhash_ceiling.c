/*
 * pwhash_ceiling — how many Argon2id password hashes per second this machine
 * can compute at all, the ceiling for gessd's sign-up rate in `make bench`.
 *
 * Runs libsodium crypto_pwhash_str on THREADS threads (default: one per
 * core) for SECONDS seconds and prints the rate.
 *
 * usage: pwhash_ceiling [OPSLIMIT [MEMLIMIT_KIB [SECONDS [THREADS]]]]
 *        defaults:        2          65536        10        cores
 *
 * Output (stdout, one line, parsed by tests/load/bench.sh):
 *   threads=2 opslimit=2 memlimit_kib=65536 seconds=10.04 hashes=123 hashes_per_s=12.25
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#define MAX_THREADS 256

static unsigned long long opslimit = 2;
static size_t memlimit = 65536u * 1024u;
static double deadline;

struct worker {
    pthread_t thread;
    unsigned long hashes;
    int failed;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    char out[crypto_pwhash_STRBYTES];
    const char *password = "correct horse battery staple 42";
    while (now() < deadline) {
        if (crypto_pwhash_str(out, password, strlen(password), opslimit, memlimit) != 0) {
            w->failed = 1; /* out of memory */
            break;
        }
        w->hashes++;
    }
    return NULL;
}

static int parse(const char *s, const char *what, unsigned long long min, unsigned long long *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end || *s == '-' || x < min) {
        fprintf(stderr, "pwhash_ceiling: bad %s: %s\n", what, s);
        return -1;
    }
    *v = x;
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long long memkib = 65536, seconds = 10, threads = 0;
    if (argc > 5 || (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))) {
        fprintf(stderr, "usage: %s [OPSLIMIT [MEMLIMIT_KIB [SECONDS [THREADS]]]]\n", argv[0]);
        return 2;
    }
    if ((argc > 1 && parse(argv[1], "opslimit", crypto_pwhash_OPSLIMIT_MIN, &opslimit)) ||
        (argc > 2 && parse(argv[2], "memlimit_kib", 8, &memkib)) ||
        (argc > 3 && parse(argv[3], "seconds", 1, &seconds)) ||
        (argc > 4 && parse(argv[4], "threads", 0, &threads)))
        return 2;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned long long)n : 1;
    }
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    memlimit = (size_t)memkib * 1024u;

    if (sodium_init() < 0) {
        fprintf(stderr, "pwhash_ceiling: sodium_init failed\n");
        return 1;
    }

    static struct worker workers[MAX_THREADS];
    double start = now();
    deadline = start + (double)seconds;
    for (unsigned long long i = 0; i < threads; i++) {
        int rc = pthread_create(&workers[i].thread, NULL, work, &workers[i]);
        if (rc) {
            fprintf(stderr, "pwhash_ceiling: pthread_create: %s\n", strerror(rc));
            return 1;
        }
    }
    unsigned long total = 0;
    int failed = 0;
    for (unsigned long long i = 0; i < threads; i++) {
        pthread_join(workers[i].thread, NULL);
        total += workers[i].hashes;
        failed |= workers[i].failed;
    }
    double elapsed = now() - start;
    if (failed) {
        fprintf(stderr, "pwhash_ceiling: crypto_pwhash_str failed (out of memory?)\n");
        return 1;
    }
    printf(
        "threads=%llu opslimit=%llu memlimit_kib=%llu seconds=%.2f hashes=%lu hashes_per_s=%.2f\n",
        threads, opslimit, memkib, elapsed, total, (double)total / elapsed);
    return 0;
}
