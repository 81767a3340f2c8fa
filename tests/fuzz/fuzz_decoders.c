/* fuzz_decoders.c — the domains' request decoders (valid_body_fn in
 * core/valid.h): the organization, pact, "Rumbo al GESS" event and
 * programme session bodies, the practice, adoption, theme and synonyms
 * bodies and the webhook endpoint body, on create and on PATCH, in both
 * languages. The input is a request body; like req.c, only a JSON object
 * reaches a decoder.
 *
 * Checked on the way, for every decoder:
 * - NULL exactly when a refusal was recorded (nothing runs out of memory
 *   here), so a handler never sends a half-checked body to SQL nor
 *   answers an empty 422;
 * - every refusal names a field and says something, and the fields are the
 *   same, in the same order, in English and in Spanish (only the words
 *   differ);
 * - what passes is a subset of what was sent: a decoder copies members by
 *   their own name and invents none (SQL reads exactly those keys);
 * - the same body decodes to the same result twice (nothing read from
 *   uninitialised or stale state). */
#include <jansson.h>
#include <string.h>

#include "core/valid.h"
#include "fuzz.h"
#include "organizations/organizations.h"
#include "pacts/pacts.h"
#include "practices/practices.h"
#include "programme/programme.h"
#include "series/series.h"
#include "webhooks/webhooks.h"

static const struct {
    const char *name;
    valid_body_fn decode;
} decoders[] = {
    {"organizations_fields", organizations_fields},
    {"pacts_fields", pacts_fields},
    {"series_event_fields", series_event_fields},
    {"programme_session_fields", programme_session_fields},
    {"practices_fields", practices_fields},
    {"practices_adoption_fields", practices_adoption_fields},
    {"practices_theme_fields", practices_theme_fields},
    {"practices_synonyms_fields", practices_synonyms_fields},
    {"webhooks_fields", webhooks_fields},
};

static void check_errors(const json_t *errors, const char *who)
{
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e) {
        const char *field = json_string_value(json_object_get(e, "field"));
        const char *message = json_string_value(json_object_get(e, "message"));
        FUZZ_CHECK(field != NULL && field[0] != '\0', who);
        FUZZ_CHECK(message != NULL && message[0] != '\0', who);
    }
}

static bool same_fields(const json_t *a, const json_t *b)
{
    if (json_array_size(a) != json_array_size(b))
        return false;
    for (size_t i = 0; i < json_array_size(a); i++)
        if (!json_equal(json_object_get(json_array_get(a, i), "field"),
                        json_object_get(json_array_get(b, i), "field")))
            return false;
    return true;
}

static void run(valid_body_fn decode, const json_t *body, bool create)
{
    struct valid en, es, again;
    valid_init(&en, LANG_EN);
    valid_init(&es, LANG_ES);
    valid_init(&again, LANG_EN);
    json_t *out = decode(&en, body, create);
    json_t *out_es = decode(&es, body, create);
    json_t *out_again = decode(&again, body, create);

    FUZZ_CHECK((out == NULL) == !valid_ok(&en), "NULL is not exactly a refusal");
    check_errors(en.errors, "a refusal without a field or a message");
    check_errors(es.errors, "a Spanish refusal without a field or a message");
    FUZZ_CHECK(same_fields(en.errors, es.errors), "English and Spanish refuse other fields");
    FUZZ_CHECK(json_equal(en.errors, again.errors), "the same body refused differently");
    FUZZ_CHECK(out == out_again || json_equal(out, out_again), "the same body decoded differently");
    FUZZ_CHECK(out == out_es || json_equal(out, out_es),
               "the decoded body depends on the language");
    if (out != NULL) {
        const char *key;
        json_t *val;
        json_object_foreach(out, key, val)
            FUZZ_CHECK(json_object_get(body, key) != NULL, "a decoder invented a member");
    }
    json_decref(out);
    json_decref(out_es);
    json_decref(out_again);
    valid_free(&en);
    valid_free(&es);
    valid_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t err;
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(body)) {
        json_decref(body);
        return 0;
    }
    for (size_t i = 0; i < sizeof decoders / sizeof decoders[0]; i++) {
        run(decoders[i].decode, body, true);
        run(decoders[i].decode, body, false);
    }
    json_decref(body);
    return 0;
}
