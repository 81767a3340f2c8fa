/* page_form.h — what every page form shares, whatever its domain: a form
 * member copied into the API's body, a checkbox, a code as a section
 * flag, the form read and checked, a function's (status, problem, body)
 * answer read for a page, and the role a staff page needs (DESIGN.md §9:
 * each page runs the API's own checks and SQL; only the answers are
 * pages). r->lang is the page's language (page_begin). */
#ifndef GESS_PAGE_FORM_H
#define GESS_PAGE_FORM_H

#include <jansson.h>
#include <stdbool.h>

#include "core/db_pool.h"
#include "core/req.h"
#include "core/valid.h"

/* A form member (a string) copied into the API body to when not empty:
 * an empty field is an absent member, as a browser sends an unfilled one. */
void page_form_copy(json_t *to, const json_t *form, const char *field);

/* A checkbox: true when the form has the member (a browser sends a checked
 * box as name=value and leaves an unchecked one out). */
bool page_form_checked(const json_t *form, const char *field);

/* {"<value>": true} for a section to test, or null when value is NULL. */
json_t *page_form_is(const char *value);

/* 422: page `name` again with values {invalid, form} (form stolen: what was
 * typed, never a password) and v's errors next to their fields (frees v). */
void page_form_refused(struct req *r, const char *name, json_t *form, struct valid *v);

/* A flow's last answer (status, problem, body) read: false when it has
 * answered (the error page of a database error or of a broken answer),
 * else *status, *problem (NULL on success) and v holding the refusals of
 * a validation-failed body (v initialised here, in the page's language;
 * the caller frees it or hands it to page_form_refused). */
bool page_form_outcome(struct req *r, enum db_status st, PGresult *res, int *status,
                       const char **problem, struct valid *v) __attribute__((warn_unused_result));

/* page_form_outcome for a form that has nothing to say about a refusal:
 * true on success (the body is req_sql_body(res)); otherwise the error
 * page of the refusal's status (or of the database error) has been
 * answered and false is returned. */
bool page_form_succeeded(struct req *r, enum db_status st, PGresult *res)
    __attribute__((warn_unused_result));

/* The form read into the API's body: body (stolen) replaces r->body, and
 * check (one of the flows' checks) runs on it in the page's language;
 * true when it passed, else invalid answered with its refusals (and has
 * freed them) and false. */
bool page_form_body(struct req *r, json_t *body, void (*check)(struct valid *v, const json_t *body),
                    void (*invalid)(struct req *r, struct valid *v))
    __attribute__((warn_unused_result));

/* A staff page's gate: true when the caller holds one of roles (ROLE_*
 * bits of core/req.h; admin implies the others), else the 403 page is
 * answered and false returned. */
bool page_require_role(struct req *r, unsigned roles) __attribute__((warn_unused_result));

#endif
