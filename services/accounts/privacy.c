/* privacy.c — GET /v1/me/export and DELETE /v1/me: what Peru's Ley 29733
 * (and GDPR) give a person: a copy of everything held about them, and
 * erasure that keeps only anonymous counts. */
#include "accounts/accounts.h"
#include "core/req.h"

const struct db_stmt accounts_stmt_export = {
    "accounts_export",
    "SELECT row_to_json(x)::text FROM ("
    "  SELECT (SELECT row_to_json(y) FROM (SELECT a.id, a.email, a.full_name, a.organization,"
    "            a.organization_id, a.sector, a.country, a.region,"
    "            effective_roles(a.roles) AS roles, a.consent_at, a.consent_policy,"
    "            a.created_at, a.updated_at) y) AS account,"
    "         (SELECT coalesce(json_agg(registration_json(r, false)"
    "                                   ORDER BY r.created_at, r.id), '[]')"
    "            FROM registrations r WHERE r.account_id = a.id) AS registrations,"
    "         (SELECT coalesce(json_agg(jsonb_build_object('created_at', t.created_at,"
    "                 'last_used_at', t.last_used_at, 'expires_at', t.expires_at)"
    "                 ORDER BY t.created_at), '[]')"
    "            FROM tokens t WHERE t.account_id = a.id) AS tokens,"
    "         (SELECT coalesce(json_agg(jsonb_build_object('event_id', v.event_id,"
    "                 'title', e.title, 'starts_at', e.starts_at, 'mode', v.mode,"
    "                 'created_at', v.created_at) ORDER BY v.created_at), '[]')"
    "            FROM series_rsvps v JOIN series_events e ON e.id = v.event_id"
    "           WHERE v.account_id = a.id) AS series_rsvps,"
    "         (SELECT coalesce(json_agg(jsonb_build_object('event_id', v.event_id,"
    "                 'title', e.title, 'starts_at', e.starts_at, 'mode', v.mode,"
    "                 'recorded_at', v.recorded_at) ORDER BY v.recorded_at), '[]')"
    "            FROM series_attendance v JOIN series_events e ON e.id = v.event_id"
    "           WHERE v.account_id = a.id) AS series_attendance,"
    "         (SELECT coalesce(json_agg(jsonb_build_object('session_id', s.id,"
    "                 'title', s.title, 'starts_at', s.starts_at,"
    "                 'reserved', EXISTS (SELECT 1 FROM reservations v"
    "                              WHERE v.session_id = s.id AND v.account_id = a.id),"
    "                 'added_at', i.created_at) ORDER BY i.created_at), '[]')"
    "            FROM agenda_items i JOIN sessions s ON s.id = i.session_id"
    "           WHERE i.account_id = a.id) AS agenda,"
    "         (SELECT coalesce(json_agg(jsonb_build_object('speaker_id', p.id,"
    "                 'edition', ed.slug, 'name', p.name, 'organization', p.organization)"
    "                 ORDER BY p.created_at), '[]')"
    "            FROM speakers p JOIN editions ed ON ed.id = p.edition_id"
    "           WHERE p.account_id = a.id) AS speaker_profiles"
    "    FROM accounts a WHERE a.id = $1::uuid) x",
};

const struct db_stmt accounts_stmt_erase = {
    "accounts_erase",
    "SELECT accounts_erase($1::uuid), NULL::text",
};

void accounts_export(struct req *r)
{
    const char *params[] = {r->auth.account_id};
    req_query(r, &accounts_stmt_export, 1, params, req_done_row);
}

void accounts_erase(struct req *r)
{
    const char *params[] = {r->auth.account_id};
    req_query(r, &accounts_stmt_erase, 1, params, req_done_outcome_empty);
}
