/* test_accept.c — Accept with q-values: specificity, q=0, ties to JSON. */
#include "core/accept.h"
#include "unit.h"

void test_accept(void)
{
    /* no header, or a blank one, accepts anything; JSON wins ties */
    CHECK(accept_choose(NULL, OUT_JSON | OUT_CSV) == OUT_JSON);
    CHECK(accept_choose("  ", OUT_JSON | OUT_ICS) == OUT_JSON);
    CHECK(accept_choose("*/*", OUT_JSON | OUT_CSV) == OUT_JSON);
    CHECK(accept_choose("text/csv", OUT_JSON | OUT_CSV) == OUT_CSV);
    CHECK(accept_choose("text/csv", OUT_JSON) == 0);
    CHECK(accept_choose("image/png", OUT_JSON) == 0);
    /* q=0 means no, however it is written */
    CHECK(accept_choose("text/csv;q=0", OUT_JSON | OUT_CSV) == 0);
    CHECK(accept_choose("text/csv; q=0.000, application/json", OUT_JSON | OUT_CSV) == OUT_JSON);
    CHECK(accept_choose("application/json;q=0, */*", OUT_JSON | OUT_CSV) == OUT_CSV);
    /* the most specific range decides a type's weight */
    CHECK(accept_choose("*/*;q=0.1, text/*;q=0, text/csv;q=0.5", OUT_JSON | OUT_CSV) == OUT_CSV);
    CHECK(accept_choose("text/*", OUT_JSON | OUT_ICS) == OUT_ICS);
    CHECK(accept_choose("application/*;q=0.2, text/calendar;q=0.9", OUT_JSON | OUT_ICS) == OUT_ICS);
    CHECK(accept_choose("application/json;q=0.5, text/csv;q=0.5", OUT_JSON | OUT_CSV) == OUT_JSON);
    /* a browser's header reaches JSON through * / * */
    CHECK(accept_choose("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                        OUT_JSON) == OUT_JSON);
    /* Prometheus asks for text/plain among others */
    CHECK(accept_choose("application/openmetrics-text;version=1.0.0;q=0.5,"
                        "text/plain;version=0.0.4;q=0.4,*/*;q=0.1",
                        OUT_TEXT) == OUT_TEXT);
    /* case-insensitive, parameters other than q ignored */
    CHECK(accept_choose("Application/JSON; charset=utf-8", OUT_JSON) == OUT_JSON);
    /* malformed ranges are skipped, not fatal */
    CHECK(accept_choose("garbage, text/csv", OUT_JSON | OUT_CSV) == OUT_CSV);
    CHECK(accept_choose("text/csv;q=2", OUT_JSON | OUT_CSV) == 0);
    CHECK(accept_choose("text/csv;q=abc, application/json;q=0.1", OUT_JSON | OUT_CSV) == OUT_JSON);
    CHECK(accept_choose(",,,", OUT_JSON) == 0);
    /* Java's HttpURLConnection default: a bare "*" and q=.2 */
    CHECK(accept_choose("text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2", OUT_JSON) ==
          OUT_JSON);
    CHECK(accept_quality("*; q=.2", "application/json") == 200);
    CHECK(accept_quality("text/csv;q=.25", "text/csv") == 250);
    CHECK(accept_quality("text/csv;q=.", "text/csv") == 0);
    CHECK(accept_quality("text/csv;q=.2500", "text/csv") == 0);
    /* equally specific ranges: the lower q counts, whatever the order */
    CHECK(accept_quality("text/csv, text/csv;q=0", "text/csv") == 0);
    CHECK(accept_quality("text/csv;q=0, text/csv", "text/csv") == 0);
    CHECK(accept_quality("text/csv;q=0.25", "text/csv") == 250);
    CHECK(accept_quality("text/csv;q=1.000", "text/csv") == 1000);
    CHECK(accept_quality("text/csv;q=1.001", "text/csv") == 0);
    CHECK(accept_quality("text/csvx", "text/csv") == 0);
    CHECK(accept_quality("text", "text/csv") == 0);
    CHECK_STR(accept_media_type(OUT_ICS), "text/calendar");
    CHECK_STR(accept_format_name(OUT_CSV), "csv");
}
