/* form.c — form-encoded bodies (form.h). The bytes are copied into a
 * string first: evhttp's parser takes a C string, and a body holding a raw
 * NUL would otherwise be read only up to it, i.e. in part. */
#include "core/form.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

#include "core/query.h"

json_t *form_parse(const char *data, size_t len, struct valid *v)
{
    if (len == 0)
        return json_object();
    if (memchr(data, '\0', len) != NULL) {
        valid_fail(v, "body", MSG_QUERY, 0, NULL);
        return NULL;
    }
    char *text = malloc(len + 1);
    if (text == NULL)
        return NULL;
    memcpy(text, data, len);
    text[len] = '\0';
    struct evkeyvalq q;
    q.tqh_first = NULL; /* an empty evkeyvalq, as req.c makes one */
    q.tqh_last = &q.tqh_first;
    bool parsed = query_parse(text, &q);
    struct valid checks;
    valid_init(&checks, v->lang);
    query_check(&checks, text, &q, !parsed);
    bool usable = valid_ok(&checks);
    valid_free(&checks);
    free(text);
    json_t *out = usable ? json_object() : NULL;
    if (!usable)
        valid_fail(v, "body", MSG_QUERY, 0, NULL);
    for (const struct evkeyval *kv = q.tqh_first; out != NULL && kv != NULL;
         kv = kv->next.tqe_next) {
        if (json_object_get(out, kv->key) != NULL) {
            valid_fail(v, kv->key, MSG_DUPLICATE, 0, NULL);
            json_decref(out);
            out = NULL;
        } else if (json_object_set_new(out, kv->key, json_string(kv->value)) != 0) {
            json_decref(out); /* out of memory: v stays clean */
            out = NULL;
        }
    }
    evhttp_clear_headers(&q);
    return out;
}
