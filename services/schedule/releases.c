/* releases.c — POST /v1/editions/{slug}/schedule/releases publishes the
 * draft programme as the next numbered release; GET lists the releases,
 * newest first, each with its changelog. */
#include <stdio.h>
#include <string.h>

#include "core/db_listen.h"
#include "core/req.h"
#include "schedule/schedule.h"

/* (problem, body): the release, nothing-to-release or not-found. */
const struct db_stmt schedule_stmt_publish = {
    "schedule_publish",
    "SELECT problem, body FROM schedule_publish($1, $2::uuid, $3)",
};

/* (editions found, page): $2 whether drafts show; $3 cursor (a version,
 * exclusive); $4 limit. */
const struct db_stmt schedule_stmt_releases = {
    "schedule_releases",
    "WITH e AS (SELECT id FROM editions WHERE slug = $1 AND ($2::boolean OR status <> 'draft')),"
    " page AS (SELECT r.version, r.published_at, r.comment, r.changes,"
    "                 row_number() OVER (ORDER BY r.version DESC) AS rn"
    "            FROM schedule_releases r JOIN e ON r.edition_id = e.id"
    "           WHERE $3::int IS NULL OR r.version < $3::int"
    "           ORDER BY r.version DESC LIMIT $4::int + 1)"
    " SELECT (SELECT count(*) FROM e),"
    "  (SELECT json_build_object("
    "     'items', coalesce(json_agg(json_build_object('version', version,"
    "                 'published_at', published_at, 'comment', comment, 'changes', changes)"
    "               ORDER BY version DESC) FILTER (WHERE rn <= $4::int), '[]'),"
    "     'next_cursor', CASE WHEN max(rn) > $4::int"
    "                    THEN (min(version) FILTER (WHERE rn <= $4::int))::text END)"
    "     FROM page)::text",
};

static void publish_done(struct req *r, enum db_status st, PGresult *res)
{
    if (st == DB_OK)
        db_listen_note_change(); /* committed: this process's caches follow at once */
    req_reply_outcome(r, st, res, 201);
}

void schedule_release_create(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *comment = valid_long_text(&v, r->body, "comment", 1, 2000, true);
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {req_param(r, "slug"), r->auth.account_id, comment};
    req_query(r, &schedule_stmt_publish, 3, params, publish_done);
}

static void list_done(struct req *r, enum db_status st, PGresult *res)
{
    if (!req_reply_found(r, st, res, 200))
        req_reply_problem(r, "not-found", NULL);
}

void schedule_release_list(struct req *r)
{
    struct valid v;
    char limit[16];
    valid_init(&v, r->lang);
    snprintf(limit, sizeof limit, "%d", req_page_limit(r, &v));
    const char *cursor = req_query_param(r, "cursor");
    if (cursor != NULL && (strlen(cursor) == 0 || strlen(cursor) > 7 ||
                           strspn(cursor, "0123456789") != strlen(cursor)))
        valid_fail(&v, "cursor", MSG_NOT_INTEGER, 0, NULL);
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {req_param(r, "slug"), req_is_organizer(r) ? "true" : "false", cursor,
                            limit};
    req_query(r, &schedule_stmt_releases, 4, params, list_done);
}
