/* csv.h — RFC 4180 cells for the CSV exports (registrations, practices),
 * safe to open in a spreadsheet. */
#ifndef GESS_CSV_H
#define GESS_CSV_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

struct evbuffer;
struct req;

/* Appends s as one CSV cell (quoted when it holds a comma, a quote or a
 * line break); a cell a person typed (typed) that starts like a formula
 * (= + - @) gets a leading apostrophe, so a spreadsheet shows it instead
 * of running it. */
void csv_cell(struct evbuffer *out, const char *s, bool typed);

/* Answers 200 with a CSV attachment named filename: the header line (a
 * UTF-8 BOM first, so a spreadsheet reads the accents right), then the
 * first rows rows of res, every column a cell; the columns whose bit is
 * set in typed (bit c for column c) hold what people typed. */
void csv_reply(struct req *r, const char *filename, const char *header, const PGresult *res,
               int rows, uint32_t typed);

#endif
