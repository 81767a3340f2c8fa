/* attendance.c — who came to a series event (recorded by organizers, by
 * account or by congress badge) and the edition's participation report. */
#include <string.h>

#include "core/req.h"
#include "core/vocab.h"
#include "series/series.h"

const struct db_stmt series_stmt_attendance_create =
    DB_ANSWER(series_attendance_create, "$1::uuid, $2::uuid, $3, $4, $5::uuid");

const struct db_stmt series_stmt_attendance_list = DB_ANSWER(series_attendance_list, "$1::uuid");

const struct db_stmt series_stmt_participation = DB_ANSWER(series_participation, "$1");

void series_attendance_create(struct req *r)
{
    const char *id = req_param(r, "id");
    struct valid v;
    valid_init(&v, r->lang);
    const char *account = valid_string(&v, r->body, "account_id", 36, 36, false);
    if (account == NULL && json_is_string(json_object_get(r->body, "account_id")))
        account = ""; /* a wrong length was recorded above */
    else if (account != NULL && !valid_uuid(account))
        valid_fail(&v, "account_id", MSG_UUID, 0, NULL);
    const char *badge =
        valid_string(&v, r->body, "badge_code", VOCAB_BADGE_LEN, VOCAB_BADGE_LEN, false);
    if (badge != NULL && strspn(badge, VOCAB_BADGE_ALPHABET) != VOCAB_BADGE_LEN)
        valid_fail(&v, "badge_code", MSG_CODE, 0, NULL);
    json_t *aj = json_object_get(r->body, "account_id"),
           *bj = json_object_get(r->body, "badge_code");
    bool has_account = aj != NULL && !json_is_null(aj), has_badge = bj != NULL && !json_is_null(bj);
    if (!has_account && !has_badge)
        valid_fail(&v, "account_id", MSG_REQUIRED, 0, NULL);
    else if (has_account && has_badge)
        valid_fail(&v, "badge_code", MSG_EMPTY, 0, NULL); /* one or the other */
    const char *mode = valid_enum(&v, r->body, "mode", vocab_modes, true);
    const char *params[] = {id, has_account ? account : NULL, has_badge ? badge : NULL, mode,
                            r->auth.account_id};
    req_query_valid(r, &v, &series_stmt_attendance_create, 5, params, req_done_sql);
}

void series_attendance_list(struct req *r)
{
    const char *id = req_param(r, "id");
    const char *params[] = {id};
    req_query(r, &series_stmt_attendance_list, 1, params, req_done_sql);
}

void series_participation(struct req *r)
{
    const char *params[] = {req_param(r, "slug")};
    req_query(r, &series_stmt_participation, 1, params, req_done_sql);
}
