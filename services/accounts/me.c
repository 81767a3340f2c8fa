/* me.c — the caller's own account: GET /v1/me, and what Peru's Ley 29733
 * (and GDPR) give a person: a copy of everything held about them
 * (GET /v1/me/export), and erasure that keeps only anonymous counts
 * (DELETE /v1/me). */
#include <string.h>

#include "accounts/accounts.h"
#include "core/req.h"

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
