/* health.c — the routes core serves itself: liveness, readiness, metrics
 * and the OpenAPI document. */
#include <event2/buffer.h>
#include <event2/http.h>

#include "core/auth.h"
#include "core/embedded.h"
#include "core/metrics.h"
#include "core/req.h"
#include "core/server.h"
#include "core/worker.h"

static const struct db_stmt stmt_ready = {"readyz", "SELECT 1"};

const struct db_stmt *const core_stmts[] = {&stmt_ready, &auth_stmt_lookup, &core_stmt_housekeeping,
                                            NULL};

static void healthz(struct req *r)
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
static void readyz(struct req *r)
{
    req_query(r, &stmt_ready, 0, NULL, ready_done);
}

static void metrics(struct req *r)
{
    struct evbuffer *out = evbuffer_new();
    if (out == NULL) {
        req_reply_unavailable(r);
        return;
    }
    metrics_render(out);
    server_render_gauges(r->w->srv, out);
    size_t len = evbuffer_get_length(out);
    req_reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8",
                  evbuffer_pullup(out, (ev_ssize_t)len), len);
    evbuffer_free(out);
}

static void openapi(struct req *r)
{
    const struct embedded_file *f = embedded_find("services/openapi.json");
    if (f == NULL) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    req_reply_raw(r, 200, "application/json", f->data, f->len);
}

const struct route core_routes[] = {
    {"GET", "/healthz", healthz, AUTH_NONE, BODY_NONE, OUT_JSON},
    {"GET", "/readyz", readyz, AUTH_NONE, BODY_NONE, OUT_JSON},
    {"GET", "/metrics", metrics, AUTH_NONE, BODY_NONE, OUT_TEXT},
    {"GET", "/v1/openapi.json", openapi, AUTH_NONE, BODY_NONE, OUT_JSON},
    {NULL, NULL, NULL, AUTH_NONE, BODY_NONE, OUT_JSON},
};
