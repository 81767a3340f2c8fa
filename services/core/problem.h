/* problem.h — RFC 9457 problem details and the validation messages, in
 * English and Spanish. */
#ifndef GESS_PROBLEM_H
#define GESS_PROBLEM_H

#include <jansson.h>
#include <stdbool.h>

#define PROBLEM_TYPE_BASE "https://gess.pe/problems/"

enum lang { LANG_EN, LANG_ES };

/* The language an Accept-Language header prefers among those gess speaks
 * (English when absent or when neither is named). */
enum lang problem_lang(const char *accept_language);

/* The HTTP status of a problem slug; 500 for an unknown slug. */
int problem_status(const char *slug);

/* True for a slug the table knows. */
bool problem_known(const char *slug);

/* A new problem object {type, title, status, detail}; detail may be NULL
 * for the slug's standard one. Returns NULL only when out of memory. */
json_t *problem_new(enum lang lang, const char *slug, const char *detail);

enum valid_msg {
    MSG_REQUIRED,
    MSG_NOT_STRING,
    MSG_NOT_INTEGER,
    MSG_NOT_BOOLEAN,
    MSG_NOT_ARRAY,
    MSG_NOT_OBJECT,
    MSG_TOO_SHORT,
    MSG_TOO_LONG,
    MSG_EMAIL,
    MSG_ONE_OF,
    MSG_MUST_BE_TRUE,
    MSG_WEAK_PASSWORD,
    MSG_COUNTRY,
    MSG_UUID,
    MSG_WRONG_PASSWORD,
    MSG_DUPLICATE,
    MSG_CONTROL_CHARS,
    MSG_DATE,
    MSG_INSTANT,
    MSG_RANGE,
    MSG_SLUG,
    MSG_CODE,
    MSG_NOT_BEFORE,
    MSG_AFTER,
    MSG_TIMEZONE,
    MSG_UNKNOWN,
    MSG_SECTOR_CLOSED,
    MSG_NOT_OFFERED,
    MSG_TAKEN,
    MSG_BACKWARDS,
    MSG_CURRENCY,
    MSG_EMPTY,
    MSG_NOT_UTF8,
    MSG_QUERY,
    MSG_TAKEN_HERE,
    MSG_NO_ACCOUNT,
    MSG_NO_ORGANIZATION,
    MSG_NO_PACT,
    MSG_NOT_LATER_EDITION,
    MSG_NO_PARENT,
    MSG_NOT_FUTURE,
    MSG_OUTSIDE_EDITION,
    MSG_OUTSIDE_ROOM_HOURS,
    MSG_BELOW_RESERVED,
    MSG_CURSOR,
    MSG_TAX_ID,
    MSG_URL,
    MSG_INVALID,
    /* practices */
    MSG_TERRITORY,
    MSG_NO_THEME,
    MSG_NO_DEPARTMENT,
    MSG_NO_EDITION,
    MSG_NO_SESSION,
    MSG_NO_SERIES_EVENT,
    MSG_NO_COMMITMENT,
    MSG_THEME_CODE,
    /* account flows */
    MSG_TOKEN,
    MSG_ONE_CLICK,
    /* webhooks */
    MSG_URL_USERINFO,
    MSG_URL_FRAGMENT,
    MSG_COUNT
};

/* The message text for a validation error; n and s fill the placeholders
 * the message has (a length, a list of allowed values). */
void problem_message(enum lang lang, enum valid_msg msg, long n, const char *s, char *out,
                     size_t outlen);

/* The message of a validation code SQL answers with (`errors: [{field,
 * code, arg}]`, schema/functions/core.sql core_field_error): the one table
 * that words both C's and SQL's refusals. False for a code it does not
 * know. */
bool problem_msg_of_code(const char *code, enum valid_msg *msg);

#endif
