/* test_page.c — the page layer's start-up (core/page.c): every embedded
 * page template compiles inside the layout, each area's strings have the
 * same keys in es and en and no key is in two areas, and what start-up
 * refuses. */
#include <stdlib.h>

#include "core/embedded.h"
#include "core/page.h"
#include "unit.h"

/* The embedded strings files, checked here apart from page_init's own
 * check: each strings.<area>.es.json has an .en.json with the same keys,
 * recursively. */
static bool keys_equal(const json_t *a, const json_t *b)
{
    if (!json_is_object(a) || !json_is_object(b))
        return json_is_object(a) == json_is_object(b);
    if (json_object_size(a) != json_object_size(b))
        return false;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)a, k, v) {
        if (!keys_equal(v, json_object_get(b, k)))
            return false;
    }
    return true;
}

static void embedded_strings(void)
{
    int areas = 0;
    json_t *seen = json_object();
    for (const struct embedded_file *f = embedded_files; f->name != NULL; f++) {
        size_t n = strlen(f->name);
        if (strncmp(f->name, "web/pages/strings.", 18) != 0 || n < 8 ||
            strcmp(f->name + n - 8, ".es.json") != 0)
            continue;
        areas++;
        char en[256];
        snprintf(en, sizeof en, "%.*s.en.json", (int)(n - 8), f->name);
        const struct embedded_file *g = embedded_find(en);
        CHECK(g != NULL);
        json_t *a = json_loadb((const char *)f->data, f->len, JSON_REJECT_DUPLICATES, NULL);
        json_t *b =
            g ? json_loadb((const char *)g->data, g->len, JSON_REJECT_DUPLICATES, NULL) : NULL;
        CHECK(json_is_object(a) && json_is_object(b));
        bool same = keys_equal(a, b);
        if (!same)
            fprintf(stderr, "%s and %s have different keys\n", f->name, en);
        CHECK(same);
        const char *k;
        json_t *v;
        json_object_foreach(a, k, v) {
            const char *by = json_string_value(json_object_get(seen, k));
            if (by != NULL)
                fprintf(stderr, "key \"%s\" is in %s and %s\n", k, by, f->name);
            CHECK(by == NULL);
            json_object_set_new(seen, k, json_string(f->name));
        }
        json_decref(a);
        json_decref(b);
    }
    CHECK(areas >= 1);
    json_decref(seen);
}

#define FILE_(name, text)                                  \
    {                                                      \
        name, (const unsigned char *)text, sizeof text - 1 \
    }

static const char layout[] = "<html lang=\"{{lang}}\"><title>{{title}}</title>"
                             "<main>{{>content}}</main></html>";

static void startup(void)
{
    char err[512];
    CHECK(page_init(err, sizeof err));
    if (err[0] != '\0')
        fprintf(stderr, "page_init: %s\n", err);
    /* the error page renders over a context with no data */
    json_t *ctx = json_pack("{s:s, s:O, s:{s:s, s:s}}", "lang", "en", "t", page_strings("en"),
                            "data", "title", "<b>T</b>", "message", "m");
    char *out = NULL;
    CHECK(page_render_ctx("error", ctx, NULL, &out));
    CHECK(out != NULL && strstr(out, "&lt;b&gt;T&lt;/b&gt;") != NULL);
    CHECK(out != NULL && strstr(out, "<main id=\"main\"") != NULL);
    CHECK(out != NULL && strstr(out, "href=\"#main\"") != NULL);
    free(out);
    CHECK(!page_render_ctx("no-such-page", ctx, NULL, &out) && out == NULL);
    json_decref(ctx);
    CHECK_STR(
        json_string_value(json_object_get(json_object_get(page_strings("es"), "nav"), "home")),
        "Inicio");
    page_shutdown();

    /* what start-up refuses, each naming the file */
    const struct embedded_file collide[] = {
        FILE_("web/pages/_layout.html", layout),
        FILE_("web/pages/strings.a.es.json", "{\"k\": \"x\"}"),
        FILE_("web/pages/strings.a.en.json", "{\"k\": \"y\"}"),
        FILE_("web/pages/strings.b.es.json", "{\"k\": \"x\"}"),
        FILE_("web/pages/strings.b.en.json", "{\"k\": \"y\"}"),
        {NULL, NULL, 0},
    };
    CHECK(!page_init_files(collide, err, sizeof err));
    CHECK(strstr(err, "strings.b.") != NULL && strstr(err, "area a") != NULL);
    const struct embedded_file differ[] = {
        FILE_("web/pages/strings.a.es.json", "{\"k\": {\"x\": \"1\"}}"),
        FILE_("web/pages/strings.a.en.json", "{\"k\": {\"y\": \"1\"}}"),
        {NULL, NULL, 0},
    };
    CHECK(!page_init_files(differ, err, sizeof err));
    CHECK(strstr(err, "not in both languages") != NULL);
    const struct embedded_file alone[] = {
        FILE_("web/pages/strings.a.es.json", "{}"),
        {NULL, NULL, 0},
    };
    CHECK(!page_init_files(alone, err, sizeof err));
    CHECK(strstr(err, "strings.a.en.json") != NULL);
    const struct embedded_file broken[] = {
        FILE_("web/pages/_layout.html", layout),
        FILE_("web/pages/p.html", "<p>\n<a href={{x}}>"),
        {NULL, NULL, 0},
    };
    CHECK(!page_init_files(broken, err, sizeof err));
    CHECK(strncmp(err, "web/pages/p.html:2:", 19) == 0);
    const struct embedded_file no_layout[] = {
        FILE_("web/pages/p.html", "<p>x</p>"),
        {NULL, NULL, 0},
    };
    CHECK(!page_init_files(no_layout, err, sizeof err));
    CHECK(strstr(err, "_layout.html") != NULL);
    const struct embedded_file ok[] = {
        FILE_("web/pages/_layout.html", layout),
        FILE_("web/pages/_bit.html", "<i>{{data.x}}</i>"),
        FILE_("web/pages/p.html", "<p>{{>bit}}{{{frag}}}</p>"),
        {NULL, NULL, 0},
    };
    CHECK(page_init_files(ok, err, sizeof err));
    ctx = json_pack("{s:s, s:s, s:{s:s}}", "lang", "es", "title", "T", "data", "x", "<y>");
    json_t *raw = json_pack("{s:s}", "frag", "<svg></svg>");
    CHECK(page_render_ctx("p", ctx, raw, &out));
    CHECK_STR(out, "<html lang=\"es\"><title>T</title><main><p><i>&lt;y&gt;</i><svg></svg></p>"
                   "</main></html>");
    free(out);
    json_decref(raw);
    json_decref(ctx);
    page_shutdown();
}

void test_page(void)
{
    embedded_strings();
    startup();
}
