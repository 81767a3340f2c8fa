/* pwhash.h — Argon2id (libsodium crypto_pwhash_str) on a fixed pool of
 * threads behind a bounded queue, so hashing never runs on an event loop.
 * A finished job is handed back through its deliver() hook, which the
 * requesting loop supplies (it queues the job and wakes the loop). */
#ifndef GESS_PWHASH_H
#define GESS_PWHASH_H

#include <sodium.h>
#include <stdbool.h>

enum pwhash_op {
    PWHASH_HASH,   /* hash password into out */
    PWHASH_VERIFY, /* check password against stored; if rehash is set and
                      stored uses older limits, also hash into out */
};

struct pwhash_job {
    enum pwhash_op op;
    char *password; /* owned by the job, wiped when it is freed */
    char stored[crypto_pwhash_STRBYTES];
    bool rehash;
    /* results */
    bool ok;        /* verify: the password matched; hash: it succeeded */
    bool rehashed;  /* out holds a hash with the current limits */
    char out[crypto_pwhash_STRBYTES];
    /* hand-back */
    void (*deliver)(struct pwhash_job *job); /* runs on a hashing thread */
    void (*done)(struct pwhash_job *job);    /* the loop runs this */
    void *arg;
    void *home;
    struct pwhash_job *next;
};

/* Starts threads hashing with the given limits; false on failure. */
bool pwhash_start(int threads, int queue_max, unsigned long long opslimit, size_t memlimit)
    __attribute__((warn_unused_result));

/* Stops the threads after their current job; queued jobs are freed
 * without delivery. */
void pwhash_stop(void);

/* A new job owning a copy of password; NULL when out of memory. */
struct pwhash_job *pwhash_job_new(enum pwhash_op op, const char *password);
void pwhash_job_free(struct pwhash_job *job);

/* Queues the job; false (job still the caller's) when the queue is full. */
bool pwhash_submit(struct pwhash_job *job) __attribute__((warn_unused_result));

/* Jobs waiting or running, for /metrics. */
int pwhash_depth(void);

/* Sets the Argon2id limits (pwhash_start does it too). */
void pwhash_configure(unsigned long long opslimit, size_t memlimit);

/* Synchronous hashing with the pool's limits, for start-up and the CLI. */
bool pwhash_hash_now(const char *password, char out[crypto_pwhash_STRBYTES])
    __attribute__((warn_unused_result));

/* A hash of a random password, made at start-up: login verifies unknown
 * emails against it so they cost the same time as wrong passwords. */
const char *pwhash_dummy(void);

#endif
