/* main.c — runs the C unit tests (no database, no network). */
#include <sodium.h>

#include "unit.h"

int unit_checks, unit_failures;

static const struct {
    const char *name;
    void (*fn)(void);
} tests[] = {
    {"router", test_router},
    {"config", test_config},
    {"problem", test_problem},
    {"valid", test_valid},
    {"accounts", test_accounts},
    {"ics", test_ics},
    {"accept", test_accept},
    {"gzip", test_gzip},
    {"log", test_log},
    {"proxy", test_proxy},
    {"pwhash", test_pwhash},
    {"head", test_head},
    {"etag_cache", test_etag_cache},
    {"tmpl", test_tmpl},
    {"mail_render", test_mail_render},
    {"mime", test_mime},
    {"form", test_form},
    {"hook", test_hook},
    {"markdown", test_markdown},
    {"snippet", test_snippet_parts},
    {"chart", test_chart},
    {"cookie", test_cookie},
    {"csrf", test_csrf},
    {"page", test_page},
};

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    int passed = 0, failed = 0;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        int before = unit_failures;
        tests[i].fn();
        if (unit_failures == before) {
            passed++;
            printf("unit %-10s ok\n", tests[i].name);
        } else {
            failed++;
            printf("unit %-10s FAILED\n", tests[i].name);
        }
    }
    printf("unit: %d checks; %d passed, %d failed\n", unit_checks, passed, failed);
    return failed == 0 ? 0 : 1;
}
