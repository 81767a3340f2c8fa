/* vocab.h — the words several domains share, defined once. Each list is
 * NULL-terminated and matches the CHECK constraint or enum of the schema
 * that stores it (schema/migrations/0013_baseline.sql), so C refuses a
 * value with a 422 naming the field before SQL would refuse it with a
 * 500. */
#ifndef GESS_VOCAB_H
#define GESS_VOCAB_H

#include <stdbool.h>

/* Where a person or an organization stands: accounts, categories open to
 * some sectors, organizations, the dashboard's breakdowns. */
extern const char *const vocab_sectors[];

/* How one attends: a registration's or an RSVP's mode. */
extern const char *const vocab_modes[];

/* How an event or a session is held: the modes plus "hybrid". */
extern const char *const vocab_formats[];

/* Account roles (admin implies the others). */
extern const char *const vocab_roles[];

/* The languages gess writes mail in (an account's language). */
extern const char *const vocab_languages[];

/* True for an ISO 3166-1 alpha-2 code officially assigned (249 of them,
 * as of 2024): where an account's person lives, where a practice abroad
 * took place. A made-up pair such as "XX" or "EU" is refused. */
bool vocab_country_ok(const char *code);

/* Badge codes: ten characters from 32 that cannot be mistaken for each
 * other when read aloud or typed at the door (no 0/O, no 1/I). */
#define VOCAB_BADGE_ALPHABET "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#define VOCAB_BADGE_LEN 10

#endif
