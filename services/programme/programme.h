/* programme.h — the congress programme being drafted: rooms, tracks, speakers,
 * sessions (no double-booking), reservations and personal agendas. */
#ifndef GESS_PROGRAMME_H
#define GESS_PROGRAMME_H

#include <libpq-fe.h>

#include "core/db_pool.h"
#include "core/module.h"
#include "core/router.h"

extern const struct module programme_module;

struct req;

/* Answers a (problem, body) row like req_reply_outcome, but words the
 * validation codes the programme's SQL functions return ({errors: [{field,
 * code, arg?}]}) in the caller's language. */
void programme_reply(struct req *r, enum db_status st, PGresult *res, int status);
void programme_done(struct req *r, enum db_status st, PGresult *res);         /* 200 */
void programme_done_created(struct req *r, enum db_status st, PGresult *res); /* 201 */
void programme_done_empty(struct req *r, enum db_status st, PGresult *res);   /* 204 */

/* rooms.c */
extern const struct db_stmt programme_stmt_room_create, programme_stmt_room_list,
    programme_stmt_track_create, programme_stmt_track_list, programme_stmt_speaker_create,
    programme_stmt_speaker_list;
void programme_room_create(struct req *r);
void programme_room_list(struct req *r);
void programme_track_create(struct req *r);
void programme_track_list(struct req *r);
void programme_speaker_create(struct req *r);
void programme_speaker_list(struct req *r);

/* sessions.c */
extern const struct db_stmt programme_stmt_session_save, programme_stmt_session_list,
    programme_stmt_session_get, programme_stmt_session_delete;
void programme_session_create(struct req *r);
void programme_session_list(struct req *r);
void programme_session_get(struct req *r);
void programme_session_patch(struct req *r);
void programme_session_delete(struct req *r);

/* agenda.c */
extern const struct db_stmt programme_stmt_reserve, programme_stmt_unreserve, programme_stmt_agenda,
    programme_stmt_agenda_ics, programme_stmt_agenda_put, programme_stmt_agenda_delete;
void programme_reserve(struct req *r);
void programme_unreserve(struct req *r);
void programme_agenda(struct req *r);
void programme_agenda_put(struct req *r);
void programme_agenda_delete(struct req *r);

#endif
