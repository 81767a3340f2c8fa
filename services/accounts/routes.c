/* routes.c — the accounts module's routes and prepared statements. */
#include "accounts/accounts.h"
#include "core/req.h"

const struct route accounts_routes[] = {
    {"POST", "/v1/accounts", accounts_signup, AUTH_NONE, true},
    {"POST", "/v1/tokens", accounts_login, AUTH_NONE, true},
    {"DELETE", "/v1/tokens/current", accounts_logout, AUTH_USER, false},
    {"GET", "/v1/me", accounts_me, AUTH_USER, false},
    {"PUT", "/v1/me/password", accounts_password_change, AUTH_USER, true},
    {"PUT", "/v1/accounts/{id}/roles", accounts_roles_set, AUTH_ADMIN, true},
    {NULL, NULL, NULL, AUTH_NONE, false},
};

const struct db_stmt *const accounts_stmts[] = {
    &accounts_stmt_signup,       &accounts_stmt_login_begin,  &accounts_stmt_login_success, &accounts_stmt_login_release,
    &accounts_stmt_logout,       &accounts_stmt_password_get, &accounts_stmt_password_set,
    &accounts_stmt_roles_set,    NULL,
};
