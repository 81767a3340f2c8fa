/* pages_forms.h — the account pages of issue 18 (sign-up, email
 * verification, password reset, /me and /me/data: pages_signup.c,
 * pages_reset.c, pages_me.c) and what their forms share. Each page runs
 * the API's own flow (flows.h) with its form read into the API's body;
 * only the answers are pages. r->lang is the page's language (page_begin),
 * so the flows word their refusals in it. */
#ifndef GESS_ACCOUNTS_PAGES_FORMS_H
#define GESS_ACCOUNTS_PAGES_FORMS_H

#include <jansson.h>
#include <stdbool.h>

#include "core/db_pool.h"
#include "core/req.h"
#include "core/valid.h"

/* A form member (a string) copied into the API body to when not empty:
 * an empty field is an absent member, as a browser sends an unfilled one. */
void accounts_form_copy(json_t *to, const json_t *form, const char *field);

/* The form read into the API's body: body (stolen) replaces r->body, and
 * check (one of the flows' checks) runs on it in the page's language;
 * true when it passed, else invalid answered with its refusals (and has
 * freed them) and false. */
bool accounts_form_body(struct req *r, json_t *body,
                        void (*check)(struct valid *v, const json_t *body),
                        void (*invalid)(struct req *r, struct valid *v))
    __attribute__((warn_unused_result));

/* A checkbox: true when the form has the member (a browser sends a checked
 * box as name=value and leaves an unchecked one out). */
bool accounts_form_checked(const json_t *form, const char *field);

/* {"<value>": true} for a section to test, or null when value is NULL. */
json_t *accounts_form_is(const char *value);

/* 422: page `name` again with values {invalid, form} (form stolen: what was
 * typed, never a password) and v's errors next to their fields (frees v). */
void accounts_page_invalid(struct req *r, const char *name, json_t *form, struct valid *v);

/* A flow's refusal on the way, on page `name`: too-many-requests is the
 * page again with 429 and data {throttled, form} (form stolen, may be
 * NULL); unauthorized (the account went meanwhile) 303 to /login;
 * anything else the error page of the slug's status. */
void accounts_page_problem(struct req *r, const char *name, json_t *form, const char *slug);

/* A flow's last answer (status, problem, body) read: false when it has
 * answered (the error page of a database error or of a broken answer),
 * else *status, *problem (NULL on success) and v holding the refusals of
 * a validation-failed body (v initialised here, in the page's language;
 * the caller frees it or hands it to accounts_page_invalid). */
bool accounts_page_outcome(struct req *r, enum db_status st, PGresult *res, int *status,
                           const char **problem, struct valid *v)
    __attribute__((warn_unused_result));

/* Handlers (routes.c wires them), by the file that defines them. */
/* pages_signup.c */
void accounts_page_signup_form(struct req *r);
void accounts_page_signup(struct req *r);
void accounts_page_signup_done(struct req *r);
void accounts_page_verify_email(struct req *r);
void accounts_page_verify_resend(struct req *r);
/* pages_reset.c */
void accounts_page_forgot_form(struct req *r);
void accounts_page_forgot(struct req *r);
void accounts_page_forgot_sent(struct req *r);
void accounts_page_reset_form(struct req *r);
void accounts_page_reset(struct req *r);
/* pages_me.c */
void accounts_page_me(struct req *r);
void accounts_page_me_update(struct req *r);
void accounts_page_me_data(struct req *r);
void accounts_page_erase(struct req *r);

extern const struct db_stmt accounts_stmt_page_me;

#endif
