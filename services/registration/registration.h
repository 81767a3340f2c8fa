/* registration.h — registering for an edition: seats, waitlist, approval,
 * cancellation, check-in, lists, CSV and statistics. */
#ifndef GESS_REGISTRATION_H
#define GESS_REGISTRATION_H

#include <jansson.h>

#include "core/db_pool.h"
#include "core/module.h"
#include "core/req.h"
#include "core/router.h"

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

/* lists.c */
void registration_list_mine(struct req *r);
void registration_list_edition(struct req *r);
void registration_stats(struct req *r);

extern const struct db_stmt registration_stmt_create, registration_stmt_cancel,
    registration_stmt_decide, registration_stmt_set_paid, registration_stmt_checkin,
    registration_stmt_list_mine, registration_stmt_list_edition, registration_stmt_list_edition_csv,
    registration_stmt_stats, registration_stmt_badge, registration_stmt_page_register,
    registration_stmt_page_cancel;

#endif
