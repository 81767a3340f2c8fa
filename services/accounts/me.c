/* me.c — the caller's own account: GET /v1/me, PATCH /v1/me, and what Peru's Ley 29733
 * (and GDPR) give a person: a copy of everything held about them
 * (GET /v1/me/export), and erasure that keeps only anonymous counts
 * (DELETE /v1/me). */
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "accounts/flows.h"
#include "core/req.h"
#include "core/vocab.h"

/* The account was read with the token (core/auth.c): no query. */
void accounts_me(struct req *r)
{
    req_reply_json_text(r, 200, r->auth.me, strlen(r->auth.me));
}

const struct db_stmt accounts_stmt_export = DB_ANSWER(accounts_export, "$1::uuid");

const struct db_stmt accounts_stmt_erase = DB_ANSWER(accounts_erase, "$1::uuid");

void accounts_export(struct req *r)
{
    const char *params[] = {r->auth.account_id};
    req_query(r, &accounts_stmt_export, 1, params, req_done_sql);
}

void accounts_erase(struct req *r)
{
    const char *params[] = {r->auth.account_id};
    req_query(r, &accounts_stmt_erase, 1, params, req_done_sql);
}

/* 200 the account with the members sent replaced; 404 when it went
 * between the token check and this. */
const struct db_stmt accounts_stmt_me_update = DB_ANSWER(accounts_me_update, "$1::uuid, $2::jsonb");

/* A null member clears what may be empty (organization, country, region)
 * and is refused for what the account must have (full_name, sector,
 * language); a member not listed here (email, roles) is not the
 * person's to change this way, and is left alone. */
json_t *accounts_me_fields(struct valid *v, const json_t *body)
{
    json_t *out = json_object();
    valid_text_into(v, body, out, "full_name", 1, 200, false, VALID_NULL_REFUSED);
    valid_text_into(v, body, out, "organization", 0, 200, false, VALID_NULL_CLEARS);
    valid_text_into(v, body, out, "region", 0, 100, false, VALID_NULL_KEEPS);
    const json_t *country = json_object_get(body, "country");
    if (json_is_null(country)) {
        json_object_set_new(out, "country", json_null());
    } else {
        const char *c = valid_string(v, body, "country", 2, 2, false);
        if (c != NULL && !vocab_country_ok(c))
            valid_fail(v, "country", MSG_COUNTRY, 0, NULL);
        else if (c != NULL)
            json_object_set_new(out, "country", json_string(c));
    }
    static const char *const fixed[] = {"sector", "language"};
    const char *const *choices[] = {vocab_sectors, vocab_languages};
    for (size_t i = 0; i < 2; i++) {
        const json_t *j = json_object_get(body, fixed[i]);
        if (json_is_null(j)) {
            valid_fail(v, fixed[i], MSG_REQUIRED, 0, NULL);
            continue;
        }
        const char *val = valid_enum(v, body, fixed[i], choices[i], false);
        if (val != NULL)
            json_object_set_new(out, fixed[i], json_string(val));
    }
    /* false takes back a one-click unsubscribe (true is what it did) */
    bool opt_out;
    if (valid_bool(v, body, "reminders_opt_out", false, &opt_out))
        json_object_set_new(out, "reminders_opt_out", json_boolean(opt_out));
    return out;
}

void accounts_me_update(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    json_t *out = accounts_me_fields(&v, r->body);
    char *fields = req_valid_json(r, &v, out, JSON_COMPACT);
    if (fields == NULL)
        return;
    const char *params[] = {r->auth.account_id, fields};
    req_query(r, &accounts_stmt_me_update, 2, params, req_done_sql);
    free(fields);
}
