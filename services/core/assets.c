/* assets.c — the joined stylesheet and script, built once from the
 * embedded web/assets/ files and then only read by every loop. */
#include "core/assets.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"
#include "core/etag_cache.h"
#include "core/gzip.h"
#include "core/req.h"

#define ASSETS_DIR "web/assets/"

struct joined {
    char *data;
    size_t len;
    char etag[40]; /* "\"<hex>\"" */
    /* the same bytes gzipped once at start (core/gzip.h), and their tag */
    unsigned char *gz;
    size_t gz_len;
    char etag_gz[48];
};

static struct joined css, js;
static char version[17];

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int by_name(const void *a, const void *b)
{
    const struct embedded_file *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

/* Joins the files under web/assets/ ending in ext, in name order, each
 * ended by a newline so one file's last line never runs into the next. */
static bool join(const struct embedded_file *files, const char *ext, struct joined *out)
{
    size_t n = 0, len = 0;
    for (const struct embedded_file *f = files; f->name != NULL; f++)
        if (strncmp(f->name, ASSETS_DIR, strlen(ASSETS_DIR)) == 0 && ends_with(f->name, ext))
            n++;
    const struct embedded_file **list = calloc(n ? n : 1, sizeof *list);
    if (list == NULL)
        return false;
    n = 0;
    for (const struct embedded_file *f = files; f->name != NULL; f++)
        if (strncmp(f->name, ASSETS_DIR, strlen(ASSETS_DIR)) == 0 && ends_with(f->name, ext)) {
            list[n++] = f;
            len += f->len + 1;
        }
    qsort(list, n, sizeof *list, by_name);
    out->data = malloc(len + 1);
    if (out->data == NULL) {
        free(list);
        return false;
    }
    out->len = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(out->data + out->len, list[i]->data, list[i]->len);
        out->len += list[i]->len;
        out->data[out->len++] = '\n';
    }
    out->data[out->len] = '\0';
    free(list);
    unsigned char h[8];
    char hex[17];
    crypto_generichash(h, sizeof h, (const unsigned char *)out->data, out->len, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(out->etag, sizeof out->etag, "\"%s\"", hex);
    snprintf(out->etag_gz, sizeof out->etag_gz, "\"%s-gzip\"", hex);
    out->gz = gzip_compress(out->data, out->len, &out->gz_len);
    return out->gz != NULL;
}

bool assets_init(void)
{
    return assets_init_files(embedded_files);
}

bool assets_init_files(const struct embedded_file *files)
{
    assets_shutdown();
    if (!join(files, ".css", &css) || !join(files, ".js", &js)) {
        assets_shutdown();
        return false;
    }
    crypto_generichash_state st;
    unsigned char h[8];
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)css.etag, strlen(css.etag));
    crypto_generichash_update(&st, (const unsigned char *)js.etag, strlen(js.etag));
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(version, sizeof version, h, sizeof h);
    return true;
}

void assets_shutdown(void)
{
    free(css.data);
    free(js.data);
    free(css.gz);
    free(js.gz);
    memset(&css, 0, sizeof css);
    memset(&js, 0, sizeof js);
    version[0] = '\0';
}

const char *assets_version(void)
{
    return version;
}

const char *assets_get(const char *name, size_t *len)
{
    const struct joined *j = strcmp(name, "gess.css") == 0  ? &css
                             : strcmp(name, "gess.js") == 0 ? &js
                                                            : NULL;
    if (j == NULL || j->data == NULL)
        return NULL;
    *len = j->len;
    return j->data;
}

static void serve(struct req *r, const struct joined *j, const char *type)
{
    if (j->data == NULL) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    const char *v = req_query_param(r, "v");
    bool gz = gzip_choose(r, type, j->len);
    const char *etag = gz ? j->etag_gz : j->etag;
    req_add_header(r, "ETag", etag);
    req_add_header(r, "Cache-Control",
                   v != NULL && version[0] != '\0' && strcmp(v, version) == 0
                       ? "public, max-age=31536000, immutable"
                       : "no-cache");
    req_add_header(r, "X-Content-Type-Options", "nosniff");
    const char *inm = req_header(r, "If-None-Match");
    if (inm != NULL && etag_cache_matches(inm, etag)) {
        req_reply_empty(r, 304);
        return;
    }
    if (gz) {
        req_add_header(r, "Content-Encoding", "gzip");
        gzip_count(j->len, j->gz_len);
        req_reply_raw(r, 200, type, j->gz, j->gz_len);
        return;
    }
    req_reply_raw(r, 200, type, j->data, j->len);
}

void core_asset_css(struct req *r)
{
    serve(r, &css, "text/css; charset=utf-8");
}

void core_asset_js(struct req *r)
{
    serve(r, &js, "text/javascript; charset=utf-8");
}
