/* test_pwhash.c — the hashing queue's fairness: sign-ups hold only their
 * share, threads take logins and sign-ups in turn, and a job whose client
 * has closed its socket is dropped unhashed (also when it left bytes unread
 * behind its FIN). One thread, held inside the
 * first job's hand-back, makes the order deterministic. */
#include <netinet/in.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/pwhash.h"
#include "unit.h"

static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;
static struct pwhash_job *seen[16];
static int nseen;
static sem_t started, go;

static void record(struct pwhash_job *j)
{
    pthread_mutex_lock(&seen_mu);
    if (nseen < 16)
        seen[nseen++] = j;
    pthread_mutex_unlock(&seen_mu);
}

/* The first job's hand-back keeps the only thread until the test says go. */
static void hold(struct pwhash_job *j)
{
    sem_post(&started);
    sem_wait(&go);
    record(j);
}

static int delivered(void)
{
    pthread_mutex_lock(&seen_mu);
    int n = nseen;
    pthread_mutex_unlock(&seen_mu);
    return n;
}

static bool wait_delivered(int n)
{
    for (int i = 0; i < 5000 && delivered() < n; i++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    return delivered() >= n;
}

static struct pwhash_job *job(enum pwhash_kind kind, int fd, void (*deliver)(struct pwhash_job *))
{
    struct pwhash_job *j = pwhash_job_new(PWHASH_HASH, kind, "correct horse battery");
    j->deliver = deliver;
    j->client_fd = fd;
    return j;
}

static void test_shares_and_turns(void)
{
    unsigned long refused_s = pwhash_refused(PWHASH_SIGNUP);
    unsigned long refused_l = pwhash_refused(PWHASH_LOGIN);
    CHECK(pwhash_submit(job(PWHASH_LOGIN, -1, hold)));
    sem_wait(&started); /* the thread holds the first job: the rest wait */

    struct pwhash_job *s1 = job(PWHASH_SIGNUP, -1, record), *s2 = job(PWHASH_SIGNUP, -1, record);
    struct pwhash_job *l1 = job(PWHASH_LOGIN, -1, record), *l2 = job(PWHASH_LOGIN, -1, record);
    struct pwhash_job *s3 = job(PWHASH_SIGNUP, -1, record), *l3 = job(PWHASH_LOGIN, -1, record);
    CHECK(pwhash_submit(s1));
    CHECK(pwhash_submit(s2));
    CHECK(!pwhash_admits(PWHASH_SIGNUP)); /* the sign-ups' share (2) is full */
    CHECK(!pwhash_submit(s3));
    CHECK(pwhash_admits(PWHASH_LOGIN)); /* but logins still find room */
    CHECK(pwhash_submit(l1));
    CHECK(pwhash_submit(l2));
    CHECK(!pwhash_submit(l3)); /* the whole queue (4) is full */
    CHECK(pwhash_depth(PWHASH_SIGNUP) == 2);
    CHECK(pwhash_depth(PWHASH_LOGIN) == 2); /* the first is hashed, being handed back */
    CHECK(pwhash_refused(PWHASH_SIGNUP) == refused_s + 2);
    CHECK(pwhash_refused(PWHASH_LOGIN) == refused_l + 1);
    pwhash_job_free(s3);
    pwhash_job_free(l3);

    sem_post(&go);
    CHECK(wait_delivered(5));
    /* a login ran first, so the turn is the sign-ups': they alternate */
    CHECK(nseen == 5 && seen[1] == s1 && seen[2] == l1 && seen[3] == s2 && seen[4] == l2);
    for (int i = 0; i < nseen; i++) {
        CHECK(seen[i]->ok && !seen[i]->dropped);
        pwhash_job_free(seen[i]);
    }
    CHECK(pwhash_depth(PWHASH_SIGNUP) == 0 && pwhash_depth(PWHASH_LOGIN) == 0);
    nseen = 0;
}

static void test_gone_clients_are_dropped(void)
{
    int left[2], stayed[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, left) == 0);
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, stayed) == 0);
    close(left[1]); /* this client has gone */
    unsigned long dropped = pwhash_dropped(PWHASH_SIGNUP);
    struct pwhash_job *gone = job(PWHASH_SIGNUP, left[0], record);
    struct pwhash_job *here = job(PWHASH_SIGNUP, stayed[0], record);
    CHECK(pwhash_submit(gone));
    CHECK(wait_delivered(1));
    CHECK(pwhash_submit(here));
    CHECK(wait_delivered(2));
    CHECK(nseen == 2 && seen[0] == gone && seen[1] == here);
    CHECK(gone->dropped && !gone->ok && here->ok && !here->dropped);
    CHECK(pwhash_dropped(PWHASH_SIGNUP) == dropped + 1);
    pwhash_job_free(gone);
    pwhash_job_free(here);
    nseen = 0;
    close(left[0]);
    close(stayed[0]);
    close(stayed[1]);
}

/* A TCP client that sent one more byte than was read, then closed: its FIN
 * sits behind the byte, which a peek alone would take for a live client. */
static void test_close_behind_unread_bytes(void)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    CHECK(bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 1) == 0 &&
          getsockname(lfd, (struct sockaddr *)&a, &alen) == 0);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0);
    int s = accept(lfd, NULL, NULL);
    CHECK(s >= 0 && write(c, "\r\n", 2) == 2);
    close(c);
    nanosleep(&(struct timespec){0, 20000000}, NULL); /* the FIN arrives */
    struct pwhash_job *gone = job(PWHASH_LOGIN, s, record);
    CHECK(pwhash_submit(gone));
    CHECK(wait_delivered(1));
    CHECK(nseen == 1 && gone->dropped && !gone->ok);
    pwhash_job_free(gone);
    nseen = 0;
    close(s);
    close(lfd);
}

void test_pwhash(void)
{
    sem_init(&started, 0, 0);
    sem_init(&go, 0, 0);
    /* the smallest limits: these tests are about the queue, not the hash */
    CHECK(pwhash_start(1, 4, 2, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN));
    test_shares_and_turns();
    test_gone_clients_are_dropped();
    test_close_behind_unread_bytes();
    pwhash_stop();
    sem_destroy(&started);
    sem_destroy(&go);
}
