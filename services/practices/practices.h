/* practices.h — the living repository of practices and lessons learned:
 * cases, their revisions and review, reports and moderation, adoptions,
 * themes and synonyms, Spanish full-text search with facets, CSV and Atom
 * (issue 15; DESIGN.md §4, §6). */
#ifndef GESS_PRACTICES_H
#define GESS_PRACTICES_H

#include "core/db_pool.h"
#include "core/module.h"
#include "core/router.h"
#include "core/valid.h"

extern const struct module practices_module;

struct req;

/* ---- workflow ---- */

/* fields.c: the checked members of a practice body (valid_body_fn). */
json_t *practices_fields(struct valid *v, const json_t *body, bool create);
/* True for a territory: a UBIGEO code (2, 4 or 6 digits) or an ISO 3166-1
 * alpha-2 country other than PE. */
bool practices_territory_ok(const char *s);

/* cases.c */
extern const struct db_stmt practices_stmt_create, practices_stmt_get, practices_stmt_patch,
    practices_stmt_submit, practices_stmt_revisions;
void practices_create(struct req *r);
void practices_get(struct req *r);
void practices_patch(struct req *r);
void practices_submit(struct req *r);
void practices_revisions(struct req *r);

/* review.c: a review body checked (the API's route and the curators'
 * page): decision, comment (required for a rejection) and the revision
 * read ("" when not given). */
extern const struct db_stmt practices_stmt_review;
struct practices_review_in {
    const char *decision, *comment;
    char revision[24];
};
void practices_review_check(struct valid *v, const json_t *body, struct practices_review_in *in);
void practices_review(struct req *r);

/* reports.c */
extern const struct db_stmt practices_stmt_report_create, practices_stmt_reports_list,
    practices_stmt_moderate;
void practices_report_create(struct req *r);
void practices_reports_list(struct req *r);
void practices_moderate(struct req *r);
/* The moderation body checked (the API and the curators' page): action
 * (restore, withdraw) and comment, both required. */
void practices_moderation_check(struct valid *v, const json_t *body, const char **action,
                                const char **comment);
/* GET /v1/practice-submissions (curators): cases waiting for a review. */
extern const struct db_stmt practices_stmt_submissions;
void practices_submissions(struct req *r);

/* adoptions.c: the checked members of an adoption body (valid_body_fn). */
extern const struct db_stmt practices_stmt_adoption_create, practices_stmt_adoptions_list;
json_t *practices_adoption_fields(struct valid *v, const json_t *body, bool create);
void practices_adoption_create(struct req *r);
void practices_adoptions_list(struct req *r);

/* themes.c: the checked members of a theme body (valid_body_fn). */
extern const struct db_stmt practices_stmt_themes_list, practices_stmt_theme_create;
json_t *practices_theme_fields(struct valid *v, const json_t *body, bool create);
void practices_themes_list(struct req *r);
void practices_theme_create(struct req *r);
/* markdown.c: Markdown typed by people as safe HTML (libcmark, safe mode:
 * raw HTML and javascript:/data: links removed), headings moved down to
 * start at first_level (1..6); malloc'd, NULL when out of memory. */
char *practices_markdown_html(const char *md, size_t len, int first_level)
    __attribute__((warn_unused_result));

/* pages.c: GET /practices (the search page) and GET /practices/{id} (a
 * case's page). */
extern const struct db_stmt practices_stmt_page_search, practices_stmt_page_case;
void practices_page_search(struct req *r);
void practices_page_case(struct req *r);
/* A search snippet (matches between <mark> and </mark>, the rest
 * HTML-escaped by SQL) as parts [{text, mark}], the entities undone, for
 * the template to escape again; never NULL but when out of memory. */
json_t *practices_snippet_parts(const char *snippet);

/* pages_submit.c: GET/POST /practices/new (the case form; a draft, or
 * saved and submitted) and POST /practices/{id}/submit (a draft to
 * review, from the case's page). */
extern const struct db_stmt practices_stmt_page_new;
void practices_page_new_form(struct req *r);
void practices_page_create(struct req *r);
void practices_page_submit(struct req *r);

/* pages_curate.c: GET /manage/practices (the curators' queues) and POST
 * /manage/practices/{id}/review and /moderation. */
extern const struct db_stmt practices_stmt_page_manage;
void practices_page_manage(struct req *r);
void practices_page_review(struct req *r);
void practices_page_moderate(struct req *r);

/* ---- search (search.c, feed.c, synonyms.c) ---- */
extern const struct db_stmt practices_stmt_list, practices_stmt_list_csv, practices_stmt_feed,
    practices_stmt_synonyms_get, practices_stmt_synonyms_put;

/* GET /v1/practices: JSON pages with facets, CSV (Accept: text/csv) or an
 * Atom feed (?format=atom). Public. */
void practices_list(struct req *r);

/* Reads ?q= (NULL when absent or blank) and the facet filters (theme,
 * sector, territory, sdg, kind, stage, edition, organization_id; each may
 * repeat) into a JSON object text {facet: [values]} (malloc'd; NULL when
 * out of memory); bad values fail v naming the parameter. */
char *practices_search_params(struct req *r, struct valid *v, const char **q);

/* Answers the Atom feed of the search q/filters, at most limit entries
 * (v: the request's checks so far, answered first when they failed). */
void practices_feed(struct req *r, struct valid *v, const char *q, const char *filters,
                    const char *limit);

/* GET /v1/practice-synonyms (public) and PUT (curators): the whole list. */
void practices_synonyms_get(struct req *r);
void practices_synonyms_put(struct req *r);

/* The PUT body {items: [{term, means}]}: at most 500, terms distinct. */
json_t *practices_synonyms_fields(struct valid *v, const json_t *body, bool create);

#endif
