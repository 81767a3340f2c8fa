/* ics.h — iCalendar (RFC 5545) rendering with libical, for the ?format=ics
 * variants of the schedule, agenda and series lists (SPEC issue 4). */
#ifndef GESS_ICS_H
#define GESS_ICS_H

#include <jansson.h>
#include <stddef.h>

/* Renders {"name": text, "timezone": IANA text, "events": [event...]} as an RFC 5545 VCALENDAR
 * (VTIMEZONE for the zone, DTSTART/DTEND with TZID, escaping and 75-octet folding by libical).
 * event: {"uid": text (stable, e.g. "<uuid>@gess.pe"), "summary": text, "description"?: text,
 *         "location"?: text, "url"?: text, "starts_at": RFC3339, "ends_at": RFC3339,
 *         "sequence"?: int, "status"?: "CONFIRMED"|"CANCELLED"|"TENTATIVE",
 *         "categories"?: [text], "last_modified"?: RFC3339}
 * Optional members may also be JSON null (treated as absent).
 * Returns malloc'd NUL-terminated text (*len set) or NULL on bad input / out of memory.
 * Thread safe: may be called from several worker threads at once. */
char *ics_render(const json_t *calendar, size_t *len);

/* Frees libical's process-wide time zone cache. Call once at process exit,
 * after every worker thread has stopped (keeps ASan's leak report clean). */
void ics_shutdown(void);

#endif
