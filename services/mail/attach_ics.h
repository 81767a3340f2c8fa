/* attach_ics.h — the .ics attached to registration mail: the edition as
 * one all-day event. */
#ifndef GESS_MAIL_ATTACH_ICS_H
#define GESS_MAIL_ATTACH_ICS_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

/* edition: {slug, title, starts_on, ends_on (YYYY-MM-DD, inclusive),
 * timezone?, city?, venue?} as in the registration payloads. An RFC 5545
 * VCALENDAR (CRLF, folded at 75 octets) with one VEVENT: UID
 * edition-<slug>@gess (stable, so a later mail updates the same entry),
 * DTSTAMP `now`, DTSTART/DTEND;VALUE=DATE (DTEND the day after ends_on, as
 * RFC 5545 wants it exclusive), SUMMARY the title, LOCATION "venue, city".
 * No METHOD and no ORGANIZER: an attachment to import, not an invitation to
 * answer. malloc'd NUL-terminated text (*len set), or NULL on a bad
 * edition or out of memory. */
char *mail_ics_edition(const json_t *edition, time_t now, size_t *len)
    __attribute__((warn_unused_result));

#endif
