/* mime.h — one mail as RFC 5322 / MIME text, ready for SMTP's DATA or a
 * maildir file: CRLF line ends, RFC 2047 encoded words for non-ASCII
 * Subject and display names, multipart/alternative (text, then HTML),
 * wrapped in multipart/mixed when attachments come along. */
#ifndef GESS_MAIL_MIME_H
#define GESS_MAIL_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct mime_attachment {
    const char *filename;     /* e.g. "gess-2026.ics" */
    const char *content_type; /* e.g. "text/calendar; charset=UTF-8" */
    const char *bytes;
    size_t len;
};

struct mime_mail {
    const char *from;       /* the From header as configured (mail_from) */
    const char *to_email;   /* the address alone */
    const char *to_name;    /* display name, or NULL */
    const char *subject;    /* UTF-8 */
    const char *message_id; /* the row's uuid: Message-ID: <uuid@gess> */
    time_t date;
    const char *text; /* UTF-8, \n or \r\n line ends */
    const char *html;
    const char *unsubscribe_url; /* reminders: List-Unsubscribe(-Post); else NULL */
    const struct mime_attachment *attachments;
    size_t nattachments;
};

/* The whole message, malloc'd and NUL-terminated (*len without the NUL);
 * NULL when out of memory. */
char *mime_build(const struct mime_mail *m, size_t *len);

/* The address inside "Name <addr>" or the text itself, into out (for the
 * SMTP envelope); false when it does not fit. */
bool mime_address(const char *from, char *out, size_t outlen);

#endif
