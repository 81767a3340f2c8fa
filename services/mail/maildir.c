/* maildir.c — the maildir transport: for development (`make run`) and for
 * a host whose local MTA picks mail up from a directory. Names follow the
 * maildir convention time.M<usec>P<pid>Q<counter>.host, unique across
 * processes and threads without locking. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "mail/transport.h"

static atomic_ulong counter;

/* mkdir -p of dir and its tmp/, new/ and cur/ (a maildir reader wants all
 * three). */
static bool make_dirs(const char *dir, char *err, size_t errlen)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        snprintf(err, errlen, "maildir: path too long");
        return false;
    }
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, 0755) != 0 && errno != EEXIST)
                goto fail;
            *p = '/';
        }
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        goto fail;
    static const char *const subs[] = {"tmp", "new", "cur"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, subs[i]);
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            goto fail;
    }
    return true;
fail:
    snprintf(err, errlen, "maildir: cannot create %s: %s", path, strerror(errno));
    return false;
}

enum mail_outcome maildir_write(const char *dir, const char *msg, size_t len, char *err,
                                size_t errlen)
{
    if (!make_dirs(dir, err, errlen))
        return MAIL_RETRY;
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    for (char *p = host; *p; p++) /* '/' and ':' have meanings in maildir names */
        if (*p == '/' || *p == ':')
            *p = '_';
    struct timeval tv;
    gettimeofday(&tv, NULL);
    char name[512], tmp[4600], dst[4600];
    snprintf(name, sizeof name, "%ld.M%06ldP%ldQ%lu.%s", (long)tv.tv_sec, (long)tv.tv_usec,
             (long)getpid(), atomic_fetch_add(&counter, 1) + 1, host);
    snprintf(tmp, sizeof tmp, "%s/tmp/%s", dir, name);
    snprintf(dst, sizeof dst, "%s/new/%s", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "maildir: cannot create %s: %s", tmp, strerror(errno));
        return MAIL_RETRY;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, msg + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(err, errlen, "maildir: writing %s: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            return MAIL_RETRY;
        }
        off += (size_t)n;
    }
    /* on disk before it is in new/: delivered means it survives a crash */
    int synced = fsync(fd), closed = close(fd);
    if (synced != 0 || closed != 0 || rename(tmp, dst) != 0) {
        snprintf(err, errlen, "maildir: delivering %s: %s", dst, strerror(errno));
        unlink(tmp);
        return MAIL_RETRY;
    }
    /* the rename is an entry of new/: on disk only once the folder is
     * synced, else a crash after "delivered" could lose the mail */
    char newdir[4600];
    snprintf(newdir, sizeof newdir, "%s/new", dir);
    int dfd = open(newdir, O_RDONLY | O_DIRECTORY);
    if (dfd < 0 || fsync(dfd) != 0) {
        snprintf(err, errlen, "maildir: syncing %s: %s", newdir, strerror(errno));
        if (dfd >= 0)
            close(dfd);
        return MAIL_RETRY;
    }
    close(dfd);
    return MAIL_SENT;
}
