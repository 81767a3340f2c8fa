/* test_config.c — defaults, bounds, the file format and GESS_<KEY>. */
#include <stdlib.h>

#include "core/config.h"
#include "unit.h"

void test_config(void)
{
    struct config c;
    char err[256];
    config_defaults(&c);
    CHECK_STR(c.listen, "127.0.0.1:8080");
    CHECK(c.workers == 0 && c.db_pool_size == 4 && c.max_body_bytes == 1048576);
    CHECK(c.argon2_opslimit == 2 && c.argon2_memlimit_kib == 65536);

    CHECK(config_set(&c, "workers", "3", err, sizeof err) && c.workers == 3);
    CHECK(!config_set(&c, "workers", "abc", err, sizeof err));
    CHECK(strstr(err, "workers") != NULL);
    CHECK(!config_set(&c, "workers", "3x", err, sizeof err));
    CHECK(!config_set(&c, "argon2_memlimit_kib", "1024", err, sizeof err)); /* below INTERACTIVE */
    CHECK(!config_set(&c, "listen", "nonsense", err, sizeof err));
    CHECK(strstr(err, "listen") != NULL);
    CHECK(!config_set(&c, "listen", "127.0.0.1:99999", err, sizeof err));
    CHECK(!config_set(&c, "listen", "127.0.0.1:", err, sizeof err));
    CHECK(config_set(&c, "listen", "[::1]:8080", err, sizeof err));
    CHECK(!config_set(&c, "nope", "1", err, sizeof err));
    CHECK(strstr(err, "nope") != NULL);
    CHECK(!config_set(&c, "log_level", "loud", err, sizeof err));
    CHECK(config_set(&c, "log_level", "warn", err, sizeof err));
    CHECK_STR(c.log_level, "warn");
    CHECK(c.outbox_lease_s == 60 && c.outbox_poll_ms == 250 && c.mail_retry_s == 60);
    CHECK(c.mail_lanes == 2);
    CHECK(c.mail_give_up_s == 86400 && c.outbox_retention_days == 30);
    CHECK_STR(c.mail_transport, "smtp");
    CHECK(!config_set(&c, "mail_transport", "pigeon", err, sizeof err));
    CHECK(!config_set(&c, "smtp_tls", "maybe", err, sizeof err));
    CHECK(config_set(&c, "smtp_tls", "required", err, sizeof err));
    CHECK(!config_set(&c, "public_url", "https://gess.pe/", err, sizeof err));
    CHECK(strstr(err, "public_url") != NULL && strstr(err, "URL") != NULL);
    CHECK(!config_set(&c, "public_url", "ftp://gess.pe", err, sizeof err));
    CHECK(config_set(&c, "public_url", "https://gess.pe", err, sizeof err));
    /* the account flows: verified email required unless said otherwise */
    CHECK(config_require_verified(&c));
    CHECK(c.account_mail_window_s == 3600 && c.account_mail_max_per_email == 3 &&
          c.account_mail_max_per_address == 200);
    CHECK(!config_set(&c, "require_verified_email", "yes", err, sizeof err));
    CHECK(strstr(err, "require_verified_email") != NULL);
    CHECK(config_set(&c, "require_verified_email", "false", err, sizeof err));
    CHECK(!config_require_verified(&c));

    char path[] = "/tmp/gess-unit-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# a comment\n\nlisten = 0.0.0.0:9090   # trailing comment\ndb_pool_size=8\n", f);
    fclose(f);
    unsetenv("GESS_DB_POOL_SIZE");
    setenv("GESS_WORKERS", "5", 1);
    CHECK(config_load(&c, path, err, sizeof err));
    CHECK_STR(c.listen, "0.0.0.0:9090");
    CHECK(c.db_pool_size == 8 && c.workers == 5); /* the environment wins */
    setenv("GESS_WORKERS", "many", 1);
    CHECK(!config_load(&c, path, err, sizeof err));
    CHECK(strstr(err, "workers") != NULL);
    unsetenv("GESS_WORKERS");

    f = fopen(path, "w");
    fputs("listen 0.0.0.0:1\n", f);
    fclose(f);
    CHECK(!config_load(&c, path, err, sizeof err));
    CHECK(strstr(err, ":1:") != NULL); /* names the line */
    remove(path);
    CHECK(!config_load(&c, path, err, sizeof err)); /* a named file must exist */
    config_free(&c);
}
