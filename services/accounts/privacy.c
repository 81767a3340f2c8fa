/* privacy.c — GET /v1/me/export and DELETE /v1/me: what Peru's Ley 29733
 * (and GDPR) give a person: a copy of everything held about them, and
 * erasure that keeps only anonymous counts. */
#include "accounts/accounts.h"
#include "core/req.h"

const struct db_stmt accounts_stmt_export = {
    "accounts_export",
    "SELECT row_to_json(x)::text FROM ("
    "  SELECT (SELECT row_to_json(y) FROM (SELECT a.id, a.email, a.full_name, a.organization,"
    "            a.sector, a.country, a.region, effective_roles(a.roles) AS roles,"
    "            a.consent_at, a.consent_policy, a.created_at, a.updated_at) y) AS account,"
    "         (SELECT coalesce(json_agg(registration_json(r, false)"
    "                                   ORDER BY r.created_at, r.id), '[]')"
    "            FROM registrations r WHERE r.account_id = a.id) AS registrations,"
    "         (SELECT coalesce(json_agg(jsonb_build_object('created_at', t.created_at,"
    "                 'last_used_at', t.last_used_at, 'expires_at', t.expires_at)"
    "                 ORDER BY t.created_at), '[]')"
    "            FROM tokens t WHERE t.account_id = a.id) AS tokens"
    "    FROM accounts a WHERE a.id = $1::uuid) x",
};

const struct db_stmt accounts_stmt_erase = {
    "accounts_erase",
    "SELECT account_erase($1::uuid)",
};

void accounts_export(struct req *r)
{
    const char *params[] = {r->auth.account_id};
    req_query(r, &accounts_stmt_export, 1, params, req_done_row);
}

void accounts_erase(struct req *r)
{
    const char *params[] = {r->auth.account_id};
    req_query(r, &accounts_stmt_erase, 1, params, req_done_empty);
}
