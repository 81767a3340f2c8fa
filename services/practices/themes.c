/* themes.c — the controlled list of themes: everyone reads it, curators
 * extend it. */
#include <stdlib.h>
#include <string.h>

#include "core/req.h"
#include "practices/practices.h"

const struct db_stmt practices_stmt_themes_list = DB_ANSWER(practices_themes_list, "");

const struct db_stmt practices_stmt_theme_create = DB_ANSWER(practices_theme_create, "$1::jsonb");

/* A theme code: lower-case letters and digits in words joined by single
 * underscores, at most 40 characters (the CHECK of 0016). */
static bool theme_code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 40 || s[0] == '_' || s[n - 1] == '_')
        return false;
    for (size_t i = 0; i < n; i++) {
        bool alnum = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9');
        if (!alnum && (s[i] != '_' || s[i + 1] == '_'))
            return false;
    }
    return true;
}

json_t *practices_theme_fields(struct valid *v, const json_t *b, bool create)
{
    (void)create; /* a theme is only created */
    json_t *out = json_object();
    if (out == NULL)
        return NULL;
    const char *code = valid_string(v, b, "code", 1, 40, true);
    if (code != NULL && !theme_code_ok(code))
        valid_fail(v, "code", MSG_THEME_CODE, 0, NULL);
    else if (code != NULL)
        json_object_set(out, "code", json_object_get(b, "code"));
    valid_text_into(v, b, out, "name_es", 1, 100, true, VALID_NULL_REFUSED);
    valid_text_into(v, b, out, "name_en", 1, 100, true, VALID_NULL_REFUSED);
    if (!valid_ok(v)) {
        json_decref(out);
        return NULL;
    }
    return out;
}

void practices_themes_list(struct req *r)
{
    req_query(r, &practices_stmt_themes_list, 0, NULL, req_done_sql);
}

void practices_theme_create(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    char *text = req_valid_json(r, &v, practices_theme_fields(&v, r->body, true), JSON_COMPACT);
    if (text == NULL)
        return;
    const char *params[] = {text};
    req_query(r, &practices_stmt_theme_create, 1, params, req_done_sql);
    free(text);
}
