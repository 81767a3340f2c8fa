/* manage.c — cancel, approve, reject and check in. Each is one call to a
 * function in schema/ that locks the registration, changes it, moves the
 * seat on to the waitlist and writes the outbox row, in one transaction. */
#include <ctype.h>
#include <string.h>

#include "core/req.h"
#include "registration/registration.h"

const struct db_stmt registration_stmt_cancel =
    DB_ANSWER(registration_cancel, "$1::uuid, $2::uuid, $3::boolean");

const struct db_stmt registration_stmt_decide =
    DB_ANSWER(registration_decide, "$1::uuid, $2::uuid, $3::boolean, $4");

const struct db_stmt registration_stmt_checkin = DB_ANSWER(registration_checkin, "$1, $2");

const struct db_stmt registration_stmt_set_paid =
    DB_ANSWER(registration_set_paid, "$1::uuid, $2::boolean");

void registration_cancel(struct req *r)
{
    const char *id = req_param(r, "id");
    const char *params[] = {id, r->auth.account_id, req_sql_bool(req_is_organizer(r))};
    req_query(r, &registration_stmt_cancel, 3, params, req_done_sql);
}

const char *registration_reason_read(struct valid *v, const json_t *body)
{
    return valid_long_text(v, body, "reason", 0, 1000, false);
}

static void decide(struct req *r, bool approve)
{
    const char *id = req_param(r, "id");
    struct valid v;
    valid_init(&v, r->lang);
    /* a rejection may say why; an approval takes no body (r->body NULL) */
    const char *reason = registration_reason_read(&v, r->body);
    const char *params[] = {id, r->auth.account_id, req_sql_bool(approve), reason};
    req_query_valid(r, &v, &registration_stmt_decide, 4, params, req_done_sql);
}

void registration_approve(struct req *r)
{
    decide(r, true);
}

void registration_reject(struct req *r)
{
    decide(r, false);
}

void registration_badge_read(struct valid *v, const json_t *body, char badge[33])
{
    const char *in = valid_string(v, body, "badge_code", 1, 32, true);
    /* Scanners and people type badges in any case, with spaces or dashes. */
    size_t n = 0;
    for (const char *p = in; p != NULL && *p != '\0'; p++)
        if (*p != ' ' && *p != '-')
            badge[n++] = (char)toupper((unsigned char)*p);
    badge[n] = '\0';
    if (in != NULL && n == 0)
        valid_fail(v, "badge_code", MSG_EMPTY, 0, NULL);
}

void registration_checkin(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    char badge[33];
    registration_badge_read(&v, r->body, badge);
    const char *params[] = {req_param(r, "slug"), badge};
    req_query_valid(r, &v, &registration_stmt_checkin, 2, params, req_done_sql);
}

void registration_set_paid(struct req *r)
{
    const char *id = req_param(r, "id");
    struct valid v;
    bool paid = false;
    valid_init(&v, r->lang);
    (void)valid_bool(&v, r->body, "paid", true, &paid);
    const char *params[] = {id, req_sql_bool(paid)};
    req_query_valid(r, &v, &registration_stmt_set_paid, 2, params, req_done_sql);
}
