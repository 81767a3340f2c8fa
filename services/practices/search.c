/* search.c — GET /v1/practices: the published cases, searched in Spanish
 * (both vectors, synonyms, exclusions on either), filtered by facets with
 * disjunctive counts, as JSON pages, a CSV export (Accept: text/csv) or an
 * Atom feed (?format=atom, feed.c). The SQL is practices_list and its
 * helpers in schema/functions/practices.sql ("search"). */
#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/req.h"
#include "core/vocab.h"
#include "practices/practices.h"

const struct db_stmt practices_stmt_list =
    DB_ANSWER(practices_list, "$1, $2::jsonb, $3, $4::bigint, $5::int");

/* Rows, not an answer: the CSV is written here cell by cell (csv_cell). */
const struct db_stmt practices_stmt_list_csv = {
    "practices_list_csv",
    "SELECT * FROM practices_list_csv($1, $2::jsonb)",
};

static const char *const kinds[] = {"practice", "lesson", NULL};
static const char *const stages[] = {"exploration",  "construction",   "operation", "closure",
                                     "post_closure", "not_applicable", NULL};
static const char *const sorts[] = {"relevance", "newest", NULL};

enum { MAX_VALUES = 20 };

static bool one_of(const char *s, const char *const *choices)
{
    for (int i = 0; choices[i] != NULL; i++)
        if (strcmp(choices[i], s) == 0)
            return true;
    return false;
}

static void fail_one_of(struct valid *v, const char *name, const char *const *choices)
{
    char list[200] = "";
    for (int i = 0; choices[i] != NULL; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                 choices[i]);
    valid_fail(v, name, MSG_ONE_OF, 0, list);
}

/* A theme code as practice_themes.code: lower-case words joined by '_'. */
static bool theme_ok(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= 40 && valid_code(s) && strchr(s, '-') == NULL && s[0] != '_' &&
           s[n - 1] != '_' && strstr(s, "__") == NULL;
}

/* A territory facet value: a department (two digits) or a country (ISO
 * 3166-1 alpha-2, upper case). */
static bool territory_ok(const char *s)
{
    if (strlen(s) != 2)
        return false;
    bool digits = s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9';
    bool letters = s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
    return digits || letters;
}

static bool sdg_ok(const char *s)
{
    char *end = NULL;
    long n = strtol(s, &end, 10);
    return s[0] >= '1' && s[0] <= '9' && *end == '\0' && n >= 1 && n <= 17;
}

/* Reads the repeated facet parameter name into f (an array of its values)
 * after checking each; a bad value fails name. */
static void facet_param(struct req *r, struct valid *v, json_t *f, const char *name)
{
    json_t *vals = req_query_values(r, name);
    if (vals == NULL)
        return;
    size_t i;
    json_t *it;
    bool ok = json_array_size(vals) <= MAX_VALUES;
    json_array_foreach(vals, i, it) {
        const char *s = json_string_value(it);
        if (strcmp(name, "theme") == 0)
            ok = ok && theme_ok(s);
        else if (strcmp(name, "sector") == 0)
            ok = ok && one_of(s, vocab_sectors);
        else if (strcmp(name, "territory") == 0)
            ok = ok && territory_ok(s);
        else if (strcmp(name, "sdg") == 0)
            ok = ok && sdg_ok(s);
        else if (strcmp(name, "kind") == 0)
            ok = ok && one_of(s, kinds);
        else if (strcmp(name, "stage") == 0)
            ok = ok && one_of(s, stages);
        else if (strcmp(name, "edition") == 0)
            ok = ok && valid_slug(s);
        else
            ok = ok && valid_uuid(s);
    }
    if (!ok) {
        if (json_array_size(vals) > MAX_VALUES)
            valid_fail(v, name, MSG_TOO_LONG, MAX_VALUES, NULL);
        else if (strcmp(name, "sector") == 0)
            fail_one_of(v, name, vocab_sectors);
        else if (strcmp(name, "kind") == 0)
            fail_one_of(v, name, kinds);
        else if (strcmp(name, "stage") == 0)
            fail_one_of(v, name, stages);
        else if (strcmp(name, "sdg") == 0)
            valid_fail(v, name, MSG_RANGE, 0, "1 to 17");
        else if (strcmp(name, "edition") == 0)
            valid_fail(v, name, MSG_SLUG, 0, NULL);
        else if (strcmp(name, "organization_id") == 0)
            valid_fail(v, name, MSG_UUID, 0, NULL);
        else
            valid_fail(v, name, MSG_INVALID, 0, NULL);
        json_decref(vals);
        return;
    }
    json_object_set_new(f, name, vals);
}

char *practices_search_params(struct req *r, struct valid *v, const char **q)
{
    static const char *const facets[] = {"theme", "sector",  "territory",       "sdg", "kind",
                                         "stage", "edition", "organization_id", NULL};
    *q = req_query_param(r, "q");
    if (*q != NULL && valid_utf8_chars(*q) > 200)
        valid_fail(v, "q", MSG_TOO_LONG, 200, NULL);
    if (*q != NULL && (*q)[strspn(*q, " \t")] == '\0')
        *q = NULL; /* ?q= with nothing: no query */
    json_t *f = json_object();
    if (f == NULL)
        return NULL;
    for (int i = 0; facets[i] != NULL; i++)
        facet_param(r, v, f, facets[i]);
    char *text = json_dumps(f, JSON_COMPACT);
    json_decref(f);
    return text;
}

static void csv_done(struct req *r, enum db_status st, PGresult *res)
{
    if (st != DB_OK) {
        req_reply_db_error(r, st, res);
        return;
    }
    /* title, summary and license (columns 2, 3, 11) are typed by people */
    csv_reply(r, "practices.csv",
              "id,kind,title,summary,themes,sectors,territories,sdgs,stage,edition,"
              "organization_ids,license,published_at",
              res, PQntuples(res), 1u << 2 | 1u << 3 | 1u << 11);
}

void practices_list(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    struct page page;
    (void)req_page(r, &v, &page, PAGE_CURSOR_NUMBER);
    const char *q;
    char *filters = practices_search_params(r, &v, &q);
    const char *sort = req_query_param(r, "sort");
    if (sort != NULL && !one_of(sort, sorts))
        fail_one_of(&v, "sort", sorts);
    if (filters == NULL) {
        valid_free(&v);
        req_reply_unavailable(r);
        return;
    }
    if (r->out == OUT_ATOM) {
        practices_feed(r, &v, q, filters, page.limit_text);
    } else if (r->out == OUT_CSV) {
        if (req_valid_ok(r, &v)) {
            const char *params[] = {q, filters};
            req_query(r, &practices_stmt_list_csv, 2, params, csv_done);
        }
    } else {
        const char *params[] = {q, filters, sort, page.cursor, page.limit_text};
        req_query_valid(r, &v, &practices_stmt_list, 5, params, req_done_sql);
    }
    free(filters);
}
