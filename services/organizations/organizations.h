/* organizations.h — organizations as records (name, sector, tax id, region) that pacts,
 * accounts and speakers refer to. */
#ifndef GESS_ORGANIZATIONS_ORGANIZATIONS_H
#define GESS_ORGANIZATIONS_ORGANIZATIONS_H

#include "core/db_pool.h"
#include "core/module.h"
#include "core/router.h"
#include "core/valid.h"

extern const struct module organizations_module;

struct req;

/* organizations.c */
extern const struct db_stmt organizations_stmt_create, organizations_stmt_list,
    organizations_stmt_get, organizations_stmt_patch;
void organizations_create(struct req *r);
/* The checked members of an organization body (valid_body_fn). */
json_t *organizations_fields(struct valid *v, const json_t *body, bool create);
void organizations_list(struct req *r);
void organizations_get(struct req *r);
void organizations_patch(struct req *r);

#endif
