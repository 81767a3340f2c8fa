/* lists.c — the caller's registrations, the organizers' list (JSON pages
 * or a CSV export) and the edition's statistics. */
#include <event2/buffer.h>
#include <string.h>

#include "core/csv.h"
#include "core/req.h"
#include "core/vocab.h"
#include "registration/registration.h"

const struct db_stmt registration_stmt_list_mine = DB_ANSWER(registration_list_mine, "$1::uuid");

const struct db_stmt registration_stmt_list_edition =
    DB_ANSWER(registration_list_edition, "$1, $2, $3, $4, $5, $6::boolean, $7::uuid, $8::int");

/* Rows, not an answer: the CSV is written here cell by cell (csv_cell). */
const struct db_stmt registration_stmt_list_edition_csv = {
    "registration_list_edition_csv",
    "SELECT * FROM registration_list_edition_csv($1, $2, $3, $4, $5, $6::boolean)",
};

const struct db_stmt registration_stmt_stats = DB_ANSWER(registration_stats, "$1");

void registration_list_mine(struct req *r)
{
    const char *params[] = {r->auth.account_id};
    req_query(r, &registration_stmt_list_mine, 1, params, req_done_sql);
}

void registration_stats(struct req *r)
{
    const char *params[] = {req_param(r, "slug")};
    req_query(r, &registration_stmt_stats, 1, params, req_done_sql);
}

static void csv_done(struct req *r, enum db_status st, PGresult *res)
{
    if (st != DB_OK) {
        req_reply_db_error(r, st, res);
        return;
    }
    int n = PQntuples(res);
    if (n == 0) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    /* an edition without registrations answers one row of NULLs */
    int rows = 0;
    while (rows < n && !PQgetisnull(res, rows, 0))
        rows++;
    /* full_name .. region (columns 5 to 10) are typed by people */
    csv_reply(r, "registrations.csv",
              "id,status,category,mode,badge_code,full_name,email,organization,sector,country,"
              "region,created_at,checked_in_at,paid,answers,series_attended",
              res, rows, 0x3fu << 5);
}

/* A query parameter that must be one of choices; false after a 422. */
/* A filter of the query; a page's GET form sends every field, those left
 * at "any" empty (form: empty is absent). */
static const char *filter_param(struct req *r, const char *name, bool form)
{
    const char *s = req_query_param(r, name);
    return form && s != NULL && s[0] == '\0' ? NULL : s;
}

static bool param_choice(struct req *r, struct valid *v, const char *name,
                         const char *const *choices, const char **out, bool form)
{
    const char *s = filter_param(r, name, form);
    *out = s;
    if (s == NULL)
        return true;
    for (int i = 0; choices[i] != NULL; i++)
        if (strcmp(choices[i], s) == 0)
            return true;
    char list[160] = "";
    for (int i = 0; choices[i] != NULL; i++) {
        if (i > 0)
            strcat(list, ", ");
        strcat(list, choices[i]);
    }
    valid_fail(v, name, MSG_ONE_OF, 0, list);
    return false;
}

bool registration_filters_read(struct req *r, struct valid *v, struct registration_filters *f,
                               bool form)
{
    static const char *const statuses[] = {"pending",   "confirmed",  "waitlisted", "rejected",
                                           "cancelled", "checked_in", NULL};
    static const char *const booleans[] = {"true", "false", NULL};
    bool ok = param_choice(r, v, "status", statuses, &f->status, form);
    ok &= param_choice(r, v, "mode", vocab_modes, &f->mode, form);
    ok &= param_choice(r, v, "sector", vocab_sectors, &f->sector, form);
    ok &= param_choice(r, v, "checked_in", booleans, &f->checked_in, form);
    f->category = filter_param(r, "category", form);
    if (f->category != NULL && !valid_code(f->category)) {
        valid_fail(v, "category", MSG_CODE, 0, NULL);
        ok = false;
    }
    ok &= req_page(r, v, &f->page, PAGE_CURSOR_UUID);
    return ok;
}

void registration_list_edition(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    struct registration_filters f;
    (void)registration_filters_read(r, &v, &f, false);
    if (!req_valid_ok(r, &v))
        return;
    if (r->out == OUT_CSV) {
        const char *params[] = {req_param(r, "slug"), f.status, f.category, f.mode, f.sector,
                                f.checked_in};
        req_query(r, &registration_stmt_list_edition_csv, 6, params, csv_done);
        return;
    }
    const char *params[] = {req_param(r, "slug"), f.status,      f.category,       f.mode, f.sector,
                            f.checked_in,         f.page.cursor, f.page.limit_text};
    req_query(r, &registration_stmt_list_edition, 8, params, req_done_sql);
}
