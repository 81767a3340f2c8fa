/* test_mime.c — mail building (services/mail/mime.c): line ends and
 * lengths, encoded words, the transfer encodings, attachments, the
 * unsubscribe headers, header injection; and the token bucket. */
#include <stdlib.h>
#include <time.h>

#include "mail/mime.h"
#include "mail/transport.h"
#include "unit.h"

/* Every line ends in CRLF, none of the head passes 76, none at all 998. */
static void check_lines(const char *msg, size_t len)
{
    const char *head_end = strstr(msg, "\r\n\r\n");
    CHECK(head_end != NULL);
    size_t col = 0;
    for (size_t i = 0; i < len; i++) {
        if (msg[i] == '\n') {
            CHECK(i > 0 && msg[i - 1] == '\r');
            col = 0;
            continue;
        }
        if (msg[i] != '\r')
            col++;
        CHECK(col <= 998);
        if (msg + i < head_end && col > 76) {
            CHECK(!"a head line over 76");
            return;
        }
    }
}

void test_mime(void)
{
    const char ics[] = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
    struct mime_attachment a = {"gess-2026.ics", "text/calendar; charset=UTF-8", ics,
                                sizeof ics - 1};
    char *long_text = malloc(3000);
    memset(long_text, 'x', 2999);
    long_text[2999] = '\0';
    long_text[10] = '=';
    struct mime_mail m = {
        .from = "GESS <no-reply@gess.pe>",
        .to_email = "rosa@example.org",
        .to_name = "Rosa Huamán «Ccori» con un nombre muy largo que obliga a plegar la cabecera",
        .subject = "Confirmación de inscripción: GESS 2026 — Cajamarca, 13–15 de agosto de 2026, "
                   "sede principal\r\nBcc: evil@example.org",
        .message_id = "7c9e6679-7425-40de-944b-e07fc1f90ae7",
        .date = 1786000000,
        .text = "Hola\nlínea corta\n",
        .html = long_text,
        .unsubscribe_url = "https://gess.pe/v1/unsubscribe?token=abc",
        .attachments = &a,
        .nattachments = 1,
    };
    size_t len = 0;
    char *msg = mime_build(&m, &len);
    CHECK(msg != NULL && len == strlen(msg));
    if (msg != NULL) {
        check_lines(msg, len);
        CHECK(strstr(msg, "\r\nBcc:") == NULL); /* the subject's line break is gone */
        CHECK(strstr(msg, "Subject: =?UTF-8?B?") != NULL);
        CHECK(strstr(msg, "To: =?UTF-8?B?") != NULL);
        CHECK(strstr(msg, "<rosa@example.org>\r\n") != NULL);
        CHECK(strstr(msg, "Message-ID: <7c9e6679-7425-40de-944b-e07fc1f90ae7@gess>\r\n") != NULL);
        CHECK(strstr(msg, "Date: ") != NULL && strstr(msg, " +0000\r\n") != NULL);
        CHECK(strstr(msg, "List-Unsubscribe: <https://gess.pe/v1/unsubscribe?token=abc>\r\n"));
        CHECK(strstr(msg, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
        CHECK(strstr(msg, "multipart/mixed") != NULL);
        const char *alt = strstr(msg, "multipart/alternative");
        const char *plain = strstr(msg, "text/plain; charset=UTF-8\r\n"
                                        "Content-Transfer-Encoding: 8bit");
        const char *html = strstr(msg, "text/html; charset=UTF-8\r\n"
                                       "Content-Transfer-Encoding: quoted-printable");
        const char *cal =
            strstr(msg, "Content-Type: text/calendar; charset=UTF-8\r\n"
                        "Content-Disposition: attachment; filename=\"gess-2026.ics\"");
        CHECK(alt && plain && html && cal && alt < plain && plain < html && html < cal);
        CHECK(strstr(msg, "xxxxxxxxxx=3Dxxx") != NULL); /* "=" encoded */
        CHECK(strstr(msg, "QkVHSU46VkNBTEVOREFSDQpFTkQ6VkNBTEVOREFSDQo=") != NULL);
        CHECK(strstr(msg, "línea corta\r\n") != NULL);
        free(msg);
    }
    /* a plain one: no mixed, no unsubscribe, a quoted display name */
    struct mime_mail p = {.from = "gess@localhost",
                          .to_email = "a@b.pe",
                          .to_name = "Ana \"la\" Pérez",
                          .subject = "Hello",
                          .message_id = "x",
                          .date = 0,
                          .text = "t",
                          .html = "h"};
    msg = mime_build(&p, &len);
    CHECK(msg != NULL);
    if (msg != NULL) {
        CHECK(strstr(msg, "multipart/mixed") == NULL && strstr(msg, "List-Unsubscribe") == NULL);
        CHECK(strstr(msg, "Subject: Hello\r\n") != NULL);
        CHECK(strstr(msg, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n") != NULL);
        free(msg);
    }
    /* a text-only mail (html NULL): one text/plain part, no alternative */
    p.html = NULL;
    msg = mime_build(&p, &len);
    CHECK(msg != NULL);
    if (msg != NULL) {
        CHECK(strstr(msg, "multipart") == NULL && strstr(msg, "text/html") == NULL);
        CHECK(strstr(msg, "Content-Type: text/plain; charset=UTF-8\r\n") != NULL);
        free(msg);
    }
    p.html = "h";
    /* the boundary is random, not the Message-ID (which a body could carry) */
    msg = mime_build(&p, &len);
    CHECK(msg != NULL && strstr(msg, "boundary=\"=_alt_x\"") == NULL);
    char *again = mime_build(&p, &len);
    CHECK(msg != NULL && again != NULL);
    if (msg != NULL && again != NULL) {
        const char *b1 = strstr(msg, "boundary="), *b2 = strstr(again, "boundary=");
        CHECK(b1 && b2 && strncmp(b1, b2, 50) != 0);
    }
    free(again);
    free(msg);
    /* quoted-printable: a space before a stray CR and the line end is
     * encoded (the CR is dropped, so the space would end the line) */
    char *qp_text = malloc(1200);
    memset(qp_text, 'y', 1100);
    memcpy(qp_text + 1100, " \r\nz \r", 7);
    qp_text[1107] = '\0';
    p.text = qp_text;
    msg = mime_build(&p, &len);
    CHECK(msg != NULL);
    if (msg != NULL) {
        CHECK(strstr(msg, "=20\r\nz=20\r\n") != NULL);
        free(msg);
    }
    free(qp_text);
    p.text = "t";
    p.to_name = "Ana \"la\" Perez";
    msg = mime_build(&p, &len);
    CHECK(msg != NULL && strstr(msg, "To: \"Ana \\\"la\\\" Perez\"\r\n <a@b.pe>\r\n") != NULL);
    free(msg);
    free(long_text);

    char addr[64];
    CHECK(mime_address("GESS <no-reply@gess.pe>", addr, sizeof addr));
    CHECK_STR(addr, "no-reply@gess.pe");
    CHECK(mime_address(" plain@gess.pe ", addr, sizeof addr));
    CHECK_STR(addr, "plain@gess.pe");
    CHECK(!mime_address("", addr, sizeof addr));

    /* the bucket: 6000 a minute is 100 a second, a burst of 100, then paced */
    atomic_bool stop = false;
    struct bucket b;
    bucket_init(&b, 6000);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 120; i++)
        CHECK(bucket_take(&b, &stop));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(took > 0.15 && took < 1.0);
    bucket_init(&b, 0);
    CHECK(bucket_take(&b, &stop));
}
