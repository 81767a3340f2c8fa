/* test_markdown.c — a case's Markdown through libcmark's safe mode
 * (services/practices/markdown.c): script tags, raw HTML and javascript:
 * or data: links never reach the page; Spanish text and ordinary Markdown
 * survive; headings start at the level asked for. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "practices/practices.h"
#include "unit.h"

static char *md(const char *src, int level)
{
    return practices_markdown_html(src, strlen(src), level);
}

static void check_has(const char *html, const char *want)
{
    CHECK(html != NULL && strstr(html, want) != NULL);
    if (html != NULL && strstr(html, want) == NULL)
        fprintf(stderr, "  wanted %s in: %s\n", want, html);
}

static void check_lacks(const char *html, const char *bad)
{
    CHECK(html != NULL && strstr(html, bad) == NULL);
    if (html != NULL && strstr(html, bad) != NULL)
        fprintf(stderr, "  did not want %s in: %s\n", bad, html);
}

void test_markdown(void)
{
    char *h = md("Hola <script>alert(1)</script> mundo\n\n<script>\nalert(2)\n</script>\n", 3);
    check_lacks(h, "<script");
    check_lacks(h, "alert(2)");
    check_has(h, "Hola");
    free(h);

    h = md("<div onclick=\"x()\">bloque</div>\n\ntexto <b onmouseover=\"y()\">negrita</b> "
           "<img src=x onerror=alert(1)>\n",
           3);
    check_lacks(h, "<div");
    check_lacks(h, "<b ");
    check_lacks(h, "<img");
    check_lacks(h, "onclick");
    check_lacks(h, "onerror");
    check_has(h, "raw HTML omitted");
    free(h);

    h = md("[clic](javascript:alert(1)) [otro](JAVASCRIPT:alert(1)) "
           "[datos](data:text/html;base64,PHNjcmlwdD4=) ![img](javascript:x) "
           "[bien](https://gess.pe/casos?a=1&b=2)\n",
           3);
    check_lacks(h, "javascript:");
    check_lacks(h, "JAVASCRIPT:");
    check_lacks(h, "data:text/html");
    check_has(h, "<a href=\"\">clic</a>");
    check_has(h, "<a href=\"https://gess.pe/casos?a=1&amp;b=2\">bien</a>");
    free(h);

    /* Spanish survives as written; text is escaped */
    h = md("**Mesa de diálogo** en Moquegua: «confianza que une», año 2026, señal & "
           "niñez < 5 años.\n\n- minería\n- gestión social\n",
           3);
    check_has(h, "<strong>Mesa de diálogo</strong> en Moquegua: «confianza que une», año 2026");
    check_has(h, "señal &amp; niñez &lt; 5 años.");
    check_has(h, "<li>minería</li>");
    free(h);

    /* headings start at the level asked for, never past h6 */
    h = md("# Antecedentes\n\n## Detalle\n\n###### Hondo\n", 3);
    check_has(h, "<h3>Antecedentes</h3>");
    check_has(h, "<h4>Detalle</h4>");
    check_has(h, "<h6>Hondo</h6>");
    check_lacks(h, "<h1");
    free(h);

    /* empty text: empty output, not NULL */
    h = md("", 3);
    CHECK(h != NULL && h[0] == '\0');
    free(h);
}

/* The search snippet as parts (services/practices/pages.c): the marks
 * become flags, SQL's entities are undone (the template escapes again),
 * and a stray or unclosed <mark> is only text. */
void test_snippet_parts(void)
{
    json_t *p = practices_snippet_parts(
        "Mesa de <mark>diálogo</mark> &amp; &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; "
        "&quot;<mark>minería</mark>&quot;");
    CHECK(json_array_size(p) == 5);
    CHECK_STR(json_string_value(json_object_get(json_array_get(p, 0), "text")), "Mesa de ");
    CHECK(json_is_false(json_object_get(json_array_get(p, 0), "mark")));
    CHECK_STR(json_string_value(json_object_get(json_array_get(p, 1), "text")), "diálogo");
    CHECK(json_is_true(json_object_get(json_array_get(p, 1), "mark")));
    CHECK_STR(json_string_value(json_object_get(json_array_get(p, 2), "text")),
              " & <script>alert('x')</script> \"");
    CHECK_STR(json_string_value(json_object_get(json_array_get(p, 3), "text")), "minería");
    CHECK_STR(json_string_value(json_object_get(json_array_get(p, 4), "text")), "\"");
    json_decref(p);
    p = practices_snippet_parts("sin cierre <mark>abierto");
    CHECK(json_array_size(p) == 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(p, 0), "text")),
              "sin cierre <mark>abierto");
    json_decref(p);
    p = practices_snippet_parts(NULL);
    CHECK(p != NULL && json_array_size(p) == 0);
    json_decref(p);
}
