/* health.c — the routes core serves itself: liveness, readiness, metrics,
 * the OpenAPI document and the pages' assets (core/assets.c). */
#include <event2/buffer.h>
#include <event2/http.h>

#include "core/assets.h"
#include "core/auth.h"
#include "core/embedded.h"
#include "core/gzip.h"
#include "core/metrics.h"
#include "core/module.h"
#include "core/req.h"
#include "core/server.h"
#include "core/worker.h"

static const struct db_stmt core_stmt_readyz = {"core_readyz", "SELECT 1"};

static const struct db_stmt *const statements[] = {&core_stmt_readyz, &auth_stmt_lookup,
                                                   &core_stmt_housekeeping, NULL};

static void core_healthz(struct req *r)
{
    static const char ok[] = "{\"status\":\"ok\"}";
    req_reply_json_text(r, 200, ok, sizeof ok - 1);
}

static void ready_done(struct req *r, enum db_status st, PGresult *res)
{
    static const char ready[] = "{\"status\":\"ready\"}";
    if (st != DB_OK) {
        req_reply_db_error(r, st, res);
        return;
    }
    req_reply_json_text(r, 200, ready, sizeof ready - 1);
}

/* Ready means a database round trip works from this loop's pool. */
static void core_readyz(struct req *r)
{
    req_query(r, &core_stmt_readyz, 0, NULL, ready_done);
}

static void core_metrics(struct req *r)
{
    struct evbuffer *out = evbuffer_new();
    if (out == NULL) {
        req_reply_unavailable(r);
        return;
    }
    metrics_render(out);
    gzip_metrics_render(out);
    server_render_gauges(r->w->srv, out);
    size_t len = evbuffer_get_length(out);
    req_reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8",
                  evbuffer_pullup(out, (ev_ssize_t)len), len);
    evbuffer_free(out);
}

static void core_openapi(struct req *r)
{
    const struct embedded_file *f = embedded_find("services/openapi.json");
    if (f == NULL) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    req_reply_raw(r, 200, "application/json", f->data, f->len);
}

static const struct route routes[] = {
    ROUTE("GET", "/healthz", core_healthz, "core/health.c", AUTH_NONE, BODY_NONE, OUT_JSON),
    ROUTE("GET", "/readyz", core_readyz, "core/health.c", AUTH_NONE, BODY_NONE, OUT_JSON),
    ROUTE("GET", "/metrics", core_metrics, "core/health.c", AUTH_NONE, BODY_NONE, OUT_TEXT),
    ROUTE("GET", "/v1/openapi.json", core_openapi, "core/health.c", AUTH_NONE, BODY_NONE, OUT_JSON),
    /* the pages' stylesheet and script: OUT_HTML, so a browser's Accept
     * (text/css, * / *) is never a 406 */
    ROUTE("GET", "/assets/gess.css", core_asset_css, "core/assets.c", AUTH_NONE, BODY_NONE,
          OUT_HTML),
    ROUTE("GET", "/assets/gess.js", core_asset_js, "core/assets.c", AUTH_NONE, BODY_NONE, OUT_HTML),
    ROUTE_END,
};

static const struct server_task *const tasks[] = {&core_housekeeping_task, NULL};

const struct module core_module = {"core", routes, statements, tasks};
