/* rooms.c — an edition's rooms, each with optional daily opening hours
 * (sessions in it must fit them: session_save in
 * schema/functions/programme.sql). */
#include <stdio.h>
#include <string.h>

#include "core/req.h"
#include "programme/programme.h"

const struct db_stmt programme_stmt_room_create =
    DB_ANSWER(programme_room_create, "$1, $2, $3::integer, $4, $5::time, $6::time");

const struct db_stmt programme_stmt_room_list = DB_ANSWER(programme_room_list, "$1, $2::boolean");

/* A time of day "HH:MM" (or "HH:MM:SS"), 00:00 to 24:00; minutes since
 * midnight in *min, or -1 when absent (absent or null). */
static const char *time_of_day(struct valid *v, const json_t *b, const char *field, int *min)
{
    static const char *const fmt_en = "HH:MM, 00:00 to 24:00";
    *min = -1;
    json_t *j = json_object_get(b, field);
    if (j == NULL || json_is_null(j))
        return NULL;
    const char *s = json_string_value(j);
    size_t len = s != NULL ? strlen(s) : 0;
    bool ok = len == 5 || len == 8;
    for (size_t i = 0; ok && i < len; i++)
        ok = (i == 2 || i == 5) ? s[i] == ':' : (s[i] >= '0' && s[i] <= '9');
    int hh = 0, mm = 0, ss = 0;
    if (ok) {
        hh = (s[0] - '0') * 10 + (s[1] - '0');
        mm = (s[3] - '0') * 10 + (s[4] - '0');
        ss = len == 8 ? (s[6] - '0') * 10 + (s[7] - '0') : 0;
        ok = mm < 60 && ss < 60 && (hh < 24 || (hh == 24 && mm == 0 && ss == 0));
    }
    if (!ok) {
        valid_fail(v, field, s == NULL ? MSG_NOT_STRING : MSG_ONE_OF, 0, fmt_en);
        return NULL;
    }
    *min = hh * 60 + mm;
    return s;
}

void programme_room_create(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *name = valid_string(&v, r->body, "name", 1, 200, true);
    long long capacity = 0;
    char cap_text[24];
    bool has_capacity = valid_int(&v, r->body, "capacity", 0, 100000, false, &capacity);
    snprintf(cap_text, sizeof cap_text, "%lld", capacity);
    const char *notes = valid_long_text(&v, r->body, "notes", 0, 2000, false);
    int open_min, close_min;
    const char *opens = time_of_day(&v, r->body, "opens_at", &open_min);
    const char *closes = time_of_day(&v, r->body, "closes_at", &close_min);
    json_t *oj = json_object_get(r->body, "opens_at"), *cj = json_object_get(r->body, "closes_at");
    bool o_given = oj != NULL && !json_is_null(oj), c_given = cj != NULL && !json_is_null(cj);
    if (o_given && !c_given)
        valid_fail(&v, "closes_at", MSG_REQUIRED, 0, NULL);
    if (c_given && !o_given)
        valid_fail(&v, "opens_at", MSG_REQUIRED, 0, NULL);
    if (opens != NULL && closes != NULL && close_min <= open_min)
        valid_fail(&v, "closes_at", MSG_AFTER, 0, "opens_at");
    const char *params[] = {
        req_param(r, "slug"), name, has_capacity ? cap_text : NULL, notes, opens, closes};
    req_query_valid(r, &v, &programme_stmt_room_create, 6, params, req_done_sql);
}

void programme_room_list(struct req *r)
{
    programme_edition_read(r, &programme_stmt_room_list);
}
