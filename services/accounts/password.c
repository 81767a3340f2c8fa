/* password.c — the password policy. Strength comes from zxcvbn (Debian's
 * libzxcvbn), which knows common passwords, keyboard walks, dates and
 * l33t substitutions: a home-made list would not. */
#include <string.h>
#include <zxcvbn.h>

#include "accounts/accounts.h"
#include "core/valid.h"

#define PASSWORD_MIN 10
#define PASSWORD_MAX 128
/* zxcvbn's score 3 starts at 10^8 guesses: log2(1e8) bits of entropy. */
#define MIN_ENTROPY_BITS 26.5754

enum valid_msg accounts_password_policy(const char *password, const char *email,
                                        const char *full_name, long *limit)
{
    size_t n = valid_utf8_chars(password);
    if (n < PASSWORD_MIN) {
        *limit = PASSWORD_MIN;
        return MSG_TOO_SHORT;
    }
    if (n > PASSWORD_MAX) {
        *limit = PASSWORD_MAX;
        return MSG_TOO_LONG;
    }
    /* The person's own details are the first thing an attacker tries. */
    char local[256] = "";
    if (email != NULL) {
        size_t at = strcspn(email, "@");
        if (at < sizeof local) {
            memcpy(local, email, at);
            local[at] = '\0';
        }
    }
    const char *user[4] = {local, email ? email : "", full_name ? full_name : "", NULL};
    double bits = ZxcvbnMatch(password, user, NULL);
    return bits >= MIN_ENTROPY_BITS ? MSG_COUNT : MSG_WEAK_PASSWORD;
}
