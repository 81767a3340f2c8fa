/* dates.h — an edition's span of days as a mail writes it, for the render
 * context key edition_dates. */
#ifndef GESS_MAIL_DATES_H
#define GESS_MAIL_DATES_H

#include <stdbool.h>
#include <stddef.h>

/* starts_on..ends_on (YYYY-MM-DD, ends_on not before starts_on) in lang
 * ("en", anything else Spanish): "13–15 de agosto de 2026",
 * "30 de julio – 2 de agosto de 2026", "30 de diciembre de 2026 – 2 de enero
 * de 2027"; "13–15 August 2026", "30 July – 2 August 2026", …; one day alone
 * when both are the same. False on a bad date or a too small buffer. */
bool mail_dates_span(const char *lang, const char *starts_on, const char *ends_on, char *out,
                     size_t outlen) __attribute__((warn_unused_result));

#endif
