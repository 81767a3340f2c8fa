/* config.c — the settings table (name, type, field, bounds, default), in the
 * manner of PgBouncer's and Redis's parameter tables: one row per key, so
 * the file parser, the environment and the docs cannot drift apart. */
#include "core/config.h"

#include "core/batch.h"
#include "core/proxy.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum ctype { C_INT, C_STR };

struct key {
    const char *name;
    enum ctype type;
    size_t offset;
    long min, max;
    const char *def;
    const char *const *choices;       /* for strings with a fixed set of values */
    bool (*check)(const char *value); /* for strings with a shape */
};

/* host:port or [v6]:port with a port from 1 to 65535; the host itself is
 * resolved when gessd starts listening. */
static bool listen_shape(const char *v)
{
    const char *colon = strrchr(v, ':');
    if (colon == NULL || colon == v || colon[1] == '\0')
        return false;
    char *end = NULL;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    return errno == 0 && *end == '\0' && port >= 1 && port <= 65535 &&
           isdigit((unsigned char)colon[1]);
}

/* The table itself is built by server_run(); here only whether it parses,
 * so a bad value stops gessd at start-up naming the key. */
static bool proxies_parse(const char *v, char *why, size_t whylen)
{
    struct proxy_list l;
    if (!proxy_parse(v, &l, why, whylen))
        return false;
    proxy_list_free(&l);
    return true;
}

static bool proxies_shape(const char *v)
{
    char why[8];
    return proxies_parse(v, why, sizeof why);
}

/* The base of the links in mails: an absolute http(s) URL without a
 * trailing slash, so "{public_url}/v1/..." is one URL. */
static bool url_shape(const char *v)
{
    size_t n = strlen(v);
    return (strncmp(v, "http://", 7) == 0 || strncmp(v, "https://", 8) == 0) && n > 8 &&
           v[n - 1] != '/' && strpbrk(v, " \t\r\n\"<>") == NULL;
}

static const char *const mail_transports[] = {"smtp", "maildir", NULL};
static const char *const smtp_tls_modes[] = {"required", "opportunistic", "off", NULL};

static const char *const log_levels[] = {"debug", "info", "warn", "error", NULL};
static const char *const booleans[] = {"true", "false", NULL};

#define F(field) offsetof(struct config, field)
static const struct key keys[] = {
    {"listen", C_STR, F(listen), 0, 0, "127.0.0.1:8080", NULL, listen_shape},
    {"workers", C_INT, F(workers), 0, 256, "0", NULL, NULL},
    {"database_url", C_STR, F(database_url), 0, 0, "", NULL, NULL},
    {"db_pool_size", C_INT, F(db_pool_size), 1, 64, "4", NULL, NULL},
    /* issue 20: the opening-day rush; config/gess.conf.example says how */
    {"admission_batch_ms", C_INT, F(admission_batch_ms), 0, 1000, "2", NULL, NULL},
    {"admission_batch_max", C_INT, F(admission_batch_max), 1, BATCH_MAX, "64", NULL, NULL},
    {"db_queue_max", C_INT, F(db_queue_max), 1, 100000, "256", NULL, NULL},
    {"db_queue_timeout_ms", C_INT, F(db_queue_timeout_ms), 10, 600000, "5000", NULL, NULL},
    {"max_body_bytes", C_INT, F(max_body_bytes), 1024, 1 << 30, "1048576", NULL, NULL},
    {"max_header_bytes", C_INT, F(max_header_bytes), 1024, 1 << 24, "16384", NULL, NULL},
    {"max_uri_bytes", C_INT, F(max_uri_bytes), 256, 1 << 24, "8192", NULL, NULL},
    {"http_timeout_ms", C_INT, F(http_timeout_ms), 100, 3600000, "30000", NULL, NULL},
    {"max_connections", C_INT, F(max_connections), 0, 1048576, "0", NULL, NULL},
    {"max_connections_per_address", C_INT, F(max_connections_per_address), 1, 1048576, "512", NULL,
     NULL},
    {"header_timeout_ms", C_INT, F(header_timeout_ms), 100, 3600000, "10000", NULL, NULL},
    {"body_timeout_ms", C_INT, F(body_timeout_ms), 100, 3600000, "30000", NULL, NULL},
    {"keepalive_timeout_ms", C_INT, F(keepalive_timeout_ms), 100, 3600000, "15000", NULL, NULL},
    {"write_timeout_ms", C_INT, F(write_timeout_ms), 100, 3600000, "60000", NULL, NULL},
    {"max_requests_per_connection", C_INT, F(max_requests_per_connection), 1, 1000000, "1000", NULL,
     NULL},
    {"shutdown_timeout_ms", C_INT, F(shutdown_timeout_ms), 0, 600000, "10000", NULL, NULL},
    {"token_ttl_s", C_INT, F(token_ttl_s), 60, 31536000, "2592000", NULL, NULL},
    {"token_idle_s", C_INT, F(token_idle_s), 60, 31536000, "604800", NULL, NULL},
    /* crypto_pwhash_OPSLIMIT_INTERACTIVE and MEMLIMIT_INTERACTIVE are the floor. */
    {"argon2_opslimit", C_INT, F(argon2_opslimit), 2, 64, "2", NULL, NULL},
    {"argon2_memlimit_kib", C_INT, F(argon2_memlimit_kib), 65536, 4194304, "65536", NULL, NULL},
    {"hash_threads", C_INT, F(hash_threads), 0, 256, "0", NULL, NULL},
    {"hash_queue_max", C_INT, F(hash_queue_max), 1, 100000, "64", NULL, NULL},
    /* why half: config/gess.conf.example */
    {"hash_signup_share", C_INT, F(hash_signup_share), 1, 100, "50", NULL, NULL},
    {"login_window_s", C_INT, F(login_window_s), 10, 86400, "600", NULL, NULL},
    /* the limits and why these defaults: config/gess.conf.example */
    {"login_max_per_email", C_INT, F(login_max_per_email), 1, 1000000, "50", NULL, NULL},
    {"login_max_per_address", C_INT, F(login_max_per_address), 1, 1000000, "1000", NULL, NULL},
    {"login_pair_max", C_INT, F(login_pair_max), 1, 1000000, "5", NULL, NULL},
    {"login_backoff_s", C_INT, F(login_backoff_s), 1, 86400, "30", NULL, NULL},
    {"signup_max_per_address", C_INT, F(signup_max_per_address), 1, 1000000, "500", NULL, NULL},
    {"trusted_proxies", C_STR, F(trusted_proxies), 0, 0, "", NULL, proxies_shape},
    {"housekeeping_interval", C_INT, F(housekeeping_interval), 0, 604800, "3600", NULL, NULL},
    {"privacy_policy_version", C_STR, F(privacy_policy_version), 0, 0, "2026-01", NULL, NULL},
    {"require_verified_email", C_STR, F(require_verified_email), 0, 0, "true", booleans, NULL},
    /* verification resends and reset requests; why these: config/gess.conf.example */
    {"account_mail_window_s", C_INT, F(account_mail_window_s), 10, 86400, "3600", NULL, NULL},
    {"account_mail_max_per_email", C_INT, F(account_mail_max_per_email), 1, 1000000, "3", NULL,
     NULL},
    {"account_mail_max_per_address", C_INT, F(account_mail_max_per_address), 1, 1000000, "200",
     NULL, NULL},
    {"log_level", C_STR, F(log_level), 0, 0, "info", log_levels, NULL},
    {"reminder_interval", C_INT, F(reminder_interval), 0, 604800, "3600", NULL, NULL},
    {"reminder_days", C_INT, F(reminder_days), 0, 365, "14", NULL, NULL},
    /* gessd notify; each is explained in config/gess.conf.example */
    {"mail_transport", C_STR, F(mail_transport), 0, 0, "smtp", mail_transports, NULL},
    {"mail_dir", C_STR, F(mail_dir), 0, 0, "var/mail", NULL, NULL},
    {"smtp_url", C_STR, F(smtp_url), 0, 0, "smtp://127.0.0.1:25", NULL, NULL},
    {"smtp_user", C_STR, F(smtp_user), 0, 0, "", NULL, NULL},
    {"smtp_password", C_STR, F(smtp_password), 0, 0, "", NULL, NULL},
    {"smtp_tls", C_STR, F(smtp_tls), 0, 0, "opportunistic", smtp_tls_modes, NULL},
    {"mail_from", C_STR, F(mail_from), 0, 0, "gess@localhost", NULL, NULL},
    {"smtp_rate_per_minute", C_INT, F(smtp_rate_per_minute), 0, 1000000, "0", NULL, NULL},
    {"mail_lanes", C_INT, F(mail_lanes), 1, 16, "2", NULL, NULL},
    /* 3 at least: an attempt needs a second and a margin of two inside its
     * lease (notify/hook_lane.c) */
    {"outbox_lease_s", C_INT, F(outbox_lease_s), 3, 86400, "60", NULL, NULL},
    {"outbox_poll_ms", C_INT, F(outbox_poll_ms), 10, 600000, "250", NULL, NULL},
    {"mail_retry_s", C_INT, F(mail_retry_s), 1, 86400, "60", NULL, NULL},
    {"mail_give_up_s", C_INT, F(mail_give_up_s), 1, 31536000, "86400", NULL, NULL},
    {"outbox_retention_days", C_INT, F(outbox_retention_days), 1, 3650, "30", NULL, NULL},
    {"public_url", C_STR, F(public_url), 0, 0, "http://127.0.0.1:8080", NULL, url_shape},
    {"webhook_allow_private", C_STR, F(webhook_allow_private), 0, 0, "false", booleans, NULL},
    {"webhook_timeout_s", C_INT, F(webhook_timeout_s), 1, 300, "15", NULL, NULL},
    {"webhook_retry_s", C_INT, F(webhook_retry_s), 1, 86400, "5", NULL, NULL},
    {"webhook_give_up_s", C_INT, F(webhook_give_up_s), 1, 31536000, "259200", NULL, NULL},
    {"webhook_concurrency", C_INT, F(webhook_concurrency), 1, 1024, "32", NULL, NULL},
    {"webhook_per_endpoint", C_INT, F(webhook_per_endpoint), 1, 1024, "4", NULL, NULL},
};
#undef F

static const struct key *find_key(const char *name)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

bool config_set(struct config *cfg, const char *name, const char *value, char *err, size_t errlen)
{
    const struct key *k = find_key(name);
    if (k == NULL) {
        snprintf(err, errlen, "config: unknown key '%s'", name);
        return false;
    }
    char *field = (char *)cfg + k->offset;
    if (k->type == C_INT) {
        char *end = NULL;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0' || v < k->min || v > k->max) {
            snprintf(err, errlen, "config: %s: '%s' is not an integer from %ld to %ld", name, value,
                     k->min, k->max);
            return false;
        }
        *(int *)field = (int)v;
        return true;
    }
    if (k->choices != NULL) {
        bool ok = false;
        for (const char *const *c = k->choices; *c != NULL; c++)
            ok = ok || strcmp(*c, value) == 0;
        if (!ok) {
            snprintf(err, errlen, "config: %s: '%s' is not one of the allowed values", name, value);
            return false;
        }
    }
    if (k->check == proxies_shape) { /* the one shape that says what is wrong */
        char why[200];
        if (!proxies_parse(value, why, sizeof why)) {
            snprintf(err, errlen, "config: %s: %s", name, why);
            return false;
        }
    }
    if (k->check != NULL && !k->check(value)) {
        snprintf(err, errlen,
                 k->check == url_shape
                     ? "config: %s: '%s' is not an http:// or https:// URL without a final slash"
                     : "config: %s: '%s' is not host:port with a port from 1 to 65535",
                 name, value);
        return false;
    }
    char *copy = strdup(value);
    if (copy == NULL) {
        snprintf(err, errlen, "config: %s: out of memory", name);
        return false;
    }
    free(*(char **)field);
    *(char **)field = copy;
    return true;
}

void config_defaults(struct config *cfg)
{
    char err[256];
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!config_set(cfg, keys[i].name, keys[i].def, err, sizeof err))
            abort(); /* a default outside its own bounds is a bug */
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static bool load_file(struct config *cfg, const char *path, bool must_exist, char *err,
                      size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        if (!must_exist && errno == ENOENT)
            return true;
        snprintf(err, errlen, "config: cannot open %s: %s", path, strerror(errno));
        return false;
    }
    char line[4096];
    int lineno = 0;
    bool ok = true;
    while (ok && fgets(line, sizeof line, f) != NULL) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash != NULL)
            *hash = '\0';
        char *s = trim(line);
        if (*s == '\0')
            continue;
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            snprintf(err, errlen, "config: %s:%d: expected 'key = value'", path, lineno);
            ok = false;
            break;
        }
        *eq = '\0';
        ok = config_set(cfg, trim(s), trim(eq + 1), err, errlen);
    }
    fclose(f);
    return ok;
}

bool config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
    if (!load_file(cfg, path ? path : "config/gess.conf", path != NULL, err, errlen))
        return false;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char env[64] = "GESS_";
        size_t n = strlen(env);
        for (const char *p = keys[i].name; *p && n + 1 < sizeof env; p++)
            env[n++] = (char)toupper((unsigned char)*p);
        env[n] = '\0';
        const char *v = getenv(env);
        if (v != NULL && !config_set(cfg, keys[i].name, v, err, errlen))
            return false;
    }
    return true;
}

void config_free(struct config *cfg)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (keys[i].type == C_STR) {
            char **p = (char **)((char *)cfg + keys[i].offset);
            free(*p);
            *p = NULL;
        }
}

bool config_require_verified(const struct config *cfg)
{
    return strcmp(cfg->require_verified_email, "true") == 0;
}

bool config_webhook_allow_private(const struct config *cfg)
{
    return strcmp(cfg->webhook_allow_private, "true") == 0;
}

int config_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)(n > 256 ? 256 : n) : 1;
}
