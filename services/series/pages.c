/* pages.c — Rumbo al GESS for people: GET /editions/{slug}/rumbo (upcoming
 * events first, then past ones) and GET /series-events/{id}. Each is one
 * statement composing the API's own functions (series_page_rumbo:
 * editions_get and series_event_list; series_page_event: series_event_get
 * and editions_get), so the online link shows exactly where the API shows
 * it (organizers, and whoever holds an RSVP). */
#include "core/page.h"
#include "core/req.h"
#include "series/series.h"

const struct db_stmt series_stmt_page_rumbo =
    DB_ANSWER(series_page_rumbo, "$1, $2::uuid, $3::boolean, $4");

const struct db_stmt series_stmt_page_event =
    DB_ANSWER(series_page_event, "$1::uuid, $2::uuid, $3::boolean, $4");

void series_page_rumbo(struct req *r)
{
    const char *params[] = {req_param(r, "slug"), req_viewer(r), req_sql_bool(req_is_organizer(r)),
                            page_lang(r)};
    page_query(r, "rumbo", &series_stmt_page_rumbo, 4, params, NULL);
}

void series_page_event(struct req *r)
{
    const char *params[] = {req_param(r, "id"), req_viewer(r), req_sql_bool(req_is_organizer(r)),
                            page_lang(r)};
    page_query(r, "series_event", &series_stmt_page_event, 4, params, NULL);
}
