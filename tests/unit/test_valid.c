/* test_valid.c — field checks collect every error. */
#include <stdint.h>

#include "core/valid.h"
#include "core/vocab.h"
#include "unit.h"

void test_valid(void)
{
    char out[300];
    CHECK(valid_email_normalise("  Ana.Quispe@Example.ORG ", out, sizeof out));
    CHECK_STR(out, "ana.quispe@example.org");
    CHECK(valid_email_normalise("a+tag@sub.example.pe", out, sizeof out));
    CHECK(!valid_email_normalise("no-at-sign", out, sizeof out));
    CHECK(!valid_email_normalise("two@@example.org", out, sizeof out));
    CHECK(!valid_email_normalise("@example.org", out, sizeof out));
    CHECK(!valid_email_normalise("a@localhost", out, sizeof out));
    CHECK(!valid_email_normalise("a@-bad.org", out, sizeof out));
    CHECK(!valid_email_normalise("a@bad-.org", out, sizeof out));
    CHECK(!valid_email_normalise("a@exa..org", out, sizeof out));
    CHECK(!valid_email_normalise("a b@example.org", out, sizeof out));
    CHECK(!valid_email_normalise("ñ@example.org", out, sizeof out));

    /* ISO 3166-1: the first, the last, a few between; not made-up pairs */
    static const char *const countries[] = {"AD", "ZW", "PE", "BO", "CL", "CA", "ES", "MN"};
    for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++)
        CHECK(vocab_country_ok(countries[i]));
    static const char *const not_countries[] = {"XX", "EU", "UK", "AA", "ZZ", "pe", "P", "PER", ""};
    for (size_t i = 0; i < sizeof not_countries / sizeof not_countries[0]; i++)
        CHECK(!vocab_country_ok(not_countries[i]));
    CHECK(!vocab_country_ok(NULL));

    CHECK(valid_uuid("1394cfb2-7cb3-4fa7-bcc1-c617281a575f"));
    CHECK(!valid_uuid("1394cfb2-7cb3-4fa7-bcc1-c617281a575"));
    CHECK(!valid_uuid("1394cfb2x7cb3-4fa7-bcc1-c617281a575f"));
    CHECK(!valid_uuid(NULL));

    CHECK(valid_utf8_chars("año") == 3);
    CHECK(valid_utf8_chars("") == 0);

    /* well-formed UTF-8 only (RFC 3629) */
    CHECK(valid_utf8("año ñandú €𝄞", strlen("año ñandú €𝄞")));
    CHECK(valid_utf8("", 0));
    static const char *const bad_utf8[] = {
        "\xff",
        "\xc3\x28",
        "\xc0\xaf",
        "\xe0\x80\xaf",
        "\xed\xa0\x80",
        "\xf4\x90\x80\x80",
        "\xf8\x88\x80\x80\x80",
        "\xe2\x82",
        "a\x80",
        "\xc3",
    };
    for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++)
        CHECK(!valid_utf8(bad_utf8[i], strlen(bad_utf8[i])));

    static const char *const sectors[] = {"public", "private", NULL};
    struct valid v;
    valid_init(&v, LANG_EN);
    json_t *o = json_pack("{s:s, s:i, s:s, s:s, s:b, s:s}", "name", "Ana", "num", 3, "long",
                          "abcdef", "sector", "mining", "consent", 0, "ctl", "a\tb");
    CHECK_STR(valid_string(&v, o, "name", 1, 10, true), "Ana");
    CHECK(valid_ok(&v));
    CHECK(valid_string(&v, o, "missing", 1, 10, false) == NULL);
    CHECK(valid_ok(&v)); /* optional and absent is fine */
    CHECK(valid_string(&v, o, "missing", 1, 10, true) == NULL);
    CHECK(valid_string(&v, o, "num", 1, 10, true) == NULL);
    CHECK(valid_string(&v, o, "long", 1, 3, true) == NULL);
    CHECK(valid_enum(&v, o, "sector", sectors, true) == NULL);
    CHECK(!valid_true(&v, o, "consent"));
    CHECK(valid_string(&v, o, "ctl", 0, 10, true) == NULL);
    CHECK(json_array_size(v.errors) == 6);
    CHECK_STR(json_string_value(json_object_get(json_array_get(v.errors, 0), "field")), "missing");
    CHECK_STR(json_string_value(json_object_get(json_array_get(v.errors, 2), "message")),
              "must have at most 3 characters");
    valid_free(&v);
    json_decref(o);

    /* arrays: absent, null, a wrong shape, too many, bad and repeated items */
    static const char *const u1 = "1394cfb2-7cb3-4fa7-bcc1-c617281a575f",
                             *const u2 = "2394cfb2-7cb3-4fa7-bcc1-c617281a575f";
    o = json_pack("{s:[s,s], s:n, s:s, s:[s,s,s], s:[s,i,s,s], s:[s,s], s:[s,s,s]}", "ids", u1, u2,
                  "none", "str", "x", "many", u1, u2, u1, "bad", u1, 7, "nope", u1, "roles",
                  "public", "private", "badroles", "public", "mining", "public");
    valid_init(&v, LANG_EN);
    const json_t *arr = valid_uuid_array(&v, o, "ids", 2, true);
    CHECK(arr != NULL && json_array_size(arr) == 2);
    CHECK(valid_uuid_array(&v, o, "absent", 2, false) == NULL);
    CHECK(valid_uuid_array(&v, o, "none", 2, false) == NULL);
    CHECK(valid_ok(&v)); /* optional: absent and null are nothing */
    CHECK(valid_enum_array(&v, o, "roles", sectors, SIZE_MAX, true) != NULL);
    CHECK(valid_ok(&v));
    CHECK(valid_uuid_array(&v, o, "none", 2, true) == NULL);               /* 0: required */
    CHECK(valid_uuid_array(&v, o, "str", 2, false) == NULL);               /* 1: not an array */
    CHECK(valid_uuid_array(&v, o, "many", 2, false) == NULL);              /* 2: 0 to 2 items */
    CHECK(valid_uuid_array(&v, o, "bad", 9, false) == NULL);               /* 3-5: [1] [2] [3] */
    CHECK(valid_enum_array(&v, o, "badroles", sectors, 9, false) == NULL); /* 6, 7 */
    CHECK(json_array_size(v.errors) == 8);
    static const char *const fields[] = {"none",   "str",    "many",        "bad[1]",
                                         "bad[2]", "bad[3]", "badroles[1]", "badroles[2]"};
    static const char *const messages[] = {"is required",
                                           "must be an array",
                                           "must be a whole number from 0 to 2 items",
                                           "must be a string",
                                           "must be a UUID",
                                           "is repeated",
                                           "must be one of: public, private",
                                           "is repeated"};
    for (size_t i = 0; i < 8; i++) {
        const json_t *e = json_array_get(v.errors, i);
        CHECK_STR(json_string_value(json_object_get(e, "field")), fields[i]);
        CHECK_STR(json_string_value(json_object_get(e, "message")), messages[i]);
    }
    valid_free(&v);
    json_decref(o);

    CHECK(valid_date_text("2026-08-20"));
    CHECK(valid_date_text("2028-02-29"));
    CHECK(!valid_date_text("2026-02-29"));
    CHECK(!valid_date_text("2026-13-01"));
    CHECK(!valid_date_text("2026-8-20"));
    double t1 = 0, t2 = 0;
    CHECK(valid_instant_text("2026-08-20T09:00:00-05:00", &t1));
    CHECK(valid_instant_text("2026-08-20T14:00:00Z", &t2));
    CHECK(t1 == t2);
    CHECK(valid_instant_text("1970-01-01T00:00:00.5+00:00", &t1) && t1 == 0.5);
    CHECK(!valid_instant_text("2026-08-20T09:00:00", &t1)); /* no offset */
    CHECK(!valid_instant_text("2026-08-20 09:00:00Z", &t1));
    CHECK(!valid_instant_text("2026-08-20T25:00:00Z", &t1));
    CHECK(!valid_instant_text("2026-08-20T09:00:00+5:00", &t1));

    CHECK(valid_slug("gess-2026"));
    CHECK(!valid_slug("GESS-2026"));
    CHECK(!valid_slug("gess--2026"));
    CHECK(!valid_slug("-gess"));
    CHECK(!valid_slug("gess-"));
    CHECK(!valid_slug(""));
    /* long texts take line breaks and tabs, not other control characters */
    valid_init(&v, LANG_EN);
    o = json_pack("{s:s, s:s, s:s, s:n}", "abstract", "Primer párrafo.\r\n\n\tSegundo.", "bell",
                  "a\ab", "esc", "a\x1b[0m", "gone");
    CHECK_STR(valid_long_text(&v, o, "abstract", 0, 100, false), "Primer párrafo.\r\n\n\tSegundo.");
    CHECK(valid_ok(&v));
    CHECK(valid_string(&v, o, "abstract", 0, 100, false) == NULL);
    CHECK(valid_long_text(&v, o, "bell", 0, 100, false) == NULL);
    CHECK(valid_long_text(&v, o, "esc", 0, 100, false) == NULL);
    CHECK(json_array_size(v.errors) == 3);
    json_t *into = json_object();
    valid_long_text_into(&v, o, into, "abstract", 100, false);
    valid_long_text_into(&v, o, into, "gone", 100, false);
    CHECK(json_object_get(into, "gone") == NULL);
    valid_long_text_into(&v, o, into, "gone", 100, true);
    CHECK_STR(json_string_value(json_object_get(into, "gone")), "");
    CHECK(json_object_get(into, "abstract") != NULL);
    json_decref(into);
    valid_free(&v);
    json_decref(o);

    CHECK(valid_code("lideres_comunales"));
    CHECK(!valid_code("_x"));
    CHECK(!valid_code("Líderes"));
    CHECK(!valid_code("abcdefghijklmnopqrstuvwxyz0123456"));

    /* the copying validators: blanks are empty, null as asked, links need a host */
    o = json_loads("{\"t\": \"  \", \"n\": null, \"ok\": \"Ilo\", \"u\": \"https://\","
                   " \"l\": \"https://gess.pe/pactos\", \"sp\": \"http://a b\"}",
                   0, NULL);
    into = json_object();
    valid_init(&v, LANG_ES);
    valid_text_into(&v, o, into, "t", 1, 20, true, VALID_NULL_REFUSED);
    valid_text_into(&v, o, into, "n", 0, 20, false, VALID_NULL_REFUSED);
    valid_text_into(&v, o, into, "ok", 1, 20, true, VALID_NULL_REFUSED);
    CHECK(json_array_size(v.errors) == 2);
    CHECK_STR(json_string_value(json_object_get(into, "ok")), "Ilo");
    valid_text_into(&v, o, into, "n", 0, 20, false, VALID_NULL_CLEARS);
    CHECK_STR(json_string_value(json_object_get(into, "n")), "");
    valid_url_into(&v, o, into, "n", 500, VALID_NULL_KEEPS);
    CHECK(json_is_null(json_object_get(into, "n")));
    valid_url_into(&v, o, into, "u", 500, VALID_NULL_KEEPS);
    valid_url_into(&v, o, into, "sp", 500, VALID_NULL_KEEPS);
    valid_url_into(&v, o, into, "l", 500, VALID_NULL_KEEPS);
    CHECK(json_array_size(v.errors) == 4);
    CHECK(json_object_get(into, "u") == NULL && json_object_get(into, "sp") == NULL);
    CHECK_STR(json_string_value(json_object_get(into, "l")), "https://gess.pe/pactos");
    valid_free(&v);
    json_decref(into);
    json_decref(o);

    /* SQL's codes are worded by the one table, with their argument */
    valid_init(&v, LANG_ES);
    CHECK(valid_fail_code(&v, "capacity", "below_reserved", "12"));
    CHECK(valid_fail_code(&v, "notes", "too_long", "2000"));
    CHECK(!valid_fail_code(&v, "x", "no_such_code", NULL));
    CHECK(!valid_fail_code(&v, "y", NULL, NULL));
    CHECK_STR(json_string_value(json_object_get(json_array_get(v.errors, 0), "message")),
              "no debe ser menor que los 12 cupos ya reservados");
    CHECK_STR(json_string_value(json_object_get(json_array_get(v.errors, 1), "message")),
              "debe tener como máximo 2000 caracteres");
    CHECK_STR(json_string_value(json_object_get(json_array_get(v.errors, 2), "message")),
              "no es válido");
    valid_free(&v);
}
