/* edition.c — what the programme's lists of an edition share: the edition
 * by slug, as the caller may see it (drafts to organizers only). */
#include "core/req.h"
#include "programme/programme.h"

void programme_edition_read(struct req *r, const struct db_stmt *stmt)
{
    const char *params[] = {req_param(r, "slug"), req_sql_bool(req_is_organizer(r))};
    req_query(r, stmt, 2, params, req_done_sql);
}
