/* registration.h — registering for an edition: seats, waitlist, approval,
 * cancellation, check-in, lists, CSV and statistics. */
#ifndef GESS_REGISTRATION_H
#define GESS_REGISTRATION_H

#include <jansson.h>

#include "core/db_pool.h"
#include "core/module.h"
#include "core/req.h"
#include "core/router.h"
#include "core/vocab.h"

extern const struct module registration_module;

struct req;

/* create.c */
void registration_create(struct req *r);
/* The body POST /v1/editions/{slug}/registrations takes, checked into v
 * (the API and the register page run this one check). */
void registration_check(struct valid *v, const json_t *body);
/* registration_create's SQL call over r->body (checked by
 * registration_check) for the edition {slug}: a fresh badge code, the
 * Idempotency-Key (NULL: none) and the body's hash; done gets the answer. */
void registration_submit(struct req *r, const char *key, req_db_cb done);
/* registration_create's call alone (a fresh badge code each time), for
 * r->body: batching off, or an item a batch left to be decided alone. */
void registration_send(struct req *r, const char *key, const char *hash, req_db_cb done);
void registration_badge_code(char out[VOCAB_BADGE_LEN + 1]);

/* admission.c: r joins the batch of its edition
 * (core/batch.h); done gets r's own answer, as from registration_send. */
void registration_admit(struct req *r, const char *key, const char *hash, req_db_cb done);

/* badge.c */
void registration_badge_svg(struct req *r);

/* pages_register.c */
void registration_page_register(struct req *r);
void registration_page_register_post(struct req *r);
void registration_page_cancel(struct req *r);
void registration_page_cancel_post(struct req *r);

/* manage.c */
void registration_cancel(struct req *r);
void registration_approve(struct req *r);
void registration_reject(struct req *r);
void registration_set_paid(struct req *r);
void registration_checkin(struct req *r);
/* The checks the API and the pages share: a rejection's optional reason
 * (0 to 1000 characters), and a typed or scanned badge code read into
 * badge in upper case without spaces or dashes (1 to 32 characters). */
const char *registration_reason_read(struct valid *v, const json_t *body);
void registration_badge_read(struct valid *v, const json_t *body, char badge[33]);

/* pages_manage.c, pages_checkin.c: the organizers' pages */
void registration_page_manage(struct req *r);
void registration_page_approve(struct req *r);
void registration_page_reject(struct req *r);
void registration_page_checkin(struct req *r);
void registration_page_checkin_scan(struct req *r);
/* stats_chart.c: one bar chart's geometry (a JSON object) over the counts
 * of stats (an object of code: count), labelled by page string
 * <prefix>.<code> (the code itself when there is none). */
json_t *registration_stats_chart(struct req *r, const json_t *counts, const char *prefix);

/* lists.c */
/* The organizers' list filters, read from the query as GET
 * /v1/editions/{slug}/registrations takes them (each NULL: any), and its
 * page; false with v's errors when one is not what the list takes. The
 * API's list and the organizers' page read them the same way; form: the
 * page's GET form, whose fields left at "any" arrive empty. */
struct registration_filters {
    const char *status, *category, *mode, *sector, *checked_in;
    struct page page;
};
bool registration_filters_read(struct req *r, struct valid *v, struct registration_filters *f,
                               bool form);
void registration_list_mine(struct req *r);
void registration_list_edition(struct req *r);
void registration_stats(struct req *r);

extern const struct db_stmt registration_stmt_create, registration_stmt_admit,
    registration_stmt_cancel, registration_stmt_decide, registration_stmt_set_paid,
    registration_stmt_checkin, registration_stmt_list_mine, registration_stmt_list_edition,
    registration_stmt_list_edition_csv, registration_stmt_stats, registration_stmt_badge,
    registration_stmt_page_register, registration_stmt_page_cancel, registration_stmt_page_manage,
    registration_stmt_page_checkin;

#endif
