/* indicators.c — the indicators of a commitment: name, unit, baseline and
 * target (value and date), direction (up or down is good), verification. */
#include <stdio.h>
#include <string.h>

#include "commitments/commitments.h"
#include "core/req.h"

const struct db_stmt commitments_stmt_indicator_create =
    DB_ANSWER(commitments_indicator_create, "$1::uuid, $2::jsonb, $3::uuid");

static const char *const directions[] = {"up", "down", NULL};

/* baseline / target: {value: number, date: YYYY-MM-DD}, both required.
 * Copies the checked point into out; *ok says whether both parts passed. */
static void point(struct valid *v, const json_t *b, json_t *out, const char *field, double *value,
                  const char **date, bool *ok)
{
    *ok = false;
    *date = NULL;
    json_t *p = json_object_get(b, field);
    if (p == NULL || json_is_null(p)) {
        valid_fail(v, field, MSG_REQUIRED, 0, NULL);
        return;
    }
    if (!json_is_object(p)) {
        valid_fail(v, field, MSG_NOT_OBJECT, 0, NULL);
        return;
    }
    char name[32];
    snprintf(name, sizeof name, "%s.value", field);
    bool vok = commitments_number(v, json_object_get(p, "value"), name, value);
    snprintf(name, sizeof name, "%s.date", field);
    json_t *d = json_object_get(p, "date");
    const char *s = json_string_value(d);
    if (d == NULL || json_is_null(d))
        valid_fail(v, name, MSG_REQUIRED, 0, NULL);
    else if (s == NULL)
        valid_fail(v, name, MSG_NOT_STRING, 0, NULL);
    else if (strlen(s) != 10 || !valid_date_text(s))
        valid_fail(v, name, MSG_DATE, 0, NULL);
    else
        *date = s;
    if (!vok || *date == NULL)
        return;
    /* the number as sent (an integer stays one), not its double */
    json_t *o = json_pack("{s:O, s:s}", "value", json_object_get(p, "value"), "date", *date);
    if (o != NULL)
        json_object_set_new(out, field, o);
    *ok = o != NULL;
}

void commitments_indicator_create(struct req *r)
{
    struct valid v;
    json_t *out = commitments_begin(r, &v);
    if (out == NULL)
        return;
    valid_text_into(&v, r->body, out, "name", 1, 300, true, VALID_NULL_REFUSED);
    valid_text_into(&v, r->body, out, "unit", 1, 50, true, VALID_NULL_REFUSED);
    double base = 0, target = 0;
    const char *base_on, *target_on;
    bool base_ok, target_ok;
    point(&v, r->body, out, "baseline", &base, &base_on, &base_ok);
    point(&v, r->body, out, "target", &target, &target_on, &target_ok);
    const char *dir = valid_enum(&v, r->body, "direction", directions, true);
    if (dir != NULL)
        json_object_set_new(out, "direction", json_string(dir));
    valid_long_text_into(&v, r->body, out, "verification", 2000, false);
    /* a target must be a change, in the direction that is good */
    if (base_ok && target_ok) {
        if (target == base)
            valid_fail(&v, "target.value", MSG_ONE_OF, 0, "a value different from the baseline");
        else if (dir != NULL && strcmp(dir, "up") == 0 && target < base)
            valid_fail(&v, "target.value", MSG_ONE_OF, 0,
                       "a value above the baseline (direction up)");
        else if (dir != NULL && strcmp(dir, "down") == 0 && target > base)
            valid_fail(&v, "target.value", MSG_ONE_OF, 0,
                       "a value below the baseline (direction down)");
    }
    if (base_on != NULL && target_on != NULL && strcmp(target_on, base_on) <= 0)
        valid_fail(&v, "target.date", MSG_AFTER, 0, "baseline.date");
    commitments_write(r, &v, &commitments_stmt_indicator_create, out);
}
