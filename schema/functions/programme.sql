-- functions/programme.sql: the programme: rooms, tracks, speakers, sessions (no room and no
-- speaker in two sessions at once: EXCLUDE constraints in the baseline),
-- seat reservations, personal agendas and their calendar.
--
-- Reloaded by every `gessd migrate` in one transaction (check_function_bodies
-- off, so files may call each other in any order); written to be re-run:
-- CREATE OR REPLACE, and DROP ... IF EXISTS before a signature changes.
-- A function removed from here is dropped from upgraded databases by the
-- loader. The tables are in schema/migrations.
--
-- Every API function answers an api_answer (status, problem, body) as
-- services/core/req.h says; a refusal of a field is core_field_error's
-- {field, code, arg}, worded by gessd.

-- Keeps the copies of a session's time range in step (the exclusion
-- constraint on session_speakers then refuses a speaker who is elsewhere),
-- and drops the speaker rows of a soft-deleted session so they free the
-- speakers' time.
CREATE OR REPLACE FUNCTION sessions_sync_speakers() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.deleted_at IS NOT NULL THEN
        DELETE FROM session_speakers WHERE session_id = NEW.id;
    ELSIF NEW.during IS DISTINCT FROM OLD.during THEN
        UPDATE session_speakers SET during = NEW.during WHERE session_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER sessions_sync_speakers AFTER UPDATE OF starts_at, ends_at, deleted_at ON sessions
    FOR EACH ROW EXECUTE FUNCTION sessions_sync_speakers();

-- A reservation that goes (cancelled, or its account erased) gives its
-- seat back.
CREATE OR REPLACE FUNCTION reservations_free_seat() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sessions SET reserved = reserved - 1 WHERE id = OLD.session_id;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER reservations_free_seat AFTER DELETE ON reservations
    FOR EACH ROW EXECUTE FUNCTION reservations_free_seat();

-- ---------------------------------------------------------------------------
-- JSON shapes
CREATE OR REPLACE FUNCTION room_json(r rooms) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT r.id, r.name, r.capacity, r.notes, to_char(r.opens_at, 'HH24:MI') AS opens_at,
               to_char(r.closes_at, 'HH24:MI') AS closes_at, r.created_at) x
$$;

CREATE OR REPLACE FUNCTION track_json(t tracks) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (SELECT t.id, t.name, t.color, t.created_at) x
$$;

-- A draft session as organizers see it: the shape of a session in a
-- release (schedule_draft in schedule.sql) plus the seats and bookkeeping.
CREATE OR REPLACE FUNCTION session_json(s sessions) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT s.id, e.slug AS edition, s.title, s.abstract, s.kind,
               (SELECT json_build_object('id', t.id, 'name', t.name, 'color', t.color)
                  FROM tracks t WHERE t.id = s.track_id) AS track,
               (SELECT json_build_object('id', r.id, 'name', r.name)
                  FROM rooms r WHERE r.id = s.room_id) AS room,
               s.starts_at, s.ends_at, s.language, s.capacity, s.reservation_required,
               s.reserved,
               CASE WHEN s.capacity IS NOT NULL THEN greatest(s.capacity - s.reserved, 0)
               END AS seats_left,
               coalesce((SELECT json_agg(json_build_object('id', sp.id, 'name', sp.name,
                                                          'organization', sp.organization)
                                         ORDER BY sp.name, sp.id)
                           FROM session_speakers ss JOIN speakers sp ON sp.id = ss.speaker_id
                          WHERE ss.session_id = s.id), '[]') AS speakers,
               s.created_at, s.updated_at
          FROM editions e WHERE e.id = s.edition_id) x
$$;

-- The session as the latest release of its edition has it (NULL when no
-- release has it), with the edition's slug and the release's version.
CREATE OR REPLACE FUNCTION session_released(p_id uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT el || jsonb_build_object('edition', e.slug, 'version', rel.version)
      FROM sessions s
      JOIN editions e ON e.id = s.edition_id AND e.status <> 'draft'
      CROSS JOIN LATERAL (SELECT * FROM schedule_releases r WHERE r.edition_id = s.edition_id
                           ORDER BY r.version DESC LIMIT 1) rel
      CROSS JOIN LATERAL jsonb_array_elements(rel.content -> 'sessions') el
     WHERE s.id = p_id AND el ->> 'id' = p_id::text
$$;

-- The answer of an insert into an edition's programme: not-found without
-- the edition, 201 with the new row, or p_field refused as taken when a
-- unique key kept the row out.
CREATE OR REPLACE FUNCTION programme_created(p_edition_found boolean, p_body json, p_field text)
RETURNS api_answer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN NOT p_edition_found THEN core_problem(404, 'not-found')
                WHEN p_body IS NULL THEN core_refused(p_field, 'taken')
                ELSE core_answer(201, p_body) END
$$;

-- The answer of a list of an edition's rooms, tracks or speakers:
-- not-found when the caller may not see the edition (p_edition NULL),
-- else its items (p_items NULL: none).
CREATE OR REPLACE FUNCTION programme_listed(p_edition uuid, p_items json) RETURNS api_answer
LANGUAGE sql IMMUTABLE AS $$
    SELECT core_found(CASE WHEN p_edition IS NOT NULL
                           THEN json_build_object('items', coalesce(p_items, '[]')) END)
$$;

-- Rooms, tracks, speakers: 201 with the new one; a name the edition
-- already uses is refused as taken.
CREATE OR REPLACE FUNCTION programme_room_create(p_slug text, p_name text, p_capacity integer, p_notes text,
                                       p_opens time, p_closes time)
RETURNS api_answer
LANGUAGE sql AS $$
    WITH e AS (SELECT id FROM editions WHERE slug = p_slug),
         r AS (INSERT INTO rooms (edition_id, name, capacity, notes, opens_at, closes_at)
               SELECT e.id, p_name, p_capacity, coalesce(p_notes, ''), p_opens, p_closes FROM e
               ON CONFLICT ON CONSTRAINT rooms_name_key DO NOTHING
               RETURNING *)
    SELECT programme_created(EXISTS (SELECT 1 FROM e),
                             (SELECT room_json(r) FROM r), 'name')
$$;

CREATE OR REPLACE FUNCTION programme_room_list(p_slug text, p_organizer boolean)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH e AS (SELECT id FROM editions_visible(p_slug, p_organizer))
    SELECT programme_listed((SELECT id FROM e),
                            (SELECT json_agg(room_json(r) ORDER BY r.name, r.id)
                               FROM rooms r JOIN e ON e.id = r.edition_id))
$$;

CREATE OR REPLACE FUNCTION programme_track_create(p_slug text, p_name text, p_color text)
RETURNS api_answer
LANGUAGE sql AS $$
    WITH e AS (SELECT id FROM editions WHERE slug = p_slug),
         t AS (INSERT INTO tracks (edition_id, name, color)
               SELECT e.id, p_name, coalesce(lower(p_color), '#1f6f5c') FROM e
               ON CONFLICT ON CONSTRAINT tracks_name_key DO NOTHING
               RETURNING *)
    SELECT programme_created(EXISTS (SELECT 1 FROM e),
                             (SELECT track_json(t) FROM t), 'name')
$$;

CREATE OR REPLACE FUNCTION programme_track_list(p_slug text, p_organizer boolean)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH e AS (SELECT id FROM editions_visible(p_slug, p_organizer))
    SELECT programme_listed((SELECT id FROM e),
                            (SELECT json_agg(track_json(t) ORDER BY t.name, t.id)
                               FROM tracks t JOIN e ON e.id = t.edition_id))
$$;

-- ---------------------------------------------------------------------------
-- Sessions

-- POST /v1/editions/{slug}/sessions (p_id NULL: 201) and PATCH
-- /v1/sessions/{id} (only the members present in p change: 200), through
-- programme_session_create and programme_session_patch below. gessd has
-- checked every member's type and shape; this checks them against the edition (track, room and
-- speakers of it, inside its dates in its time zone, inside the room's
-- hours) and lets the exclusion constraints refuse a double booking, which
-- it answers as schedule-conflict naming the other session and the room or
-- speaker they share.
CREATE OR REPLACE FUNCTION session_save(p_id uuid, p_slug text, p jsonb)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    e editions;
    s sessions;
    rm rooms;
    old_room uuid;
    errs jsonb := '[]';
    spk uuid[];
    old_spk uuid[] := '{}';
    lo timestamptz;
    hi timestamptz;
    local_start timestamp;
    local_end timestamp;
    hours text;
    dates text;
    rng tstzrange;
    cname text;
    other sessions;
    other_speaker speakers;
    k text;
    i integer;
BEGIN
    IF p_id IS NULL THEN
        SELECT * INTO e FROM editions WHERE slug = p_slug;
        IF NOT FOUND THEN
            RETURN core_problem(404, 'not-found');
        END IF;
        s.id := gen_random_uuid();
        s.edition_id := e.id;
        s.abstract := '';
        s.language := 'es';
        s.reserved := 0;
        spk := '{}';
    ELSE
        SELECT * INTO s FROM sessions WHERE id = p_id AND deleted_at IS NULL FOR UPDATE;
        IF NOT FOUND THEN
            RETURN core_problem(404, 'not-found');
        END IF;
        SELECT * INTO e FROM editions WHERE id = s.edition_id;
        old_spk := ARRAY(SELECT speaker_id FROM session_speakers WHERE session_id = s.id);
        spk := old_spk;
    END IF;
    old_room := s.room_id;

    IF p ? 'title' THEN s.title := p ->> 'title'; END IF;
    IF p ? 'abstract' THEN s.abstract := coalesce(p ->> 'abstract', ''); END IF;
    IF p ? 'kind' THEN s.kind := p ->> 'kind'; END IF;
    IF p ? 'language' THEN s.language := coalesce(p ->> 'language', 'es'); END IF;
    IF p ? 'starts_at' THEN s.starts_at := (p ->> 'starts_at')::timestamptz; END IF;
    IF p ? 'ends_at' THEN s.ends_at := (p ->> 'ends_at')::timestamptz; END IF;
    IF p ? 'track_id' THEN
        s.track_id := (p ->> 'track_id')::uuid;
        IF s.track_id IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM tracks WHERE id = s.track_id AND edition_id = e.id) THEN
            errs := errs || core_field_error('track_id', 'unknown');
        END IF;
    END IF;
    IF p ? 'room_id' THEN
        s.room_id := (p ->> 'room_id')::uuid;
    END IF;
    IF s.room_id IS NOT NULL THEN
        SELECT * INTO rm FROM rooms WHERE id = s.room_id AND edition_id = e.id;
        IF NOT FOUND THEN
            errs := errs || core_field_error('room_id', 'unknown');
        END IF;
    END IF;
    IF p ? 'capacity' THEN
        s.capacity := (p ->> 'capacity')::integer;
    ELSIF p_id IS NULL THEN
        s.capacity := rm.capacity;  -- the room's, when the session names none
    END IF;
    IF p ? 'reservation_required' THEN
        s.reservation_required := coalesce((p ->> 'reservation_required')::boolean,
                                           s.kind = 'workshop');
    ELSIF p_id IS NULL THEN
        s.reservation_required := s.kind = 'workshop';
    END IF;
    IF p ? 'speaker_ids' THEN
        spk := ARRAY(SELECT x::uuid FROM jsonb_array_elements_text(p -> 'speaker_ids') x);
        FOR i IN 1 .. coalesce(array_length(spk, 1), 0) LOOP
            IF NOT EXISTS (SELECT 1 FROM speakers WHERE id = spk[i] AND edition_id = e.id) THEN
                errs := errs || core_field_error('speaker_ids[' || (i - 1) || ']', 'unknown');
            END IF;
        END LOOP;
    END IF;

    -- Times: inside the edition's days as its time zone counts them, and
    -- inside the room's daily hours when it has them.
    IF s.ends_at <= s.starts_at THEN
        errs := errs || core_field_error('ends_at', 'after', 'starts_at');
    ELSE
        lo := e.starts_on::timestamp AT TIME ZONE e.timezone;
        hi := (e.ends_on + 1)::timestamp AT TIME ZONE e.timezone;
        dates := e.starts_on || ' – ' || e.ends_on || ', ' || e.timezone;
        IF s.starts_at < lo OR s.starts_at >= hi THEN
            errs := errs || core_field_error('starts_at', 'outside_edition', dates);
        END IF;
        IF s.ends_at > hi OR s.ends_at <= lo THEN
            errs := errs || core_field_error('ends_at', 'outside_edition', dates);
        END IF;
        IF rm.opens_at IS NOT NULL THEN
            local_start := s.starts_at AT TIME ZONE e.timezone;
            local_end := s.ends_at AT TIME ZONE e.timezone;
            hours := to_char(rm.opens_at, 'HH24:MI') || '–' || to_char(rm.closes_at, 'HH24:MI');
            IF local_start::time < rm.opens_at
               OR local_start >= local_start::date + rm.closes_at THEN
                errs := errs || core_field_error('starts_at', 'outside_room_hours', hours);
            END IF;
            IF local_end > local_start::date + rm.closes_at THEN
                errs := errs || core_field_error('ends_at', 'outside_room_hours', hours);
            END IF;
        END IF;
    END IF;
    IF s.capacity IS NOT NULL AND s.capacity < s.reserved THEN
        errs := errs || core_field_error('capacity', 'below_reserved', s.reserved::text);
    END IF;
    IF jsonb_array_length(errs) > 0 THEN
        RETURN core_invalid(errs);
    END IF;

    -- Writers of the same room or speaker queue here, so the exclusion
    -- constraints find the winner committed (a conflict, not a deadlock
    -- between two inserts that each wait for the other). Sorted keys: no
    -- two writers take them in opposite orders.
    FOR k IN SELECT DISTINCT x FROM unnest(ARRAY[s.room_id, old_room] || spk || old_spk) x
              WHERE x IS NOT NULL ORDER BY x LOOP
        PERFORM pg_advisory_xact_lock(hashtextextended('programme/' || k, 0));
    END LOOP;

    rng := tstzrange(s.starts_at, s.ends_at, '[)');
    FOR attempt IN 1 .. 3 LOOP
        BEGIN
            IF p_id IS NULL THEN
                WITH ins AS (
                    INSERT INTO sessions (id, edition_id, title, abstract, kind, track_id, room_id,
                                          starts_at, ends_at, language, capacity,
                                          reservation_required)
                    VALUES (s.id, s.edition_id, s.title, s.abstract, s.kind, s.track_id,
                            s.room_id, s.starts_at, s.ends_at, s.language, s.capacity,
                            s.reservation_required)
                    RETURNING id, during)
                INSERT INTO session_speakers (session_id, speaker_id, during)
                SELECT ins.id, x, ins.during FROM ins, unnest(spk) x;
            ELSE
                -- speakers leaving first, so they cannot clash at the new time
                IF p ? 'speaker_ids' THEN
                    DELETE FROM session_speakers
                     WHERE session_id = s.id AND speaker_id <> ALL (spk);
                END IF;
                -- the trigger moves the remaining speakers' copies of the time range
                UPDATE sessions
                   SET title = s.title, abstract = s.abstract, kind = s.kind,
                       track_id = s.track_id, room_id = s.room_id, starts_at = s.starts_at,
                       ends_at = s.ends_at, language = s.language, capacity = s.capacity,
                       reservation_required = s.reservation_required, updated_at = now()
                 WHERE id = s.id;
                IF p ? 'speaker_ids' THEN
                    INSERT INTO session_speakers (session_id, speaker_id, during)
                    SELECT s.id, x, rng FROM unnest(spk) x
                    ON CONFLICT (session_id, speaker_id) DO NOTHING;
                END IF;
            END IF;
            EXIT;
        EXCEPTION WHEN exclusion_violation THEN
            GET STACKED DIAGNOSTICS cname = CONSTRAINT_NAME;
            IF cname = 'sessions_room_free' THEN
                SELECT * INTO other FROM sessions o
                 WHERE o.room_id = s.room_id AND o.deleted_at IS NULL AND o.during && rng
                   AND o.id <> s.id
                 ORDER BY o.starts_at LIMIT 1;
                IF FOUND THEN
                    RETURN core_problem(409, 'schedule-conflict', json_build_object(
                        'conflict', json_build_object('session_id', other.id,
                                                      'title', other.title,
                                                      'starts_at', other.starts_at,
                                                      'ends_at', other.ends_at),
                        'room_id', rm.id, 'room_name', rm.name));
                END IF;
            ELSE
                SELECT o.* INTO other
                  FROM session_speakers ss JOIN sessions o ON o.id = ss.session_id
                 WHERE ss.speaker_id = ANY (spk) AND ss.during && rng AND o.id <> s.id
                 ORDER BY o.starts_at LIMIT 1;
                IF FOUND THEN
                    SELECT sp.* INTO other_speaker
                      FROM session_speakers ss JOIN speakers sp ON sp.id = ss.speaker_id
                     WHERE ss.session_id = other.id AND ss.speaker_id = ANY (spk)
                     ORDER BY sp.name LIMIT 1;
                    RETURN core_problem(409, 'schedule-conflict', json_build_object(
                        'conflict', json_build_object('session_id', other.id,
                                                      'title', other.title,
                                                      'starts_at', other.starts_at,
                                                      'ends_at', other.ends_at),
                        'speaker_id', other_speaker.id,
                        'speaker_name', other_speaker.name));
                END IF;
            END IF;
            -- the other session moved away meanwhile: try again
        END;
        IF attempt = 3 THEN
            RETURN core_problem(503, 'service-unavailable');
        END IF;
    END LOOP;
    RETURN core_answer(CASE WHEN p_id IS NULL THEN 201 ELSE 200 END,
                       (SELECT session_json(x) FROM sessions x WHERE x.id = s.id));
END
$$;

CREATE OR REPLACE FUNCTION programme_session_create(p_slug text, p jsonb)
RETURNS api_answer
LANGUAGE sql AS $$
    SELECT session_save(NULL, p_slug, p)
$$;

CREATE OR REPLACE FUNCTION programme_session_patch(p_id uuid, p jsonb)
RETURNS api_answer
LANGUAGE sql AS $$
    SELECT session_save(p_id, NULL, p)
$$;

-- Organizers: the draft (deleted sessions left out); others: the sessions
-- of the latest release, none before the first.
CREATE OR REPLACE FUNCTION programme_session_list(p_slug text, p_organizer boolean)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((
        SELECT CASE WHEN p_organizer THEN
                   json_build_object('version', NULL, 'items', coalesce((
                       SELECT json_agg(session_json(s) ORDER BY s.starts_at, r.name NULLS LAST, s.id)
                         FROM sessions s LEFT JOIN rooms r ON r.id = s.room_id
                        WHERE s.edition_id = e.id AND s.deleted_at IS NULL), '[]'))
               ELSE coalesce((
                   SELECT json_build_object('version', rel.version,
                                            'items', coalesce(rel.content -> 'sessions', '[]'))
                     FROM schedule_releases rel WHERE rel.edition_id = e.id
                    ORDER BY rel.version DESC LIMIT 1),
                   json_build_object('version', NULL, 'items', '[]'::json)) END
          FROM editions_visible(p_slug, p_organizer) e))
$$;

-- Organizers: the draft session; others: the session as released.
CREATE OR REPLACE FUNCTION programme_session_get(p_id uuid, p_organizer boolean)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found(CASE WHEN p_organizer THEN
        (SELECT session_json(s) FROM sessions s WHERE s.id = p_id AND s.deleted_at IS NULL)
        ELSE session_released(p_id)::json END)
$$;

-- DELETE /v1/sessions/{id}: soft, so the next release can say it was
-- removed; the speakers' rows go (trigger), reservations and agenda
-- entries stay for the people to be told.
CREATE OR REPLACE FUNCTION programme_session_delete(p_id uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sessions SET deleted_at = now(), updated_at = now()
     WHERE id = p_id AND deleted_at IS NULL;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    RETURN core_answer(204);
END
$$;

-- DELETE /v1/sessions/{id}/reservation: the seat comes back (trigger); a
-- session that needs a reservation leaves the agenda with it.
CREATE OR REPLACE FUNCTION programme_unreserve(p_session uuid, p_account uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    s sessions;
BEGIN
    SELECT * INTO s FROM sessions WHERE id = p_session;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    DELETE FROM reservations WHERE session_id = p_session AND account_id = p_account;
    IF s.reservation_required THEN
        DELETE FROM agenda_items WHERE session_id = p_session AND account_id = p_account;
    END IF;
    RETURN core_answer(204);
END
$$;

-- PUT /v1/me/agenda/{session_id}: a released session that is not deleted;
-- one that needs a reservation only with one.
CREATE OR REPLACE FUNCTION programme_agenda_put(p_session uuid, p_account uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    rel jsonb;
BEGIN
    IF EXISTS (SELECT 1 FROM sessions WHERE id = p_session AND deleted_at IS NULL) THEN
        rel := session_released(p_session);
    END IF;
    IF rel IS NULL THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF coalesce((rel ->> 'reservation_required')::boolean, false)
       AND NOT EXISTS (SELECT 1 FROM reservations
                        WHERE session_id = p_session AND account_id = p_account) THEN
        RETURN core_problem(409, 'reservation-required');
    END IF;
    INSERT INTO agenda_items (account_id, session_id) VALUES (p_account, p_session)
    ON CONFLICT (account_id, session_id) DO NOTHING;
    RETURN core_answer(204);
END
$$;

-- DELETE /v1/me/agenda/{session_id}: 204 whether or not it was there.
CREATE OR REPLACE FUNCTION programme_agenda_delete(p_session uuid, p_account uuid)
RETURNS api_answer
LANGUAGE sql AS $$
    WITH gone AS (DELETE FROM agenda_items WHERE account_id = p_account AND session_id = p_session)
    SELECT core_answer(204)
$$;

-- GET /v1/me/agenda: the person's sessions as the latest releases have
-- them, each with the other chosen sessions it overlaps; sessions no
-- longer in the latest release are listed under `removed`.
CREATE OR REPLACE FUNCTION agenda_json(p_account uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH mine AS (
        SELECT a.session_id, a.created_at, session_released(a.session_id) AS rel,
               EXISTS (SELECT 1 FROM reservations r
                        WHERE r.session_id = a.session_id AND r.account_id = p_account)
                   AS reserved
          FROM agenda_items a WHERE a.account_id = p_account
    ), live AS (
        SELECT m.*, tstzrange((m.rel ->> 'starts_at')::timestamptz,
                              (m.rel ->> 'ends_at')::timestamptz, '[)') AS during
          FROM mine m WHERE m.rel IS NOT NULL
    )
    SELECT jsonb_build_object(
        'items', coalesce((
            SELECT jsonb_agg(l.rel || jsonb_build_object(
                       'reserved', l.reserved, 'added_at', l.created_at,
                       'overlaps', coalesce((SELECT jsonb_agg(o.session_id ORDER BY o.during)
                                               FROM live o
                                              WHERE o.session_id <> l.session_id
                                                AND o.during && l.during), '[]'))
                       ORDER BY lower(l.during), l.rel ->> 'title', l.session_id)
              FROM live l), '[]'),
        'removed', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', s.id, 'title', s.title,
                                                'edition', e.slug, 'starts_at', s.starts_at,
                                                'ends_at', s.ends_at,
                                                'version', (SELECT max(r.version)
                                                              FROM schedule_releases r
                                                             WHERE r.edition_id = e.id))
                             ORDER BY s.starts_at, s.id)
              FROM mine m JOIN sessions s ON s.id = m.session_id
              JOIN editions e ON e.id = s.edition_id
             WHERE m.rel IS NULL), '[]'))
$$;

CREATE OR REPLACE FUNCTION programme_agenda(p_account uuid)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found(agenda_json(p_account)::json)
$$;

-- The agenda as the calendar ics_render (services/core/ics.h) takes; removed
-- sessions stay as CANCELLED events so subscribed calendars drop them.
CREATE OR REPLACE FUNCTION agenda_calendar(p_account uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH a AS (SELECT agenda_json(p_account) AS j)
    SELECT jsonb_build_object(
        'name', 'Mi agenda GESS',
        'timezone', coalesce((
            SELECT e.timezone FROM agenda_items ai JOIN sessions s ON s.id = ai.session_id
              JOIN editions e ON e.id = s.edition_id
             WHERE ai.account_id = p_account ORDER BY e.starts_on DESC LIMIT 1), 'America/Lima'),
        'events', coalesce((
            SELECT jsonb_agg(ev) FROM (
                SELECT jsonb_build_object(
                           'uid', 'session-' || (i ->> 'id') || '@gess.pe',
                           'summary', i ->> 'title',
                           'description', nullif(i ->> 'abstract', ''),
                           'location', i #>> '{room,name}',
                           'starts_at', i ->> 'starts_at', 'ends_at', i ->> 'ends_at',
                           'sequence', (i ->> 'version')::integer,
                           'status', 'CONFIRMED',
                           'categories', CASE WHEN i -> 'track' IS NOT NULL
                                               AND jsonb_typeof(i -> 'track') = 'object'
                                         THEN jsonb_build_array(i #>> '{track,name}') END) AS ev
                  FROM a, jsonb_array_elements(a.j -> 'items') i
                UNION ALL
                SELECT jsonb_build_object(
                           'uid', 'session-' || (d ->> 'id') || '@gess.pe',
                           'summary', d ->> 'title',
                           'starts_at', d ->> 'starts_at', 'ends_at', d ->> 'ends_at',
                           'sequence', (d ->> 'version')::integer, 'status', 'CANCELLED')
                  FROM a, jsonb_array_elements(a.j -> 'removed') d) x), '[]'))
$$;

-- GET /v1/me/agenda as text/calendar: 200 with the calendar gessd renders.
CREATE OR REPLACE FUNCTION programme_agenda_ics(p_account uuid)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found(agenda_calendar(p_account)::json)
$$;

CREATE OR REPLACE FUNCTION speaker_json(s speakers, with_account boolean) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT s.id, s.name, s.organization, s.organization_id, s.sector,
               CASE WHEN with_account THEN s.account_id END AS account_id, s.created_at) x
$$;

-- A speaker, linked to an organization record: the one given, or the
-- account's. An organization_id that does not exist is 422 naming it.
CREATE OR REPLACE FUNCTION programme_speaker_create(p_slug text, p_account uuid, p_name text, p_organization text,
                                          p_sector text, p_organization_id uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    ed uuid;
    a accounts;
    s speakers;
    org organizations;
BEGIN
    SELECT id INTO ed FROM editions WHERE slug = p_slug;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF p_account IS NOT NULL THEN
        SELECT * INTO a FROM accounts WHERE id = p_account;
        IF NOT FOUND THEN
            RETURN core_refused('account_id', 'no_account');
        END IF;
    END IF;
    IF p_organization_id IS NOT NULL THEN
        SELECT * INTO org FROM organizations WHERE id = p_organization_id;
        IF NOT FOUND THEN
            RETURN core_refused('organization_id', 'no_organization');
        END IF;
    END IF;
    INSERT INTO speakers (edition_id, account_id, name, organization, sector, organization_id)
    VALUES (ed, p_account, coalesce(p_name, a.full_name),
            coalesce(p_organization, nullif(a.organization, ''), org.name, ''),
            coalesce(p_sector, a.sector, org.sector),
            coalesce(p_organization_id, a.organization_id))
    ON CONFLICT ON CONSTRAINT speakers_account_key DO NOTHING
    RETURNING * INTO s;
    IF NOT FOUND THEN
        RETURN core_refused('account_id', 'taken');
    END IF;
    RETURN core_answer(201, speaker_json(s, true));
END
$$;

-- Which account a speaker is shows to organizers only.
CREATE OR REPLACE FUNCTION programme_speaker_list(p_slug text, p_organizer boolean)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH e AS (SELECT id FROM editions_visible(p_slug, p_organizer))
    SELECT programme_listed((SELECT id FROM e),
                            (SELECT json_agg(speaker_json(s, p_organizer) ORDER BY s.name, s.id)
                               FROM speakers s JOIN e ON e.id = s.edition_id))
$$;

-- A seat in a session: 201 for a new reservation, 200 when the person
-- had it already. The guarded UPDATE returns into a row of its own:
-- a RETURNING ... INTO that finds no row sets its target to nulls in
-- PL/pgSQL, and session-full must still name the capacity read before.
CREATE OR REPLACE FUNCTION programme_reserve(p_session uuid, p_account uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    s sessions;
    upd sessions;
    res reservations;
    code integer := 200;  -- 201 once this call made the reservation
BEGIN
    SELECT * INTO s FROM sessions WHERE id = p_session AND deleted_at IS NULL;
    IF NOT FOUND OR session_released(p_session) IS NULL THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM registrations g
                    WHERE g.edition_id = s.edition_id AND g.account_id = p_account
                      AND g.status IN ('confirmed', 'checked_in')) THEN
        RETURN core_problem(403, 'registration-required');
    END IF;
    SELECT * INTO res FROM reservations WHERE session_id = p_session AND account_id = p_account;
    IF NOT FOUND THEN
        UPDATE sessions SET reserved = reserved + 1
         WHERE id = p_session AND (capacity IS NULL OR reserved < capacity)
        RETURNING * INTO upd;
        IF NOT FOUND THEN
            -- s is the row read above: a RETURNING that finds no row sets
            -- its target to nulls, so upd would say capacity: null
            RETURN core_problem(409, 'session-full',
                                json_build_object('session_id', p_session, 'capacity', s.capacity));
        END IF;
        s := upd;
        INSERT INTO reservations (session_id, account_id) VALUES (p_session, p_account)
        ON CONFLICT (session_id, account_id) DO NOTHING
        RETURNING * INTO res;
        IF FOUND THEN
            code := 201;
        ELSE
            -- the same person reserved concurrently and won: give the seat back
            UPDATE sessions SET reserved = reserved - 1 WHERE id = p_session
            RETURNING * INTO s;
            SELECT * INTO res FROM reservations
             WHERE session_id = p_session AND account_id = p_account;
        END IF;
    END IF;
    INSERT INTO agenda_items (account_id, session_id) VALUES (p_account, p_session)
    ON CONFLICT (account_id, session_id) DO NOTHING;
    RETURN core_answer(code, json_build_object(
        'session_id', p_session, 'reserved_at', res.created_at, 'capacity', s.capacity,
        'seats_left', CASE WHEN s.capacity IS NOT NULL THEN greatest(s.capacity - s.reserved, 0)
                      END));
END
$$;

-- ---------------------------------------------------------------------------
-- Pages (services/programme/pages.c): the released programme and one
-- session, each in one statement composing the API's own functions.

-- A session's language (a BCP 47 tag) named in p_lang: 'es' is 'español'
-- in Spanish and 'Spanish' in English; a tag not named here is itself.
CREATE OR REPLACE FUNCTION programme_language_name(p_tag text, p_lang text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce((SELECT CASE WHEN p_lang = 'en' THEN n.en ELSE n.es END
                       FROM (VALUES ('es', 'español', 'Spanish'), ('en', 'inglés', 'English'),
                                    ('qu', 'quechua', 'Quechua'), ('ay', 'aimara', 'Aymara'),
                                    ('pt', 'portugués', 'Portuguese'),
                                    ('pt-BR', 'portugués', 'Portuguese')) n (tag, es, en)
                      WHERE lower(n.tag) = lower(p_tag)), p_tag)
$$;

-- One session of a release as a page shows it: its times as the wall clock
-- of p_tz (starts, ends 'HH24:MI'; ends_when when it ends on another day),
-- kind_is {"<kind>": true} for logic-less templates, the language named.
CREATE OR REPLACE FUNCTION programme_page_entry(p_s jsonb, p_tz text, p_lang text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT p_s || jsonb_build_object(
        'starts', to_char((p_s->>'starts_at')::timestamptz AT TIME ZONE p_tz, 'HH24:MI'),
        'ends', to_char((p_s->>'ends_at')::timestamptz AT TIME ZONE p_tz, 'HH24:MI'),
        'when', editions_page_when((p_s->>'starts_at')::timestamptz, p_tz, p_lang),
        'ends_when', CASE WHEN ((p_s->>'starts_at')::timestamptz AT TIME ZONE p_tz)::date
                               <> ((p_s->>'ends_at')::timestamptz AT TIME ZONE p_tz)::date
                          THEN editions_page_when((p_s->>'ends_at')::timestamptz, p_tz, p_lang)
                     END,
        'kind_is', jsonb_build_object(coalesce(p_s->>'kind', 'talk'), true),
        'language_name', programme_language_name(p_s->>'language', p_lang),
        'has_speakers', jsonb_array_length(coalesce(p_s->'speakers', '[]')) > 0)
$$;

-- Who looks at a programme page (NULL: nobody signed in): signed_in, and
-- registered when they hold a confirmed (or checked-in) registration of the
-- edition, the one programme_reserve asks for.
CREATE OR REPLACE FUNCTION programme_page_viewer(p_viewer uuid, p_slug text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'signed_in', p_viewer IS NOT NULL,
        'registered', p_viewer IS NOT NULL AND EXISTS (
            SELECT 1 FROM registrations g JOIN editions e ON e.id = g.edition_id
             WHERE e.slug = p_slug AND g.account_id = p_viewer
               AND g.status IN ('confirmed', 'checked_in')))
$$;

-- What the viewer may do with one session of a page, as the API decides
-- it: starred (in the agenda), reserved (a seat), may_star (signed in; a
-- session that needs a reservation only once reserved, programme_agenda_put's
-- rule), may_reserve (a registered viewer, programme_reserve's rule, on a
-- session whose seats are counted: one that needs a reservation; every
-- session of a room has the room's capacity, so offering a seat in each
-- would be noise), needs_registration (such a session, no registration).
CREATE OR REPLACE FUNCTION programme_page_mine(p_s jsonb, p_viewer uuid, p_me jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH m AS (
        SELECT EXISTS (SELECT 1 FROM agenda_items a WHERE a.account_id = p_viewer
                          AND a.session_id = (p_s->>'id')::uuid) AS starred,
               EXISTS (SELECT 1 FROM reservations r WHERE r.account_id = p_viewer
                          AND r.session_id = (p_s->>'id')::uuid) AS reserved,
               coalesce((p_s->>'reservation_required')::boolean, false) AS needs)
    SELECT jsonb_build_object(
        'starred', m.starred, 'reserved', m.reserved,
        'may_star', p_viewer IS NOT NULL AND NOT m.starred AND (NOT m.needs OR m.reserved),
        'may_unstar', m.starred AND NOT (m.needs AND m.reserved),
        'may_reserve', p_viewer IS NOT NULL AND m.needs AND NOT m.reserved
                       AND coalesce((p_me->>'registered')::boolean, false),
        'may_release', m.reserved,
        'needs_registration', p_viewer IS NOT NULL AND m.needs AND NOT m.reserved
                              AND NOT coalesce((p_me->>'registered')::boolean, false))
      FROM m
$$;

-- GET /editions/{slug}/programme: the edition (editions_get) and its latest
-- release (schedule_get, what GET /v1/editions/{slug}/schedule answers) by
-- day of the edition's time zone, then by start time; p_track (a track id
-- as text, NULL: all) keeps that track's sessions. An edition without a
-- release yet is a page saying so (released false), not a 404.
CREATE OR REPLACE FUNCTION programme_page_programme(p_slug text, p_organizer boolean,
                                                    p_track text, p_lang text, p_viewer uuid)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH g AS (SELECT * FROM editions_get(p_slug, p_organizer)),
         me AS (SELECT programme_page_viewer(p_viewer, p_slug) AS v),
         rel AS (SELECT s.content::jsonb AS c FROM schedule_get(p_slug) s
                  WHERE s.content IS NOT NULL AND (NOT s.draft OR p_organizer)),
         tz AS (SELECT g.body->>'timezone' AS tz FROM g WHERE g.problem IS NULL),
         ss AS (SELECT programme_page_entry(x, tz.tz, p_lang)
                       -- nobody signed in (the cached, benchmarked case): no lookups
                       || CASE WHEN p_viewer IS NULL THEN '{}'::jsonb
                               ELSE programme_page_mine(x, p_viewer, me.v) END AS s, i,
                       (x->>'starts_at')::timestamptz AT TIME ZONE tz.tz AS local_start
                  FROM rel, tz, me,
                       jsonb_array_elements(rel.c->'sessions') WITH ORDINALITY AS y(x, i)
                 WHERE p_track IS NULL OR x->'track'->>'id' = p_track),
         slots AS (SELECT local_start::date AS day, to_char(local_start, 'HH24:MI') AS hhmm,
                          min(s->>'starts_at') AS starts_at, min(i) AS i,
                          jsonb_agg(s ORDER BY i) AS sessions
                     FROM ss GROUP BY 1, 2),
         days AS (SELECT day, jsonb_agg(jsonb_build_object('time', hhmm, 'starts_at', starts_at,
                                                           'sessions', sessions)
                                        ORDER BY i) AS slots
                    FROM slots GROUP BY day)
    SELECT CASE WHEN g.problem IS NOT NULL THEN ROW(g.status, g.problem, g.body)::api_answer
                ELSE core_answer(200, json_build_object(
        'edition', json_build_object('slug', g.body->'slug', 'title', g.body->'title',
                                     'motto', g.body->'motto', 'timezone', g.body->'timezone',
                                     'dates', editions_page_span((g.body->>'starts_on')::date,
                                                                 (g.body->>'ends_on')::date,
                                                                 p_lang)),
        'viewer', (SELECT me.v FROM me),
        'released', EXISTS (SELECT 1 FROM rel),
        'version', (SELECT rel.c->'version' FROM rel),
        'published_local', (SELECT editions_page_when((rel.c->>'published_at')::timestamptz,
                                                      g.body->>'timezone', p_lang) FROM rel),
        'tracks', (SELECT coalesce(jsonb_agg(t || jsonb_build_object('selected',
                                                                     t->>'id' = p_track)
                                             ORDER BY t->>'name', t->>'id'), '[]')
                     FROM rel, jsonb_array_elements(rel.c->'tracks') t),
        'track', (SELECT t FROM rel, jsonb_array_elements(rel.c->'tracks') t
                   WHERE t->>'id' = p_track),
        'filtered', p_track IS NOT NULL,
        'count', (SELECT count(*) FROM ss),
        'days', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                     'date', day, 'label', editions_page_day(day, p_lang),
                                     'slots', slots) ORDER BY day), '[]')
                   FROM days)))
           END
      FROM g
$$;

-- GET /sessions/{id}: the session as the API shows it to the caller
-- (programme_session_get: released, or the draft for organizers) with its
-- edition (editions_get) and its times in the edition's time zone.
CREATE OR REPLACE FUNCTION programme_page_session(p_id uuid, p_organizer boolean, p_lang text,
                                                  p_viewer uuid)
RETURNS api_answer
LANGUAGE plpgsql STABLE AS $$
DECLARE
    s api_answer;
    g api_answer;
    me jsonb;
BEGIN
    s := programme_session_get(p_id, p_organizer);
    IF s.problem IS NOT NULL THEN
        RETURN s;
    END IF;
    g := editions_get(s.body->>'edition', p_organizer);
    IF g.problem IS NOT NULL THEN
        RETURN g;
    END IF;
    me := programme_page_viewer(p_viewer, g.body->>'slug');
    RETURN core_answer(200, json_build_object(
        'title', s.body->'title',
        'edition', json_build_object('slug', g.body->'slug', 'title', g.body->'title',
                                     'timezone', g.body->'timezone'),
        'viewer', me,
        'session', programme_page_entry(s.body::jsonb, g.body->>'timezone', p_lang)
                   || programme_page_mine(s.body::jsonb, p_viewer, me)
                   || jsonb_build_object(
                       'has_capacity', s.body->'capacity' IS NOT NULL
                                       AND json_typeof(s.body->'capacity') <> 'null',
                       'has_seats_left', s.body->'seats_left' IS NOT NULL
                                         AND json_typeof(s.body->'seats_left') <> 'null')));
END
$$;

-- GET /me/agenda: the agenda as GET /v1/me/agenda has it (agenda_json),
-- by edition and day of its time zone, each session with the titles of
-- the chosen sessions it overlaps; sessions no longer released under
-- removed; empty when there is nothing.
CREATE OR REPLACE FUNCTION programme_page_agenda(p_account uuid, p_lang text)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH a AS (SELECT agenda_json(p_account) AS j),
         it AS (SELECT x, i, e.slug, e.title AS ed_title, e.timezone AS tz,
                       ((x->>'starts_at')::timestamptz AT TIME ZONE e.timezone)::date AS day
                  FROM a, jsonb_array_elements(a.j->'items') WITH ORDINALITY AS y(x, i)
                  JOIN editions e ON e.slug = y.x->>'edition'),
         en AS (SELECT it.*, programme_page_entry(x, tz, p_lang) || jsonb_build_object(
                    'starred', true,
                    'overlap_list', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                                  'id', o.x->'id', 'title', o.x->'title')
                                                  ORDER BY o.i)
                                                FROM it o
                                               WHERE it.x->'overlaps' @> jsonb_build_array(o.x->'id')),
                                             '[]'),
                    'has_overlaps', jsonb_array_length(coalesce(x->'overlaps', '[]')) > 0) AS s
                  FROM it),
         days AS (SELECT slug, ed_title, day, min(i) AS i, jsonb_agg(s ORDER BY i) AS sessions
                    FROM en GROUP BY slug, ed_title, day)
    SELECT core_answer(200, json_build_object(
        'days', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                     'date', day, 'label', editions_page_day(day, p_lang),
                                     'edition', jsonb_build_object('slug', slug, 'title', ed_title),
                                     'sessions', sessions) ORDER BY i), '[]') FROM days),
        'count', (SELECT count(*) FROM it),
        'overlaps', (SELECT count(*) FROM en WHERE (s->>'has_overlaps')::boolean),
        'any_overlap', EXISTS (SELECT 1 FROM en WHERE (s->>'has_overlaps')::boolean),
        'any', EXISTS (SELECT 1 FROM it),
        'removed', (SELECT a.j->'removed' FROM a),
        'has_removed', (SELECT jsonb_array_length(a.j->'removed') > 0 FROM a),
        'empty', (SELECT jsonb_array_length(a.j->'items') = 0
                         AND jsonb_array_length(a.j->'removed') = 0 FROM a)))
$$;

GRANT EXECUTE ON FUNCTION programme_language_name(text, text),
    programme_page_entry(jsonb, text, text), programme_page_viewer(uuid, text),
    programme_page_mine(jsonb, uuid, jsonb),
    programme_page_programme(text, boolean, text, text, uuid),
    programme_page_session(uuid, boolean, text, uuid), programme_page_agenda(uuid, text)
    TO gess_app;
