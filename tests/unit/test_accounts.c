/* test_accounts.c — the password policy and token helpers. */
#include "accounts/accounts.h"
#include "core/auth.h"
#include "core/req.h"
#include "unit.h"

void test_accounts(void)
{
    long limit = 0;
    CHECK(accounts_password_policy("password123", "a@b.pe", "Ana", &limit) == MSG_WEAK_PASSWORD);
    CHECK(accounts_password_policy("qwertyuiop12", "a@b.pe", "Ana", &limit) == MSG_WEAK_PASSWORD);
    CHECK(accounts_password_policy("short", "a@b.pe", "Ana", &limit) == MSG_TOO_SHORT);
    CHECK(limit == 10);
    char longpw[130];
    memset(longpw, 'x', 129);
    longpw[129] = '\0';
    CHECK(accounts_password_policy(longpw, "a@b.pe", "Ana", &limit) == MSG_TOO_LONG);
    CHECK(limit == 128);
    CHECK(accounts_password_policy("ConfianzaQueUne2026", "a@b.pe", "Ana", &limit) == MSG_COUNT);
    /* the person's own name is not a strong password */
    CHECK(accounts_password_policy("tamikohasegawa", "tamiko@gess.pe", "Tamiko Hasegawa", &limit) ==
          MSG_WEAK_PASSWORD);

    char token[AUTH_TOKEN_LEN + 1], hash[65], again[65];
    auth_token_new(token, hash);
    CHECK(strlen(token) == AUTH_TOKEN_LEN && strlen(hash) == 64);
    CHECK(auth_token_hash(token, again));
    CHECK_STR(hash, again);
    CHECK(!auth_token_hash("short", again));
    CHECK(!auth_token_hash("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!", again));

    CHECK(auth_roles_parse("{}") == 0);
    CHECK(auth_roles_parse("{organizer}") == ROLE_ORGANIZER);
    CHECK(auth_roles_parse("{admin}") ==
          (ROLE_ADMIN | ROLE_ORGANIZER | ROLE_FOLLOWUP | ROLE_CURATOR));
    CHECK(auth_roles_parse("{curator}") == ROLE_CURATOR);
}
