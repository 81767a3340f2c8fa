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

/* A flow's refusal on the way, on page `name`: too-many-requests is the
 * page again with 429 and data {throttled, form} (form stolen, may be
 * NULL); unauthorized (the account went meanwhile) 303 to /login;
 * anything else the error page of the slug's status. */
void accounts_page_problem(struct req *r, const char *name, json_t *form, const char *slug);

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
