/* attach_ics.h — the .ics attached to registration mail: the edition as
 * one all-day event. */
#ifndef GESS_MAIL_ATTACH_ICS_H
#define GESS_MAIL_ATTACH_ICS_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

/* ics_edition (core/ics_edition.h) under the mail's name: the edition
 * as one all-day event, as core/ics_edition.h says. */
char *mail_ics_edition(const json_t *edition, time_t now, size_t *len)
    __attribute__((warn_unused_result));

#endif
