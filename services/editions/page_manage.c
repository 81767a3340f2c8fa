/* page_manage.c — GET /manage: where staff find their pages. Each link is
 * shown to the roles that may use it (organizers: each edition's
 * registrations and check-in desk; follow-up: the verifiers' queue;
 * curators: the practices to review); anyone else gets the 403 page. */
#include "core/page.h"
#include "core/page_form.h"
#include "editions/editions.h"

const struct db_stmt editions_stmt_page_manage = DB_ANSWER(editions_page_manage, "$1");

static void manage_fill(struct req *r, json_t *data, json_t *raw)
{
    (void)raw;
    json_object_set_new(data, "organizer", json_boolean(req_is_organizer(r)));
    json_object_set_new(data, "followup", json_boolean(req_is_followup(r)));
    json_object_set_new(data, "curator", json_boolean(req_is_curator(r)));
    json_object_set_new(data, "has_editions",
                        json_boolean(json_array_size(json_object_get(data, "editions")) > 0));
}

void editions_page_manage(struct req *r)
{
    if (!page_require_role(r, ROLE_ORGANIZER | ROLE_FOLLOWUP | ROLE_CURATOR))
        return;
    const char *params[] = {page_lang(r)};
    page_query(r, "manage", &editions_stmt_page_manage, 1, params, manage_fill);
}
