/* tracks.c — an edition's thematic tracks, each with a colour. */
#include <string.h>

#include "core/req.h"
#include "programme/programme.h"

const struct db_stmt programme_stmt_track_create = DB_ANSWER(programme_track_create, "$1, $2, $3");

const struct db_stmt programme_stmt_track_list = DB_ANSWER(programme_track_list, "$1, $2::boolean");

static bool colour_ok(const char *s)
{
    if (strlen(s) != 7 || s[0] != '#')
        return false;
    return strspn(s + 1, "0123456789abcdefABCDEF") == 6;
}

void programme_track_create(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *name = valid_string(&v, r->body, "name", 1, 200, true);
    const char *color = valid_string(&v, r->body, "color", 1, 7, false);
    if (color != NULL && !colour_ok(color))
        valid_fail(&v, "color", MSG_ONE_OF, 0, "#rrggbb");
    const char *params[] = {req_param(r, "slug"), name, color};
    req_query_valid(r, &v, &programme_stmt_track_create, 3, params, req_done_sql);
}

void programme_track_list(struct req *r)
{
    programme_edition_read(r, &programme_stmt_track_list);
}
