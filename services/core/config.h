/* config.h — gessd's settings: one table of keys, defaults and bounds,
 * read from a `key = value` file and overridden by GESS_<KEY> variables. */
#ifndef GESS_CONFIG_H
#define GESS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define GESS_MUST_CHECK __attribute__((warn_unused_result))

struct config {
    char *listen;
    int workers;
    char *database_url;
    int db_pool_size;
    int admission_batch_ms;  /* registrations of one category gathered (batch.h); 0: each alone */
    int admission_batch_max; /* the most in one batch */
    int db_queue_max;
    int db_queue_timeout_ms;
    int max_body_bytes;
    int max_header_bytes;
    int http_timeout_ms;
    int max_connections;             /* 0: derived from the descriptor limit */
    int max_connections_per_address; /* by socket peer; trusted proxies exempt */
    int header_timeout_ms;           /* a request head, from its first byte */
    int body_timeout_ms;             /* its body, from the same start */
    int keepalive_timeout_ms;        /* idle between requests */
    int write_timeout_ms;            /* an answer written whole */
    int max_requests_per_connection;
    int max_uri_bytes; /* a request line longer is 414 */
    int shutdown_timeout_ms;
    int token_ttl_s;
    int token_idle_s;
    int argon2_opslimit;
    int argon2_memlimit_kib;
    int hash_threads;
    int hash_queue_max;
    int hash_signup_share; /* percent of hash_queue_max sign-ups may hold */
    int login_window_s;
    int login_max_per_email;
    int login_max_per_address;
    int login_pair_max;         /* failures of one (email, address) before back-off */
    int login_backoff_s;        /* the first back-off wait, doubled per failure */
    int signup_max_per_address; /* sign-ups per client address per login_window_s */
    char *trusted_proxies;      /* text; server_run() parses it (core/proxy.h) */
    int housekeeping_interval;  /* seconds between housekeeping runs; 0: off */
    char *privacy_policy_version;
    char *require_verified_email;     /* "true" or "false"; config_require_verified() */
    int account_mail_window_s;        /* the window of the two limits below */
    int account_mail_max_per_email;   /* verification resends and resets per email */
    int account_mail_max_per_address; /* the same per client address */
    char *log_level;
    int reminder_interval; /* seconds between pact reminder runs; 0: off */
    int reminder_days;     /* days before a milestone's due date to remind */
    /* gessd notify (services/notify): the outbox's delivery */
    char *mail_transport; /* smtp | maildir */
    char *mail_dir;       /* maildir: the directory holding tmp/ and new/ */
    char *smtp_url;       /* smtp://host:port or smtps://host:port */
    char *smtp_user;
    char *smtp_password;
    char *smtp_tls; /* required | opportunistic | off */
    char *mail_from;
    int smtp_rate_per_minute;  /* 0: unlimited */
    int mail_lanes;            /* gessd notify's mail threads, each its own connections */
    int outbox_lease_s;        /* how long a claimed row is the claimer's */
    int outbox_poll_ms;        /* between looks for due rows (urgent ones wake at once) */
    int mail_retry_s;          /* the first retry's wait, doubled per attempt */
    int mail_give_up_s;        /* this long after first due, a failing row is dead */
    int outbox_retention_days; /* payloads of delivered rows are purged after */
    char *public_url;          /* where the mails' links point */
    /* gessd notify's webhook lane (issue 17) */
    char *webhook_allow_private; /* "true": targets on private addresses are allowed */
    int webhook_timeout_s;       /* one attempt, at most (capped by the lease) */
    int webhook_retry_s;         /* the first retry's wait, doubled per attempt */
    int webhook_give_up_s;       /* this long after first due, a failing row is dead */
    int webhook_concurrency;     /* attempts in flight at once */
    int webhook_per_endpoint;    /* attempts in flight to one endpoint, per notify */
};

/* Fills cfg with the documented defaults. */
void config_defaults(struct config *cfg);

/* Applies the file at path (if path is NULL, config/gess.conf when it
 * exists), then the GESS_<KEY> environment. On error writes one line naming
 * the key into err and returns false. */
bool config_load(struct config *cfg, const char *path, char *err, size_t errlen) GESS_MUST_CHECK;

/* Sets one key from its text form (used by the file, the environment and
 * the unit tests). */
bool config_set(struct config *cfg, const char *key, const char *value, char *err,
                size_t errlen) GESS_MUST_CHECK;

/* Frees the strings the config owns. */
void config_free(struct config *cfg);

/* Whether registering for an edition needs a verified email. */
bool config_require_verified(const struct config *cfg);

/* Whether webhooks may target private, loopback and link-local addresses. */
bool config_webhook_allow_private(const struct config *cfg);

/* The number of online cores, at least 1. */
int config_cores(void);

#endif
