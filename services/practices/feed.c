/* feed.c — ?format=atom on GET /v1/practices: the newest published cases
 * the search matches, as an Atom feed (RFC 4287). practices_feed (SQL)
 * hands over {updated, entries}; the XML is written and escaped here. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <string.h>

#include "core/config.h"
#include "core/req.h"
#include "practices/practices.h"

const struct db_stmt practices_stmt_feed = DB_ANSWER(practices_feed, "$1, $2::jsonb, $3::int");

/* Text as XML character data or an attribute value. */
static void xml_text(struct evbuffer *out, const char *s)
{
    for (const char *p = s != NULL ? s : ""; *p != '\0'; p++) {
        switch (*p) {
        case '&':
            evbuffer_add(out, "&amp;", 5);
            break;
        case '<':
            evbuffer_add(out, "&lt;", 4);
            break;
        case '>':
            evbuffer_add(out, "&gt;", 4);
            break;
        case '"':
            evbuffer_add(out, "&quot;", 6);
            break;
        default:
            /* XML 1.0 has no place for the other C0 controls */
            if ((unsigned char)*p >= 0x20 || *p == '\t' || *p == '\n' || *p == '\r')
                evbuffer_add(out, p, 1);
        }
    }
}

/* The base of the feed's links: the configured public_url (never the
 * Host a client sent, which anyone may set and a cache would keep);
 * config refuses one ending in a slash. */
static void base_url(struct evbuffer *out, const struct req *r)
{
    xml_text(out, req_config(r)->public_url);
}

/* The feed's self link, which is also its id: a feed of a search is
 * another feed than the whole repository's. The query string is as the
 * client sent it (already URL-encoded; xml_text escapes its &). */
static void self_url(struct evbuffer *out, struct req *r)
{
    base_url(out, r);
    const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->ev));
    evbuffer_add_printf(out, "/v1/practices?");
    xml_text(out, q != NULL && q[0] != '\0' ? q : "format=atom");
}

static void feed_done(struct req *r, enum db_status st, PGresult *res)
{
    if (!req_sql_succeeded(st, res)) {
        req_done_sql(r, st, res);
        return;
    }
    json_t *feed = json_loads(req_sql_body(res), 0, NULL);
    struct evbuffer *out = feed != NULL ? evbuffer_new() : NULL;
    if (out == NULL) {
        json_decref(feed);
        req_reply_problem(r, "internal-error", NULL);
        return;
    }
    evbuffer_add_printf(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                             "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"es\">\n"
                             "  <id>");
    self_url(out, r);
    evbuffer_add_printf(out, "</id>\n"
                             "  <title>GESS: repositorio de buenas prácticas</title>\n"
                             "  <updated>");
    xml_text(out, json_string_value(json_object_get(feed, "updated")));
    evbuffer_add_printf(out, "</updated>\n  <author><name>GESS</name></author>\n"
                             "  <link rel=\"self\" type=\"application/atom+xml\" href=\"");
    self_url(out, r);
    evbuffer_add_printf(out, "\"/>\n  <link rel=\"alternate\" href=\"");
    base_url(out, r);
    evbuffer_add_printf(out, "/v1/practices\"/>\n");
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(feed, "entries"), i, e) {
        const char *id = json_string_value(json_object_get(e, "id"));
        evbuffer_add_printf(out, "  <entry>\n    <id>urn:uuid:");
        xml_text(out, id);
        evbuffer_add_printf(out, "</id>\n    <title>");
        xml_text(out, json_string_value(json_object_get(e, "title")));
        evbuffer_add_printf(out, "</title>\n    <updated>");
        xml_text(out, json_string_value(json_object_get(e, "updated")));
        evbuffer_add_printf(out, "</updated>\n    <link rel=\"alternate\" href=\"");
        base_url(out, r);
        evbuffer_add_printf(out, "/v1/practices/");
        xml_text(out, id);
        evbuffer_add_printf(out, "\"/>\n    <summary>");
        xml_text(out, json_string_value(json_object_get(e, "summary")));
        evbuffer_add_printf(out, "</summary>\n  </entry>\n");
    }
    evbuffer_add_printf(out, "</feed>\n");
    json_decref(feed);
    size_t len = evbuffer_get_length(out);
    req_reply_raw(r, 200, "application/atom+xml; charset=utf-8",
                  evbuffer_pullup(out, (ev_ssize_t)len), len);
    evbuffer_free(out);
}

void practices_feed(struct req *r, struct valid *v, const char *q, const char *filters,
                    const char *limit)
{
    const char *params[] = {q, filters, limit};
    req_query_valid(r, v, &practices_stmt_feed, 3, params, feed_done);
}
