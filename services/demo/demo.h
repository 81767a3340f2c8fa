/* demo.h — `gessd demo`: the demo data set (the GESS 2026 edition and its
 * pacts, drawn from ../shared/context), loaded idempotently. */
#ifndef GESS_DEMO_H
#define GESS_DEMO_H

struct config;

/* argv[0] is "demo"; argv[1] may be "--if-empty" (load only when the
 * database has no editions but the demo's: `make run` on first start).
 * Migrates first. Returns the process exit code. */
int demo_load_cli(const struct config *cfg, int argc, char **argv);

#endif
