/* rooms.c — an edition's rooms (with optional daily hours), tracks and
 * speakers (accounts or named guests), and the answer shared by the
 * programme's SQL functions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/req.h"
#include "programme/programme.h"

const struct db_stmt programme_stmt_room_create = {
    "programme_room_create",
    "SELECT problem, body FROM programme_room_create($1, $2, $3::integer, $4, $5::time, $6::time)",
};

const struct db_stmt programme_stmt_room_list = {
    "programme_room_list",
    "SELECT row_to_json(x)::text FROM ("
    "  SELECT coalesce((SELECT json_agg(room_json(r) ORDER BY r.name, r.id)"
    "                     FROM rooms r WHERE r.edition_id = e.id), '[]') AS items"
    "    FROM editions e WHERE e.slug = $1 AND ($2::boolean OR e.status <> 'draft')) x",
};

const struct db_stmt programme_stmt_track_create = {
    "programme_track_create",
    "SELECT problem, body FROM programme_track_create($1, $2, $3)",
};

const struct db_stmt programme_stmt_track_list = {
    "programme_track_list",
    "SELECT row_to_json(x)::text FROM ("
    "  SELECT coalesce((SELECT json_agg(track_json(t) ORDER BY t.name, t.id)"
    "                     FROM tracks t WHERE t.edition_id = e.id), '[]') AS items"
    "    FROM editions e WHERE e.slug = $1 AND ($2::boolean OR e.status <> 'draft')) x",
};

const struct db_stmt programme_stmt_speaker_create = {
    "programme_speaker_create",
    "SELECT problem, body FROM programme_speaker_create($1, $2::uuid, $3, $4, $5, $6::uuid)",
};

/* Which account a speaker is shows to organizers only. */
const struct db_stmt programme_stmt_speaker_list = {
    "programme_speaker_list",
    "SELECT row_to_json(x)::text FROM ("
    "  SELECT coalesce((SELECT json_agg(speaker_json(s, $2::boolean) ORDER BY s.name, s.id)"
    "                     FROM speakers s WHERE s.edition_id = e.id), '[]') AS items"
    "    FROM editions e WHERE e.slug = $1 AND ($2::boolean OR e.status <> 'draft')) x",
};

/* ---- answers ---------------------------------------------------------------------------- */

/* Codes of the programme's SQL validation that problem.c has no words for. */
static const struct {
    const char *code;
    const char *en, *es; /* %s: the code's arg */
} own_words[] = {
    {"taken", "is already used in this edition", "ya se usa en esta edición"},
    {"no_account", "is not an account", "no es una cuenta"},
    {"no_organization", "is not an organization", "no es una organización"},
    {"outside_edition", "must lie within the edition's dates (%s)",
     "debe estar dentro de las fechas de la edición (%s)"},
    {"outside_room_hours", "must lie within the room's opening hours (%s)",
     "debe estar dentro del horario de la sala (%s)"},
    {"below_reserved", "must not be below the %s seats already reserved",
     "no debe ser menor que los %s cupos ya reservados"},
};

static void reply_sql_errors(struct req *r, const char *body)
{
    struct valid v;
    valid_init(&v, r->lang);
    json_t *doc = json_loads(body, 0, NULL);
    json_t *errs = json_object_get(doc, "errors");
    size_t i;
    json_t *e;
    json_array_foreach(errs, i, e) {
        const char *field = json_string_value(json_object_get(e, "field"));
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *arg = json_string_value(json_object_get(e, "arg"));
        if (field == NULL || code == NULL)
            continue;
        if (strcmp(code, "unknown") == 0) {
            valid_fail(&v, field, MSG_UNKNOWN, 0, NULL);
            continue;
        }
        if (strcmp(code, "after") == 0) {
            valid_fail(&v, field, MSG_AFTER, 0, arg);
            continue;
        }
        for (size_t k = 0; k < sizeof own_words / sizeof own_words[0]; k++) {
            if (strcmp(own_words[k].code, code) != 0)
                continue;
            char text[256];
            const char *fmt = r->lang == LANG_ES ? own_words[k].es : own_words[k].en;
            if (strstr(fmt, "%s") != NULL)
                snprintf(text, sizeof text, fmt, arg ? arg : "");
            else
                snprintf(text, sizeof text, "%s", fmt);
            json_array_append_new(v.errors,
                                  json_pack("{s:s, s:s}", "field", field, "message", text));
            break;
        }
    }
    json_decref(doc);
    if (valid_ok(&v)) /* never: SQL names a field with every refusal */
        valid_fail(&v, "body", MSG_UNKNOWN, 0, NULL);
    req_reply_invalid(r, &v);
}

void programme_reply(struct req *r, enum db_status st, PGresult *res, int status)
{
    if (st == DB_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) &&
        strcmp(PQgetvalue(res, 0, 0), "validation-failed") == 0 && !PQgetisnull(res, 0, 1)) {
        reply_sql_errors(r, PQgetvalue(res, 0, 1));
        return;
    }
    req_reply_outcome(r, st, res, status);
}

void programme_done(struct req *r, enum db_status st, PGresult *res)
{
    programme_reply(r, st, res, 200);
}

void programme_done_created(struct req *r, enum db_status st, PGresult *res)
{
    programme_reply(r, st, res, 201);
}

void programme_done_empty(struct req *r, enum db_status st, PGresult *res)
{
    programme_reply(r, st, res, 204);
}

/* ---- rooms ------------------------------------------------------------------------------ */

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
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {
        req_param(r, "slug"), name, has_capacity ? cap_text : NULL, notes, opens, closes};
    req_query(r, &programme_stmt_room_create, 6, params, programme_done_created);
}

void programme_room_list(struct req *r)
{
    const char *params[] = {req_param(r, "slug"), req_is_organizer(r) ? "true" : "false"};
    req_query(r, &programme_stmt_room_list, 2, params, req_done_row);
}

/* ---- tracks ----------------------------------------------------------------------------- */

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
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {req_param(r, "slug"), name, color};
    req_query(r, &programme_stmt_track_create, 3, params, programme_done_created);
}

void programme_track_list(struct req *r)
{
    const char *params[] = {req_param(r, "slug"), req_is_organizer(r) ? "true" : "false"};
    req_query(r, &programme_stmt_track_list, 2, params, req_done_row);
}

/* ---- speakers --------------------------------------------------------------------------- */

void programme_speaker_create(struct req *r)
{
    static const char *const sectors[] = {"public",    "private",     "academia", "civil_society",
                                          "community", "cooperation", "media",    NULL};
    struct valid v;
    valid_init(&v, r->lang);
    const char *account = valid_string(&v, r->body, "account_id", 1, 64, false);
    if (account != NULL && !valid_uuid(account)) {
        valid_fail(&v, "account_id", MSG_UUID, 0, NULL);
        account = NULL;
    }
    json_t *aj = json_object_get(r->body, "account_id");
    bool has_account = aj != NULL && !json_is_null(aj);
    /* a guest needs a name; an account lends its own */
    const char *name = valid_string(&v, r->body, "name", 1, 200, !has_account);
    const char *organization = valid_string(&v, r->body, "organization", 0, 200, false);
    const char *sector = valid_enum(&v, r->body, "sector", sectors, false);
    /* the organization record, besides the name as the programme prints it */
    const char *org_id = valid_string(&v, r->body, "organization_id", 1, 64, false);
    if (org_id != NULL && !valid_uuid(org_id)) {
        valid_fail(&v, "organization_id", MSG_UUID, 0, NULL);
        org_id = NULL;
    }
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {req_param(r, "slug"), account, name, organization, sector, org_id};
    req_query(r, &programme_stmt_speaker_create, 6, params, programme_done_created);
}

void programme_speaker_list(struct req *r)
{
    const char *params[] = {req_param(r, "slug"), req_is_organizer(r) ? "true" : "false"};
    req_query(r, &programme_stmt_speaker_list, 2, params, req_done_row);
}
