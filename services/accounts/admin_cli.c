/* admin_cli.c — `gessd admin create --email E --name N`: the first admin.
 * A command-line path, so blocking libpq and hashing are fine here. */
#include <getopt.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "core/log.h"
#include "core/pwhash.h"
#include "core/valid.h"
#include "core/vocab.h"

/* A generated password: 20 characters from an alphabet without look-alikes
 * (about 115 bits). Not the badge alphabet (core/vocab.h): a password
 * wants both cases and more characters per symbol, a badge is read aloud. */
static void generate(char *out, size_t n)
{
    static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (size_t i = 0; i + 1 < n; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[n - 1] = '\0';
}

static int usage(void)
{
    fprintf(stderr, "usage: gessd admin create --email EMAIL --name NAME "
                    "[--organization ORG] [--sector SECTOR]  (password on stdin)\n");
    return 2;
}

int accounts_admin_create(const struct config *cfg, int argc, char **argv)
{
    static const struct option opts[] = {{"email", required_argument, NULL, 'e'},
                                         {"name", required_argument, NULL, 'n'},
                                         {"organization", required_argument, NULL, 'o'},
                                         {"sector", required_argument, NULL, 's'},
                                         {NULL, 0, NULL, 0}};
    const char *email_in = NULL, *name = NULL, *org = "", *sector = NULL;
    char email[256], password[1100] = "", hash[crypto_pwhash_STRBYTES];
    int c, code = 1;
    bool generated = false;
    PGconn *db = NULL;
    PGresult *res = NULL;

    if (argc < 2 || strcmp(argv[1], "create") != 0)
        return usage();
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'e':
            email_in = optarg;
            break;
        case 'n':
            name = optarg;
            break;
        case 'o':
            org = optarg;
            break;
        case 's':
            sector = optarg;
            break;
        default:
            return usage();
        }
    }
    if (email_in == NULL || name == NULL || optind != argc)
        return usage();
    if (!valid_email_normalise(email_in, email, sizeof email)) {
        log_msg(LOG_ERROR, "--email: '%s' is not an email address", email_in);
        return 2;
    }
    if (valid_utf8_chars(name) < 1 || valid_utf8_chars(name) > 200) {
        log_msg(LOG_ERROR, "--name: must have 1 to 200 characters");
        return 2;
    }
    bool sector_ok = sector == NULL;
    for (int i = 0; sector != NULL && vocab_sectors[i] != NULL; i++)
        sector_ok = sector_ok || strcmp(sector, vocab_sectors[i]) == 0;
    if (!sector_ok) {
        log_msg(LOG_ERROR, "--sector: '%s' is not a known sector", sector);
        return 2;
    }

    /* The password comes on stdin (its trailing newline stripped); none
     * at all means "make one up and show it once". */
    size_t n = isatty(STDIN_FILENO) ? 0 : fread(password, 1, sizeof password - 1, stdin);
    password[n] = '\0';
    while (n > 0 && (password[n - 1] == '\n' || password[n - 1] == '\r'))
        password[--n] = '\0';
    if (n == 0) {
        generate(password, 21);
        generated = true;
    }
    long limit = 0;
    enum valid_msg m = accounts_password_policy(password, email, name, &limit);
    if (m != MSG_COUNT) {
        char text[256];
        problem_message(LANG_EN, m, limit, NULL, text, sizeof text);
        log_msg(LOG_ERROR, "password %s", text);
        code = 2;
        goto out;
    }
    pwhash_configure((unsigned long long)cfg->argon2_opslimit,
                     (size_t)cfg->argon2_memlimit_kib * 1024);
    if (!pwhash_hash_now(password, hash)) {
        log_msg(LOG_ERROR, "cannot hash the password (out of memory?)");
        goto out;
    }
    if (cfg->database_url[0] == '\0') {
        log_msg(LOG_ERROR, "config: database_url is not set (GESS_DATABASE_URL)");
        code = 2;
        goto out;
    }
    db = PQconnectdb(cfg->database_url);
    PQsetNoticeProcessor(db, log_pq_notice, NULL); /* JSON, not plain text */
    if (PQstatus(db) != CONNECTION_OK) {
        log_msg(LOG_ERROR, "cannot connect to the database: %s", PQerrorMessage(db));
        goto out;
    }
    const char *params[] = {email, hash, name, org, sector};
    res = PQexecParams(db,
                       /* verified: whoever runs this holds the server, and the
                          address is theirs to vouch for */
                       "INSERT INTO accounts (email, password_hash, full_name, organization,"
                       " sector, roles, email_verified_at)"
                       " VALUES ($1, $2, $3, $4, $5, '{admin}', now()) RETURNING id",
                       5, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (state != NULL && strcmp(state, "23505") == 0)
            log_msg(LOG_ERROR, "an account with the email %s already exists", email);
        else
            log_msg(LOG_ERROR, "cannot create the admin: %s", PQresultErrorMessage(res));
        goto out;
    }
    printf("created admin %s (%s)\n", email, PQgetvalue(res, 0, 0));
    if (generated)
        printf("password: %s\n(shown once: keep it safe, change it with PUT /v1/me/password)\n",
               password);
    code = 0;
out:
    sodium_memzero(password, sizeof password);
    PQclear(res);
    PQfinish(db);
    return code;
}
