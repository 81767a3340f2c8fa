/* unit.h — a minimal C test harness: each CHECK counts, a failed one
 * prints where; main() runs every test and prints "N passed, N failed". */
#ifndef GESS_UNIT_H
#define GESS_UNIT_H

#include <stdio.h>
#include <string.h>

extern int unit_checks, unit_failures;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        unit_checks++;                                                               \
        if (!(cond)) {                                                               \
            unit_failures++;                                                         \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_STR(a, b)                                                                          \
    do {                                                                                         \
        const char *a_ = (a), *b_ = (b);                                                         \
        unit_checks++;                                                                           \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {                                   \
            unit_failures++;                                                                     \
            fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__, a_ ? a_ : "(null)", \
                    b_ ? b_ : "(null)");                                                         \
        }                                                                                        \
    } while (0)

void test_router(void);
void test_config(void);
void test_mime(void);
void test_problem(void);
void test_valid(void);
void test_accounts(void);
void test_ics(void);
void test_accept(void);
void test_gzip(void);
void test_log(void);
void test_proxy(void);
void test_pwhash(void);
void test_form(void);
void test_head(void);
void test_etag_cache(void);
void test_tmpl(void);
void test_mail_render(void);
void test_hook(void);
void test_markdown(void);
void test_snippet_parts(void);
void test_chart(void);
void test_cookie(void);
void test_csrf(void);
void test_page(void);

#endif
