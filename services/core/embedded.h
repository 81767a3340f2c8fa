/* embedded.h — files compiled into gessd (tools/embed.sh): the schema
 * migrations and the OpenAPI document. */
#ifndef GESS_EMBEDDED_H
#define GESS_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
    const char *name;          /* repository path, e.g. schema/migrations/0013_baseline.sql */
    const unsigned char *data; /* NUL-terminated */
    size_t len;
};

/* In repository order; ended by an entry whose name is NULL. */
extern const struct embedded_file embedded_files[];

/* The file with this path, or NULL. */
const struct embedded_file *embedded_find(const char *name);

#endif
