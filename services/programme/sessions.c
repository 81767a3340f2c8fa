/* sessions.c — the draft programme's sessions. Create and edit both call
 * session_save (schema/functions/programme.sql), which checks
 * the session against its edition and lets the exclusion constraints refuse
 * a room or a speaker booked twice; organizers read the draft, everybody
 * else the latest release. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/req.h"
#include "programme/programme.h"

const struct db_stmt programme_stmt_session_create =
    DB_ANSWER(programme_session_create, "$1, $2::jsonb");

const struct db_stmt programme_stmt_session_patch =
    DB_ANSWER(programme_session_patch, "$1::uuid, $2::jsonb");

/* Organizers: the draft; others: the latest release. */
const struct db_stmt programme_stmt_session_list =
    DB_ANSWER(programme_session_list, "$1, $2::boolean");

const struct db_stmt programme_stmt_session_get =
    DB_ANSWER(programme_session_get, "$1::uuid, $2::boolean");

const struct db_stmt programme_stmt_session_delete =
    DB_ANSWER(programme_session_delete, "$1::uuid");

static const char *const kinds[] = {"keynote", "panel", "mesa_tematica", "workshop", "talk",
                                    "break",   NULL};

/* The members session_save reads. */
static const char *const members[] = {
    "title",       "abstract", "kind",     "track_id", "room_id",
    "starts_at",   "ends_at",  "language", "capacity", "reservation_required",
    "speaker_ids", NULL};

static bool present(const json_t *b, const char *field)
{
    return json_object_get(b, field) != NULL;
}

static bool given(const json_t *b, const char *field)
{
    json_t *j = json_object_get(b, field);
    return j != NULL && !json_is_null(j);
}

/* A member that may be null (clears it) or a UUID. */
static void nullable_uuid(struct valid *v, const json_t *b, const char *field)
{
    if (!given(b, field))
        return;
    const char *s = json_string_value(json_object_get(b, field));
    if (s == NULL)
        valid_fail(v, field, MSG_NOT_STRING, 0, NULL);
    else if (!valid_uuid(s))
        valid_fail(v, field, MSG_UUID, 0, NULL);
}

/* A language tag: es, en, qu, ay, pt-BR... */
static bool language_ok(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz");
    if (n < 2 || n > 3)
        return false;
    if (s[n] == '\0')
        return true;
    if (s[n] != '-')
        return false;
    const char *t = s + n + 1;
    size_t m = strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
    return m >= 2 && m <= 8 && t[m] == '\0';
}

/* Checks every member of a session body; on create the core ones are
 * required, on edit a member that cannot be cleared must not be null.
 * Returns the members to save (valid_body_fn). */
json_t *programme_session_fields(struct valid *v, const json_t *b, bool create)
{
    bool req = create;
    const char *must_not_be_null[] = {"title", "kind", "starts_at", "ends_at", NULL};
    if (!create)
        for (int i = 0; must_not_be_null[i] != NULL; i++)
            if (present(b, must_not_be_null[i]) && !given(b, must_not_be_null[i]))
                valid_fail(v, must_not_be_null[i], MSG_REQUIRED, 0, NULL);
    (void)valid_string(v, b, "title", 1, 300, req);
    (void)valid_long_text(v, b, "abstract", 0, 10000, false);
    (void)valid_enum(v, b, "kind", kinds, req);
    nullable_uuid(v, b, "track_id");
    nullable_uuid(v, b, "room_id");
    double t0 = 0, t1 = 0;
    const char *starts = valid_instant(v, b, "starts_at", req, &t0);
    const char *ends = valid_instant(v, b, "ends_at", req, &t1);
    if (starts != NULL && ends != NULL && t1 <= t0)
        valid_fail(v, "ends_at", MSG_AFTER, 0, "starts_at");
    const char *lang = valid_string(v, b, "language", 2, 20, false);
    if (lang != NULL && !language_ok(lang))
        valid_fail(v, "language", MSG_ONE_OF, 0, "es, en, qu, ay, pt-BR… (BCP 47)");
    long long n;
    (void)valid_int(v, b, "capacity", 0, 100000, false, &n);
    bool flag;
    (void)valid_bool(v, b, "reservation_required", false, &flag);
    (void)valid_uuid_array(v, b, "speaker_ids", 50, false);
    if (!valid_ok(v))
        return NULL;
    json_t *out = json_object();
    if (out == NULL)
        return NULL;
    for (int i = 0; members[i] != NULL; i++) {
        json_t *val = json_object_get(b, members[i]);
        if (val == NULL)
            continue;
        /* a null list of speakers means none */
        if (strcmp(members[i], "speaker_ids") == 0 && json_is_null(val))
            json_object_set_new(out, members[i], json_array());
        else
            json_object_set(out, members[i], val);
    }
    return out;
}

/* Create and edit: the checked members as JSON text for stmt, whose first
 * parameter is key (the edition's slug, or the session's id). */
static void save(struct req *r, const struct db_stmt *stmt, const char *key, bool create)
{
    struct valid v;
    valid_init(&v, r->lang);
    char *fields =
        req_valid_json(r, &v, programme_session_fields(&v, r->body, create), JSON_COMPACT);
    if (fields == NULL)
        return;
    const char *params[] = {key, fields};
    req_query(r, stmt, 2, params, req_done_sql); /* db_pool copied fields */
    free(fields);
}

void programme_session_create(struct req *r)
{
    save(r, &programme_stmt_session_create, req_param(r, "slug"), true);
}

void programme_session_patch(struct req *r)
{
    save(r, &programme_stmt_session_patch, req_param(r, "id"), false);
}

void programme_session_list(struct req *r)
{
    programme_edition_read(r, &programme_stmt_session_list);
}

void programme_session_get(struct req *r)
{
    const char *params[] = {req_param(r, "id"), req_sql_bool(req_is_organizer(r))};
    req_query(r, &programme_stmt_session_get, 2, params, req_done_sql);
}

void programme_session_delete(struct req *r)
{
    const char *params[] = {req_param(r, "id")};
    req_query(r, &programme_stmt_session_delete, 1, params, req_done_sql);
}
