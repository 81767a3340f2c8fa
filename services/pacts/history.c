/* history.c — GET /v1/pacts/{id}/history: the pact's audit trail (every
 * insert, change and removal of the pact, its parties, commitments,
 * indicators, measurements and milestones, with who did it), oldest
 * first, for staff. The rows are written by the triggers of 0006. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/req.h"
#include "pacts/pacts.h"

/* No row (404) when the pact does not exist. $2: the audit id the page
 * starts after. */
const struct db_stmt pacts_stmt_history = {
    "pacts_history",
    "SELECT pacts_history($1::uuid, $2::bigint, $3::int)",
};

struct history {
    char limit[16];
};

/* A cursor is an audit id: 1 to 18 digits. */
static bool cursor_ok(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= 18 && strspn(s, "0123456789") == n;
}

void pacts_history(struct req *r)
{
    if (!pacts_require_staff(r))
        return;
    const char *id = pacts_path_id(r);
    if (id == NULL)
        return;
    struct history *h = calloc(1, sizeof *h);
    if (h == NULL) {
        req_reply_unavailable(r);
        return;
    }
    r->data = h;
    r->data_free = free;
    struct valid v;
    valid_init(&v, r->lang);
    snprintf(h->limit, sizeof h->limit, "%d", req_page_limit(r, &v));
    const char *cursor = req_query_param(r, "cursor");
    if (cursor != NULL && !cursor_ok(cursor))
        pacts_fail(&v, "cursor", "must be a cursor this list handed out",
                   "debe ser un cursor que esta lista entregó");
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {id, cursor, h->limit};
    req_query(r, &pacts_stmt_history, 3, params, req_done_row);
}
