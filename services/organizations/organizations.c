/* organizations.c — organizations as records (name, sector, tax id,
 * region) that pacts, accounts and speakers refer to: staff create and
 * change them, anyone reads them. One record per name in any letter case
 * and per tax id: the unique indexes decide (409 organization-taken). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/req.h"
#include "organizations/organizations.h"
#include "pacts/pacts.h"

const struct db_stmt organizations_stmt_create = {
    "organizations_create",
    "SELECT problem, body FROM organizations_create($1::jsonb)",
};

/* One page ordered by name (any letter case), then id; the cursor is the
 * last organization's id. $1 name filter (a substring, letter case and
 * accents aside), $2 sector, $3 cursor, $4 limit. */
const struct db_stmt organizations_stmt_list = {
    "organizations_list",
    "WITH page AS (SELECT o, o.id, row_number() OVER (ORDER BY lower(o.name), o.id) AS rn"
    "   FROM organizations o"
    "  WHERE ($1::text IS NULL OR strpos(organization_fold(o.name), organization_fold($1)) > 0)"
    "    AND ($2::text IS NULL OR o.sector = $2)"
    "    AND ($3::uuid IS NULL OR (lower(o.name), o.id) >"
    "         (SELECT lower(k.name), k.id FROM organizations k WHERE k.id = $3::uuid))"
    "  ORDER BY lower(o.name), o.id LIMIT $4::int + 1)"
    " SELECT row_to_json(x)::text FROM ("
    "   SELECT coalesce(json_agg(organization_json(g.o) ORDER BY g.rn)"
    "                   FILTER (WHERE g.rn <= $4::int), '[]') AS items,"
    "          CASE WHEN max(g.rn) > $4::int"
    "               THEN (max(g.id::text) FILTER (WHERE g.rn = $4::int)) END AS next_cursor"
    "     FROM page g) x",
};

const struct db_stmt organizations_stmt_get = {
    "organizations_get",
    "SELECT organization_json(o)::text FROM organizations o WHERE o.id = $1::uuid",
};

const struct db_stmt organizations_stmt_patch = {
    "organizations_patch",
    "SELECT problem, body FROM organizations_patch($1::uuid, $2::jsonb)",
};

static const char *const sectors[] = {"public",    "private",     "academia", "civil_society",
                                      "community", "cooperation", "media",    NULL};

/* A tax id (RUC in Peru: 11 digits; other countries' ids too): 4 to 20
 * letters, digits or hyphens, as the CHECK of 0006 says. */
static bool tax_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 4 || n > 20)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-')
            return false;
    return true;
}

static json_t *org_fields(struct valid *v, const json_t *b, bool create)
{
    json_t *out = json_object();
    if (out == NULL)
        return NULL;
    pacts_text(v, b, out, "name", 1, 200, create, false);
    json_t *sj = json_object_get(b, "sector");
    const char *sector = valid_enum(v, b, "sector", sectors, create);
    if (sector != NULL)
        json_object_set_new(out, "sector", json_string(sector));
    else if (!create && sj != NULL && json_is_null(sj))
        valid_fail(v, "sector", MSG_REQUIRED, 0, NULL);
    json_t *tj = json_object_get(b, "tax_id");
    if (tj != NULL && json_is_null(tj)) {
        json_object_set_new(out, "tax_id", json_null());
    } else {
        const char *tax = valid_string(v, b, "tax_id", 1, 20, false);
        if (tax != NULL && !tax_id_ok(tax))
            pacts_fail(v, "tax_id",
                       "must be 4 to 20 letters, digits or hyphens (a RUC has 11 digits)",
                       "debe tener de 4 a 20 letras, dígitos o guiones (un RUC tiene 11 dígitos)");
        else if (tax != NULL)
            json_object_set_new(out, "tax_id", json_string(tax));
    }
    pacts_text(v, b, out, "region", 0, 100, false, true);
    if (!valid_ok(v)) {
        json_decref(out);
        return NULL;
    }
    return out;
}

void organizations_create(struct req *r)
{
    if (!pacts_require_staff(r))
        return;
    struct valid v;
    valid_init(&v, r->lang);
    json_t *o = org_fields(&v, r->body, true);
    if (o == NULL) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    char *text;
    if (!pacts_keep_text(r, o, &text))
        return;
    const char *params[] = {text};
    req_query(r, &organizations_stmt_create, 1, params, pacts_done_created);
}

struct list {
    char limit[16];
};

void organizations_list(struct req *r)
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
    const char *q = req_query_param(r, "q");
    if (q != NULL && valid_utf8_chars(q) > 200)
        valid_fail(&v, "q", MSG_TOO_LONG, 200, NULL);
    if (q != NULL && q[0] == '\0')
        q = NULL; /* ?q= with nothing: no filter */
    const char *sector = req_query_param(r, "sector");
    if (sector != NULL) {
        bool known = false;
        for (size_t i = 0; sectors[i] != NULL && !known; i++)
            known = strcmp(sectors[i], sector) == 0;
        if (!known)
            valid_fail(&v, "sector", MSG_ONE_OF, 0,
                       "public, private, academia, civil_society, community, cooperation, media");
    }
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {q, sector, cursor, l->limit};
    req_query(r, &organizations_stmt_list, 4, params, req_done_row);
}

void organizations_get(struct req *r)
{
    const char *id = pacts_path_id(r);
    if (id == NULL)
        return;
    const char *params[] = {id};
    req_query(r, &organizations_stmt_get, 1, params, req_done_row);
}

void organizations_patch(struct req *r)
{
    if (!pacts_require_staff(r))
        return;
    const char *id = pacts_path_id(r);
    if (id == NULL)
        return;
    struct valid v;
    valid_init(&v, r->lang);
    json_t *o = org_fields(&v, r->body, false);
    if (o == NULL) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    char *text;
    if (!pacts_keep_text(r, o, &text))
        return;
    const char *params[] = {id, text};
    req_query(r, &organizations_stmt_patch, 2, params, pacts_done);
}
