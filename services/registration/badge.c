/* badge.c — GET /v1/registrations/{id}/badge.svg: the badge code as a QR
 * code (Debian's libqrencode) in SVG, for its owner and the organizers
 * (registration_badge in schema/ answers 404 to anyone else).
 *
 * The code is upper case from an alphabet of digits and capitals
 * (VOCAB_BADGE_ALPHABET), so the whole of it goes in one alphanumeric
 * segment (QR_MODE_AN: 5.5 bits a character instead of 8): a 10-character
 * badge fits version 1 at level M, 21 modules a side, which a phone or a
 * desk scanner reads from far. The SVG is one <path> of the dark modules
 * (a run of dark modules in a row is one rectangle), a quiet zone of four
 * modules, a <title> and crispEdges, so it scales without blurring. */
#include <event2/buffer.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/req.h"
#include "core/vocab.h"
#include "registration/registration.h"

const struct db_stmt registration_stmt_badge =
    DB_ANSWER(registration_badge, "$1::uuid, $2::uuid, $3::boolean");

#define QUIET 4

/* The badge code as a QR symbol in alphanumeric mode; NULL when the code
 * is not alphanumeric or out of memory. */
static QRcode *encode(const char *code)
{
    QRinput *in = QRinput_new2(0, QR_ECLEVEL_M);
    if (in == NULL)
        return NULL;
    QRcode *qr = NULL;
    if (QRinput_append(in, QR_MODE_AN, (int)strlen(code), (const unsigned char *)code) == 0)
        qr = QRcode_encodeInput(in);
    QRinput_free(in);
    return qr;
}

/* The SVG of qr with the title (the badge code: plain capitals and
 * digits, nothing to escape). */
static struct evbuffer *svg_of(const QRcode *qr, const char *title)
{
    struct evbuffer *b = evbuffer_new();
    if (b == NULL)
        return NULL;
    int side = qr->width + 2 * QUIET;
    int rc = evbuffer_add_printf(
        b,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
        "height=\"%d\" shape-rendering=\"crispEdges\" role=\"img\">"
        "<title>%s</title><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
        side, side, side * 8, side * 8, title, side, side);
    for (int y = 0; rc >= 0 && y < qr->width; y++) {
        for (int x = 0; rc >= 0 && x < qr->width;) {
            if (!(qr->data[y * qr->width + x] & 1)) {
                x++;
                continue;
            }
            int run = 1;
            while (x + run < qr->width && (qr->data[y * qr->width + x + run] & 1))
                run++;
            rc = evbuffer_add_printf(b, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, run, run);
            x += run;
        }
    }
    if (rc < 0 || evbuffer_add_printf(b, "\"/></svg>\n") < 0) {
        evbuffer_free(b);
        return NULL;
    }
    return b;
}

static bool code_ok(const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;
    return n > 0 && n <= 32 && strspn(s, VOCAB_BADGE_ALPHABET) == n;
}

static void badge_done(struct req *r, enum db_status st, PGresult *res)
{
    if (!req_sql_succeeded(st, res)) {
        req_done_sql(r, st, res); /* 404 for what is not the caller's */
        return;
    }
    json_t *body = json_loads(req_sql_body(res), 0, NULL);
    const char *code = json_string_value(json_object_get(body, "badge_code"));
    QRcode *qr = code_ok(code) ? encode(code) : NULL;
    struct evbuffer *svg = qr != NULL ? svg_of(qr, code) : NULL;
    QRcode_free(qr);
    json_decref(body);
    if (svg == NULL) {
        req_reply_problem(r, "internal-error", NULL);
        return;
    }
    /* the owner's or an organizer's: never in a shared cache */
    req_add_header(r, "Cache-Control", "private, max-age=300");
    size_t len = evbuffer_get_length(svg);
    req_reply_raw(r, 200, "image/svg+xml", evbuffer_pullup(svg, -1), len);
    evbuffer_free(svg);
}

void registration_badge_svg(struct req *r)
{
    const char *params[] = {req_param(r, "id"), r->auth.account_id,
                            req_sql_bool(req_is_organizer(r))};
    req_query(r, &registration_stmt_badge, 3, params, badge_done);
}
