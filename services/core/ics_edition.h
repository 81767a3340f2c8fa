/* ics_edition.h — an edition as one all-day iCalendar event: the .ics
 * registration mail attaches and GET /v1/editions/{slug}?format=ics. */
#ifndef GESS_ICS_EDITION_H
#define GESS_ICS_EDITION_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

/* edition: {slug, title, starts_on, ends_on (YYYY-MM-DD, inclusive),
 * timezone?, city?, venue?, url?} as in the registration payloads (url:
 * the edition's page, as GET /v1/editions/{slug}?format=ics adds it). An RFC 5545
 * VCALENDAR (CRLF, folded at 75 octets) with one VEVENT: UID
 * edition-<slug>@gess (stable, so a later mail updates the same entry),
 * DTSTAMP `now`, DTSTART/DTEND;VALUE=DATE (DTEND the day after ends_on, as
 * RFC 5545 wants it exclusive), SUMMARY the title, LOCATION "venue, city",
 * URL when given.
 * No METHOD and no ORGANIZER: an attachment to import, not an invitation to
 * answer. malloc'd NUL-terminated text (*len set), or NULL on a bad
 * edition or out of memory. */
char *ics_edition(const json_t *edition, time_t now, size_t *len)
    __attribute__((warn_unused_result));

#endif
