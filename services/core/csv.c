/* csv.c — CSV cells (csv.h). */
#include "core/csv.h"

#include <event2/buffer.h>
#include <string.h>

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
