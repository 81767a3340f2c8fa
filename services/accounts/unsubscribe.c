/* unsubscribe.c — POST /v1/unsubscribe?token=: RFC 8058's one-click
 * unsubscribe from reminders. A mail client posts
 * `List-Unsubscribe=One-Click` as a form (the one route taking
 * application/x-www-form-urlencoded, core/form.h) to the link in the
 * reminder's List-Unsubscribe header, without any login: the token is the
 * account's unsubscribe_key, which can do nothing but this. An empty body
 * is taken too (a person pasting the link into a tool). */
#include <string.h>

#include "accounts/accounts.h"
#include "core/req.h"

/* 204; 404 for a key that names no account. */
const struct db_stmt accounts_stmt_unsubscribe = DB_ANSWER(accounts_unsubscribe, "$1::uuid");

void accounts_unsubscribe(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *token = req_query_param(r, "token");
    if (token == NULL || token[0] == '\0')
        valid_fail(&v, "token", MSG_REQUIRED, 0, NULL);
    else if (!valid_uuid(token))
        valid_fail(&v, "token", MSG_UUID, 0, NULL);
    /* RFC 8058 says what a one-click body holds; anything else there is a
     * client that meant another thing */
    const char *click = valid_string(&v, r->body, "List-Unsubscribe", 0, 64, false);
    if (click != NULL && strcmp(click, "One-Click") != 0)
        valid_fail(&v, "List-Unsubscribe", MSG_ONE_CLICK, 0, NULL);
    const char *params[] = {token};
    req_query_valid(r, &v, &accounts_stmt_unsubscribe, 1, params, req_done_sql);
}
