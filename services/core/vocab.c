/* vocab.c — the shared vocabularies (vocab.h). */
#include "core/vocab.h"

#include <stddef.h>
#include <string.h>

const char *const vocab_sectors[] = {"public",    "private",     "academia", "civil_society",
                                     "community", "cooperation", "media",    NULL};

const char *const vocab_modes[] = {"in_person", "online", NULL};

const char *const vocab_formats[] = {"online", "in_person", "hybrid", NULL};

const char *const vocab_roles[] = {"admin", "organizer", "followup", "curator", NULL};

const char *const vocab_languages[] = {"es", "en", NULL};

/* The codes in order, three characters apiece ("AD AE ..."): a binary
 * search over a string that cannot drift from a count kept elsewhere. */
static const char countries[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW";

bool vocab_country_ok(const char *code)
{
    if (code == NULL || strlen(code) != 2)
        return false;
    size_t lo = 0, hi = (sizeof countries) / 3; /* each code and its space (or the NUL) */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strncmp(code, countries + mid * 3, 2);
        if (c == 0)
            return true;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}
