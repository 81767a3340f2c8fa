/* test_csrf.c — the CSRF token derivation (core/csrf.c): what a client
 * (tests/api/test_pages_core.py too) computes as base64url(BLAKE2b-256(
 * "gess-csrf:" || cookie value)). */
#include "core/csrf.h"
#include "unit.h"

void test_csrf(void)
{
    char a[44], b[44];
    csrf_token_for("AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd", a);
    CHECK_STR(a, "wJdczm-U8dY0iqlG1Q42g3ZH7uUqfjEMTOvvybJTLSU");
    CHECK(strlen(a) == CSRF_TOKEN_LEN);
    csrf_token_for("AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abce", b);
    CHECK(strcmp(a, b) != 0);
}
