/* pages.c — the practices for people: GET /practices, the search
 * (web/pages/practices.html: q and the facets as GET form fields, so it
 * works without JavaScript; facet counts; marked snippets; "did you mean";
 * pages by the API's cursor), and GET /practices/{id}, one case
 * (web/pages/practice.html: its long texts as Markdown through libcmark's
 * safe mode, markdown.c; building blocks, taxonomies, the pact and
 * commitments it cites, licence and adoptions).
 *
 * Each reads the API's own functions in one statement (practices_page_search
 * and practices_page_case in schema/functions/practices.sql). The snippet's
 * marks are never output raw: the snippet is split here into parts
 * [{text, mark}] (its entities undone) that the template escapes again,
 * each inside <mark> or not. cmark's output is the page's only raw HTML. */
#include <event2/buffer.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/page.h"
#include "core/page_form.h"
#include "core/req.h"
#include "practices/practices.h"

const struct db_stmt practices_stmt_page_search =
    DB_ANSWER(practices_page_search, "$1, $2::jsonb, $3, $4::bigint, $5::int");

const struct db_stmt practices_stmt_page_case =
    DB_ANSWER(practices_page_case, "$1::uuid, $2::uuid, $3::boolean");

enum { PAGE_LIMIT = 20 };

/* The facets of the form, in the order the page shows them. */
static const char *const facets[] = {"theme", "kind", "sector",  "territory",
                                     "stage", "sdg",  "edition", NULL};

/* ---- words for codes ---- */

/* A code's label object {code, label, is: {code: true}} (sdg adds
 * sdg: true): the template words kinds, stages and sectors through
 * t.practices (the partial _practices_code.html), and shows label for
 * the others (themes in the page's language, departments by name). */
static json_t *label_of(const json_t *labels, const char *facet, const char *code, const char *lang)
{
    const char *label = "";
    if (strcmp(facet, "theme") == 0) {
        const json_t *t = json_object_get(json_object_get(labels, "themes"), code);
        label = json_string_value(json_object_get(t, lang));
        if (label == NULL)
            label = code;
    } else if (strcmp(facet, "territory") == 0) {
        char dep[3] = {code[0], code[0] ? code[1] : '\0', '\0'};
        label = json_string_value(json_object_get(json_object_get(labels, "departments"), dep));
        if (label == NULL || strlen(code) != 2) {
            char both[120];
            snprintf(both, sizeof both, "%s%s%s%s", label ? label : "", label ? " (" : "", code,
                     label ? ")" : "");
            return json_pack("{s:s, s:s, s:{}}", "code", code, "label", both, "is");
        }
    } else if (strcmp(facet, "sdg") == 0 || strcmp(facet, "edition") == 0) {
        label = code;
    }
    json_t *o = json_pack("{s:s, s:s, s:{s:b}}", "code", code, "label", label, "is", code, 1);
    if (o != NULL && strcmp(facet, "sdg") == 0)
        json_object_set_new(o, "sdg", json_true());
    return o;
}

/* The labels of an array of codes (strings or numbers). */
static json_t *labels_of(const json_t *labels, const char *facet, const json_t *codes,
                         const char *lang)
{
    json_t *out = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(codes, i, c) {
        char num[24];
        const char *s = json_string_value(c);
        if (s == NULL && json_is_integer(c)) {
            snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(c));
            s = num;
        }
        if (s != NULL)
            json_array_append_new(out, label_of(labels, facet, s, lang));
    }
    return out;
}

/* Sets name (a list) and name_any beside it. */
static void set_list(json_t *o, const char *name, json_t *list)
{
    char any[64];
    snprintf(any, sizeof any, "%s_any", name);
    json_object_set_new(o, any, json_boolean(json_array_size(list) > 0));
    json_object_set_new(o, name, list);
}

/* published_on: the date of published_at. */
static void set_published_on(json_t *o)
{
    const char *at = json_string_value(json_object_get(o, "published_at"));
    if (at != NULL && strlen(at) >= 10)
        json_object_set_new(o, "published_on", json_stringn(at, 10));
}

/* ---- the snippet ---- */

/* Appends text[0..n) to parts as {text, mark}, the entities SQL wrote
 * (practices_snippet: &amp; &lt; &gt; &quot; &#39;) undone; the template
 * escapes it again. */
static void add_part(json_t *parts, const char *s, size_t n, bool mark)
{
    static const struct {
        const char *ent;
        char ch;
    } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    if (n == 0)
        return;
    char *buf = malloc(n + 1);
    if (buf == NULL)
        return;
    size_t len = 0;
    for (size_t i = 0; i < n;) {
        size_t k = 0;
        for (; k < sizeof ents / sizeof ents[0]; k++) {
            size_t el = strlen(ents[k].ent);
            if (n - i >= el && memcmp(s + i, ents[k].ent, el) == 0) {
                buf[len++] = ents[k].ch;
                i += el;
                break;
            }
        }
        if (k == sizeof ents / sizeof ents[0])
            buf[len++] = s[i++];
    }
    json_t *p = json_pack("{s:s%, s:b}", "text", buf, len, "mark", mark);
    free(buf);
    if (p != NULL)
        json_array_append_new(parts, p);
}

json_t *practices_snippet_parts(const char *snippet)
{
    json_t *parts = json_array();
    if (parts == NULL || snippet == NULL)
        return parts;
    const char *s = snippet;
    for (;;) {
        const char *open = strstr(s, "<mark>");
        const char *close = open != NULL ? strstr(open + 6, "</mark>") : NULL;
        if (open == NULL || close == NULL) {
            add_part(parts, s, strlen(s), false);
            break;
        }
        add_part(parts, s, (size_t)(open - s), false);
        add_part(parts, open + 6, (size_t)(close - open - 6), true);
        s = close + 7;
    }
    return parts;
}

/* ---- the search ---- */

/* What the search page was asked: the query, the filters as checked
 * ({facet: [values]}, owned), sort, the offset and the limit. Read twice,
 * by the handler and again by the fill (from the same request), so no
 * state of ours rides on r->data, which belongs to the page layer. */
struct search {
    const char *q, *sort;
    json_t *filters;
    long offset;
    int limit;
    bool limit_given;
};

/* Reads the search from r's query into s, failing v on a bad value: the
 * filters' JSON text (malloc'd; NULL when out of memory) and the page. */
static char *search_read(struct req *r, struct valid *v, struct search *s, struct page *page)
{
    (void)req_page(r, v, page, PAGE_CURSOR_NUMBER);
    s->limit_given = req_query_param(r, "limit") != NULL;
    if (!s->limit_given) {
        page->limit = PAGE_LIMIT;
        snprintf(page->limit_text, sizeof page->limit_text, "%d", PAGE_LIMIT);
    }
    char *filters = practices_search_params(r, v, &s->q);
    s->sort = req_query_param(r, "sort");
    if (s->sort != NULL && s->sort[0] == '\0')
        s->sort = NULL; /* the form's select sends sort= for the default */
    if (s->sort != NULL && strcmp(s->sort, "relevance") != 0 && strcmp(s->sort, "newest") != 0)
        valid_fail(v, "sort", MSG_ONE_OF, 0, "relevance, newest");
    s->filters = filters != NULL ? json_loads(filters, 0, NULL) : NULL;
    s->offset = page->cursor != NULL ? strtol(page->cursor, NULL, 10) : 0;
    s->limit = page->limit;
    return filters;
}

static void encode_to(struct evbuffer *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~')
            evbuffer_add(b, p, 1);
        else
            evbuffer_add_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
}

/* /practices?… for the search s with q replaced by q (when not NULL) and
 * the offset given (0: none); malloc'd. */
static char *search_url(const struct search *s, const char *q, long offset)
{
    struct evbuffer *b = evbuffer_new();
    if (b == NULL)
        return NULL;
    evbuffer_add_printf(b, "/practices");
    char sep = '?';
    q = q != NULL ? q : s->q;
    if (q != NULL) {
        evbuffer_add_printf(b, "%cq=", sep);
        encode_to(b, q);
        sep = '&';
    }
    for (int i = 0; facets[i] != NULL; i++) {
        size_t j;
        json_t *v;
        json_array_foreach(json_object_get(s->filters, facets[i]), j, v) {
            evbuffer_add_printf(b, "%c%s=", sep, facets[i]);
            encode_to(b, json_string_value(v));
            sep = '&';
        }
    }
    if (s->sort != NULL) {
        evbuffer_add_printf(b, "%csort=", sep);
        encode_to(b, s->sort);
        sep = '&';
    }
    if (s->limit_given) {
        evbuffer_add_printf(b, "%climit=%d", sep, s->limit);
        sep = '&';
    }
    if (offset > 0)
        evbuffer_add_printf(b, "%ccursor=%ld", sep, offset);
    size_t n = evbuffer_get_length(b);
    char *out = malloc(n + 1);
    if (out != NULL) {
        evbuffer_remove(b, out, n);
        out[n] = '\0';
    }
    evbuffer_free(b);
    return out;
}

static bool checked(const struct search *s, const char *facet, const char *value)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(s->filters, facet), i, v) {
        if (strcmp(json_string_value(v), value) == 0)
            return true;
    }
    return false;
}

/* facet_lists: {facet: [{facet, value, label…, count, on}]} from the API's
 * counts, a checked value without matches listed too (count 0), so it can
 * be unchecked. */
static json_t *facet_lists(const struct search *s, const json_t *counts, const json_t *labels,
                           const char *lang)
{
    json_t *out = json_object();
    for (int i = 0; out != NULL && facets[i] != NULL; i++) {
        const char *f = facets[i];
        json_t *list = json_array();
        const char *value;
        json_t *n;
        json_object_foreach(json_object_get(counts, f), value, n) {
            json_t *o = label_of(labels, f, value, lang);
            json_object_set_new(o, "facet", json_string(f));
            json_object_set_new(o, "value", json_string(value));
            json_object_set(o, "count", n);
            json_object_set_new(o, "on", json_boolean(checked(s, f, value)));
            json_array_append_new(list, o);
        }
        size_t j;
        json_t *v;
        json_array_foreach(json_object_get(s->filters, f), j, v) {
            const char *c = json_string_value(v);
            if (json_object_get(json_object_get(counts, f), c) != NULL)
                continue;
            json_t *o = label_of(labels, f, c, lang);
            json_object_set_new(o, "facet", json_string(f));
            json_object_set_new(o, "value", json_string(c));
            json_object_set_new(o, "count", json_integer(0));
            json_object_set_new(o, "on", json_true());
            json_array_append_new(list, o);
        }
        set_list(out, f, list);
    }
    return out;
}

static void search_fill(struct req *r, json_t *data, json_t *raw)
{
    (void)raw;
    struct search search, *s = &search;
    struct page page;
    struct valid v;
    valid_init(&v, r->lang);
    free(search_read(r, &v, s, &page)); /* checked by the handler already */
    valid_free(&v);
    const char *lang = page_lang(r);
    const json_t *labels = json_object_get(data, "labels");
    json_t *query = json_pack("{s:s, s:b}", "q", s->q != NULL ? s->q : "", "newest",
                              s->sort != NULL && strcmp(s->sort, "newest") == 0);
    json_object_set_new(data, "query", query);
    json_object_set_new(data, "facet_lists",
                        facet_lists(s, json_object_get(data, "facets"), labels, lang));
    size_t i;
    json_t *it;
    json_t *items = json_object_get(data, "items");
    json_array_foreach(items, i, it) {
        json_t *kind = json_object_get(it, "kind");
        if (json_is_string(kind))
            json_object_set_new(it, "kind_label",
                                label_of(labels, "kind", json_string_value(kind), lang));
        set_list(it, "theme_labels",
                 labels_of(labels, "theme", json_object_get(it, "themes"), lang));
        set_list(it, "snippet_parts",
                 practices_snippet_parts(json_string_value(json_object_get(it, "snippet"))));
        set_published_on(it);
    }
    json_object_set_new(data, "items_any", json_boolean(json_array_size(items) > 0));
    const char *dym = json_string_value(json_object_get(data, "did_you_mean"));
    if (dym != NULL) {
        char *u = search_url(s, dym, 0);
        if (u != NULL)
            json_object_set_new(data, "did_you_mean_url", json_string(u));
        free(u);
    }
    json_t *pager = json_object();
    const char *next = json_string_value(json_object_get(data, "next_cursor"));
    if (next != NULL) {
        char *u = search_url(s, NULL, strtol(next, NULL, 10));
        if (u != NULL)
            json_object_set_new(pager, "next_url", json_string(u));
        free(u);
    }
    if (s->offset > 0) {
        char *u = search_url(s, NULL, s->offset > s->limit ? s->offset - s->limit : 0);
        if (u != NULL)
            json_object_set_new(pager, "prev_url", json_string(u));
        free(u);
    }
    if (json_object_size(pager) > 0)
        json_object_set_new(data, "pager", pager);
    else
        json_decref(pager);
    json_object_del(data, "labels");
    json_decref(s->filters);
}

void practices_page_search(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    struct search s;
    struct page page;
    char *filters = search_read(r, &v, &s, &page);
    if (filters == NULL || s.filters == NULL) {
        page_error(r, 503);
    } else if (!valid_ok(&v)) {
        /* a hand-made URL: the form again with what was wrong (422) */
        page_form_invalid(r, "practices", json_pack("{s:s}", "q", s.q != NULL ? s.q : ""), &v);
    } else {
        const char *params[] = {s.q, filters, s.sort, page.cursor, page.limit_text};
        page_query(r, "practices", &practices_stmt_page_search, 5, params, search_fill);
    }
    json_decref(s.filters);
    valid_free(&v);
    free(filters);
}

/* ---- a case ---- */

/* The long texts, Markdown: each rendered into raw (the template's
 * {{{name}}}), has.<name> set when there is one. */
static const char *const long_texts[] = {"context",       "challenges", "what_worked",
                                         "what_did_not",  "results",    "enabling_factors",
                                         "replicability", NULL};

static void case_fill(struct req *r, json_t *data, json_t *raw)
{
    const char *lang = page_lang(r);
    const json_t *labels = json_object_get(data, "labels");
    json_t *has = json_object();
    for (int i = 0; long_texts[i] != NULL; i++) {
        json_t *t = json_object_get(data, long_texts[i]);
        if (!json_is_string(t) || json_string_length(t) == 0)
            continue;
        /* the page's h2 names the section; a heading inside starts at h3 */
        char *html = practices_markdown_html(json_string_value(t), json_string_length(t), 3);
        if (html == NULL)
            continue;
        json_object_set_new(raw, long_texts[i], json_string(html));
        json_object_set_new(has, long_texts[i], json_true());
        free(html);
    }
    json_object_set_new(data, "has", has);
    const char *kind = json_string_value(json_object_get(data, "kind"));
    if (kind != NULL)
        json_object_set_new(data, "kind_label", label_of(labels, "kind", kind, lang));
    const char *stage = json_string_value(json_object_get(data, "stage"));
    if (stage != NULL)
        json_object_set_new(data, "stage_label", label_of(labels, "stage", stage, lang));
    set_list(data, "theme_labels",
             labels_of(labels, "theme", json_object_get(data, "themes"), lang));
    set_list(data, "sector_labels",
             labels_of(labels, "sector", json_object_get(data, "sectors"), lang));
    set_list(data, "territory_labels",
             labels_of(labels, "territory", json_object_get(data, "territories"), lang));
    json_object_set_new(data, "sdgs_any",
                        json_boolean(json_array_size(json_object_get(data, "sdgs")) > 0));
    json_object_set_new(data, "links_any",
                        json_boolean(json_array_size(json_object_get(data, "links")) > 0));
    size_t i;
    json_t *b;
    json_t *blocks = json_object_get(data, "building_blocks");
    json_array_foreach(blocks, i, b) {
        json_object_set_new(b, "n", json_integer((json_int_t)i + 1));
    }
    json_object_set_new(data, "building_blocks_any", json_boolean(json_array_size(blocks) > 0));
    json_t *ads = json_object_get(data, "adoptions");
    json_array_foreach(ads, i, b) {
        const char *t = json_string_value(json_object_get(b, "territory"));
        if (t == NULL)
            continue;
        json_t *l = label_of(labels, "territory", t, lang);
        json_object_set(b, "territory_label", json_object_get(l, "label"));
        json_decref(l);
    }
    json_object_set_new(data, "adoptions_any", json_boolean(json_array_size(ads) > 0));
    /* the pact and commitments it cites: progress as a percentage, the
     * level's words through the pacts' partial (completion_is) */
    json_t *ev = json_object_get(data, "evidence");
    json_t *cited[64];
    size_t n = 0;
    if (json_is_object(json_object_get(ev, "pact")))
        cited[n++] = json_object_get(ev, "pact");
    json_array_foreach(json_object_get(ev, "commitments"), i, b) {
        if (n < sizeof cited / sizeof cited[0])
            cited[n++] = b;
    }
    for (size_t k = 0; k < n; k++) {
        json_t *p = json_object_get(cited[k], "progress");
        const char *level = json_string_value(json_object_get(cited[k], "completion"));
        if (json_is_number(p))
            json_object_set_new(cited[k], "percent",
                                json_integer((json_int_t)floor(json_number_value(p) * 100 + 1e-6)));
        if (level != NULL)
            json_object_set_new(cited[k], "completion_is", json_pack("{s:b}", level, 1));
    }
    json_object_set_new(data, "has_evidence", json_boolean(n > 0));
    set_published_on(data);
    json_object_del(data, "labels");
    /* its author's (and curators') view: the working copy's status, and
     * the notice of /practices/new's redirect (_curate_status.html) */
    json_t *working = json_object_get(data, "working");
    if (json_is_object(working))
        json_object_set_new(working, "status_is",
                            page_form_is(json_string_value(json_object_get(working, "status"))));
    const char *notice = req_query_param(r, "notice");
    if (notice != NULL && (strcmp(notice, "saved") == 0 || strcmp(notice, "submitted") == 0))
        json_object_set_new(data, "curate_notice_is", page_form_is(notice));
}

void practices_page_case(struct req *r)
{
    const char *params[] = {req_param(r, "id"), req_viewer(r), req_sql_bool(req_is_curator(r))};
    page_query(r, "practice", &practices_stmt_page_case, 3, params, case_fill);
}
