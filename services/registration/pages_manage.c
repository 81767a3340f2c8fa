/* pages_manage.c — the organizers' registrations page
 * (/manage/editions/{slug}/registrations): the API's filtered list as a
 * GET form and a table, approve and reject forms on the rows that may
 * take them, the CSV export as a link (the API's ?format=csv with the same
 * filters: a plain link sends no Accept: text/csv), and the statistics as
 * bar charts with their tables. Organizers only (403 page otherwise).
 * The filters are read as the API reads them (registration_filters_read),
 * the decisions checked and made as POST /v1/registrations/{id}/approve
 * and /reject make them (registration_decide). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/page.h"
#include "core/page_form.h"
#include "core/vocab.h"
#include "registration/registration.h"

/* (list, categories, stats) in one statement: registration_page_manage */
const struct db_stmt registration_stmt_page_manage =
    DB_ANSWER(registration_page_manage, "$1, $2, $3, $4, $5, $6::boolean, $7::uuid, $8::int, $9");

static const char *const statuses[] = {"pending",   "confirmed",  "waitlisted", "rejected",
                                       "cancelled", "checked_in", NULL};

/* The query of the filters in use (validated codes: nothing to escape),
 * without the cursor: for the CSV link, the next page and the way back. */
static void filter_query(const struct registration_filters *f, char *out, size_t len)
{
    const char *names[] = {"status", "category", "mode", "sector", "checked_in"};
    const char *values[] = {f->status, f->category, f->mode, f->sector, f->checked_in};
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (values[i] == NULL || values[i][0] == '\0' || at >= len)
            continue;
        int n = snprintf(out + at, len - at, "%s%s=%s", at ? "&" : "", names[i], values[i]);
        if (n < 0 || (size_t)n >= len - at) {
            out[at] = '\0';
            return;
        }
        at += (size_t)n;
    }
}

/* A select's options: every value with its words (page string
 * <prefix>.<value>) and whether it is the one chosen. */
static json_t *options(struct req *r, const char *const *values, const char *prefix,
                       const char *chosen)
{
    json_t *a = json_array();
    for (size_t i = 0; values[i] != NULL; i++) {
        char key[96];
        snprintf(key, sizeof key, "%s.%s", prefix, values[i]);
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", values[i], "label",
                                           page_string(r, key), "selected",
                                           chosen != NULL && strcmp(chosen, values[i]) == 0));
    }
    return a;
}

static void manage_fill(struct req *r, json_t *data, json_t *raw)
{
    (void)raw;
    struct registration_filters *f = r->data;
    const char *slug = req_param(r, "slug");
    char q[256], url[512];
    filter_query(f, q, sizeof q);
    snprintf(url, sizeof url, "/v1/editions/%s/registrations?format=csv%s%s", slug, q[0] ? "&" : "",
             q);
    json_object_set_new(data, "csv_url", json_string(url));
    snprintf(url, sizeof url, "/manage/editions/%s/registrations%s%s", slug, q[0] ? "?" : "", q);
    json_object_set_new(data, "back", json_string(url));
    const char *next = json_string_value(json_object_get(data, "next_cursor"));
    if (next != NULL) {
        snprintf(url, sizeof url, "/manage/editions/%s/registrations?%s%scursor=%s", slug, q,
                 q[0] ? "&" : "", next);
        json_object_set_new(data, "next_url", json_string(url));
    }
    json_object_set_new(data, "status_options", options(r, statuses, "manage.status", f->status));
    json_object_set_new(data, "mode_options", options(r, vocab_modes, "manage.mode", f->mode));
    static const char *const yes_no[] = {"true", "false", NULL};
    json_object_set_new(data, "checked_in_options",
                        options(r, yes_no, "manage.checked_in", f->checked_in));
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(data, "categories"), i, c) {
        const char *code = json_string_value(json_object_get(c, "code"));
        json_object_set_new(
            c, "selected",
            json_boolean(f->category != NULL && code != NULL && strcmp(code, f->category) == 0));
    }
    json_t *items = json_object_get(data, "items");
    json_array_foreach(items, i, c) {
        const char *st = json_string_value(json_object_get(c, "status"));
        bool pending = st != NULL && strcmp(st, "pending") == 0;
        bool held = pending ||
                    (st != NULL && (strcmp(st, "confirmed") == 0 || strcmp(st, "waitlisted") == 0));
        json_object_set_new(c, "can_approve", json_boolean(pending));
        json_object_set_new(c, "can_reject", json_boolean(held));
    }
    json_object_set_new(data, "filtered", json_boolean(q[0] != '\0'));
    const json_t *stats = json_object_get(data, "stats");
    json_t *charts = json_pack(
        "{s:o, s:o, s:o}", "status",
        registration_stats_chart(r, json_object_get(stats, "by_status"), "manage.status"), "mode",
        registration_stats_chart(r, json_object_get(stats, "by_mode"), "manage.mode"), "day",
        registration_stats_chart(r, json_object_get(stats, "by_day"), "manage.day"));
    json_object_set_new(data, "charts", charts);
    static const char *const coded[] = {"status", "mode", NULL};
    page_decorate(data, coded);
}

void registration_page_manage(struct req *r)
{
    if (!page_require_role(r, ROLE_ORGANIZER))
        return;
    struct registration_filters *f = calloc(1, sizeof *f);
    if (f == NULL) {
        page_error(r, 503);
        return;
    }
    r->data = f;
    r->data_free = free;
    struct valid v;
    valid_init(&v, r->lang);
    bool ok = registration_filters_read(r, &v, f, true);
    valid_free(&v);
    if (!ok) {
        page_error(r, 422);
        return;
    }
    const char *params[] = {
        req_param(r, "slug"), f->status,      f->category,        f->mode,     f->sector,
        f->checked_in,        f->page.cursor, f->page.limit_text, page_lang(r)};
    page_query(r, "manage_registrations", &registration_stmt_page_manage, 9, params, manage_fill);
}

/* ---- approve, reject ---------------------------------------------------- */

/* Where a decision returns: the list it was made on (a local /manage/
 * path the form carried), with the notice; else the /manage index. */
static void decided(struct req *r, enum db_status st, PGresult *res)
{
    if (!page_form_succeeded(r, st, res))
        return;
    const char *back = json_string_value(json_object_get(r->body, "back"));
    if (back == NULL || !page_local_path(back) || strncmp(back, "/manage/", 8) != 0 ||
        strlen(back) > 400)
        back = "/manage";
    char to[512];
    snprintf(to, sizeof to, "%s%snotice=%s", back, strchr(back, '?') ? "&" : "?",
             json_is_true(json_object_get(r->body, "approve")) ? "approved" : "rejected");
    page_redirect(r, to);
}

static void decide_page(struct req *r, bool approve)
{
    if (!page_require_role(r, ROLE_ORGANIZER) || !page_form_csrf_ok(r))
        return;
    struct valid v;
    valid_init(&v, r->lang);
    const char *reason = approve ? NULL : registration_reason_read(&v, r->body);
    if (!valid_ok(&v)) {
        valid_free(&v);
        page_error(r, 422);
        return;
    }
    valid_free(&v);
    /* decided() reads which it was from the body it keeps */
    json_object_set_new(r->body, "approve", json_boolean(approve));
    const char *params[] = {req_param(r, "id"), r->auth.account_id, req_sql_bool(approve),
                            reason != NULL && reason[0] != '\0' ? reason : NULL};
    req_query(r, &registration_stmt_decide, 4, params, decided);
}

void registration_page_approve(struct req *r)
{
    decide_page(r, true);
}

void registration_page_reject(struct req *r)
{
    decide_page(r, false);
}
