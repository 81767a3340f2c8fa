/* pages.c — the programme's pages for people: GET /editions/{slug}/programme
 * (the latest release by day and start time, ?track=<id> keeping one track,
 * as a plain GET form works without JavaScript) and GET /sessions/{id}.
 * Each is one statement composing the API's own functions
 * (programme_page_programme: editions_get and schedule_get;
 * programme_page_session: programme_session_get and editions_get), with
 * times as the wall clock of the edition's time zone in the page's
 * language. For a signed-in viewer each session says whether it is in
 * their agenda or reserved and carries the star / reserve forms
 * (programme_page_mine: the API's rules, read, not repeated). */
#include "core/page.h"
#include "core/page_cache.h"
#include "core/req.h"
#include "programme/programme.h"

const struct db_stmt programme_stmt_page_programme =
    DB_ANSWER(programme_page_programme, "$1, $2::boolean, $3, $4, $5::uuid");

const struct db_stmt programme_stmt_page_session =
    DB_ANSWER(programme_page_session, "$1::uuid, $2::boolean, $3, $4::uuid");

/* the star and reserve forms (pages_agenda.c) come back here with a notice */
static void notice_fill(struct req *r, json_t *data, json_t *raw)
{
    (void)raw;
    programme_page_notice(r, data);
}

void programme_page_programme(struct req *r)
{
    /* "All tracks" submits track= (empty): no filter */
    const char *track = req_query_param(r, "track");
    if (track != NULL && track[0] == '\0')
        track = NULL;
    const char *params[] = {req_param(r, "slug"), req_sql_bool(req_is_organizer(r)), track,
                            page_lang(r), req_viewer(r)};
    /* an anonymous caller without a query gets the copy kept under the
     * schedule topic (core/page_cache.h) */
    page_cache_query(r, "schedule", req_param(r, "slug"), "programme",
                     &programme_stmt_page_programme, 5, params, notice_fill);
}

void programme_page_session(struct req *r)
{
    const char *params[] = {req_param(r, "id"), req_sql_bool(req_is_organizer(r)), page_lang(r),
                            req_viewer(r)};
    page_query(r, "session", &programme_stmt_page_session, 4, params, notice_fill);
}
