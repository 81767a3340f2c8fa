/* test_tmpl.c — the template engine (core/tmpl.c): every construct, every
 * escaping context, compile errors with their positions, the nesting
 * bound, the header-injection rule; and the mail layer on top of it
 * (services/mail/render.c), whose templates are the embedded web/mail. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/tmpl.h"
#include "unit.h"

/* Partials for the tests: "name" → source. */
static const char *const partials[][2] = {
    {"greet", "Hola {{name}}"},
    {"self", "x{{>self}}"},
    {"link", "<a href=\"{{url}}\">{{label}}</a>"},
    {"broken", "ok\n  {{#open}}"},
    {"attr", " title=\"{{name}}\""},
};

static const char *resolve(void *arg, const char *name, size_t *len, const char **file)
{
    (void)arg;
    (void)file;
    for (size_t i = 0; i < sizeof partials / sizeof partials[0]; i++)
        if (strcmp(partials[i][0], name) == 0) {
            *len = strlen(partials[i][1]);
            return partials[i][1];
        }
    return NULL;
}

static const char *ctx_json =
    "{\"name\": \"Ana <b>&\\\"'\", \"n\": 3, \"r\": 2.5, \"whole\": 4.0, \"yes\": true,"
    " \"no\": false, \"nil\": null, \"empty\": \"\", \"list\": [1, 2, 3], \"none\": [],"
    " \"people\": [{\"name\": \"a\"}, {\"name\": \"b\", \"x\": 1}],"
    " \"a\": {\"b\": {\"c\": \"deep\"}, \"name\": \"inner\"},"
    " \"url\": \"https://e.org/?q=1&r=2\", \"bad\": \"javascript:alert(1)\","
    " \"rel\": \"/verify?t=1\", \"mail\": \"MAILTO:x@y.org\", \"proto\": \"//evil.org\","
    " \"proto2\": \"/\\t\\\\evil.org\","
    " \"token\": \"a b&c/d\", \"label\": \"<go>\", \"ctl\": \"a\\r\\nBcc: x\\u0001\\tz\\u0085!\"}";

/* Compiles src in mode and renders it over ctx_json; the output (malloc'd)
 * or NULL with the compile error in err. */
static char *run(const char *src, enum tmpl_mode mode, char *err, size_t errlen)
{
    struct tmpl *t = tmpl_compile("t", src, strlen(src), mode, resolve, NULL, err, errlen);
    if (t == NULL)
        return NULL;
    json_t *ctx = json_loads(ctx_json, 0, NULL);
    char *out = NULL;
    if (ctx == NULL || !tmpl_render(t, ctx, &out, NULL, err, errlen))
        out = NULL;
    json_decref(ctx);
    tmpl_free(t);
    return out;
}

static void expect(const char *src, enum tmpl_mode mode, const char *want)
{
    char err[256] = "";
    char *out = run(src, mode, err, sizeof err);
    if (out == NULL)
        fprintf(stderr, "compile error: %s\n", err);
    CHECK_STR(out, want);
    free(out);
}

/* src must fail to compile with an error that starts with `where`
 * ("t:L:C: ") and mentions `what`. */
static void expect_error(const char *src, enum tmpl_mode mode, const char *where, const char *what)
{
    char err[256] = "";
    char *out = run(src, mode, err, sizeof err);
    CHECK(out == NULL);
    free(out);
    if (strncmp(err, where, strlen(where)) != 0 || strstr(err, what) == NULL)
        fprintf(stderr, "error was: %s (want %s…%s)\n", err, where, what);
    CHECK(strncmp(err, where, strlen(where)) == 0);
    CHECK(strstr(err, what) != NULL);
}

static void constructs(void)
{
    expect("", TMPL_TEXT, "");
    expect("plain } { text", TMPL_TEXT, "plain } { text");
    expect("{{n}} {{ n }} {{r}} {{whole}} {{yes}} {{no}} [{{nil}}] [{{missing}}]", TMPL_TEXT,
           "3 3 2.5 4 true false [] []");
    expect("{{a.b.c}} {{a.name}} [{{a.x.y}}] [{{n.x}}]", TMPL_TEXT, "deep inner [] []");
    expect("[{{a}}] [{{list}}]", TMPL_TEXT, "[] []"); /* objects and arrays: nothing */
    expect("{{#list}}<{{.}}>{{/list}}", TMPL_TEXT, "<1><2><3>");
    expect("{{#people}}{{name}}{{x}};{{/people}}", TMPL_TEXT, "a;b1;");
    /* the stack: an outer name is found from inside, a dotted one is not */
    expect("{{#people}}{{n}}{{/people}}", TMPL_TEXT, "33");
    expect("{{#a}}{{name}}-{{b.c}}{{/a}}", TMPL_TEXT, "inner-deep");
    expect("{{#a}}{{#b}}{{c}}{{name}}{{/b}}{{/a}}", TMPL_TEXT, "deepinner");
    expect("{{#yes}}y{{/yes}}{{#no}}n{{/no}}{{#nil}}x{{/nil}}{{#missing}}m{{/missing}}"
           "{{#none}}e{{/none}}{{#empty}}s{{/empty}}{{#n}}{{.}}{{/n}}",
           TMPL_TEXT, "y3");
    expect("{{^yes}}y{{/yes}}{{^no}}n{{/no}}{{^nil}}x{{/nil}}{{^missing}}m{{/missing}}"
           "{{^none}}e{{/none}}{{^empty}}s{{/empty}}{{^list}}l{{/list}}",
           TMPL_TEXT, "nxmes");
    expect("a{{! a comment {{ with braces }}b", TMPL_TEXT, "ab");
    expect("{{>greet}}!", TMPL_TEXT, "Hola Ana <b>&\"'!");
    expect("{{#people}}{{>greet}} {{/people}}", TMPL_TEXT, "Hola a Hola b ");
    /* standalone section, comment and partial lines leave no blank line */
    expect("a\n{{#yes}}\nb\n{{/yes}}\n  {{! note }}  \nc\n{{#no}}\nd\n{{/no}}\ne", TMPL_TEXT,
           "a\nb\nc\ne");
    expect("a\r\n{{#yes}}\r\nb\r\n{{/yes}}\r\n", TMPL_TEXT, "a\r\nb\r\n");
    expect("a {{#yes}}b{{/yes}}\n", TMPL_TEXT, "a b\n"); /* not alone: kept */
    expect("{{#yes}}\n{{>greet}}\n{{/yes}}\n", TMPL_TEXT, "Hola Ana <b>&\"'");
}

static void escaping(void)
{
    /* a name with <, &, quotes: escaped in HTML, intact in text */
    expect("<p>{{name}}</p>", TMPL_HTML, "<p>Ana &lt;b&gt;&amp;&quot;&#39;</p>");
    expect("{{name}}", TMPL_TEXT, "Ana <b>&\"'");
    expect("<input value=\"{{name}}\" title='{{name}}'>", TMPL_HTML,
           "<input value=\"Ana &lt;b&gt;&amp;&quot;&#39;\" title='Ana &lt;b&gt;&amp;&quot;&#39;'>");
    /* URL attributes: allowed schemes and relative links kept, others "#" */
    expect("<a href=\"{{url}}\">", TMPL_HTML, "<a href=\"https://e.org/?q=1&amp;r=2\">");
    expect("<a href=\"{{rel}}\"><img src=\"{{mail}}\"><form action=\"{{bad}}\">", TMPL_HTML,
           "<a href=\"/verify?t=1\"><img src=\"MAILTO:x@y.org\"><form action=\"#\">");
    expect("<a HREF=' {{proto}}'>{{label}}</a>", TMPL_HTML, "<a HREF=' #'>&lt;go&gt;</a>");
    expect("<a href=\"{{name}}\">", TMPL_HTML, "<a href=\"#\">");
    expect("<a href=\"{{proto2}}\">", TMPL_HTML, "<a href=\"#\">");
    /* later in a URL value: a URL component */
    expect("<a href=\"{{rel}}&amp;x={{token}}\">", TMPL_HTML,
           "<a href=\"/verify?t=1&amp;x=a%20b%26c%2Fd\">");
    expect("<a href=\"/v?token={{token}}\">", TMPL_HTML, "<a href=\"/v?token=a%20b%26c%2Fd\">");
    /* a section before the tag may render nothing: still checked as a start */
    expect("<a href=\"{{#no}}/x{{/no}}{{bad}}\">", TMPL_HTML, "<a href=\"#\">");
    /* sections in a tag, between attributes */
    expect("<input{{#yes}} checked{{/yes}}{{#no}} disabled{{/no}}>", TMPL_HTML, "<input checked>");
    expect("<p{{>attr}}>", TMPL_HTML, "<p title=\"Ana &lt;b&gt;&amp;&quot;&#39;\">");
    /* a partial escapes for where it is included */
    expect("<div>{{>link}}</div>", TMPL_HTML,
           "<div><a href=\"https://e.org/?q=1&amp;r=2\">&lt;go&gt;</a></div>");
    /* after a script or comment ends, text is text again */
    expect("<script>var a = 1 < 2;</script>{{label}}<!-- c -->{{label}}<!DOCTYPE html>", TMPL_HTML,
           "<script>var a = 1 < 2;</script>&lt;go&gt;<!-- c -->&lt;go&gt;<!DOCTYPE html>");
    expect("<style>p{}</STYLE >{{label}}", TMPL_HTML, "<style>p{}</STYLE >&lt;go&gt;");
    expect("a < b {{label}}", TMPL_HTML, "a < b &lt;go&gt;");
    expect("<textarea>{{label}}</textarea>", TMPL_HTML, "<textarea>&lt;go&gt;</textarea>");
    /* text mode drops control characters but \n and \t; subjects those too */
    expect("{{ctl}}", TMPL_TEXT, "a\nBcc: x\tz!");
    expect("Subject: {{ctl}}", TMPL_SUBJECT, "Subject: aBcc: xz!");
    expect("{{label}} {{url}}", TMPL_SUBJECT, "<go> https://e.org/?q=1&r=2");
}

static void errors(void)
{
    expect_error("a {{{name}}}", TMPL_TEXT, "t:1:3: ", "unescaped");
    expect_error("a {{{name}}}", TMPL_SUBJECT, "t:1:3: ", "unescaped");
    expect_error("<a title=\"{{{name}}}\">", TMPL_HTML, "t:1:11: ", "outside HTML text");
    expect_error("<a {{{name}}}>", TMPL_HTML, "t:1:4: ", "outside HTML text");
    expect_error("<script>{{{name}}}</script>", TMPL_HTML, "t:1:9: ", "outside HTML text");
    expect_error("<!-- {{{name}}} -->", TMPL_HTML, "t:1:6: ", "outside HTML text");
    expect_error("x {{{name}}", TMPL_HTML, "t:1:3: ", "unclosed");
    expect_error("{{{a b}}}", TMPL_HTML, "t:1:1: ", "bad tag name");
    expect_error("{{{.}}}", TMPL_HTML, "t:1:1: ", "bad tag name");
    expect_error("a\n {{&name}}", TMPL_HTML, "t:2:2: ", "unescaped");
    expect_error("{{=<% %>=}}", TMPL_TEXT, "t:1:1: ", "delimiters");
    expect_error("x\ny {{name", TMPL_TEXT, "t:2:3: ", "unclosed");
    expect_error("{{a b}}", TMPL_TEXT, "t:1:1: ", "bad tag name");
    expect_error("{{a..b}}", TMPL_TEXT, "t:1:1: ", "bad tag name");
    expect_error("{{}}", TMPL_TEXT, "t:1:1: ", "bad tag name");
    expect_error("\n\n  {{#a}}x", TMPL_TEXT, "t:3:3: ", "never closed");
    expect_error("{{#a}}x{{/b}}", TMPL_TEXT, "t:1:8: ", "closes no open section");
    expect_error("x{{/a}}", TMPL_TEXT, "t:1:2: ", "closes no open section");
    expect_error("{{>nope}}", TMPL_TEXT, "t:1:1: ", "unknown partial");
    expect_error("{{>broken}}", TMPL_TEXT, "broken:2:3: ", "never closed");
    /* partial recursion is bounded */
    expect_error("{{>self}}", TMPL_TEXT, "self:1:2: ", "deeper than 32");
    char deep[32 * 12 + 1] = "", tail[32 * 12 + 1] = "";
    for (int i = 0; i < 33; i++) {
        strcat(i < 16 ? deep : tail, "{{#a}}");
    }
    strcat(deep, tail);
    expect_error(deep, TMPL_TEXT, "t:1:193: ", "deeper than 32");
    /* HTML contexts a value cannot be made safe in */
    expect_error("<script>var x = '{{name}}';</script>", TMPL_HTML, "t:1:18: ", "<script>");
    expect_error("<style>\n{{name}}</style>", TMPL_HTML, "t:2:1: ", "<script>");
    expect_error("<!-- {{name}} -->", TMPL_HTML, "t:1:6: ", "comment");
    expect_error("<a href={{url}}>", TMPL_HTML, "t:1:9: ", "unquoted");
    expect_error("<a title=x{{url}}>", TMPL_HTML, "t:1:11: ", "unquoted");
    expect_error("<a {{name}}>", TMPL_HTML, "t:1:4: ", "inside an HTML tag");
    expect_error("<{{name}}>", TMPL_HTML, "t:1:2: ", "inside an HTML tag");
    expect_error("<a onclick=\"{{name}}\">", TMPL_HTML, "t:1:13: ", "event handler");
    expect_error("<p style=\"color: {{name}}\">", TMPL_HTML, "t:1:18: ", "event handler");
    expect_error("<a href=\"{{#yes}}\">{{/yes}}", TMPL_HTML, "t:1:10: ", "another HTML context");
    expect_error("<a hr{{#yes}}ef{{/yes}}=\"x\">", TMPL_HTML, "t:1:14: ", "split");
    expect_error("<in{{#yes}}put{{/yes}}>", TMPL_HTML, "t:1:12: ", "split");
    /* an attribute name longer than the tokenizer keeps is an event
     * handler's as far as we know, never plain */
    expect_error("<div onwebkitanimationiteration=\"{{name}}\">", TMPL_HTML,
                 "t:1:34: ", "event handler");
    /* "<!-->", "<!--->" and "--!>" end a comment as HTML reads it: the
     * <script> after them is seen */
    expect_error("<!--><script>-->{{name}}</script>", TMPL_HTML, "t:1:17: ", "<script>");
    expect_error("<!---><script>{{name}}</script>", TMPL_HTML, "t:1:15: ", "<script>");
    expect_error("<!-- x --!><script>{{name}}</script>", TMPL_HTML, "t:1:20: ", "<script>");
    expect("<!-->{{label}}<!--->{{label}}<!-- a --!>{{label}}", TMPL_HTML,
           "<!-->&lt;go&gt;<!--->&lt;go&gt;<!-- a --!>&lt;go&gt;");
    expect_error("<!--!>{{name}}-->", TMPL_HTML, "t:1:7: ", "comment"); /* not an end */
    /* a section's body that leaves half an end tag or half a comment's end
     * leaves another context when it does not render */
    expect_error("<script>{{#yes}}</scrip{{/yes}}t>{{name}}", TMPL_HTML,
                 "t:1:", "another HTML context");
    expect_error("<!--{{#yes}}--{{/yes}}><script>{{name}}", TMPL_HTML,
                 "t:1:", "another HTML context");
    expect_error("<!--{{#yes}}x--{{/yes}}!><script>{{name}}", TMPL_HTML,
                 "t:1:", "another HTML context");
    /* attributes no escaping makes safe: a document, a refresh, URL lists */
    expect_error("<iframe srcdoc=\"{{name}}\">", TMPL_HTML, "t:1:17: ", "event handler");
    expect_error("<meta http-equiv=\"refresh\" content=\"{{url}}\">", TMPL_HTML,
                 "t:1:37: ", "event handler");
    expect_error("<a ping=\"{{url}}\">", TMPL_HTML, "t:1:10: ", "event handler");
    expect_error("<link imagesrcset=\"{{url}}\">", TMPL_HTML, "t:1:20: ", "event handler");
    /* the same sources are fine in text mode */
    expect("<script>{{n}}</script>", TMPL_TEXT, "<script>3</script>");
}

static void limits(void)
{
    /* nested sections over an array: bounded work, an error, no hang */
    char src[4096] = "";
    for (int i = 0; i < 20; i++)
        strcat(src, "{{#list}}");
    strcat(src, "x");
    for (int i = 0; i < 20; i++)
        strcat(src, "{{/list}}");
    char err[256] = "";
    char *out = run(src, TMPL_TEXT, err, sizeof err);
    CHECK(out == NULL);
    CHECK(strstr(err, "too much work") != NULL);
    free(out);
    struct tmpl *t = tmpl_compile("n", NULL, 0, TMPL_HTML, NULL, NULL, err, sizeof err);
    CHECK(t != NULL);
    if (t != NULL) {
        CHECK_STR(tmpl_name(t), "n");
        size_t len = 1;
        CHECK(tmpl_render(t, NULL, &out, &len, err, sizeof err));
        CHECK_STR(out, "");
        CHECK(len == 0);
        free(out);
        tmpl_free(t);
    }
}

/* {{{name}}}: trusted fragments, from the raw object only */
static void raw_output(void)
{
    char err[256] = "";
    const char *src = "<p>{{{md}}}|{{{name}}}|{{{n}}}|{{{nope}}}|{{{o.svg}}}|{{name}}</p>";
    struct tmpl *t = tmpl_compile("t", src, strlen(src), TMPL_HTML, resolve, NULL, err, sizeof err);
    CHECK(t != NULL);
    if (t == NULL) {
        fprintf(stderr, "compile error: %s\n", err);
        return;
    }
    json_t *ctx = json_loads(ctx_json, 0, NULL);
    json_t *raw = json_pack("{s:s, s:i, s:{s:s}}", "md", "<em>hi</em>", "n", 3, "o", "svg",
                            "<svg role=\"img\"></svg>");
    char *out = NULL;
    CHECK(tmpl_render_raw(t, ctx, raw, &out, NULL, err, sizeof err));
    /* the data's "name" is never raw; a number or unknown key is nothing */
    CHECK_STR(out, "<p><em>hi</em>||||<svg role=\"img\"></svg>|Ana &lt;b&gt;&amp;&quot;&#39;</p>");
    free(out);
    /* without raw (tmpl_render, mail) every {{{x}}} is nothing */
    CHECK(tmpl_render(t, ctx, &out, NULL, err, sizeof err));
    CHECK_STR(out, "<p>|||||Ana &lt;b&gt;&amp;&quot;&#39;</p>");
    free(out);
    /* raw not an object: nothing */
    json_t *str = json_string("<b>");
    CHECK(tmpl_render_raw(t, ctx, str, &out, NULL, err, sizeof err));
    CHECK_STR(out, "<p>|||||Ana &lt;b&gt;&amp;&quot;&#39;</p>");
    free(out);
    json_decref(str);
    json_decref(raw);
    json_decref(ctx);
    tmpl_free(t);
    /* inside sections and after a tag, text is text */
    expect("<div>{{#yes}}<b>{{{x}}}</b>{{/yes}}</div>", TMPL_HTML, "<div><b></b></div>");
}

void test_tmpl(void)
{
    raw_output();
    constructs();
    escaping();
    errors();
    limits();
}
