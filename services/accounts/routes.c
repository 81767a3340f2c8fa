/* routes.c — the accounts module's routes and prepared statements. */
#include "accounts/accounts.h"
#include "core/module.h"
#include "core/req.h"

static const struct route routes[] = {
    ROUTE("POST", "/v1/accounts", accounts_signup, "accounts/signup.c", AUTH_NONE, BODY_JSON,
          OUT_JSON),
    ROUTE("POST", "/v1/tokens", accounts_login, "accounts/login.c", AUTH_NONE, BODY_JSON, OUT_JSON),
    ROUTE("DELETE", "/v1/tokens/current", accounts_logout, "accounts/login.c", AUTH_USER, BODY_NONE,
          OUT_JSON),
    ROUTE("GET", "/v1/me", accounts_me, "accounts/me.c", AUTH_USER, BODY_NONE, OUT_JSON),
    ROUTE("PATCH", "/v1/me", accounts_me_update, "accounts/me.c", AUTH_USER, BODY_JSON, OUT_JSON),
    ROUTE("PUT", "/v1/me/password", accounts_password_set, "accounts/password.c", AUTH_USER,
          BODY_JSON, OUT_JSON),
    ROUTE("PUT", "/v1/accounts/{id}/roles", accounts_roles_set, "accounts/roles.c", AUTH_ADMIN,
          BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/me/export", accounts_export, "accounts/me.c", AUTH_USER, BODY_NONE, OUT_JSON),
    ROUTE("DELETE", "/v1/me", accounts_erase, "accounts/me.c", AUTH_USER, BODY_NONE, OUT_JSON),
    ROUTE("POST", "/v1/email-verifications", accounts_verify_email, "accounts/verify.c", AUTH_NONE,
          BODY_JSON, OUT_JSON),
    /* BODY_OPTIONAL, not BODY_NONE: this POST mails, so a body that is not
     * a JSON object (a client's mistake) is refused rather than ignored */
    ROUTE("POST", "/v1/email-verifications/resend", accounts_verify_resend, "accounts/verify.c",
          AUTH_USER, BODY_OPTIONAL, OUT_JSON),
    ROUTE("POST", "/v1/password-resets", accounts_reset_request, "accounts/reset.c", AUTH_NONE,
          BODY_JSON, OUT_JSON),
    ROUTE("POST", "/v1/password-resets/confirm", accounts_reset_confirm, "accounts/reset.c",
          AUTH_NONE, BODY_JSON, OUT_JSON),
    ROUTE("POST", "/v1/unsubscribe", accounts_unsubscribe, "accounts/unsubscribe.c", AUTH_NONE,
          BODY_FORM, OUT_JSON),
    ROUTE("GET", "/login", accounts_page_login_form, "accounts/pages.c", AUTH_OPTIONAL, BODY_NONE,
          OUT_HTML),
    ROUTE("POST", "/login", accounts_page_login, "accounts/pages.c", AUTH_NONE, BODY_FORM,
          OUT_HTML),
    ROUTE("POST", "/logout", accounts_page_logout, "accounts/pages.c", AUTH_OPTIONAL, BODY_FORM,
          OUT_HTML),
    ROUTE_END,
};

static const struct db_stmt *const statements[] = {
    &accounts_stmt_signup,         &accounts_stmt_signup_begin,
    &accounts_stmt_signup_release, &accounts_stmt_login_begin,
    &accounts_stmt_login_success,  &accounts_stmt_login_release,
    &accounts_stmt_logout,         &accounts_stmt_export,
    &accounts_stmt_erase,          &accounts_stmt_password_begin,
    &accounts_stmt_password_set,   &accounts_stmt_password_release,
    &accounts_stmt_roles_set,      &accounts_stmt_verify_email,
    &accounts_stmt_mail_begin,     &accounts_stmt_verify_resend,
    &accounts_stmt_reset_request,  &accounts_stmt_reset_begin,
    &accounts_stmt_reset_confirm,  &accounts_stmt_me_update,
    &accounts_stmt_unsubscribe,    NULL,
};

const struct module accounts_module = {"accounts", routes, statements, NULL};
