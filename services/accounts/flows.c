/* flows.c — what the account flows shared by the API and the pages
 * (flows.h) need around them: the API's way of answering, and the
 * flow's own state (its how, in r->data). */
#include "accounts/flows.h"

#include "accounts/accounts.h"
#include "core/auth.h"
#include "core/log.h"

void accounts_api_problem(struct req *r, const char *slug)
{
    req_reply_problem(r, slug, NULL);
}

const struct accounts_how accounts_how_api = {accounts_api_problem, req_reply_invalid, req_done_sql,
                                              NULL, NULL};

void accounts_flow_begin(struct req *r, const struct accounts_how *how)
{
    if (r->data_free != NULL) /* state of another owner: not ours to keep */
        r->data_free(r->data);
    r->data_free = NULL;
    r->data = (void *)how;
}

const struct accounts_how *accounts_how_of(const struct req *r)
{
    return r->data != NULL ? r->data : &accounts_how_api;
}

void accounts_flow_db_error(struct req *r, enum db_status st, PGresult *res)
{
    const struct accounts_how *how = accounts_how_of(r);
    if (st == DB_UNAVAILABLE) {
        how->problem(r, "service-unavailable");
        return;
    }
    log_msg(LOG_ERROR, "req %s: query failed: %s %s", r->id, db_sqlstate(res),
            res ? PQresultErrorMessage(res) : "no result");
    how->problem(r, "internal-error");
}

bool accounts_token_shaped(const char *token)
{
    char unused[65];
    return token != NULL && auth_token_hash(token, unused);
}
