/* editions.h — biennial editions and their registration setup:
 * categories with per-mode capacity and custom questions. */
#ifndef GESS_EDITIONS_H
#define GESS_EDITIONS_H

#include "core/db_pool.h"
#include "core/module.h"
#include "core/router.h"

extern const struct module editions_module;

/* Handlers (routes.c wires them), by the file that defines them. */
struct req;
/* editions.c */
void editions_create(struct req *r);
void editions_list(struct req *r);
void editions_get(struct req *r);
void editions_patch(struct req *r);
void editions_next(struct req *r);
/* page_home.c: GET / and the nav's /programme, /rumbo, /pacts */
void editions_page_home(struct req *r);
void editions_page_manage(struct req *r); /* page_manage.c */
void editions_page_go(struct req *r);
/* page_edition.c: GET /editions/{slug} */
void editions_page_edition(struct req *r);
/* setup.c */
void editions_category_create(struct req *r);
void editions_category_list(struct req *r);
void editions_question_create(struct req *r);
void editions_question_list(struct req *r);

extern const struct db_stmt editions_stmt_create, editions_stmt_list, editions_stmt_get,
    editions_stmt_patch, editions_stmt_next, editions_stmt_category_create,
    editions_stmt_category_list, editions_stmt_question_create, editions_stmt_question_list,
    editions_stmt_page_home, editions_stmt_page_go, editions_stmt_page_edition,
    editions_stmt_page_manage;

#endif
