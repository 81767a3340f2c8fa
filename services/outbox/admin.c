/* admin.c — GET /v1/outbox and POST /v1/outbox/{id}/retry (admins). */
#include <string.h>

#include "core/req.h"
#include "core/valid.h"
#include "outbox/outbox.h"

const struct db_stmt outbox_stmt_list = DB_ANSWER(outbox_list, "$1, $2::bigint, $3::int");
const struct db_stmt outbox_stmt_retry = DB_ANSWER(outbox_retry, "$1::uuid");

static const char *const statuses[] = {"pending", "sent", "dead", NULL};

void outbox_list(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *status = req_query_param(r, "status");
    if (status != NULL) {
        bool ok = false;
        for (const char *const *s = statuses; *s != NULL; s++)
            ok = ok || strcmp(*s, status) == 0;
        if (!ok)
            valid_fail(&v, "status", MSG_ONE_OF, 0, "pending, sent, dead");
    }
    struct page page;
    (void)req_page(r, &v, &page, PAGE_CURSOR_NUMBER);
    const char *params[] = {status, page.cursor, page.limit_text};
    req_query_valid(r, &v, &outbox_stmt_list, 3, params, req_done_sql);
}

void outbox_retry(struct req *r)
{
    const char *params[] = {req_param(r, "id")};
    req_query(r, &outbox_stmt_retry, 1, params, req_done_sql);
}
