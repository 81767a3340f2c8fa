/* programme.h — the congress programme being drafted: rooms, tracks, speakers,
 * sessions (no double-booking), reservations and personal agendas. Every
 * statement answers (status, problem, body), core/req.h's contract. */
#ifndef GESS_PROGRAMME_H
#define GESS_PROGRAMME_H

#include "core/db_pool.h"
#include "core/module.h"
#include "core/router.h"
#include "core/valid.h"

extern const struct module programme_module;

struct req;

/* edition.c */
/* Runs stmt with the edition's slug and whether the caller sees drafts
 * (organizers), and answers what it says. */
void programme_edition_read(struct req *r, const struct db_stmt *stmt);

/* rooms.c */
extern const struct db_stmt programme_stmt_room_create, programme_stmt_room_list;
void programme_room_create(struct req *r);
void programme_room_list(struct req *r);

/* tracks.c */
extern const struct db_stmt programme_stmt_track_create, programme_stmt_track_list;
void programme_track_create(struct req *r);
void programme_track_list(struct req *r);

/* speakers.c */
extern const struct db_stmt programme_stmt_speaker_create, programme_stmt_speaker_list;
void programme_speaker_create(struct req *r);
void programme_speaker_list(struct req *r);

/* sessions.c */
extern const struct db_stmt programme_stmt_session_create, programme_stmt_session_patch,
    programme_stmt_session_list, programme_stmt_session_get, programme_stmt_session_delete;
void programme_session_create(struct req *r);
/* The checked members of a session body (valid_body_fn). */
json_t *programme_session_fields(struct valid *v, const json_t *body, bool create);
void programme_session_list(struct req *r);
void programme_session_get(struct req *r);
void programme_session_patch(struct req *r);
void programme_session_delete(struct req *r);

/* reservations.c */
extern const struct db_stmt programme_stmt_reserve, programme_stmt_unreserve;
void programme_reserve(struct req *r);
void programme_unreserve(struct req *r);

/* agenda.c */
extern const struct db_stmt programme_stmt_agenda, programme_stmt_agenda_ics,
    programme_stmt_agenda_put, programme_stmt_agenda_delete;
void programme_agenda(struct req *r);
void programme_agenda_put(struct req *r);
void programme_agenda_delete(struct req *r);

/* pages.c: GET /editions/{slug}/programme and GET /sessions/{id} (text/html) */
extern const struct db_stmt programme_stmt_page_programme, programme_stmt_page_session;
void programme_page_programme(struct req *r);
void programme_page_session(struct req *r);

/* pages_agenda.c: POST /sessions/{id}/star|unstar|reserve|release (forms,
 * 303 back) and GET /me/agenda */
extern const struct db_stmt programme_stmt_page_agenda;
void programme_page_star(struct req *r);
void programme_page_unstar(struct req *r);
void programme_page_reserve(struct req *r);
void programme_page_release(struct req *r);
void programme_page_agenda(struct req *r);
/* data.agenda_notice: the words of ?notice=<word> after one of those forms
 * (only a word of the fixed list). */
void programme_page_notice(struct req *r, json_t *data);

#endif
