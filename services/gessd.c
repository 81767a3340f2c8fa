/* gessd — the gess server and its operator commands.
 *
 *   gessd [--config FILE] serve          serve HTTP (GESS_LISTEN, GESS_WORKERS)
 *   gessd [--config FILE] migrate        apply schema migrations, reload the function files
 *   gessd [--config FILE] admin create --email E --name N   (password on stdin)
 *   gessd [--config FILE] demo [--if-empty]   load the demo data (idempotent)
 *   gessd [--config FILE] remind         send due pact reminders once
 *   gessd [--config FILE] notify         deliver the outbox (mail, webhooks) until SIGTERM
 *   gessd routes                         print the routes: method, path, handler, file
 *
 * Everything needs only GESS_DATABASE_URL; see config/gess.conf.example. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "app.h"
#include "core/config.h"
#include "core/log.h"
#include "core/migrate.h"
#include "core/page.h"
#include "core/server.h"
#include "demo/demo.h"
#include "followup/followup.h"
#include "notify/notify.h"

/* The usage text stays plain: it answers a person who mistyped a command,
 * at a terminal, before any configuration or log level exists; it reports
 * no event of a running service. Everything that goes wrong after the
 * command line is read is a JSON log line (DESIGN.md §5). */
static int usage(void)
{
    fprintf(stderr,
            "usage: gessd [--config FILE] serve | migrate | demo [--if-empty] | remind | notify |\n"
            "             routes | admin create --email EMAIL --name NAME\n");
    return 2;
}

static int print_routes(void)
{
    struct router rt;
    if (!app_router(&rt))
        return 1;
    for (size_t i = 0; i < rt.n; i++)
        printf("%s %s %s %s\n", rt.routes[i]->method, rt.routes[i]->pattern, rt.routes[i]->name,
               rt.routes[i]->file);
    router_free(&rt);
    return 0;
}

static int serve(const struct config *cfg)
{
    struct router rt;
    char err[512];
    if (!page_init(err, sizeof err)) { /* a broken page template stops serve */
        log_msg(LOG_ERROR, "%s", err);
        return 1;
    }
    if (!app_router(&rt)) {
        page_shutdown();
        return 1;
    }
    const struct db_stmt *const *stmts = app_statements();
    const struct server_task *const *tasks = app_tasks();
    if (stmts == NULL || tasks == NULL) {
        log_msg(LOG_ERROR, "out of memory listing the modules' statements and tasks");
        router_free(&rt);
        page_shutdown();
        return 1;
    }
    int code = server_run(cfg, &rt, stmts, tasks);
    router_free(&rt);
    page_shutdown();
    return code;
}

int main(int argc, char **argv)
{
    /* First of all, so that even libevent's earliest warning is a JSON line. */
    log_libevent_install();
    const char *config_path = NULL;
    int arg = 1;
    if (arg + 1 < argc && strcmp(argv[arg], "--config") == 0) {
        config_path = argv[arg + 1];
        arg += 2;
    }
    if (arg >= argc)
        return usage();
    const char *cmd = argv[arg];
    if (strcmp(cmd, "routes") == 0)
        return print_routes();
    if (strcmp(cmd, "serve") != 0 && strcmp(cmd, "migrate") != 0 && strcmp(cmd, "admin") != 0 &&
        strcmp(cmd, "demo") != 0 && strcmp(cmd, "remind") != 0 && strcmp(cmd, "notify") != 0)
        return usage();
    if (sodium_init() < 0) {
        log_msg(LOG_ERROR, "libsodium failed to initialise");
        return 1;
    }

    struct config cfg;
    char err[512];
    config_defaults(&cfg);
    if (!config_load(&cfg, config_path, err, sizeof err)) {
        log_msg(LOG_ERROR, "%s", err);
        config_free(&cfg);
        return 2;
    }
    log_set_level(cfg.log_level);
    int code;
    if (strcmp(cmd, "serve") == 0) {
        if (arg + 1 != argc)
            code = usage();
        else
            code = serve(&cfg);
    } else if (strcmp(cmd, "migrate") == 0) {
        code = migrate_run(cfg.database_url, err, sizeof err) ? 0 : 1;
        if (code != 0)
            log_msg(LOG_ERROR, "%s", err);
    } else if (strcmp(cmd, "demo") == 0) {
        code = demo_load_cli(&cfg, argc - arg, argv + arg);
    } else if (strcmp(cmd, "notify") == 0) {
        code = notify_cli(&cfg, argc - arg, argv + arg);
    } else if (strcmp(cmd, "remind") == 0) {
        code = followup_remind_cli(&cfg, argc - arg, argv + arg);
    } else {
        code = accounts_admin_create(&cfg, argc - arg, argv + arg);
    }
    config_free(&cfg);
    return code;
}
