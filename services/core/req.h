/* req.h — the per-request context handed to route handlers, and the only
 * ways to answer. A request is answered exactly once; answering frees the
 * context, so a handler never touches r after a req_reply_* call, nor after
 * req_query()/req_hash() (whose callbacks may already have answered).
 *
 * evhttp 2.1 notices a client that left only when the reply is written
 * (libevent #608): nothing here ever frees the evhttp request itself
 * (libevent #997); when the work finishes we reply as usual and evhttp
 * cleans up. */
#ifndef GESS_REQ_H
#define GESS_REQ_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <time.h>

#include "core/db_pool.h"
#include "core/problem.h"
#include "core/pwhash.h"
#include "core/router.h"
#include "core/valid.h"

struct evhttp_request;
struct evkeyvalq;
struct worker;
struct config;

enum role_bits { ROLE_ADMIN = 1, ROLE_ORGANIZER = 2, ROLE_FOLLOWUP = 4, ROLE_CURATOR = 8 };

struct auth {
    bool ok;
    char account_id[40];
    char token_hash[65];   /* hex of the bearer token's BLAKE2b-256 */
    unsigned roles;        /* effective: admin implies organizer, followup and curator */
    char *me;              /* the caller's account as JSON text, owned */
    bool by_cookie;        /* the token came from the gess_session cookie */
    char cookie_token[44]; /* that token (AUTH_TOKEN_LEN + 1), for the CSRF check */
};

struct req;
typedef void (*req_db_cb)(struct req *r, enum db_status st, PGresult *res);
typedef void (*req_hash_cb)(struct req *r, struct pwhash_job *job);

struct req {
    struct worker *w;
    struct evhttp_request *ev;
    size_t route; /* router index, or (size_t)-1 */
    const struct route *rt;
    const char *method;
    char path[512];
    char id[68];
    char addr[48]; /* the client's address (req_client_addr), PROXY_ADDR_LEN */
    struct timespec started;
    enum lang lang;
    json_t *body;      /* the parsed JSON object, when the route takes one */
    enum out_type out; /* what to answer with, negotiated before the handler */
    struct route_params params;
    struct auth auth;
    req_db_cb db_cb;
    req_hash_cb hash_cb;
    struct evkeyvalq *query; /* parsed on first req_query_param() */
    bool query_malformed;    /* evhttp could not parse it (e.g. "?a&b") */
    const char *page_name;   /* page_query's page (core/page.h) */
    void (*page_fill)(struct req *r, json_t *data, json_t *raw);
    /* core/page_cache.h: offered a 200 render without a CSRF token or a
     * session; true when it answered r (the bytes stay the caller's) */
    bool (*page_keep)(struct req *r, const char *out, size_t len);
    void *data; /* handler state, freed with data_free when the request ends */
    void (*data_free)(void *data);
    struct req *prev, *next; /* the worker's list of live requests */
};

/* The running configuration. */
const struct config *req_config(const struct req *r);

/* A request header, or NULL. */
const char *req_header(const struct req *r, const char *name);

/* The client's address as text ("127.0.0.1"): the socket peer, or behind
 * a trusted proxy the address X-Forwarded-For gives; an IPv6 client by its
 * /64 ("2001:db8:1:2::/64", proxy_addr_key() says why). Every per-address
 * rule uses this and nothing else. */
const char *req_client_addr(const struct req *r);

/* A path parameter by name (always present for a matched route). */
const char *req_param(const struct req *r, const char *name);

/* A query-string parameter (decoded), or NULL. */
const char *req_query_param(struct req *r, const char *name);

/* Every value of a repeated query parameter (?theme=a&theme=b), in order,
 * as a new JSON array of strings; NULL when the parameter is absent (or
 * out of memory). The query has been checked as UTF-8 (query_check). */
json_t *req_query_values(struct req *r, const char *name);

/* The caller's roles, decided once (auth.roles is already effective:
 * admin implies organizer, followup and curator):
 *   req_is_organizer  organizer (or admin);
 *   req_is_followup   followup (or admin);
 *   req_is_curator    curator (or admin): moderates the practices;
 *   req_is_staff      any of them: who sees drafts and private fields of
 *                     pacts, commitments and dashboards;
 *   req_viewer        the caller's account id, NULL when anonymous (SQL
 *                     shows a signed-in caller what is theirs). */
bool req_is_organizer(const struct req *r);
bool req_is_followup(const struct req *r);
bool req_is_curator(const struct req *r);
bool req_is_staff(const struct req *r);
const char *req_viewer(const struct req *r);

/* With require_verified_email, a caller whose address nobody proved is
 * answered 403 email-unverified and true is returned: what would mail
 * them (a registration, an RSVP) must not let anyone make gess write to
 * an address that may not be theirs. */
bool req_refuse_unverified(struct req *r);

/* "true" or "false", for a boolean statement parameter. */
const char *req_sql_bool(bool b);

/* Runs a prepared statement; cb runs on this loop with the result. When the
 * pool refuses (database down, queue full) this answers 503 itself. A
 * parameter that is not UTF-8 never reaches PostgreSQL (where it would be
 * SQLSTATE 22021, a 500): it is logged as the validation gap it is and
 * answered 422. */
void req_query(struct req *r, const struct db_stmt *stmt, int nparams, const char *const *values,
               req_db_cb cb);

/* Hands a hashing job to the thread pool; cb runs on this loop and owns the
 * job, also when job->dropped says the client had gone and nothing was
 * hashed (the caller gives back what it counted, as for a full queue). When
 * the queue is full this returns false and leaves both the job and the
 * answer to the caller. */
bool req_hash_try(struct req *r, struct pwhash_job *job, req_hash_cb cb)
    __attribute__((warn_unused_result));

/* Checks the query string (UTF-8, 422), negotiates the answer's type
 * (r->out, or 406), parses the body the route takes (400, 415), then runs
 * the handler (dispatch and authentication call this). */
void req_run_handler(struct req *r);

/* The answer contract. Every API function returns one row
 * (status integer, problem text, body json), selected in that order:
 *   problem NULL      a success: status 200/201 with body, or 204;
 *   problem a slug    that problem; status must be the problem's own
 *                     (problem.c); body's members (an object, or NULL)
 *                     join the problem document, e.g. the session a
 *                     schedule conflict is with;
 *   validation-failed body is {"errors": [{field, code, arg?}]}, each code
 *                     worded by core's one table (problem_msg_of_code);
 * and anything else (no row, NULL status, a 2xx without body) is a defect
 * of the function: logged and answered 500. req_done_sql answers it as a
 * req_query() callback; a handler that acts on success first (e.g. tells
 * caches) asks req_sql_succeeded(), then passes the result on. */
void req_done_sql(struct req *r, enum db_status st, PGresult *res);
bool req_sql_succeeded(enum db_status st, PGresult *res);

/* req_done_sql for a write whose commit NOTIFYs the caches: on success,
 * first db_listen_note_change(), so this process's caches never answer
 * the writer with what it just changed (a refusal changed nothing). */
void req_done_sql_changed(struct req *r, enum db_status st, PGresult *res);

/* The body column of a contract row (one row), or NULL. */
const char *req_sql_body(PGresult *res);

/* Answers a problem whose extra members are a JSON object's text (NULL:
 * none); members never replace type, title or status. */
void req_reply_problem_members(struct req *r, const char *slug, const char *members);

/* A page of a list (DESIGN.md §5): ?limit= from 1 to 200 (default 50) and
 * ?cursor= of the list's kind, a UUID or a number it handed out. Lives on
 * the handler's stack: db_pool copies parameter values (db_pool.h). */
enum page_cursor { PAGE_CURSOR_UUID, PAGE_CURSOR_NUMBER };
struct page {
    int limit;
    char limit_text[8]; /* limit as a statement parameter */
    const char *cursor; /* NULL for the first page */
};

/* Reads ?limit= and ?cursor= into p; false (with v's errors) when either
 * is not what the list takes. */
bool req_page(struct req *r, struct valid *v, struct page *p, enum page_cursor kind);

/* Renders a calendar (the JSON text core/ics.h takes) and answers it as
 * text/calendar, with Content-Disposition inline when filename is given;
 * 500 when it cannot be rendered. */
void req_reply_ics(struct req *r, const char *calendar_json, const char *filename);

/* For statements answering (problem, body): a problem slug answers that
 * problem, with body's members (a JSON object, when not NULL) added to the
 * problem document (e.g. the session a schedule conflict is with, or
 * `errors` for validation-failed); otherwise body with status (204: no
 * body). No row is 404. */
void req_reply_outcome(struct req *r, enum db_status st, PGresult *res, int status);

/* For statements answering (rows found, JSON text): none found is 404, a
 * JSON text is answered with status; a NULL text (a refusal the caller
 * names) returns false without answering. */
bool req_reply_found(struct req *r, enum db_status st, PGresult *res, int status)
    __attribute__((warn_unused_result));

/* For statements answering one JSON text column: no row or NULL is 404. */
void req_reply_row(struct req *r, enum db_status st, PGresult *res, int status);

/* Ready-made callbacks for req_query():
 *   req_done_row      one JSON text column, 200 (none: 404);
 *   req_done_outcome  (problem, body): 200; req_done_created the same,
 *                     201; req_done_outcome_empty the same, 204;
 *   req_done_empty    204 once the statement succeeded. */
void req_done_row(struct req *r, enum db_status st, PGresult *res);
void req_done_outcome(struct req *r, enum db_status st, PGresult *res);
void req_done_created(struct req *r, enum db_status st, PGresult *res);
void req_done_outcome_empty(struct req *r, enum db_status st, PGresult *res);
void req_done_empty(struct req *r, enum db_status st, PGresult *res);

/* ?limit= as DESIGN.md §5 says (default 50, from 1 to 200); a bad value
 * is recorded in v and 50 returned. */
int req_page_limit(struct req *r, struct valid *v);

/* Answers with a JSON value (stolen). */
void req_reply_json(struct req *r, int status, json_t *body);

/* Answers with JSON text produced elsewhere (e.g. by PostgreSQL). */
void req_reply_json_text(struct req *r, int status, const char *text, size_t len);

/* Answers with arbitrary bytes and content type. */
void req_reply_raw(struct req *r, int status, const char *content_type, const void *data,
                   size_t len);

/* As req_reply_raw, without copying: the reply refers to data until it is
 * written (or the connection is gone), then calls done(data, len, arg) on
 * this loop; done is called also when the reply cannot be made. For bytes
 * held in a cache that outlive the request (refcount them). */
void req_reply_shared(struct req *r, int status, const char *content_type, const void *data,
                      size_t len, void (*done)(const void *data, size_t len, void *arg), void *arg);

/* Answers with no body (204, 304). */
void req_reply_empty(struct req *r, int status);

/* Answers with a problem; detail may be NULL for the standard text. */
void req_reply_problem(struct req *r, const char *slug, const char *detail);

/* Answers a problem with one more string member (e.g. registration_id). */
void req_reply_problem_extra(struct req *r, const char *slug, const char *key, const char *value);

/* Answers 422 validation-failed with v's errors (and frees v). */
void req_reply_invalid(struct req *r, struct valid *v);

/* The end of a handler's validation: true when v holds no error (v is
 * freed); otherwise answers 422 with v's errors and returns false, and the
 * handler returns without touching r. */
bool req_valid_ok(struct req *r, struct valid *v) __attribute__((warn_unused_result));

/* req_valid_ok, then on success req_query(): a handler's usual tail, which
 * answers 422 with v's errors or frees v and runs the statement. values
 * may hold what failed validation; they are read only when v is clean. */
void req_query_valid(struct req *r, struct valid *v, const struct db_stmt *stmt, int nparams,
                     const char *const *values, req_db_cb cb);

/* req_valid_ok for checked fields gathered in out (stolen): out as JSON
 * text by json_dumps(flags), for a statement parameter (the caller frees
 * it), when v holds no error; otherwise NULL after answering 422 with v's
 * errors, or 503 when out is NULL (memory ran out) or cannot be written. */
char *req_valid_json(struct req *r, struct valid *v, json_t *out, size_t flags)
    __attribute__((warn_unused_result));

/* Answers 422 for a single field. */
void req_reply_field(struct req *r, const char *field, enum valid_msg msg);

/* Answers 503 with Retry-After. */
void req_reply_unavailable(struct req *r);

/* Maps a failed query to an answer: 503 when the database is unavailable,
 * else 500 with the error logged. */
void req_reply_db_error(struct req *r, enum db_status st, PGresult *res);

/* Adds a response header (before replying). */
void req_add_header(struct req *r, const char *name, const char *value);

#endif
