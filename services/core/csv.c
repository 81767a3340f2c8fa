/* csv.c — CSV cells (csv.h). */
#include "core/csv.h"

#include <event2/buffer.h>
#include <stdio.h>
#include <string.h>

#include "core/req.h"

void csv_cell(struct evbuffer *out, const char *s, bool typed)
{
    /* a spreadsheet takes a cell starting with = + - @ as a formula, and
     * also one that starts with a tab or a carriage return (OWASP) */
    bool formula = typed && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                             s[0] == '\t' || s[0] == '\r');
    if (!formula && strpbrk(s, ",\"\r\n") == NULL) {
        evbuffer_add(out, s, strlen(s));
        return;
    }
    evbuffer_add(out, "\"", 1);
    if (formula)
        evbuffer_add(out, "'", 1);
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '"')
            evbuffer_add(out, "\"", 1);
        evbuffer_add(out, p, 1);
    }
    evbuffer_add(out, "\"", 1);
}

void csv_reply(struct req *r, const char *filename, const char *header, const PGresult *res,
               int rows, uint32_t typed)
{
    struct evbuffer *out = evbuffer_new();
    if (out == NULL) {
        req_reply_unavailable(r);
        return;
    }
    evbuffer_add(out, "\xEF\xBB\xBF", 3);
    evbuffer_add(out, header, strlen(header));
    evbuffer_add(out, "\r\n", 2);
    int cols = PQnfields(res);
    for (int i = 0; i < rows; i++) {
        for (int c = 0; c < cols; c++) {
            if (c > 0)
                evbuffer_add(out, ",", 1);
            csv_cell(out, PQgetvalue(res, i, c), c < 32 && (typed >> c & 1u));
        }
        evbuffer_add(out, "\r\n", 2);
    }
    char disposition[160];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", filename);
    req_add_header(r, "Content-Disposition", disposition);
    size_t len = evbuffer_get_length(out);
    req_reply_raw(r, 200, "text/csv; charset=utf-8", evbuffer_pullup(out, (ev_ssize_t)len), len);
    evbuffer_free(out);
}
