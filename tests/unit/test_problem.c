/* test_problem.c — Accept-Language and problem objects. */
#include "core/problem.h"
#include "unit.h"

void test_problem(void)
{
    CHECK(problem_lang(NULL) == LANG_EN);
    CHECK(problem_lang("es") == LANG_ES);
    CHECK(problem_lang("es-PE,es;q=0.9,en;q=0.8") == LANG_ES);
    CHECK(problem_lang("en-US,en;q=0.9,es;q=0.8") == LANG_EN);
    CHECK(problem_lang("fr, es;q=0.5") == LANG_ES);
    CHECK(problem_lang("en;q=0.2, ES;q=0.7") == LANG_ES);
    CHECK(problem_lang("es;q=0") == LANG_EN);
    CHECK(problem_lang("estonian") == LANG_EN);
    CHECK(problem_lang("") == LANG_EN);

    CHECK(problem_status("email-taken") == 409);
    CHECK(problem_status("validation-failed") == 422);
    CHECK(problem_status("no-such-problem") == 500);

    json_t *p = problem_new(LANG_ES, "not-found", NULL);
    CHECK_STR(json_string_value(json_object_get(p, "type")), PROBLEM_TYPE_BASE "not-found");
    CHECK_STR(json_string_value(json_object_get(p, "title")), "No encontrado");
    CHECK(json_integer_value(json_object_get(p, "status")) == 404);
    CHECK(json_object_get(p, "detail") != NULL);
    json_decref(p);

    char msg[128];
    problem_message(LANG_EN, MSG_TOO_LONG, 200, NULL, msg, sizeof msg);
    CHECK_STR(msg, "must have at most 200 characters");
    problem_message(LANG_ES, MSG_ONE_OF, 0, "a, b", msg, sizeof msg);
    CHECK_STR(msg, "debe ser uno de: a, b");
}
