/* editions.c — POST/GET /v1/editions, GET/PATCH /v1/editions/{slug} and
 * POST /v1/editions/{slug}/next. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db_listen.h"
#include "core/req.h"
#include "editions/editions.h"

static const char *const statuses[] = {"draft", "published", "closed", "archived", NULL};

const struct db_stmt editions_stmt_create = {
    "editions_create",
    "INSERT INTO editions (slug, number, title, motto, city, venue, starts_on, ends_on,"
    "                      timezone, registration_opens_at, registration_closes_at, status)"
    " VALUES ($1, $2::int, $3, coalesce($4, ''), coalesce($5, ''), coalesce($6, ''),"
    "         $7::date, $8::date, coalesce($9, 'America/Lima'), $10::timestamptz,"
    "         $11::timestamptz, coalesce($12, 'draft'))"
    " RETURNING edition_json(editions)::text",
};

/* Newest first; $1: whether drafts show; $2: cursor (a number); $3: limit. */
const struct db_stmt editions_stmt_list = {
    "editions_list",
    "WITH page AS ("
    "  SELECT e AS ed, e.number, row_number() OVER (ORDER BY e.number DESC) AS rn"
    "    FROM editions e"
    "   WHERE ($1::boolean OR e.status <> 'draft') AND ($2::int IS NULL OR e.number < $2::int)"
    "   ORDER BY e.number DESC LIMIT $3::int + 1)"
    " SELECT row_to_json(x)::text FROM ("
    "  SELECT coalesce(json_agg(edition_json(ed) ORDER BY number DESC)"
    "                  FILTER (WHERE rn <= $3::int), '[]') AS items,"
    "         CASE WHEN max(rn) > $3::int"
    "              THEN (min(number) FILTER (WHERE rn <= $3::int))::text END AS next_cursor"
    "    FROM page) x",
};

const struct db_stmt editions_stmt_get = {
    "editions_get",
    "SELECT edition_json(e)::text FROM editions e"
    " WHERE e.slug = $1 AND ($2::boolean OR e.status <> 'draft')",
};

/* Absent fields keep their value; status moves only forward. Answers
 * (found, edition) with edition NULL when the status would go back. */
const struct db_stmt editions_stmt_patch = {
    "editions_patch",
    "WITH old AS (SELECT id, status FROM editions WHERE slug = $1 FOR UPDATE),"
    " upd AS (UPDATE editions e SET"
    "   number = coalesce($2::int, e.number), title = coalesce($3, e.title),"
    "   motto = coalesce($4, e.motto), city = coalesce($5, e.city),"
    "   venue = coalesce($6, e.venue), starts_on = coalesce($7::date, e.starts_on),"
    "   ends_on = coalesce($8::date, e.ends_on), timezone = coalesce($9, e.timezone),"
    "   registration_opens_at = coalesce($10::timestamptz, e.registration_opens_at),"
    "   registration_closes_at = coalesce($11::timestamptz, e.registration_closes_at),"
    "   status = coalesce($12, e.status), updated_at = now()"
    "  FROM old WHERE e.id = old.id AND ($12::text IS NULL OR"
    "   array_position(ARRAY['draft','published','closed','archived'], $12::text) >="
    "   array_position(ARRAY['draft','published','closed','archived'], old.status))"
    "  RETURNING edition_json(e)::text AS j)"
    " SELECT (SELECT count(*) FROM old), (SELECT j FROM upd)",
};

const struct db_stmt editions_stmt_next = {
    "editions_next",
    "SELECT problem, body FROM editions_next($1, $2::boolean, $3::boolean)",
};

/* Integrity errors the database reports for editions, as fields. */
static bool reply_constraint(struct req *r, PGresult *res)
{
    const char *c = db_constraint(res);
    static const struct {
        const char *constraint, *field;
        enum valid_msg msg;
        const char *arg;
    } map[] = {
        {"editions_number_key", "number", MSG_TAKEN, NULL},
        {"editions_timezone_check", "timezone", MSG_TIMEZONE, NULL},
        {"editions_ends_on_check", "ends_on", MSG_NOT_BEFORE, "starts_on"},
        {"editions_window_check", "registration_closes_at", MSG_AFTER, "registration_opens_at"},
    };
    if (strcmp(db_constraint(res), "editions_slug_key") == 0) {
        req_reply_problem(r, "slug-taken", NULL);
        return true;
    }
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(c, map[i].constraint) == 0) {
            struct valid v;
            valid_init(&v, r->lang);
            valid_fail(&v, map[i].field, map[i].msg, 0, map[i].arg);
            req_reply_invalid(r, &v);
            return true;
        }
    return false;
}

static void create_done(struct req *r, enum db_status st, PGresult *res)
{
    if (st == DB_ERROR && reply_constraint(r, res))
        return;
    req_reply_row(r, st, res, 201);
}

/* The edition fields of POST and PATCH, as statement parameters $2..$12
 * (params[0] is the slug). On PATCH nothing is required and null is
 * refused for fields that cannot be empty. */
static void edition_fields(struct valid *v, const json_t *b, bool create, const char *params[12],
                           char number[24])
{
    long long n = 0;
    if (valid_int(v, b, "number", 1, 1000000, create, &n)) {
        snprintf(number, 24, "%lld", n);
        params[1] = number;
    }
    params[2] = valid_string(v, b, "title", 1, 200, create);
    params[3] = valid_string(v, b, "motto", 0, 300, false);
    params[4] = valid_string(v, b, "city", 0, 100, false);
    params[5] = valid_string(v, b, "venue", 0, 200, false);
    params[6] = valid_date(v, b, "starts_on", create);
    params[7] = valid_date(v, b, "ends_on", create);
    params[8] = valid_string(v, b, "timezone", 1, 64, false);
    double opens = 0, closes = 0;
    params[9] = valid_instant(v, b, "registration_opens_at", create, &opens);
    params[10] = valid_instant(v, b, "registration_closes_at", create, &closes);
    params[11] = valid_enum(v, b, "status", statuses, false);
    if (params[6] != NULL && params[7] != NULL && strcmp(params[7], params[6]) < 0)
        valid_fail(v, "ends_on", MSG_NOT_BEFORE, 0, "starts_on");
    if (params[9] != NULL && params[10] != NULL && closes <= opens)
        valid_fail(v, "registration_closes_at", MSG_AFTER, 0, "registration_opens_at");
    if (!create) {
        static const char *const not_null[] = {"number",
                                               "title",
                                               "starts_on",
                                               "ends_on",
                                               "timezone",
                                               "registration_opens_at",
                                               "registration_closes_at",
                                               "status",
                                               NULL};
        for (int i = 0; not_null[i] != NULL; i++)
            if (json_is_null(json_object_get(b, not_null[i])))
                valid_fail(v, not_null[i], MSG_EMPTY, 0, NULL);
    }
}

void editions_create(struct req *r)
{
    struct valid v;
    const char *params[12] = {NULL};
    char number[24];
    valid_init(&v, r->lang);
    params[0] = valid_string(&v, r->body, "slug", 1, 64, true);
    if (params[0] != NULL && !valid_slug(params[0])) {
        valid_fail(&v, "slug", MSG_SLUG, 0, NULL);
        params[0] = NULL;
    }
    edition_fields(&v, r->body, true, params, number);
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    req_query(r, &editions_stmt_create, 12, params, create_done);
}

void editions_list(struct req *r)
{
    struct valid v;
    char limit[16];
    valid_init(&v, r->lang);
    snprintf(limit, sizeof limit, "%d", req_page_limit(r, &v));
    const char *cursor = req_query_param(r, "cursor");
    if (cursor != NULL && (strlen(cursor) == 0 || strlen(cursor) > 7 ||
                           strspn(cursor, "0123456789") != strlen(cursor)))
        valid_fail(&v, "cursor", MSG_NOT_INTEGER, 0, NULL);
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {req_is_organizer(r) ? "true" : "false", cursor, limit};
    req_query(r, &editions_stmt_list, 3, params, req_done_row);
}

void editions_get(struct req *r)
{
    const char *params[] = {req_param(r, "slug"), req_is_organizer(r) ? "true" : "false"};
    req_query(r, &editions_stmt_get, 2, params, req_done_row);
}

static void patch_done(struct req *r, enum db_status st, PGresult *res)
{
    if (st == DB_OK)
        db_listen_note_change(); /* the cached schedule and dashboard carry the edition */
    if (st == DB_ERROR && reply_constraint(r, res))
        return;
    if (!req_reply_found(r, st, res, 200))
        req_reply_field(r, "status", MSG_BACKWARDS);
}

void editions_patch(struct req *r)
{
    struct valid v;
    const char *params[12] = {NULL};
    char number[24];
    valid_init(&v, r->lang);
    if (json_object_get(r->body, "slug") != NULL)
        valid_fail(&v, "slug", MSG_UNKNOWN, 0, NULL); /* the slug is the edition's name */
    edition_fields(&v, r->body, false, params, number);
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    params[0] = req_param(r, "slug");
    req_query(r, &editions_stmt_patch, 12, params, patch_done);
}

void editions_next(struct req *r)
{
    static const char *const parts[] = {"categories", "questions", NULL};
    bool copy[2] = {true, true};
    json_t *list = json_object_get(r->body, "copy");
    if (list != NULL && !json_is_null(list)) {
        struct valid v;
        valid_init(&v, r->lang);
        copy[0] = copy[1] = false;
        if (!json_is_array(list)) {
            valid_fail(&v, "copy", MSG_NOT_ARRAY, 0, NULL);
        } else {
            size_t i;
            json_t *item;
            json_array_foreach(list, i, item) {
                const char *s = json_string_value(item);
                int k = 0;
                while (s != NULL && parts[k] != NULL && strcmp(parts[k], s) != 0)
                    k++;
                char field[32];
                snprintf(field, sizeof field, "copy[%zu]", i);
                if (s == NULL || parts[k] == NULL)
                    valid_fail(&v, field, MSG_ONE_OF, 0, "categories, questions");
                else
                    copy[k] = true;
            }
        }
        if (!valid_ok(&v)) {
            req_reply_invalid(r, &v);
            return;
        }
        valid_free(&v);
    }
    const char *params[] = {req_param(r, "slug"), copy[0] ? "true" : "false",
                            copy[1] ? "true" : "false"};
    req_query(r, &editions_stmt_next, 3, params, req_done_created);
}
