/* pages_forms.c — what the account pages' forms share (pages_forms.h):
 * a form read into the API's body, a flow's refusals and answers turned
 * into pages. */
#include "accounts/pages_forms.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/page.h"
#include "core/problem.h"

void accounts_page_problem(struct req *r, const char *name, json_t *form, const char *slug)
{
    if (strcmp(slug, "too-many-requests") == 0) {
        json_t *data = json_object();
        json_object_set_new(data, "throttled", json_true());
        if (form != NULL)
            json_object_set_new(data, "form", form);
        page_reply(r, 429, name, data, NULL);
        return;
    }
    json_decref(form);
    if (strcmp(slug, "unauthorized") == 0) {
        page_redirect(r, "/login");
        return;
    }
    page_error(r, problem_status(slug));
}
