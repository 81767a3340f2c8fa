/* page_edition.c — GET /editions/{slug}: the edition's page for people
 * (title, motto, dates, city, venue, the registration window and how to
 * register, the categories with their seats per mode, links to the
 * programme, Rumbo al GESS and the pacts). One statement,
 * editions_page_edition(), composes the API's editions_get and
 * editions_category_list and writes the dates in the page's language. */
#include "core/page.h"
#include "core/req.h"
#include "editions/editions.h"

const struct db_stmt editions_stmt_page_edition =
    DB_ANSWER(editions_page_edition, "$1, $2::boolean, $3");

void editions_page_edition(struct req *r)
{
    const char *params[] = {req_param(r, "slug"), req_sql_bool(req_is_organizer(r)), page_lang(r)};
    page_query(r, "edition", &editions_stmt_page_edition, 3, params, NULL);
}
