/* query.c — query parsing and checks (query.h). A query that gessd cannot
 * read whole is refused rather than read in part: answering as if it had
 * not been sent would answer another question than the one asked. */
#include "core/query.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <string.h>

bool query_parse(const char *raw, struct evkeyvalq *out)
{
    if (evhttp_parse_query_str(raw, out) != 0) {
        evhttp_clear_headers(out);
        return false;
    }
    return true;
}

void query_check(struct valid *v, const char *raw, const struct evkeyvalq *q, bool malformed)
{
    bool nul = false;
    for (const char *p = strchr(raw, '%'); p != NULL && !nul; p = strchr(p + 1, '%'))
        nul = p[1] == '0' && p[2] == '0';
    if (malformed || nul)
        valid_fail(v, "query", MSG_QUERY, 0, NULL);
    for (const struct evkeyval *kv = q->tqh_first; kv != NULL; kv = kv->next.tqe_next) {
        bool key_ok = valid_utf8(kv->key, strlen(kv->key));
        if (!key_ok || !valid_utf8(kv->value, strlen(kv->value)))
            valid_fail(v, key_ok ? kv->key : "query", MSG_NOT_UTF8, 0, NULL);
    }
}
