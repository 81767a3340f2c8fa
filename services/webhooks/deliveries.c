/* deliveries.c — GET /v1/webhooks/{id}/deliveries (the log of attempts,
 * newest first) and POST /v1/webhook-deliveries/{id}/redeliver (admins). */
#include "core/req.h"
#include "webhooks/webhooks.h"

const struct db_stmt webhooks_stmt_deliveries =
    DB_ANSWER(webhooks_deliveries, "$1::uuid, $2::uuid, $3::int");
const struct db_stmt webhooks_stmt_redeliver = DB_ANSWER(webhooks_redeliver, "$1::uuid");

void webhooks_deliveries(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    struct page page;
    (void)req_page(r, &v, &page, PAGE_CURSOR_UUID);
    const char *params[] = {req_param(r, "id"), page.cursor, page.limit_text};
    req_query_valid(r, &v, &webhooks_stmt_deliveries, 3, params, req_done_sql);
}

/* The delivery's outbox row is sent again with the same message id (the
 * receiver's webhook-id), so a receiver that took the first one drops it. */
void webhooks_redeliver(struct req *r)
{
    const char *params[] = {req_param(r, "id")};
    req_query(r, &webhooks_stmt_redeliver, 1, params, req_done_sql);
}
