/* pwhash.h — Argon2id (libsodium crypto_pwhash_str) on a fixed pool of
 * threads behind a bounded queue, so hashing never runs on an event loop.
 * A finished job is handed back through its deliver() hook, which the
 * requesting loop supplies (it queues the job and wakes the loop).
 *
 * The queue is shared fairly between two kinds of work. Sign-ups are
 * anonymous and cost a hash each, so they may hold only a share of the
 * queue (signup_max jobs), and threads take the two kinds in turn: a flood
 * of sign-ups can neither fill the queue nor stand in front of a login.
 * A job whose client has closed its connection is dropped, unhashed, just
 * before a thread would start it; its handler gives back what it counted
 * and answers 503, which nobody reads (the log and the request metrics show
 * it as 503, gess_hash_jobs_dropped_total tells these apart). */
#ifndef GESS_PWHASH_H
#define GESS_PWHASH_H

#include <sodium.h>
#include <stdbool.h>

enum pwhash_op {
    PWHASH_HASH,   /* hash password into out */
    PWHASH_VERIFY, /* check password against stored; if rehash is set and
                      stored uses older limits, also hash into out */
};

/* Who is waiting for the hash; each kind has its own queue. */
enum pwhash_kind {
    PWHASH_LOGIN,  /* an account proves its password: login, password change */
    PWHASH_SIGNUP, /* a new account (anonymous) */
    PWHASH_KINDS
};

struct pwhash_job {
    enum pwhash_op op;
    enum pwhash_kind kind;
    int client_fd;  /* the requester's socket, peeked before hashing; -1: none */
    char *password; /* owned by the job, wiped when it is freed */
    char stored[crypto_pwhash_STRBYTES];
    bool rehash;
    /* results */
    bool dropped;  /* the client had gone: nothing was hashed, ok is false */
    bool ok;       /* verify: the password matched; hash: it succeeded */
    bool rehashed; /* out holds a hash with the current limits */
    char out[crypto_pwhash_STRBYTES];
    /* hand-back */
    void (*deliver)(struct pwhash_job *job); /* runs on a hashing thread */
    void (*done)(struct pwhash_job *job);    /* the loop runs this */
    void *arg;
    void *home;
    struct pwhash_job *next;
};

/* Starts threads hashing with the given limits; at most queue_max jobs wait
 * for a thread, of which at most signup_max are sign-ups. false on failure. */
bool pwhash_start(int threads, int queue_max, int signup_max, unsigned long long opslimit,
                  size_t memlimit) __attribute__((warn_unused_result));

/* Stops the threads after their current job; queued jobs are freed
 * without delivery. */
void pwhash_stop(void);

/* A new job of the given kind owning a copy of password; NULL when out of
 * memory. */
struct pwhash_job *pwhash_job_new(enum pwhash_op op, enum pwhash_kind kind, const char *password);
void pwhash_job_free(struct pwhash_job *job);

/* Queues the job; false (job still the caller's) when the queue, or its
 * kind's share of it, is full. */
bool pwhash_submit(struct pwhash_job *job) __attribute__((warn_unused_result));

/* Whether a job of this kind would be queued now (a no counts as refused):
 * lets a handler answer 503 before it spends a database round trip on a
 * request that cannot be hashed. A hint only (another loop may take the
 * room first); pwhash_submit decides. */
bool pwhash_admits(enum pwhash_kind kind);

/* Jobs of a kind waiting or running, for /metrics and the tests. */
int pwhash_depth(enum pwhash_kind kind);

/* Jobs of a kind refused because the queue was full, and dropped because
 * their client had gone, since the process started (pwhash_stop does not
 * reset them). */
unsigned long pwhash_refused(enum pwhash_kind kind);
unsigned long pwhash_dropped(enum pwhash_kind kind);

/* "login" or "signup", the label /metrics uses. */
const char *pwhash_kind_name(enum pwhash_kind kind);

/* Sets the Argon2id limits (pwhash_start does it too). */
void pwhash_configure(unsigned long long opslimit, size_t memlimit);

/* Synchronous hashing with the pool's limits, for start-up and the CLI. */
bool pwhash_hash_now(const char *password, char out[crypto_pwhash_STRBYTES])
    __attribute__((warn_unused_result));

/* A hash of a random password, made at start-up: login verifies unknown
 * emails against it so they cost the same time as wrong passwords. */
const char *pwhash_dummy(void);

#endif
