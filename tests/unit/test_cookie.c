/* test_cookie.c — Cookie header parsing and Set-Cookie values
 * (core/cookie.c). */
#include "core/cookie.h"
#include "unit.h"

static void test_get(void)
{
    char v[16];
    CHECK(cookie_get("a=b; c=d", "c", v, sizeof v));
    CHECK_STR(v, "d");
    CHECK(cookie_get("a=b; c=d", "a", v, sizeof v));
    CHECK_STR(v, "b");
    /* blanks around pairs and '=', a quoted value */
    CHECK(cookie_get("  a = b ;\tc=\"q-1\"  ", "c", v, sizeof v));
    CHECK_STR(v, "q-1");
    CHECK(cookie_get("a = b ;c=d", "a", v, sizeof v));
    CHECK_STR(v, "b");
    /* duplicates: the first wins */
    CHECK(cookie_get("s=1; s=2", "s", v, sizeof v));
    CHECK_STR(v, "1");
    /* an empty value is a value */
    CHECK(cookie_get("s=; t=2", "s", v, sizeof v));
    CHECK_STR(v, "");
    /* a pair without '=' is skipped, names are case-sensitive and whole */
    CHECK(cookie_get("junk; s=ok", "s", v, sizeof v));
    CHECK_STR(v, "ok");
    CHECK(!cookie_get("S=1", "s", v, sizeof v));
    CHECK(!cookie_get("ss=1; xs=2", "s", v, sizeof v));
    CHECK(cookie_get("ss=1; s=2", "s", v, sizeof v));
    CHECK_STR(v, "2");
    /* absent, malformed, too long */
    CHECK(!cookie_get(NULL, "s", v, sizeof v));
    CHECK(!cookie_get("", "s", v, sizeof v));
    CHECK(!cookie_get("a=b", "s", v, sizeof v));
    CHECK(!cookie_get("s=\"unbalanced", "s", v, sizeof v));
    CHECK(!cookie_get("s=a\"b", "s", v, sizeof v));
    CHECK(!cookie_get("s=a b", "s", v, sizeof v));
    CHECK(!cookie_get("s=a,b", "s", v, sizeof v));
    CHECK(!cookie_get("s=a\\b", "s", v, sizeof v));
    CHECK(!cookie_get("s=\x7f", "s", v, sizeof v));
    CHECK(!cookie_get("s=\xc3\xb1", "s", v, sizeof v));
    CHECK(cookie_get("s=0123456789abcde", "s", v, sizeof v)); /* 15 + NUL fits */
    CHECK(!cookie_get("s=0123456789abcdef", "s", v, sizeof v));
    CHECK_STR(v, "");
    /* a malformed first duplicate is not skipped for a later one */
    CHECK(!cookie_get("s=a b; s=ok", "s", v, sizeof v));
}

static void test_format(void)
{
    char out[COOKIE_SET_MAX];
    CHECK(cookie_format(out, sizeof out, "gess_session", "abc-_1", 3600,
                        COOKIE_HTTPONLY | COOKIE_SECURE) == 0);
    CHECK_STR(out, "gess_session=abc-_1; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax");
    CHECK(cookie_format(out, sizeof out, "gess_lang", "en", -1, 0) == 0);
    CHECK_STR(out, "gess_lang=en; Path=/; SameSite=Lax");
    CHECK(cookie_format(out, sizeof out, "gess_session", "", 0, COOKIE_HTTPONLY) == 0);
    CHECK_STR(out, "gess_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
    /* refused: names that are not tokens, values outside cookie-octet */
    CHECK(cookie_format(out, sizeof out, "", "x", 0, 0) != 0);
    CHECK(cookie_format(out, sizeof out, "a=b", "x", 0, 0) != 0);
    CHECK(cookie_format(out, sizeof out, "a b", "x", 0, 0) != 0);
    CHECK(cookie_format(out, sizeof out, "a", "x;y", 0, 0) != 0);
    CHECK(cookie_format(out, sizeof out, "a", "x\r\nSet-Cookie: y", 0, 0) != 0);
    CHECK(cookie_format(out, 10, "a", "0123456789", 0, 0) != 0);
    /* what cookie_format writes, cookie_get reads back */
    char v[64];
    CHECK(cookie_format(out, sizeof out, "k", "v.1~!#", 10, 0) == 0);
    CHECK(cookie_get(out, "k", v, sizeof v));
    CHECK_STR(v, "v.1~!#");
}

void test_cookie(void)
{
    test_get();
    test_format();
}
