/* lists.c — the caller's registrations, the organizers' list (JSON pages
 * or a CSV export) and the edition's statistics. */
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/req.h"
#include "registration/registration.h"

const struct db_stmt registration_stmt_mine = {
    "registration_mine",
    "SELECT row_to_json(x)::text FROM ("
    "  SELECT coalesce(json_agg(registration_json(r, false) ORDER BY r.created_at, r.id), '[]')"
    "         AS items FROM registrations r WHERE r.account_id = $1::uuid) x",
};

/* The filters shared by the JSON page and the CSV export. */
#define LIST_FILTERS                                                              \
    "   AND ($2::text IS NULL OR r.status = $2)"                                  \
    "   AND ($3::text IS NULL OR r.category_id = (SELECT c.id FROM categories c"  \
    "        WHERE c.edition_id = e.id AND c.code = $3))"                         \
    "   AND ($4::text IS NULL OR r.mode = $4)"                                    \
    "   AND ($5::text IS NULL OR r.sector = $5)"                                  \
    "   AND ($6::boolean IS NULL OR (r.checked_in_at IS NOT NULL) = $6::boolean)" \
    "   AND ($7::uuid IS NULL OR (r.created_at, r.id) >"                          \
    "        (SELECT k.created_at, k.id FROM registrations k WHERE k.id = $7::uuid))"

/* One row per registration of the page (limit + 1, to know whether more
 * follow); a single row of NULLs when the edition exists but nothing
 * matches, no row when it does not exist. series_attended (how many
 * "Rumbo al GESS" events of the edition the person came to, schema/functions/series.sql)
 * is spliced into registration_json's compact text as its last member. */
const struct db_stmt registration_stmt_list = {
    "registration_list",
    "SELECT p.id, left(registration_json(p.reg, true)::text, -1)"
    "       || ',\"series_attended\":' || p.series_attended || '}' FROM editions e"
    " LEFT JOIN LATERAL (SELECT r.id, r AS reg,"
    "   series_attended(r.edition_id, r.account_id) AS series_attended FROM registrations r"
    "  WHERE r.edition_id = e.id" LIST_FILTERS
    "  ORDER BY r.created_at, r.id LIMIT $8::int) p ON true"
    " WHERE e.slug = $1",
};

const struct db_stmt registration_stmt_csv = {
    "registration_csv",
    "SELECT r.id, r.status, c.code, r.mode, r.badge_code, a.full_name, a.email,"
    "       a.organization, r.sector, a.country, a.region,"
    "       to_json(r.created_at) #>> '{}', to_json(r.checked_in_at) #>> '{}',"
    "       r.paid::text, r.answers::text, series_attended(e.id, r.account_id)::text"
    "  FROM editions e"
    "  LEFT JOIN LATERAL (SELECT r.* FROM registrations r WHERE r.edition_id = e.id" LIST_FILTERS
    " LIMIT $8::int) r ON true"
    "  LEFT JOIN categories c ON c.id = r.category_id"
    "  LEFT JOIN accounts a ON a.id = r.account_id"
    " WHERE e.slug = $1 ORDER BY r.created_at, r.id",
};

const struct db_stmt registration_stmt_stats = {
    "registration_stats",
    "SELECT registration_stats($1)::text",
};

void registration_list_mine(struct req *r)
{
    const char *params[] = {r->auth.account_id};
    req_query(r, &registration_stmt_mine, 1, params, req_done_row);
}

void registration_stats(struct req *r)
{
    const char *params[] = {req_param(r, "slug")};
    req_query(r, &registration_stmt_stats, 1, params, req_done_row);
}

struct list {
    int limit;
    char limit_text[16];
};

static void list_done(struct req *r, enum db_status st, PGresult *res)
{
    struct list *l = r->data;
    if (st != DB_OK) {
        req_reply_db_error(r, st, res);
        return;
    }
    int n = PQntuples(res);
    if (n == 0) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    if (PQgetisnull(res, 0, 0))
        n = 0;
    int shown = n > l->limit ? l->limit : n;
    struct evbuffer *out = evbuffer_new();
    if (out == NULL) {
        req_reply_unavailable(r);
        return;
    }
    evbuffer_add(out, "{\"items\":[", 10);
    for (int i = 0; i < shown; i++) {
        if (i > 0)
            evbuffer_add(out, ",", 1);
        evbuffer_add(out, PQgetvalue(res, i, 1), (size_t)PQgetlength(res, i, 1));
    }
    if (n > l->limit)
        evbuffer_add_printf(out, "],\"next_cursor\":\"%s\"}", PQgetvalue(res, shown - 1, 0));
    else
        evbuffer_add_printf(out, "],\"next_cursor\":null}");
    size_t len = evbuffer_get_length(out);
    req_reply_json_text(r, 200, (const char *)evbuffer_pullup(out, (ev_ssize_t)len), len);
    evbuffer_free(out);
}

/* RFC 4180 quoting; a cell a person typed that starts like a formula gets
 * a leading apostrophe so a spreadsheet shows it instead of running it. */
static void csv_cell(struct evbuffer *out, const char *s, bool typed)
{
    bool formula = typed && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@');
    if (!formula && strpbrk(s, ",\"\r\n") == NULL) {
        evbuffer_add(out, s, strlen(s));
        return;
    }
    evbuffer_add(out, "\"", 1);
    if (formula)
        evbuffer_add(out, "'", 1);
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '"')
            evbuffer_add(out, "\"", 1);
        evbuffer_add(out, p, 1);
    }
    evbuffer_add(out, "\"", 1);
}

static void csv_done(struct req *r, enum db_status st, PGresult *res)
{
    static const char *const header =
        "\xEF\xBB\xBF" /* UTF-8 BOM: Excel then reads the accents right */
        "id,status,category,mode,badge_code,full_name,email,organization,sector,country,"
        "region,created_at,checked_in_at,paid,answers,series_attended\r\n";
    if (st != DB_OK) {
        req_reply_db_error(r, st, res);
        return;
    }
    int n = PQntuples(res);
    if (n == 0) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    struct evbuffer *out = evbuffer_new();
    if (out == NULL) {
        req_reply_unavailable(r);
        return;
    }
    evbuffer_add(out, header, strlen(header));
    for (int i = 0; i < n && !PQgetisnull(res, i, 0); i++) {
        for (int c = 0; c < 16; c++) {
            if (c > 0)
                evbuffer_add(out, ",", 1);
            csv_cell(out, PQgetvalue(res, i, c), c >= 5 && c <= 10);
        }
        evbuffer_add(out, "\r\n", 2);
    }
    size_t len = evbuffer_get_length(out);
    req_add_header(r, "Content-Disposition", "attachment; filename=\"registrations.csv\"");
    req_reply_raw(r, 200, "text/csv; charset=utf-8", evbuffer_pullup(out, (ev_ssize_t)len), len);
    evbuffer_free(out);
}

/* A query parameter that must be one of choices; false after a 422. */
static bool param_choice(struct req *r, struct valid *v, const char *name,
                         const char *const *choices, const char **out)
{
    const char *s = req_query_param(r, name);
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

void registration_list_edition(struct req *r)
{
    static const char *const statuses[] = {"pending",   "confirmed",  "waitlisted", "rejected",
                                           "cancelled", "checked_in", NULL};
    static const char *const modes[] = {"in_person", "online", NULL};
    static const char *const sectors[] = {"public",    "private",     "academia", "civil_society",
                                          "community", "cooperation", "media",    NULL};
    static const char *const booleans[] = {"true", "false", NULL};
    struct list *l = calloc(1, sizeof *l);
    if (l == NULL) {
        req_reply_unavailable(r);
        return;
    }
    r->data = l;
    r->data_free = free;
    struct valid v;
    valid_init(&v, r->lang);
    const char *status, *mode, *sector, *checked_in;
    (void)param_choice(r, &v, "status", statuses, &status);
    (void)param_choice(r, &v, "mode", modes, &mode);
    (void)param_choice(r, &v, "sector", sectors, &sector);
    (void)param_choice(r, &v, "checked_in", booleans, &checked_in);
    const char *category = req_query_param(r, "category");
    if (category != NULL && !valid_code(category))
        valid_fail(&v, "category", MSG_CODE, 0, NULL);
    const char *cursor = req_query_param(r, "cursor");
    if (cursor != NULL && !valid_uuid(cursor))
        valid_fail(&v, "cursor", MSG_UUID, 0, NULL);
    l->limit = req_page_limit(r, &v);
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    bool csv = r->out == OUT_CSV;
    snprintf(l->limit_text, sizeof l->limit_text, "%d", l->limit + 1);
    const char *params[] = {
        req_param(r, "slug"),      status, category, mode, sector, checked_in, csv ? NULL : cursor,
        csv ? NULL : l->limit_text};
    req_query(r, csv ? &registration_stmt_csv : &registration_stmt_list, 8, params,
              csv ? csv_done : list_done);
}
