/* organizations.c — organizations as records (name, sector, tax id,
 * region) that pacts, accounts and speakers refer to: staff create and
 * change them, anyone reads them. One record per name in any letter case
 * and per tax id: the unique indexes decide (409 organization-taken). The
 * SQL functions are in schema/functions/organizations.sql. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/req.h"
#include "core/vocab.h"
#include "organizations/organizations.h"

const struct db_stmt organizations_stmt_create = DB_ANSWER(organizations_create, "$1::jsonb");

const struct db_stmt organizations_stmt_list =
    DB_ANSWER(organizations_list, "$1, $2, $3::uuid, $4::int");

const struct db_stmt organizations_stmt_get = DB_ANSWER(organizations_get, "$1::uuid");

const struct db_stmt organizations_stmt_patch =
    DB_ANSWER(organizations_patch, "$1::uuid, $2::jsonb");

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

json_t *organizations_fields(struct valid *v, const json_t *b, bool create)
{
    json_t *out = json_object();
    if (out == NULL)
        return NULL;
    valid_text_into(v, b, out, "name", 1, 200, create, VALID_NULL_REFUSED);
    json_t *sj = json_object_get(b, "sector");
    const char *sector = valid_enum(v, b, "sector", vocab_sectors, create);
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
            valid_fail(v, "tax_id", MSG_TAX_ID, 0, NULL);
        else if (tax != NULL)
            json_object_set_new(out, "tax_id", json_string(tax));
    }
    valid_text_into(v, b, out, "region", 0, 100, false, VALID_NULL_CLEARS);
    if (!valid_ok(v)) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* Checks the body and runs stmt with ($1 path id when given, then the
 * checked members). Staff only (403). */
static void org_write(struct req *r, const struct db_stmt *stmt, const char *id)
{
    if (!req_is_staff(r)) {
        req_reply_problem(r, "forbidden", NULL);
        return;
    }
    struct valid v;
    valid_init(&v, r->lang);
    char *text = req_valid_json(r, &v, organizations_fields(&v, r->body, id == NULL), JSON_COMPACT);
    if (text == NULL)
        return;
    const char *params[] = {id != NULL ? id : text, text};
    req_query(r, stmt, id != NULL ? 2 : 1, params, req_done_sql);
    free(text);
}

void organizations_create(struct req *r)
{
    org_write(r, &organizations_stmt_create, NULL);
}

void organizations_list(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    struct page page;
    (void)req_page(r, &v, &page, PAGE_CURSOR_UUID);
    const char *q = req_query_param(r, "q");
    if (q != NULL && valid_utf8_chars(q) > 200)
        valid_fail(&v, "q", MSG_TOO_LONG, 200, NULL);
    if (q != NULL && q[0] == '\0')
        q = NULL; /* ?q= with nothing: no filter */
    /* ?sector= checked as a body member would be, so the message lists the sectors */
    const char *sector = req_query_param(r, "sector");
    json_t *filter = sector != NULL ? json_pack("{s:s}", "sector", sector) : NULL;
    if (sector != NULL && filter == NULL) {
        valid_free(&v);
        req_reply_unavailable(r);
        return;
    }
    if (sector != NULL)
        sector = valid_enum(&v, filter, "sector", vocab_sectors, false);
    json_decref(filter);
    const char *params[] = {q, sector, page.cursor, page.limit_text};
    req_query_valid(r, &v, &organizations_stmt_list, 4, params, req_done_sql);
}

void organizations_get(struct req *r)
{
    const char *params[] = {req_param(r, "id")};
    req_query(r, &organizations_stmt_get, 1, params, req_done_sql);
}

void organizations_patch(struct req *r)
{
    org_write(r, &organizations_stmt_patch, req_param(r, "id"));
}
