/* registration.h — registering for an edition: seats, waitlist, approval,
 * cancellation, check-in, lists, CSV and statistics. */
#ifndef GESS_REGISTRATION_H
#define GESS_REGISTRATION_H

#include "core/db_pool.h"
#include "core/module.h"
#include "core/router.h"

extern const struct module registration_module;

struct req;

/* create.c */
void registration_create(struct req *r);

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
    registration_stmt_stats;

#endif
