/* fuzz_query.c — a request target's query as gessd reads it: the target
 * parsed by evhttp as it parses a request line (EVHTTP_URI_NONCONFORMANT),
 * its query parsed and checked by core/query.c, as req.c does before any
 * handler runs (malformed, %00 or not UTF-8 → 422).
 *
 * Checked: a query with %00 or one evhttp could not parse is always
 * refused; a parsed one whose every key and value is UTF-8 and has no %00
 * is always accepted; an accepted query only holds UTF-8 text. */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <string.h>

#include "core/query.h"
#include "core/valid.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *target = malloc(size + 1);
    if (target == NULL)
        return 0;
    memcpy(target, data, size);
    target[size] = '\0';
    struct evhttp_uri *uri = evhttp_uri_parse_with_flags(target, EVHTTP_URI_NONCONFORMANT);
    const char *raw = uri ? evhttp_uri_get_query(uri) : NULL;
    if (raw != NULL) {
        struct evkeyvalq q;
        q.tqh_first = NULL; /* an empty evkeyvalq, as req.c makes one */
        q.tqh_last = &q.tqh_first;
        bool parsed = query_parse(raw, &q);
        struct valid v;
        valid_init(&v, LANG_ES);
        query_check(&v, raw, &q, !parsed);
        bool all_utf8 = true;
        for (const struct evkeyval *kv = q.tqh_first; kv != NULL; kv = kv->next.tqe_next)
            all_utf8 = all_utf8 && valid_utf8(kv->key, strlen(kv->key)) &&
                       valid_utf8(kv->value, strlen(kv->value));
        bool nul = strstr(raw, "%00") != NULL;
        FUZZ_CHECK(parsed || q.tqh_first == NULL, "a refused parse left pairs behind");
        if (!parsed || nul || !all_utf8)
            FUZZ_CHECK(!valid_ok(&v), "an unusable query was accepted");
        else
            FUZZ_CHECK(valid_ok(&v), "a usable query was refused");
        valid_free(&v);
        evhttp_clear_headers(&q);
    }
    if (uri != NULL)
        evhttp_uri_free(uri);
    free(target);
    return 0;
}
