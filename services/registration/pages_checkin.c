/* pages_checkin.c — the check-in desk (/manage/editions/{slug}/checkin):
 * a badge code typed (or, where the browser offers BarcodeDetector,
 * scanned with the camera by web/assets/70-manage.js, which fills the same
 * field; CI's headless chromium has no camera, so only typing is tested),
 * checked in as POST /v1/editions/{slug}/checkins does it
 * (registration_badge_read, registration_checkin), then 303 to the desk
 * showing who it was; a second scan shows when the first was. An unknown
 * code or a registration that is not confirmed is the form again (422)
 * with the reason at the field. Organizers only. */
#include <stdio.h>
#include <string.h>

#include "core/page.h"
#include "core/page_form.h"
#include "registration/registration.h"

const struct db_stmt registration_stmt_page_checkin =
    DB_ANSWER(registration_page_checkin, "$1, $2::uuid, $3");

static void checkin_fill(struct req *r, json_t *data, json_t *raw)
{
    (void)raw;
    const char *scan = req_query_param(r, "scan");
    json_t *scanned = json_object_get(data, "scanned");
    if (json_is_object(scanned) && scan != NULL)
        json_object_set_new(scanned, strcmp(scan, "again") == 0 ? "again" : "first", json_true());
    static const char *const coded[] = {"status", "mode", NULL};
    page_decorate(scanned, coded);
}

void registration_page_checkin(struct req *r)
{
    if (!page_require_role(r, ROLE_ORGANIZER))
        return;
    const char *checked = req_query_param(r, "checked");
    if (checked != NULL && !valid_uuid(checked))
        checked = NULL;
    const char *params[] = {req_param(r, "slug"), checked, page_lang(r)};
    page_query(r, "checkin", &registration_stmt_page_checkin, 3, params, checkin_fill);
}

static void scan_refused(struct req *r, const char *why)
{
    json_t *values = json_pack("{s:s?}", "badge_code",
                               json_string_value(json_object_get(r->body, "badge_code")));
    page_form_field_failed(r, 422, "checkin", values, "badge_code", page_string(r, why));
}

static void scanned(struct req *r, enum db_status st, PGresult *res)
{
    int status;
    const char *problem;
    struct valid v;
    if (!page_form_outcome(r, st, res, &status, &problem, &v))
        return;
    if (problem != NULL && strcmp(problem, "validation-failed") == 0) {
        page_form_invalid(r, "checkin", NULL, &v);
        valid_free(&v);
        return;
    }
    valid_free(&v);
    if (problem != NULL && strcmp(problem, "not-found") == 0) {
        scan_refused(r, "checkin.unknown");
        return;
    }
    if (problem != NULL && strcmp(problem, "invalid-state") == 0) {
        scan_refused(r, "checkin.not_confirmed");
        return;
    }
    if (problem != NULL) {
        page_error(r, status);
        return;
    }
    json_t *body = json_loads(req_sql_body(res), 0, NULL);
    const char *id =
        json_string_value(json_object_get(json_object_get(body, "registration"), "id"));
    char to[256];
    snprintf(to, sizeof to, "/manage/editions/%s/checkin?checked=%s&scan=%s", req_param(r, "slug"),
             id != NULL ? id : "",
             json_is_true(json_object_get(body, "first_scan")) ? "first" : "again");
    json_decref(body);
    page_redirect(r, to);
}

void registration_page_checkin_scan(struct req *r)
{
    if (!page_require_role(r, ROLE_ORGANIZER) || !page_form_csrf_ok(r))
        return;
    struct valid v;
    valid_init(&v, r->lang);
    char badge[33] = "";
    registration_badge_read(&v, r->body, badge);
    if (!valid_ok(&v)) {
        page_form_invalid(r, "checkin", NULL, &v);
        valid_free(&v);
        return;
    }
    valid_free(&v);
    const char *params[] = {req_param(r, "slug"), badge};
    req_query(r, &registration_stmt_checkin, 2, params, scanned);
}
