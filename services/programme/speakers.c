/* speakers.c — an edition's speakers: accounts (who lend their name,
 * organization and sector) or named guests. */
#include "core/req.h"
#include "core/vocab.h"
#include "programme/programme.h"

const struct db_stmt programme_stmt_speaker_create =
    DB_ANSWER(programme_speaker_create, "$1, $2::uuid, $3, $4, $5, $6::uuid");

/* Which account a speaker is shows to organizers only. */
const struct db_stmt programme_stmt_speaker_list =
    DB_ANSWER(programme_speaker_list, "$1, $2::boolean");

/* An optional member that must be a UUID; NULL when absent or refused. */
static const char *uuid_member(struct valid *v, const json_t *b, const char *field)
{
    const char *s = valid_string(v, b, field, 1, 64, false);
    if (s != NULL && !valid_uuid(s)) {
        valid_fail(v, field, MSG_UUID, 0, NULL);
        return NULL;
    }
    return s;
}

void programme_speaker_create(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *account = uuid_member(&v, r->body, "account_id");
    json_t *aj = json_object_get(r->body, "account_id");
    bool has_account = aj != NULL && !json_is_null(aj);
    /* a guest needs a name; an account lends its own */
    const char *name = valid_string(&v, r->body, "name", 1, 200, !has_account);
    const char *organization = valid_string(&v, r->body, "organization", 0, 200, false);
    const char *sector = valid_enum(&v, r->body, "sector", vocab_sectors, false);
    /* the organization record, besides the name as the programme prints it */
    const char *org_id = uuid_member(&v, r->body, "organization_id");
    const char *params[] = {req_param(r, "slug"), account, name, organization, sector, org_id};
    req_query_valid(r, &v, &programme_stmt_speaker_create, 6, params, req_done_sql);
}

void programme_speaker_list(struct req *r)
{
    programme_edition_read(r, &programme_stmt_speaker_list);
}
