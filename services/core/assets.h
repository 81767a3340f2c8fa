/* assets.h — the pages' stylesheet and script: every embedded
 * web/assets/ .css file joined in name order into /assets/gess.css, every
 * web/assets/ .js file into /assets/gess.js (one file each, so a page costs two
 * requests, both cacheable forever under ?v=<assets_version>). */
#ifndef GESS_ASSETS_H
#define GESS_ASSETS_H

#include <stdbool.h>
#include <stddef.h>

struct embedded_file;
struct req;

/* Joins the embedded assets (once, at start-up, before the loops run:
 * core/page.c's page_init calls it). False when out of memory. */
bool assets_init(void) __attribute__((warn_unused_result));

/* assets_init over another table of files (ended by a NULL name): for the
 * unit tests. */
bool assets_init_files(const struct embedded_file *files) __attribute__((warn_unused_result));

void assets_shutdown(void);

/* A short hex hash of both joined files ("" before assets_init): pages
 * link /assets/gess.css?v=<this>, answered immutable while it matches. */
const char *assets_version(void);

/* The joined bytes of "gess.css" or "gess.js" (NULL for another name or
 * before assets_init), *len set. */
const char *assets_get(const char *name, size_t *len);

/* GET /assets/gess.css and /assets/gess.js: ETag, If-None-Match → 304,
 * Cache-Control immutable for a year when ?v= is the current version,
 * else no-cache. */
void core_asset_css(struct req *r);
void core_asset_js(struct req *r);

#endif
