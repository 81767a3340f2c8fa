/* test_form.c — form-encoded bodies (core/form.c): RFC 8058's one-click
 * body, the decoding a query gets, and what is refused whole. */
#include "core/form.h"
#include "unit.h"

/* Parses text; returns the object (or NULL) and the first refused field
 * into field (or ""). */
static json_t *parse(const char *text, size_t len, char *field, size_t fieldlen)
{
    struct valid v;
    valid_init(&v, LANG_EN);
    json_t *out = form_parse(text, len, &v);
    json_t *first = json_array_get(v.errors, 0);
    snprintf(field, fieldlen, "%s",
             first ? json_string_value(json_object_get(first, "field")) : "");
    valid_free(&v);
    return out;
}

void test_form(void)
{
    char field[64];
    json_t *o = parse("", 0, field, sizeof field);
    CHECK(o != NULL && json_object_size(o) == 0 && field[0] == '\0');
    json_decref(o);

    const char *click = "List-Unsubscribe=One-Click";
    o = parse(click, strlen(click), field, sizeof field);
    CHECK_STR(json_string_value(json_object_get(o, "List-Unsubscribe")), "One-Click");
    json_decref(o);

    /* '+' is a space, %XX decoded, UTF-8 kept; the length is the body's,
     * not up to a NUL */
    const char *enc = "a=x+y%2Bz&b=%C3%B1&c=&junk";
    o = parse(enc, 21, field, sizeof field); /* "a=x+y%2Bz&b=%C3%B1&c=" */
    CHECK_STR(json_string_value(json_object_get(o, "a")), "x y+z");
    CHECK_STR(json_string_value(json_object_get(o, "b")), "\xc3\xb1");
    CHECK_STR(json_string_value(json_object_get(o, "c")), "");
    CHECK(json_object_get(o, "junk") == NULL);
    json_decref(o);

    /* refused whole: not UTF-8 once decoded, %00, a raw NUL, a pair
     * without '=' that evhttp cannot read */
    const char *bad[] = {"a=%FF", "a=%00", "a=b&c", "\xff=1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o = parse(bad[i], strlen(bad[i]), field, sizeof field);
        CHECK(o == NULL);
        CHECK_STR(field, "body");
    }
    o = parse("a=b\0c=d", 7, field, sizeof field);
    CHECK(o == NULL);
    CHECK_STR(field, "body");

    /* a repeated key: which copy counts would be a guess */
    o = parse("k=1&k=2", 7, field, sizeof field);
    CHECK(o == NULL);
    CHECK_STR(field, "k");
}
