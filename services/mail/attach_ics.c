/* attach_ics.c — the edition .ics of registration mail: core's one way
 * an edition becomes an all-day event (core/ics_edition.c), which GET
 * /v1/editions/{slug}?format=ics answers too. */
#include "mail/attach_ics.h"

#include "core/ics_edition.h"

char *mail_ics_edition(const json_t *edition, time_t now, size_t *len)
{
    return ics_edition(edition, now, len);
}
