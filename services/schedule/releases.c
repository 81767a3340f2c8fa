/* releases.c — POST /v1/editions/{slug}/schedule/releases publishes the
 * draft programme as the next numbered release; GET lists the releases,
 * newest first, each with its changelog. */
#include "core/db_listen.h"
#include "core/req.h"
#include "schedule/schedule.h"

/* The release (201), nothing-to-release or not-found. */
const struct db_stmt schedule_stmt_publish = DB_ANSWER(schedule_publish, "$1, $2::uuid, $3");

/* $2 whether drafts show; $3 cursor (a version, exclusive); $4 limit. */
const struct db_stmt schedule_stmt_release_list =
    DB_ANSWER(schedule_release_list, "$1, $2::boolean, $3::bigint, $4::integer");

static void publish_done(struct req *r, enum db_status st, PGresult *res)
{
    if (req_sql_succeeded(st, res))
        db_listen_note_change(); /* committed: this process's caches follow at once */
    req_done_sql(r, st, res);
}

void schedule_publish(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *comment = valid_long_text(&v, r->body, "comment", 1, 2000, true);
    const char *params[] = {req_param(r, "slug"), r->auth.account_id, comment};
    req_query_valid(r, &v, &schedule_stmt_publish, 3, params, publish_done);
}

void schedule_release_list(struct req *r)
{
    struct valid v;
    struct page page;
    valid_init(&v, r->lang);
    (void)req_page(r, &v, &page, PAGE_CURSOR_NUMBER);
    const char *params[] = {req_param(r, "slug"), req_sql_bool(req_is_organizer(r)), page.cursor,
                            page.limit_text};
    req_query_valid(r, &v, &schedule_stmt_release_list, 4, params, req_done_sql);
}
