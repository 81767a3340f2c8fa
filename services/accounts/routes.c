/* routes.c — the accounts module's routes and prepared statements. */
#include "accounts/accounts.h"
#include "core/req.h"

const struct route accounts_routes[] = {
    {"POST", "/v1/accounts", accounts_signup, AUTH_NONE, BODY_JSON, OUT_JSON},
    {"POST", "/v1/tokens", accounts_login, AUTH_NONE, BODY_JSON, OUT_JSON},
    {"DELETE", "/v1/tokens/current", accounts_logout, AUTH_USER, BODY_NONE, OUT_JSON},
    {"GET", "/v1/me", accounts_me, AUTH_USER, BODY_NONE, OUT_JSON},
    {"PUT", "/v1/me/password", accounts_password_change, AUTH_USER, BODY_JSON, OUT_JSON},
    {"PUT", "/v1/accounts/{id}/roles", accounts_roles_set, AUTH_ADMIN, BODY_JSON, OUT_JSON},
    {"GET", "/v1/me/export", accounts_export, AUTH_USER, BODY_NONE, OUT_JSON},
    {"DELETE", "/v1/me", accounts_erase, AUTH_USER, BODY_NONE, OUT_JSON},
    {NULL, NULL, NULL, AUTH_NONE, BODY_NONE, OUT_JSON},
};

const struct db_stmt *const accounts_stmts[] = {
    &accounts_stmt_signup,           &accounts_stmt_login_begin,
    &accounts_stmt_login_success,    &accounts_stmt_login_release,
    &accounts_stmt_logout,           &accounts_stmt_password_get,
    &accounts_stmt_password_set,     &accounts_stmt_roles_set,
    &accounts_stmt_export,           &accounts_stmt_erase,
    &accounts_stmt_password_release, &accounts_stmt_signup_begin,
    &accounts_stmt_signup_release,   NULL,
};
