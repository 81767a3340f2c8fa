-- functions/schedule.sql: versioned releases of the programme: the draft, publishing a
-- release, the latest release and what changed between two.
--
-- Reloaded by every `gessd migrate` in one transaction (check_function_bodies
-- off, so files may call each other in any order); written to be re-run:
-- CREATE OR REPLACE, and DROP ... IF EXISTS before a signature changes.
-- A function removed from here is dropped from upgraded databases by the
-- loader. The tables are in schema/migrations.
--
-- The API functions answer an api_answer (status, problem, body) as
-- services/core/req.h says.

-- Numbered releases of the programme. The draft lives in the
-- programme tables (rooms, tracks, speakers, sessions); a release
-- freezes it as one JSON document (schedule_releases.content, also the body
-- of GET /v1/editions/{slug}/schedule) with the changelog against the
-- release before. gessd caches the latest release per worker and drops it
-- when a NOTIFY on channel gess_invalidate says 'schedule:<slug>'.

-- The draft programme of an edition as release content (without the
-- edition, version, published_at and comment members, which publishing
-- adds). Sessions are ordered by start, then room name; soft-deleted
-- sessions are not part of it.
CREATE OR REPLACE FUNCTION schedule_draft(p_edition uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'rooms', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', r.id, 'name', r.name,
                                                'capacity', r.capacity, 'notes', r.notes)
                             ORDER BY r.name, r.id)
              FROM rooms r WHERE r.edition_id = p_edition), '[]'),
        'tracks', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name, 'color', t.color)
                             ORDER BY t.name, t.id)
              FROM tracks t WHERE t.edition_id = p_edition), '[]'),
        'sessions', coalesce((
            SELECT jsonb_agg(x.j ORDER BY x.starts_at, x.room_name NULLS LAST, x.id)
              FROM (SELECT s.id, s.starts_at, r.name AS room_name,
                           jsonb_build_object(
                               'id', s.id, 'title', s.title, 'abstract', s.abstract,
                               'kind', s.kind,
                               'track', CASE WHEN t.id IS NOT NULL THEN
                                   jsonb_build_object('id', t.id, 'name', t.name,
                                                      'color', t.color) END,
                               'room', CASE WHEN r.id IS NOT NULL THEN
                                   jsonb_build_object('id', r.id, 'name', r.name) END,
                               'starts_at', s.starts_at, 'ends_at', s.ends_at,
                               'language', s.language,
                               'capacity', coalesce(s.capacity, r.capacity),
                               'reservation_required', s.reservation_required,
                               'speakers', coalesce((
                                   SELECT jsonb_agg(jsonb_build_object(
                                              'id', sp.id, 'name', sp.name,
                                              'organization', sp.organization)
                                          ORDER BY sp.name, sp.id)
                                     FROM session_speakers ss
                                     JOIN speakers sp ON sp.id = ss.speaker_id
                                    WHERE ss.session_id = s.id), '[]')) AS j
                      FROM sessions s
                      LEFT JOIN rooms r ON r.id = s.room_id
                      LEFT JOIN tracks t ON t.id = s.track_id
                     WHERE s.edition_id = p_edition AND s.deleted_at IS NULL) x), '[]'))
$$;

-- The changelog from release content p_old (NULL: none yet) to p_new:
-- {added, removed, moved, speakers_changed, edited}, each a list naming
-- exactly the sessions concerned. A session may be in several lists (moved
-- and with other speakers). moved: another start, end or room; edited: any
-- other field ('room' when the room kept its id but was renamed,
-- 'speakers' when the same speakers changed name or organisation).
CREATE OR REPLACE FUNCTION schedule_changes(p_old jsonb, p_new jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    WITH o AS (SELECT e->>'id' AS id, e FROM jsonb_array_elements(
                   coalesce(p_old->'sessions', '[]')) e),
         n AS (SELECT e->>'id' AS id, e FROM jsonb_array_elements(
                   coalesce(p_new->'sessions', '[]')) e),
         b AS (SELECT o.id, o.e AS a, n.e AS z,
                      (SELECT coalesce(array_agg(x->>'id' ORDER BY x->>'id'), '{}')
                         FROM jsonb_array_elements(o.e->'speakers') x) AS a_sp,
                      (SELECT coalesce(array_agg(x->>'id' ORDER BY x->>'id'), '{}')
                         FROM jsonb_array_elements(n.e->'speakers') x) AS z_sp
                 FROM o JOIN n USING (id))
    SELECT jsonb_build_object(
        'added', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', n.id, 'title', n.e->'title')
                             ORDER BY n.e->>'starts_at', n.id)
              FROM n WHERE NOT EXISTS (SELECT 1 FROM o WHERE o.id = n.id)), '[]'),
        'removed', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', o.id, 'title', o.e->'title')
                             ORDER BY o.e->>'starts_at', o.id)
              FROM o WHERE NOT EXISTS (SELECT 1 FROM n WHERE n.id = o.id)), '[]'),
        'moved', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', b.id, 'title', b.z->'title',
                       'from', jsonb_build_object('starts_at', b.a->'starts_at',
                                                  'ends_at', b.a->'ends_at', 'room', b.a->'room'),
                       'to', jsonb_build_object('starts_at', b.z->'starts_at',
                                                'ends_at', b.z->'ends_at', 'room', b.z->'room'))
                             ORDER BY b.z->>'starts_at', b.id)
              FROM b
             WHERE b.a->'starts_at' IS DISTINCT FROM b.z->'starts_at'
                OR b.a->'ends_at' IS DISTINCT FROM b.z->'ends_at'
                OR b.a->'room'->'id' IS DISTINCT FROM b.z->'room'->'id'), '[]'),
        'speakers_changed', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', b.id, 'title', b.z->'title',
                       'added', (SELECT coalesce(jsonb_agg(x->'name' ORDER BY x->>'name'), '[]')
                                   FROM jsonb_array_elements(b.z->'speakers') x
                                  WHERE NOT (x->>'id' = ANY (b.a_sp))),
                       'removed', (SELECT coalesce(jsonb_agg(x->'name' ORDER BY x->>'name'), '[]')
                                     FROM jsonb_array_elements(b.a->'speakers') x
                                    WHERE NOT (x->>'id' = ANY (b.z_sp))))
                             ORDER BY b.z->>'starts_at', b.id)
              FROM b WHERE b.a_sp <> b.z_sp), '[]'),
        'edited', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', b.id, 'title', b.z->'title',
                                                'fields', f.fields)
                             ORDER BY b.z->>'starts_at', b.id)
              FROM b
              CROSS JOIN LATERAL (
                  SELECT jsonb_agg(k ORDER BY k) AS fields
                    FROM unnest(ARRAY['title', 'abstract', 'kind', 'track', 'language',
                                      'capacity', 'reservation_required']) k
                   WHERE b.a->k IS DISTINCT FROM b.z->k
                  ) f0
              CROSS JOIN LATERAL (
                  SELECT coalesce(f0.fields, '[]')
                         || CASE WHEN b.a->'room'->'id' IS NOT DISTINCT FROM b.z->'room'->'id'
                                  AND b.a->'room' IS DISTINCT FROM b.z->'room'
                                 THEN '["room"]'::jsonb ELSE '[]'::jsonb END
                         || CASE WHEN b.a_sp = b.z_sp AND b.a->'speakers' <> b.z->'speakers'
                                 THEN '["speakers"]'::jsonb ELSE '[]'::jsonb END AS fields
                  ) f
             WHERE jsonb_array_length(f.fields) > 0), '[]'))
$$;

-- The changelog as one row per changed session: (id, title, change) where
-- change holds, per kind of change, what the changelog says about it
-- (e.g. {"moved": {"from": ..., "to": ...}, "edited": {"fields": [...]}}).
CREATE OR REPLACE FUNCTION schedule_changed_sessions(p_changes jsonb)
RETURNS TABLE (session_id uuid, title text, change jsonb)
LANGUAGE sql IMMUTABLE AS $$
    SELECT (x->>'id')::uuid, min(x->>'title'),
           jsonb_object_agg(k, x - 'id' - 'title' ORDER BY k)
      FROM unnest(ARRAY['added', 'removed', 'moved', 'speakers_changed', 'edited']) k,
           jsonb_array_elements(coalesce(p_changes->k, '[]')) x
     GROUP BY (x->>'id')::uuid
$$;

-- POST /v1/editions/{slug}/schedule/releases in one transaction: the draft
-- becomes release N+1 with its changelog; every person who reserved or put
-- in their agenda a session that changed gets one outbox row for it; the
-- NOTIFY (delivered at commit) tells every gessd to drop its cached copy.
CREATE OR REPLACE FUNCTION schedule_publish(p_slug text, p_actor uuid, p_comment text)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    e editions;
    prev schedule_releases;
    rel schedule_releases;
    draft jsonb;
    ch jsonb;
BEGIN
    -- NO KEY UPDATE serialises publishes of one edition without blocking
    -- the foreign-key checks of registrations and sessions being written.
    SELECT * INTO e FROM editions WHERE slug = p_slug FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    SELECT * INTO prev FROM schedule_releases
     WHERE edition_id = e.id ORDER BY version DESC LIMIT 1;
    draft := schedule_draft(e.id);
    IF (prev.id IS NULL AND jsonb_array_length(draft->'sessions') = 0)
       OR (prev.id IS NOT NULL AND draft->'sessions' = prev.content->'sessions'
           AND draft->'rooms' = prev.content->'rooms'
           AND draft->'tracks' = prev.content->'tracks') THEN
        RETURN core_problem(409, 'nothing-to-release');
    END IF;
    ch := schedule_changes(prev.content, draft);
    INSERT INTO schedule_releases (edition_id, version, comment, content, changes, published_by)
    VALUES (e.id, coalesce(prev.version, 0) + 1, p_comment,
            draft || jsonb_build_object(
                'edition', jsonb_build_object('slug', e.slug, 'title', e.title,
                                              'timezone', e.timezone,
                                              'starts_on', e.starts_on, 'ends_on', e.ends_on),
                'version', coalesce(prev.version, 0) + 1,
                'published_at', now(), 'comment', p_comment),
            ch, p_actor)
    RETURNING * INTO rel;
    -- The mail shows the edition's title, and a move as the wall clock of
    -- the edition's time zone (moved_local), as the programme does; the
    -- changelog's instants stay in `change`.
    INSERT INTO outbox (kind, account_id, payload)
    SELECT 'session_changed', who.account_id,
           jsonb_build_object(
               'edition', e.slug, 'edition_title', e.title, 'timezone', e.timezone,
               'version', rel.version, 'session_id', c.session_id, 'title', c.title,
               'change', c.change)
           || CASE WHEN c.change ? 'moved' THEN jsonb_build_object('moved_local',
                  jsonb_build_object(
                      'from', to_char((c.change #>> '{moved,from,starts_at}')::timestamptz
                                      AT TIME ZONE e.timezone, 'YYYY-MM-DD HH24:MI'),
                      'to', to_char((c.change #>> '{moved,to,starts_at}')::timestamptz
                                    AT TIME ZONE e.timezone, 'YYYY-MM-DD HH24:MI')))
              ELSE '{}' END
      FROM schedule_changed_sessions(ch) c
      JOIN LATERAL (SELECT account_id FROM reservations WHERE session_id = c.session_id
                    UNION
                    SELECT account_id FROM agenda_items WHERE session_id = c.session_id) who
        ON who.account_id IS NOT NULL;
    PERFORM pg_notify('gess_invalidate', 'schedule:' || e.slug);
    RETURN core_answer(201, json_build_object('version', rel.version,
                                              'published_at', rel.published_at,
                                              'comment', rel.comment, 'changes', rel.changes));
END
$$;

-- GET /v1/editions/{slug}/schedule/releases: a page of releases, newest
-- first; p_cursor is the version a page ended with (exclusive).
CREATE OR REPLACE FUNCTION schedule_release_list(p_slug text, p_organizer boolean,
                                                 p_cursor bigint, p_limit integer)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH e AS (SELECT id FROM editions_visible(p_slug, p_organizer)),
         page AS (SELECT r.version, r.published_at, r.comment, r.changes,
                         row_number() OVER (ORDER BY r.version DESC) AS rn
                    FROM schedule_releases r JOIN e ON r.edition_id = e.id
                   WHERE p_cursor IS NULL OR r.version < p_cursor
                   ORDER BY r.version DESC LIMIT p_limit + 1)
    SELECT core_found(CASE WHEN EXISTS (SELECT 1 FROM e) THEN (
        SELECT json_build_object(
                   'items', coalesce(json_agg(json_build_object(
                                'version', version, 'published_at', published_at,
                                'comment', comment, 'changes', changes)
                              ORDER BY version DESC) FILTER (WHERE rn <= p_limit), '[]'),
                   'next_cursor', CASE WHEN max(rn) > p_limit
                                  THEN (min(version) FILTER (WHERE rn <= p_limit))::text END)
          FROM page) END)
$$;

-- What GET /v1/editions/{slug}/schedule caches for an edition: whether it
-- is a draft, its latest release (id, version, content as text) and that
-- release as the calendar core/ics.h renders. No row: no such edition.
CREATE OR REPLACE FUNCTION schedule_get(p_slug text,
                                           OUT draft boolean, OUT release_id uuid, OUT version integer,
                                           OUT content text, OUT calendar text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
    SELECT e.status = 'draft', r.id, r.version, r.content::text,
           CASE WHEN r.id IS NOT NULL THEN jsonb_build_object(
               'name', r.content->'edition'->'title',
               'timezone', r.content->'edition'->'timezone',
               'events', coalesce((
                   SELECT jsonb_agg(jsonb_build_object(
                              'uid', 'session-' || (s->>'id') || '@gess.pe',
                              'summary', s->'title',
                              'description', nullif(concat_ws(E'\n\n', nullif(s->>'abstract', ''),
                                  (SELECT 'Ponentes: ' || string_agg(
                                              (sp->>'name') || coalesce(' (' || nullif(sp->>'organization', '') || ')', ''),
                                              ', ' ORDER BY o)
                                     FROM jsonb_array_elements(s->'speakers')
                                          WITH ORDINALITY AS y(sp, o))), ''),
                              'location', s->'room'->'name',
                              'starts_at', s->'starts_at', 'ends_at', s->'ends_at',
                              'sequence', r.version, 'status', 'CONFIRMED',
                              'categories', CASE WHEN jsonb_typeof(s->'track') = 'object'
                                                 THEN jsonb_build_array(s->'track'->'name') END,
                              'last_modified', r.published_at)
                          ORDER BY i)
                     FROM jsonb_array_elements(r.content->'sessions') WITH ORDINALITY AS x(s, i)),
                   '[]'))::text END
      FROM editions e
      LEFT JOIN LATERAL (SELECT * FROM schedule_releases sr WHERE sr.edition_id = e.id
                          ORDER BY sr.version DESC LIMIT 1) r ON true
     WHERE e.slug = p_slug
$$;

-- An edition changed (status, title, dates): cached schedules of it go.
CREATE OR REPLACE FUNCTION schedule_edition_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gess_invalidate', 'schedule:' || OLD.slug);
    IF NEW.slug IS DISTINCT FROM OLD.slug THEN
        PERFORM pg_notify('gess_invalidate', 'schedule:' || NEW.slug);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER editions_schedule_notify AFTER UPDATE ON editions
    FOR EACH ROW EXECUTE FUNCTION schedule_edition_changed();
