/* csv.h — RFC 4180 cells for the CSV exports (registrations, practices),
 * safe to open in a spreadsheet. */
#ifndef GESS_CSV_H
#define GESS_CSV_H

#include <stdbool.h>

struct evbuffer;

/* Appends s as one CSV cell (quoted when it holds a comma, a quote or a
 * line break); a cell a person typed (typed) that starts like a formula
 * (= + - @) gets a leading apostrophe, so a spreadsheet shows it instead
 * of running it. */
void csv_cell(struct evbuffer *out, const char *s, bool typed);

#endif
