/* ics.h — iCalendar (RFC 5545) rendering with libical, for the ?format=ics
 * variants of the schedule, agenda and series lists (SPEC issue 4). */
#ifndef GESS_ICS_H
#define GESS_ICS_H

#include <jansson.h>
#include <stdbool.h>
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

/* A text that grows (NUL-terminated; p is malloc'd, NULL while empty). */
struct ics_buf {
    char *p;
    size_t len, cap;
};

/* Appends n bytes; false when out of memory (b keeps what it had). */
bool ics_buf_put(struct ics_buf *b, const char *s, size_t n);

/* Appends one content line folded at 75 octets (a continuation's leading
 * space counts), cut only between UTF-8 characters, each part ending in
 * CRLF; false when out of memory. */
bool ics_fold_line(struct ics_buf *out, const char *s, size_t n);

/* Frees libical's process-wide time zone cache. Call once at process exit,
 * after every worker thread has stopped (keeps ASan's leak report clean). */
void ics_shutdown(void);

#endif
