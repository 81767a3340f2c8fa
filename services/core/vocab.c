/* vocab.c — the shared vocabularies (vocab.h). */
#include "core/vocab.h"

#include <stddef.h>

const char *const vocab_sectors[] = {"public",    "private",     "academia", "civil_society",
                                     "community", "cooperation", "media",    NULL};

const char *const vocab_modes[] = {"in_person", "online", NULL};

const char *const vocab_formats[] = {"online", "in_person", "hybrid", NULL};

const char *const vocab_roles[] = {"admin", "organizer", "followup", "curator", NULL};

const char *const vocab_languages[] = {"es", "en", NULL};
