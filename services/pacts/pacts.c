/* pacts.c — the pacts of an edition: create, list, read (drafts for staff
 * and the contacts of its parties only), change; and what the module's
 * handlers share: who is staff, checking text members, answering the
 * (problem, body) rows of the SQL functions in schema/functions/pacts.sql. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db_listen.h"
#include "core/req.h"
#include "pacts/pacts.h"

/* ---- shared ----------------------------------------------------------------------------- */

const char *pacts_viewer(const struct req *r)
{
    return r->auth.ok ? r->auth.account_id : NULL;
}

bool pacts_is_staff(const struct req *r)
{
    return r->auth.ok && (r->auth.roles & (ROLE_ORGANIZER | ROLE_FOLLOWUP)) != 0;
}

bool pacts_require_staff(struct req *r)
{
    if (pacts_is_staff(r))
        return true;
    req_reply_problem(r, "forbidden", NULL);
    return false;
}

const char *pacts_path_id(struct req *r)
{
    const char *id = req_param(r, "id");
    if (!valid_uuid(id)) {
        req_reply_problem(r, "not-found", NULL);
        return NULL;
    }
    return id;
}

void pacts_fail(struct valid *v, const char *field, const char *en, const char *es)
{
    json_array_append_new(v->errors, json_pack("{s:s, s:s}", "field", field, "message",
                                               v->lang == LANG_ES ? es : en));
}

void pacts_text(struct valid *v, const json_t *b, json_t *out, const char *field, size_t min,
                size_t max, bool required, bool clearable)
{
    json_t *j = json_object_get(b, field);
    if (j != NULL && json_is_null(j)) {
        if (clearable && min == 0)
            json_object_set_new(out, field, json_string(""));
        else
            valid_fail(v, field, MSG_REQUIRED, 0, NULL);
        return;
    }
    const char *s = valid_string(v, b, field, min, max, required);
    if (s == NULL)
        return;
    if (min > 0 && strspn(s, " ") == strlen(s)) {
        valid_fail(v, field, MSG_EMPTY, 0, NULL);
        return;
    }
    json_object_set_new(out, field, json_string(s));
}

/* An http(s) link with a host, without spaces or control characters. */
static bool url_ok(const char *s)
{
    if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
        return false;
    const char *host = strstr(s, "//") + 2;
    if (*host == '\0' || *host == '/')
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return false;
    return true;
}

void pacts_url(struct valid *v, const json_t *b, json_t *out, const char *field, size_t max)
{
    json_t *j = json_object_get(b, field);
    if (j != NULL && json_is_null(j)) {
        json_object_set_new(out, field, json_null());
        return;
    }
    const char *u = valid_string(v, b, field, 1, max, false);
    if (u != NULL && !url_ok(u))
        valid_fail(v, field, MSG_ONE_OF, 0, "an http:// or https:// link");
    else if (u != NULL)
        json_object_set_new(out, field, json_string(u));
}

bool pacts_keep_text(struct req *r, json_t *obj, char **out)
{
    *out = obj != NULL ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    if (*out == NULL) {
        req_reply_unavailable(r);
        return false;
    }
    r->data = *out;
    r->data_free = free;
    return true;
}

void pacts_reply_sql_errors(struct req *r, const char *body)
{
    static const struct {
        const char *code, *en, *es;
    } words[] = {
        {"no_organization", "is not an organization", "no es una organización"},
        {"no_account", "is not an account", "no es una cuenta"},
        {"no_pact", "is not a pact", "no es un pacto"},
        {"not_later_edition", "must be a pact of a later edition than the commitment's",
         "debe ser un pacto de una edición posterior a la del compromiso"},
        {"no_parent", "must be the id of a top-level commitment of this pact",
         "debe ser el id de un compromiso de primer nivel de este pacto"},
        {"not_future", "must be a date not after today (the edition's local date)",
         "debe ser una fecha no posterior a hoy (fecha local de la edición)"},
    };
    struct valid v;
    valid_init(&v, r->lang);
    json_t *doc = json_loads(body, 0, NULL);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "errors"), i, e) {
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *field = json_string_value(json_object_get(e, "field"));
        if (code == NULL || field == NULL)
            continue;
        if (strcmp(code, "required") == 0) {
            valid_fail(&v, field, MSG_REQUIRED, 0, NULL);
            continue;
        }
        for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
            if (strcmp(words[k].code, code) == 0)
                pacts_fail(&v, field, words[k].en, words[k].es);
    }
    json_decref(doc);
    if (valid_ok(&v)) /* a code this file does not know: still a 422 */
        valid_fail(&v, "body", MSG_UNKNOWN, 0, NULL);
    req_reply_invalid(r, &v);
}

static void reply(struct req *r, enum db_status st, PGresult *res, int status)
{
    if (st == DB_OK)
        db_listen_note_change(); /* the dashboard caches of this process follow at once */
    if (st == DB_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) &&
        strcmp(PQgetvalue(res, 0, 0), "validation-failed") == 0) {
        pacts_reply_sql_errors(r, PQgetisnull(res, 0, 1) ? "{}" : PQgetvalue(res, 0, 1));
        return;
    }
    req_reply_outcome(r, st, res, status);
}

void pacts_done(struct req *r, enum db_status st, PGresult *res)
{
    reply(r, st, res, 200);
}

void pacts_done_created(struct req *r, enum db_status st, PGresult *res)
{
    reply(r, st, res, 201);
}

/* ---- pacts ------------------------------------------------------------------------------ */

const struct db_stmt pacts_stmt_create = {
    "pacts_create",
    "SELECT problem, body FROM pacts_create($1, $2::jsonb, $3::uuid)",
};

/* One page ordered by (created_at, id); the cursor is the last pact's id.
 * No row when the edition does not exist or is a draft the caller may not
 * see. $2 viewer, $3 staff, $4 cursor, $5 limit. */
const struct db_stmt pacts_stmt_list = {
    "pacts_list",
    "WITH e AS (SELECT id FROM editions WHERE slug = $1 AND ($3::boolean OR status <> 'draft')),"
    " page AS (SELECT p, p.id, pact_access(p, $2::uuid, $3::boolean) AS acc,"
    "                 row_number() OVER (ORDER BY p.created_at, p.id) AS rn"
    "   FROM pacts p, e WHERE p.edition_id = e.id"
    "    AND pact_access(p, $2::uuid, $3::boolean) IS NOT NULL"
    "    AND ($4::uuid IS NULL OR (p.created_at, p.id) >"
    "         (SELECT k.created_at, k.id FROM pacts k WHERE k.id = $4::uuid))"
    "  ORDER BY p.created_at, p.id LIMIT $5::int + 1)"
    " SELECT (SELECT row_to_json(x)::text FROM ("
    "   SELECT coalesce(json_agg(pact_item_json(g.p, g.acc = 'full') ORDER BY g.rn)"
    "                   FILTER (WHERE g.rn <= $5::int), '[]') AS items,"
    "          CASE WHEN max(g.rn) > $5::int"
    "               THEN (max(g.id::text) FILTER (WHERE g.rn = $5::int)) END AS next_cursor"
    "     FROM page g) x) FROM e",
};

/* No row (404) for a pact the caller may not see. */
const struct db_stmt pacts_stmt_get = {
    "pacts_get",
    "SELECT pact_json(p, a.acc = 'full')::text"
    "  FROM pacts p, LATERAL (SELECT pact_access(p, $2::uuid, $3::boolean) AS acc) a"
    " WHERE p.id = $1::uuid AND a.acc IS NOT NULL",
};

const struct db_stmt pacts_stmt_patch = {
    "pacts_patch",
    "SELECT problem, body FROM pacts_patch($1::uuid, $2::jsonb, $3::uuid)",
};

static const char *const statuses[] = {"draft",     "signed", "in_progress",
                                       "completed", "lapsed", NULL};

/* The checked members of a pact body (all of them on create, those present
 * on a PATCH), or NULL when some failed (recorded in v). */
static json_t *pact_fields(struct valid *v, const json_t *b, bool create)
{
    json_t *out = json_object();
    if (out == NULL)
        return NULL;
    pacts_text(v, b, out, "title", 1, 300, create, false);
    valid_long_text_into(v, b, out, "summary", 5000, true);
    valid_long_text_into(v, b, out, "text", 100000, true);
    pacts_url(v, b, out, "text_url", 500);
    json_t *sj = json_object_get(b, "signed_on");
    bool signed_null = sj == NULL || json_is_null(sj);
    const char *signed_on = valid_date(v, b, "signed_on", false);
    if (signed_on != NULL)
        json_object_set_new(out, "signed_on", json_string(signed_on));
    else if (sj != NULL && json_is_null(sj))
        json_object_set_new(out, "signed_on", json_null());
    json_t *st = json_object_get(b, "status");
    const char *status = valid_enum(v, b, "status", statuses, false);
    if (st != NULL && json_is_null(st))
        valid_fail(v, "status", MSG_REQUIRED, 0, NULL);
    if (status != NULL)
        json_object_set_new(out, "status", json_string(status));
    /* a pact is public from signature on: it needs the date it was signed
     * (on a PATCH, SQL checks it against the stored row too) */
    bool public = status != NULL && strcmp(status, "draft") != 0;
    if (public && signed_null && (create || sj != NULL))
        valid_fail(v, "signed_on", MSG_REQUIRED, 0, NULL);
    if (!valid_ok(v)) {
        json_decref(out);
        return NULL;
    }
    return out;
}

void pacts_create(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    json_t *p = pact_fields(&v, r->body, true);
    if (p == NULL) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    char *text;
    if (!pacts_keep_text(r, p, &text))
        return;
    const char *params[] = {req_param(r, "slug"), text, r->auth.account_id};
    req_query(r, &pacts_stmt_create, 3, params, pacts_done_created);
}

struct list {
    char limit[16];
};

void pacts_list(struct req *r)
{
    struct list *l = calloc(1, sizeof *l);
    if (l == NULL) {
        req_reply_unavailable(r);
        return;
    }
    r->data = l;
    r->data_free = free;
    struct valid v;
    valid_init(&v, r->lang);
    snprintf(l->limit, sizeof l->limit, "%d", req_page_limit(r, &v));
    const char *cursor = req_query_param(r, "cursor");
    if (cursor != NULL && !valid_uuid(cursor))
        valid_fail(&v, "cursor", MSG_UUID, 0, NULL);
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {req_param(r, "slug"), pacts_viewer(r),
                            pacts_is_staff(r) ? "true" : "false", cursor, l->limit};
    req_query(r, &pacts_stmt_list, 5, params, req_done_row);
}

void pacts_get(struct req *r)
{
    const char *id = pacts_path_id(r);
    if (id == NULL)
        return;
    const char *params[] = {id, pacts_viewer(r), pacts_is_staff(r) ? "true" : "false"};
    req_query(r, &pacts_stmt_get, 3, params, req_done_row);
}

void pacts_patch(struct req *r)
{
    const char *id = pacts_path_id(r);
    if (id == NULL)
        return;
    struct valid v;
    valid_init(&v, r->lang);
    json_t *p = pact_fields(&v, r->body, false);
    if (p == NULL) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    char *text;
    if (!pacts_keep_text(r, p, &text))
        return;
    const char *params[] = {id, text, r->auth.account_id};
    req_query(r, &pacts_stmt_patch, 3, params, pacts_done);
}
