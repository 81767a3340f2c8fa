/* markdown.c — a case's long texts (Markdown typed by people) as HTML,
 * through Debian's libcmark (the CommonMark reference implementation) in
 * safe mode: raw HTML blocks and inline HTML are dropped (cmark leaves a
 * comment in their place), and links or images whose URL is javascript:,
 * vbscript:, file: or data: (other than a few image types) get an empty
 * one. A hand-written Markdown parser over untrusted input is where XSS
 * lives; cmark is fuzzed upstream and is what the issue names. Its output
 * is the only raw HTML any page carries ({{{context}}} and its siblings).
 *
 * Headings are moved down to start at a given level, so that a `# Title`
 * in a case never makes a second <h1> or breaks the page's heading order. */
#include <cmark.h>
#include <stdlib.h>

#include "practices/practices.h"

char *practices_markdown_html(const char *md, size_t len, int first_level)
{
    cmark_node *doc = cmark_parse_document(md, len, CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8);
    if (doc == NULL)
        return NULL;
    cmark_iter *it = cmark_iter_new(doc);
    if (it == NULL) {
        cmark_node_free(doc);
        return NULL;
    }
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(n) == CMARK_NODE_HEADING) {
            int level = cmark_node_get_heading_level(n) + first_level - 1;
            (void)cmark_node_set_heading_level(n, level > 6 ? 6 : level);
        }
    }
    cmark_iter_free(it);
    char *html = cmark_render_html(doc, CMARK_OPT_SAFE);
    cmark_node_free(doc);
    return html;
}
