-- functions/series.sql: "Rumbo al GESS", the pre-event series: events (one-off and
-- recurring), RSVPs with capacity, attendance, and iCalendar.
--
-- Reloaded by every `gessd migrate` in one transaction (check_function_bodies
-- off, so files may call each other in any order); written to be re-run:
-- CREATE OR REPLACE, and DROP ... IF EXISTS before a signature changes.
-- A function removed from here is dropped from upgraded databases by the
-- loader. The tables are in schema/migrations.

-- Gives the place of a departing RSVP back to its event and mode.
CREATE OR REPLACE FUNCTION series_rsvps_free_place() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE series_event_modes SET taken = taken - 1
     WHERE event_id = OLD.event_id AND mode = OLD.mode;
    RETURN OLD;
END
$$;

CREATE OR REPLACE TRIGGER series_rsvps_free_place AFTER DELETE ON series_rsvps
    FOR EACH ROW EXECUTE FUNCTION series_rsvps_free_place();

-- An event as p_viewer sees it: online_url only for organizers and for
-- someone holding an RSVP (the key is left out otherwise); my_rsvp is the
-- viewer's own RSVP or null.
CREATE OR REPLACE FUNCTION series_event_json(ev series_events, p_viewer uuid, p_organizer boolean)
RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_organizer OR x.my_rsvp IS NOT NULL
                THEN row_to_json(x)
                ELSE (row_to_json(x)::jsonb - 'online_url')::json END
      FROM (SELECT ev.id, e.slug AS edition, ev.title, ev.description, ev.kind, ev.format,
                   ev.starts_at, ev.ends_at, ev.location, ev.online_url,
                   (SELECT json_object_agg(m.mode, m.capacity ORDER BY m.mode)
                      FROM series_event_modes m WHERE m.event_id = ev.id) AS modes,
                   (SELECT json_object_agg(m.mode, m.capacity - m.taken ORDER BY m.mode)
                      FROM series_event_modes m WHERE m.event_id = ev.id) AS places_left,
                   ev.theme, ev.partner_organizations, ev.recurrence_id, ev.status,
                   ev.created_at, ev.updated_at,
                   (SELECT json_build_object('mode', s.mode, 'created_at', s.created_at)
                      FROM series_rsvps s
                     WHERE s.event_id = ev.id AND s.account_id = p_viewer) AS my_rsvp
              FROM editions e WHERE e.id = ev.edition_id) x
$$;

-- An event as an iCalendar event object for ics_render (services/core/ics.h).
CREATE OR REPLACE FUNCTION series_event_ics(ev series_events, p_viewer uuid, p_organizer boolean)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'uid', 'series-' || ev.id || '@gess.pe',
        'summary', ev.title,
        'description', nullif(ev.description, ''),
        'location', nullif(ev.location, ''),
        'url', CASE WHEN p_organizer OR EXISTS (SELECT 1 FROM series_rsvps s
                                                  WHERE s.event_id = ev.id
                                                    AND s.account_id = p_viewer)
                    THEN ev.online_url END,
        'starts_at', ev.starts_at, 'ends_at', ev.ends_at,
        'sequence', ev.sequence,
        'status', CASE WHEN ev.status = 'cancelled' THEN 'CANCELLED' ELSE 'CONFIRMED' END,
        'categories', to_jsonb(ARRAY['Rumbo al GESS', ev.kind]
                               || CASE WHEN ev.theme <> '' THEN ARRAY[ev.theme]
                                       ELSE '{}'::text[] END),
        'last_modified', ev.updated_at))
$$;

-- What a series mail shows of an event (the `event` of the series_* outbox
-- payloads): self-contained, with the times also as the wall clock of the
-- edition's time zone (starts_local, "2026-05-12 18:00") so that a mail
-- reads them as the event page does; online_url only where the event has
-- one (the mail goes to someone holding an RSVP, who may see it), location
-- only where it is set. format_is is the format as a key ({"hybrid":
-- true}): logic-less templates test keys, they cannot compare strings.
CREATE OR REPLACE FUNCTION series_event_mail(ev series_events) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', ev.id, 'edition', e.slug, 'title', ev.title,
        'starts_at', ev.starts_at, 'ends_at', ev.ends_at,
        'location', nullif(ev.location, ''), 'online_url', ev.online_url,
        'format', ev.format, 'format_is', jsonb_build_object(ev.format, true),
        'timezone', e.timezone,
        'starts_local', to_char(ev.starts_at AT TIME ZONE e.timezone, 'YYYY-MM-DD HH24:MI'),
        'ends_local', to_char(ev.ends_at AT TIME ZONE e.timezone, 'YYYY-MM-DD HH24:MI')))
      FROM editions e WHERE e.id = ev.edition_id
$$;

-- The payload of a series mail to one RSVP holder: the event and the mode
-- they hold (mode_is as format_is above).
CREATE OR REPLACE FUNCTION series_rsvp_mail(p_event jsonb, p_mode text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('event', p_event, 'mode', p_mode,
                              'mode_is', jsonb_build_object(p_mode, true))
$$;

-- Inserts one event of an edition from the JSON body gessd validated
-- (title, description, kind, format, starts_at, ends_at, location,
-- online_url, modes, theme, partner_organizations), with its modes.
CREATE OR REPLACE FUNCTION series_event_insert(p_edition uuid, p jsonb, p_starts timestamptz,
                                               p_ends timestamptz, p_recurrence uuid)
RETURNS series_events
LANGUAGE plpgsql AS $$
DECLARE
    ev series_events;
BEGIN
    INSERT INTO series_events (edition_id, title, description, kind, format, starts_at, ends_at,
                               location, online_url, theme, partner_organizations,
                               recurrence_id)
    VALUES (p_edition, p ->> 'title', coalesce(p ->> 'description', ''), p ->> 'kind',
            p ->> 'format', p_starts, p_ends, coalesce(p ->> 'location', ''),
            nullif(p ->> 'online_url', ''), coalesce(p ->> 'theme', ''),
            ARRAY(SELECT jsonb_array_elements_text(coalesce(
                CASE WHEN jsonb_typeof(p -> 'partner_organizations') = 'array'
                     THEN p -> 'partner_organizations' END, '[]'))),
            p_recurrence)
    RETURNING * INTO ev;
    INSERT INTO series_event_modes (event_id, mode, capacity)
    SELECT ev.id, key, (value #>> '{}')::integer FROM jsonb_each(p -> 'modes');
    RETURN ev;
END
$$;

-- POST /v1/editions/{slug}/series-events (organizers; drafts too).
CREATE OR REPLACE FUNCTION series_event_create(p_slug text, p jsonb, p_actor uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    ed uuid;
    ev series_events;
BEGIN
    SELECT id INTO ed FROM editions WHERE slug = p_slug;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    ev := series_event_insert(ed, p, (p ->> 'starts_at')::timestamptz,
                              (p ->> 'ends_at')::timestamptz, NULL);
    RETURN core_answer(201, series_event_json(ev, p_actor, true));
END
$$;

-- The local start times of a recurrence rule (RFC 5545 RRULE subset),
-- computed on the wall clock of p_tz so that 18:00 in Lima stays 18:00:
--   monthly            the day of month of the start, every p_interval months
--                      (a day the month lacks is moved to its last day);
--   monthly + weekday  the p_setpos-th (1..4, or -1 = last) weekday of the
--                      month, every p_interval months;
--   weekly (+ weekday) every p_interval weeks, on the start's weekday or on
--                      p_weekday of the start's (Monday-based) week.
-- Occurrences before the start are skipped. Stops after p_count, or at the
-- local date p_until; returns at most p_max + 1 so a caller can tell "too
-- many" apart.
CREATE OR REPLACE FUNCTION series_occurrences(p_start timestamp, p_freq text, p_interval integer,
                                              p_weekday integer, p_setpos integer, p_count integer,
                                              p_until date, p_max integer)
RETURNS SETOF timestamp
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    k integer := 0;
    n integer := 0;
    base timestamp;
    occ timestamp;
    month_start date;
    last_day date;
    d date;
BEGIN
    IF p_freq = 'weekly' AND p_weekday IS NOT NULL THEN
        base := (p_start::date - (extract(isodow FROM p_start)::integer - 1)
                 + (p_weekday - 1)) + p_start::time;
    END IF;
    WHILE n <= p_max AND k < 10000 LOOP
        IF p_freq = 'weekly' THEN
            occ := coalesce(base, p_start) + make_interval(weeks => k * p_interval);
        ELSIF p_weekday IS NULL THEN
            occ := p_start + make_interval(months => k * p_interval);
        ELSE
            month_start := (date_trunc('month', p_start) + make_interval(months => k * p_interval))::date;
            IF p_setpos > 0 THEN
                d := month_start + (p_weekday - extract(isodow FROM month_start)::integer + 7) % 7
                     + 7 * (p_setpos - 1);
            ELSE
                last_day := (month_start + interval '1 month')::date - 1;
                d := last_day - (extract(isodow FROM last_day)::integer - p_weekday + 7) % 7;
            END IF;
            occ := d + p_start::time;
        END IF;
        k := k + 1;
        CONTINUE WHEN occ < p_start;
        EXIT WHEN p_count IS NOT NULL AND n >= p_count;
        EXIT WHEN p_until IS NOT NULL AND occ::date > p_until;
        n := n + 1;
        RETURN NEXT occ;
    END LOOP;
END
$$;

-- POST /v1/editions/{slug}/series-events/recurring: every occurrence of
-- the rule as an event of its own, sharing one recurrence_id, in one
-- transaction. Start and end keep their wall-clock time in the edition's
-- time zone. Refuses (nothing written) a rule with no occurrence or more
-- than 52.
CREATE OR REPLACE FUNCTION series_event_recurring(p_slug text, p jsonb, p_freq text, p_interval integer,
                                                  p_weekday integer, p_setpos integer, p_count integer,
                                                  p_until date, p_actor uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    e editions;
    local_start timestamp;
    local_len interval;
    occ timestamp[];
    rid uuid := gen_random_uuid();
    items jsonb := '[]';
    ev series_events;
    o timestamp;
BEGIN
    SELECT * INTO e FROM editions WHERE slug = p_slug;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    local_start := (p ->> 'starts_at')::timestamptz AT TIME ZONE e.timezone;
    local_len := ((p ->> 'ends_at')::timestamptz AT TIME ZONE e.timezone) - local_start;
    occ := ARRAY(SELECT series_occurrences(local_start, p_freq, p_interval, p_weekday, p_setpos,
                                           p_count, p_until, 52));
    IF cardinality(occ) = 0 OR cardinality(occ) > 52 THEN
        RETURN CASE WHEN cardinality(occ) = 0
                    THEN core_refused('rule.until', 'not_before', 'event.starts_at')
                    ELSE core_refused('rule.until', 'range', '1 to 52 occurrences') END;
    END IF;
    FOREACH o IN ARRAY occ LOOP
        ev := series_event_insert(e.id, p, o AT TIME ZONE e.timezone,
                                  (o + local_len) AT TIME ZONE e.timezone, rid);
        items := items || jsonb_build_array(series_event_json(ev, p_actor, true)::jsonb);
    END LOOP;
    RETURN core_answer(201, json_build_object('recurrence_id', rid, 'count', cardinality(occ),
                                              'items', items));
END
$$;

-- An event id the caller may see: organizers every one; others only those
-- of editions that are not drafts.
CREATE OR REPLACE FUNCTION series_event_visible(p_id uuid, p_organizer boolean) RETURNS series_events
LANGUAGE sql STABLE AS $$
    SELECT ev.* FROM series_events ev JOIN editions e ON e.id = ev.edition_id
     WHERE ev.id = p_id AND (p_organizer OR e.status <> 'draft')
$$;

-- GET /v1/series-events/{id}: the event as the viewer sees it.
CREATE OR REPLACE FUNCTION series_event_get(p_id uuid, p_viewer uuid, p_organizer boolean)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((SELECT series_event_json(ev, p_viewer, p_organizer)
                         FROM series_event_visible(p_id, p_organizer) ev
                        WHERE ev.id IS NOT NULL))
$$;

-- GET /v1/editions/{slug}/series-events: one page ordered by (starts_at,
-- id), whose cursor is the last event's id. Not found when the edition
-- does not exist or is a draft the caller may not see.
CREATE OR REPLACE FUNCTION series_event_list(p_slug text, p_viewer uuid, p_organizer boolean,
                                             p_after uuid, p_limit integer)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH e AS (SELECT id FROM editions_visible(p_slug, p_organizer)),
    page AS (SELECT ev, ev.id, row_number() OVER (ORDER BY ev.starts_at, ev.id) AS rn
               FROM series_events ev, e WHERE ev.edition_id = e.id
                AND (p_after IS NULL OR (ev.starts_at, ev.id) >
                     (SELECT k.starts_at, k.id FROM series_events k WHERE k.id = p_after))
              ORDER BY ev.starts_at, ev.id LIMIT p_limit + 1)
    SELECT core_found((SELECT (SELECT row_to_json(x) FROM (
        SELECT coalesce(json_agg(series_event_json(p.ev, p_viewer, p_organizer) ORDER BY p.rn)
                        FILTER (WHERE p.rn <= p_limit), '[]') AS items,
               CASE WHEN max(p.rn) > p_limit
                    THEN (max(p.id::text) FILTER (WHERE p.rn = p_limit)) END AS next_cursor
          FROM page p) x) FROM e))
$$;

-- The same list as the calendar object of services/core/ics.h: every
-- event of the edition.
CREATE OR REPLACE FUNCTION series_event_list_ics(p_slug text, p_viewer uuid, p_organizer boolean)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((
        SELECT json_build_object('name', 'Rumbo al ' || e.title, 'timezone', e.timezone,
               'events', coalesce((SELECT jsonb_agg(series_event_ics(ev, p_viewer, p_organizer)
                                                    ORDER BY ev.starts_at, ev.id)
                                     FROM series_events ev WHERE ev.edition_id = e.id), '[]'))
          FROM editions_visible(p_slug, p_organizer) e))
$$;

-- PATCH /v1/series-events/{id}: fields present in p replace the stored
-- ones (gessd validated each); the result must still hold together
-- (ends after starts, modes matching the format, no capacity below the
-- RSVPs already taken, no mode dropped that someone RSVP'd for).
CREATE OR REPLACE FUNCTION series_event_patch(p_id uuid, p jsonb, p_actor uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    ev series_events;
    was series_events;
    errs jsonb := '[]';
    want text[];
    have text[];
    m record;
    changed jsonb;
    prev jsonb;
    about jsonb;
    tz text;
BEGIN
    SELECT * INTO ev FROM series_events WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF ev.status = 'cancelled' THEN
        RETURN core_problem(409, 'event-closed');
    END IF;
    was := ev;
    IF p ? 'title' THEN ev.title := p ->> 'title'; END IF;
    IF p ? 'description' THEN ev.description := coalesce(p ->> 'description', ''); END IF;
    IF p ? 'kind' THEN ev.kind := p ->> 'kind'; END IF;
    IF p ? 'format' THEN ev.format := p ->> 'format'; END IF;
    IF p ? 'starts_at' THEN ev.starts_at := (p ->> 'starts_at')::timestamptz; END IF;
    IF p ? 'ends_at' THEN ev.ends_at := (p ->> 'ends_at')::timestamptz; END IF;
    IF p ? 'location' THEN ev.location := coalesce(p ->> 'location', ''); END IF;
    IF p ? 'online_url' THEN ev.online_url := nullif(p ->> 'online_url', ''); END IF;
    IF p ? 'theme' THEN ev.theme := coalesce(p ->> 'theme', ''); END IF;
    IF p ? 'partner_organizations' THEN
        ev.partner_organizations := ARRAY(SELECT jsonb_array_elements_text(
            coalesce(nullif(p -> 'partner_organizations', 'null'), '[]')));
    END IF;
    IF ev.ends_at <= ev.starts_at THEN
        errs := errs || core_field_error('ends_at', 'after', 'starts_at');
    END IF;
    want := CASE ev.format WHEN 'online' THEN ARRAY['online']
                           WHEN 'in_person' THEN ARRAY['in_person']
                           ELSE ARRAY['in_person', 'online'] END;
    IF p ? 'modes' THEN
        have := ARRAY(SELECT k FROM jsonb_object_keys(p -> 'modes') k ORDER BY k);
        FOR m IN SELECT key, (value #>> '{}')::integer AS cap, sm.taken
                   FROM jsonb_each(p -> 'modes')
                   JOIN series_event_modes sm ON sm.event_id = ev.id AND sm.mode = key LOOP
            IF m.cap IS NOT NULL AND m.cap < m.taken THEN
                errs := errs || core_field_error('modes.' || m.key, 'range',
                                                 m.taken || ' (places already taken)'
                                                 || ' to 1000000, or null');
            END IF;
        END LOOP;
        FOR m IN SELECT sm.mode FROM series_event_modes sm
                  WHERE sm.event_id = ev.id AND sm.taken > 0
                    AND NOT (p -> 'modes') ? sm.mode LOOP
            errs := errs || core_field_error('modes.' || m.mode, 'required');
        END LOOP;
    ELSE
        have := ARRAY(SELECT mode FROM series_event_modes WHERE event_id = ev.id ORDER BY mode);
    END IF;
    IF have <> want THEN
        errs := errs || core_field_error('modes', 'one_of', array_to_string(want, ', ')
                                                            || ' (as format ' || ev.format
                                                            || ' needs)');
    END IF;
    IF jsonb_array_length(errs) > 0 THEN
        RETURN core_invalid(errs);
    END IF;
    UPDATE series_events SET title = ev.title, description = ev.description, kind = ev.kind,
           format = ev.format, starts_at = ev.starts_at, ends_at = ev.ends_at,
           location = ev.location, online_url = ev.online_url, theme = ev.theme,
           partner_organizations = ev.partner_organizations, sequence = sequence + 1,
           updated_at = now()
     WHERE id = ev.id
    RETURNING * INTO ev;
    IF p ? 'modes' THEN
        DELETE FROM series_event_modes
         WHERE event_id = ev.id AND NOT (p -> 'modes') ? mode;
        INSERT INTO series_event_modes (event_id, mode, capacity)
        SELECT ev.id, key, (value #>> '{}')::integer FROM jsonb_each(p -> 'modes')
        ON CONFLICT (event_id, mode) DO UPDATE SET capacity = EXCLUDED.capacity;
    END IF;
    -- Those holding an RSVP are told of a change to when, where or how the
    -- event happens (its time, place, online link or format): what decides
    -- whether and how they come. A new title, description, kind, theme,
    -- partners or capacity changes none of that, and a mail for each such
    -- edit would teach people to ignore these. `changed` names what moved
    -- (as keys, for the logic-less templates) and `previous` holds its
    -- earlier values.
    SELECT timezone INTO tz FROM editions WHERE id = ev.edition_id;
    SELECT jsonb_object_agg(k, true), jsonb_strip_nulls(jsonb_object_agg(k, v))
      INTO changed, prev
      FROM (VALUES ('starts_at', was.starts_at IS DISTINCT FROM ev.starts_at,
                    to_jsonb(to_char(was.starts_at AT TIME ZONE tz, 'YYYY-MM-DD HH24:MI'))),
                   ('ends_at', was.ends_at IS DISTINCT FROM ev.ends_at,
                    to_jsonb(to_char(was.ends_at AT TIME ZONE tz, 'YYYY-MM-DD HH24:MI'))),
                   ('location', was.location IS DISTINCT FROM ev.location,
                    to_jsonb(nullif(was.location, ''))),
                   ('online_url', was.online_url IS DISTINCT FROM ev.online_url,
                    to_jsonb(was.online_url)),
                   ('format', was.format IS DISTINCT FROM ev.format, to_jsonb(was.format)))
           AS d(k, differs, v)
     WHERE d.differs;
    IF changed IS NOT NULL THEN
        about := series_event_mail(ev);  -- once, not once per RSVP
        INSERT INTO outbox (kind, account_id, payload)
        SELECT 'series_event_changed', s.account_id,
               series_rsvp_mail(about, s.mode)
               || jsonb_build_object('changed', changed, 'previous', prev)
          FROM series_rsvps s WHERE s.event_id = ev.id;
        -- the reminders not yet sent say the new details, a day before the
        -- new start
        UPDATE outbox o
           SET payload = series_rsvp_mail(about, o.payload ->> 'mode')
                         || jsonb_build_object('remind_at', ev.starts_at - interval '1 day'),
               next_attempt_at = greatest(now(), ev.starts_at - interval '1 day'),
               -- due from its new day on: mail_give_up_s counts from there
               due_since = greatest(now(), ev.starts_at - interval '1 day')
         WHERE o.kind = 'series_rsvp_reminder' AND o.status = 'pending'
           AND o.payload -> 'event' ->> 'id' = ev.id::text;
    END IF;
    RETURN core_answer(200, series_event_json(ev, p_actor, true));
END
$$;

-- DELETE /v1/series-events/{id}: cancels (the event stays listed with its
-- status); everyone holding an RSVP gets a mail through the outbox. A
-- second cancel changes nothing.
CREATE OR REPLACE FUNCTION series_event_cancel(p_id uuid) RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    ev series_events;
    about jsonb;
BEGIN
    SELECT * INTO ev FROM series_events WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF ev.status = 'cancelled' THEN
        RETURN core_answer(204);
    END IF;
    about := series_event_mail(ev);  -- once, not once per RSVP
    UPDATE series_events SET status = 'cancelled', sequence = sequence + 1, updated_at = now()
     WHERE id = p_id;
    INSERT INTO outbox (kind, account_id, payload)
    SELECT 'series_event_cancelled', s.account_id, series_rsvp_mail(about, s.mode)
      FROM series_rsvps s WHERE s.event_id = p_id;
    PERFORM series_reminders_drop(p_id, NULL);
    RETURN core_answer(204);
END
$$;

-- The mode refusal of an event that does not offer p_mode, naming the
-- modes it offers; NULL when it offers it.
CREATE OR REPLACE FUNCTION series_mode_error(p_event uuid, p_mode text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT core_field_error('mode', 'one_of', (SELECT string_agg(m.mode, ', ' ORDER BY m.mode)
                                                 FROM series_event_modes m
                                                WHERE m.event_id = p_event))
     WHERE NOT EXISTS (SELECT 1 FROM series_event_modes m
                        WHERE m.event_id = p_event AND m.mode = p_mode)
$$;

-- An RSVP as JSON, with its event as the person sees it.
CREATE OR REPLACE FUNCTION series_rsvp_json(rs series_rsvps, ev series_events) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT rs.event_id, rs.mode, rs.created_at,
               series_event_json(ev, rs.account_id, false) AS event) x
$$;

-- POST /v1/series-events/{id}/rsvp: takes a place of the mode with a
-- guarded update (never over capacity, whatever the concurrency) and
-- queues the confirmation and the reminder mail in the same transaction.
-- A repeat answers the RSVP already held (200).
CREATE OR REPLACE FUNCTION series_rsvp_create(p_id uuid, p_account uuid, p_mode text)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    ev series_events;
    rs series_rsvps;
    mode_error jsonb;
    mail jsonb;
BEGIN
    -- FOR SHARE: RSVPs run side by side, but a cancel or an edit (FOR
    -- UPDATE) waits for them and they for it, so no RSVP slips past a
    -- cancellation's mails or an edit's capacity check.
    SELECT ev_.* INTO ev FROM series_events ev_ JOIN editions e ON e.id = ev_.edition_id
     WHERE ev_.id = p_id AND e.status <> 'draft'
       FOR SHARE OF ev_;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    SELECT * INTO rs FROM series_rsvps WHERE event_id = p_id AND account_id = p_account;
    IF FOUND THEN
        RETURN core_answer(200, series_rsvp_json(rs, ev));
    END IF;
    IF ev.status = 'cancelled' OR ev.starts_at <= now() THEN
        RETURN core_problem(409, 'event-closed');
    END IF;
    mode_error := series_mode_error(p_id, p_mode);
    IF mode_error IS NOT NULL THEN
        RETURN core_invalid(jsonb_build_array(mode_error));
    END IF;
    UPDATE series_event_modes SET taken = taken + 1
     WHERE event_id = p_id AND mode = p_mode AND (capacity IS NULL OR taken < capacity);
    IF NOT FOUND THEN
        RETURN core_problem(409, 'event-full', json_build_object('mode', p_mode));
    END IF;
    INSERT INTO series_rsvps (event_id, account_id, mode) VALUES (p_id, p_account, p_mode)
    ON CONFLICT (event_id, account_id) DO NOTHING
    RETURNING * INTO rs;
    IF NOT FOUND THEN
        -- the same person's concurrent RSVP won: give this place back
        UPDATE series_event_modes SET taken = taken - 1
         WHERE event_id = p_id AND mode = p_mode;
        SELECT * INTO rs FROM series_rsvps WHERE event_id = p_id AND account_id = p_account;
        RETURN core_answer(200, series_rsvp_json(rs, ev));
    END IF;
    -- The confirmation now (with the online link where there is one), and
    -- the reminder meant for the day before (remind_at), both in the shape
    -- every series mail shares.
    mail := series_rsvp_mail(series_event_mail(ev), p_mode);
    INSERT INTO outbox (kind, account_id, payload)
    VALUES ('series_rsvp_confirmed', p_account, mail);
    -- the reminder waits in the outbox until a day before the event (or
    -- goes at once for an event that starts sooner); a change of time moves
    -- it, a cancelled RSVP or event takes it back (series_reminders_drop);
    -- none for an account that unsubscribed from reminders (POST /v1/unsubscribe)
    INSERT INTO outbox (kind, account_id, payload, next_attempt_at)
    SELECT 'series_rsvp_reminder', p_account,
           mail || jsonb_build_object('remind_at', ev.starts_at - interval '1 day'),
           greatest(now(), ev.starts_at - interval '1 day')
     WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = p_account AND a.reminders_opt_out);
    RETURN core_answer(201, series_rsvp_json(rs, ev));
END
$$;

-- Takes back the reminders of an event not yet sent (of one account, or of
-- everyone when p_account is NULL): an RSVP or an event cancelled. Pending
-- rows are few and indexed (outbox_reminder_event), sent ones are not read.
CREATE OR REPLACE FUNCTION series_reminders_drop(p_event uuid, p_account uuid) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM outbox
     WHERE kind = 'series_rsvp_reminder' AND status = 'pending'
       AND payload -> 'event' ->> 'id' = p_event::text
       AND (p_account IS NULL OR account_id = p_account)
$$;

-- DELETE /v1/series-events/{id}/rsvp: the trigger gives the place back.
-- An event already under way or over keeps its RSVPs (409).
CREATE OR REPLACE FUNCTION series_rsvp_cancel(p_id uuid, p_account uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    ev series_events;
BEGIN
    ev := series_event_visible(p_id, false);
    IF ev.id IS NULL OR NOT EXISTS (SELECT 1 FROM series_rsvps
                                     WHERE event_id = p_id AND account_id = p_account) THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF ev.status = 'scheduled' AND ev.starts_at <= now() THEN
        RETURN core_problem(409, 'event-closed');
    END IF;
    DELETE FROM series_rsvps WHERE event_id = p_id AND account_id = p_account;
    PERFORM series_reminders_drop(p_id, p_account);
    RETURN core_answer(204);
END
$$;

-- One attendance row as JSON.
CREATE OR REPLACE FUNCTION series_attendance_json(a series_attendance) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT a.event_id,
               (SELECT json_build_object('id', p.id, 'full_name', p.full_name,
                                         'organization', p.organization, 'sector', p.sector)
                  FROM accounts p WHERE p.id = a.account_id) AS account,
               a.mode, a.via,
               (SELECT r.badge_code FROM registrations r WHERE r.id = a.registration_id)
                   AS badge_code,
               a.recorded_at) x
$$;

-- GET /v1/series-events/{id}/attendance (organizers): who came, with the
-- RSVPs and the counts by mode.
CREATE OR REPLACE FUNCTION series_attendance_list(p_id uuid) RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((SELECT row_to_json(x) FROM (
        SELECT ev.id AS event_id, ev.title, ev.starts_at, ev.status,
               (SELECT count(*) FROM series_rsvps s WHERE s.event_id = ev.id) AS rsvps,
               (SELECT json_build_object('total', count(*),
                       'in_person', count(*) FILTER (WHERE a.mode = 'in_person'),
                       'online', count(*) FILTER (WHERE a.mode = 'online'))
                  FROM series_attendance a WHERE a.event_id = ev.id) AS counts,
               (SELECT coalesce(json_agg(series_attendance_json(a)
                                         ORDER BY a.recorded_at, a.account_id), '[]')
                  FROM series_attendance a WHERE a.event_id = ev.id) AS items
          FROM series_events ev WHERE ev.id = p_id) x))
$$;

-- POST /v1/series-events/{id}/attendance (organizers): by account id or by
-- the badge code of a registration of the event's edition; once per event
-- and person (a repeat answers the first record, 200).
CREATE OR REPLACE FUNCTION series_attendance_create(p_id uuid, p_account uuid, p_badge text,
                                                    p_mode text, p_actor uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    ev series_events;
    who uuid;
    reg uuid;
    errs jsonb := '[]';
    a series_attendance;
BEGIN
    SELECT * INTO ev FROM series_events WHERE id = p_id;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF ev.status = 'cancelled' THEN
        RETURN core_problem(409, 'event-closed');
    END IF;
    IF p_badge IS NOT NULL THEN
        SELECT r.account_id, r.id INTO who, reg FROM registrations r
         WHERE r.edition_id = ev.edition_id AND r.badge_code = p_badge
           AND r.account_id IS NOT NULL;
        IF who IS NULL THEN
            errs := errs || core_field_error('badge_code', 'unknown');
        END IF;
    ELSE
        SELECT id INTO who FROM accounts WHERE id = p_account;
        IF who IS NULL THEN
            errs := errs || core_field_error('account_id', 'unknown');
        END IF;
    END IF;
    IF series_mode_error(p_id, p_mode) IS NOT NULL THEN
        errs := errs || series_mode_error(p_id, p_mode);
    END IF;
    IF jsonb_array_length(errs) > 0 THEN
        RETURN core_invalid(errs);
    END IF;
    INSERT INTO series_attendance (event_id, account_id, mode, via, registration_id, recorded_by)
    VALUES (p_id, who, p_mode, CASE WHEN p_badge IS NULL THEN 'account' ELSE 'badge' END, reg,
            p_actor)
    ON CONFLICT (event_id, account_id) DO NOTHING
    RETURNING * INTO a;
    IF FOUND THEN
        RETURN core_answer(201, series_attendance_json(a));
    END IF;
    SELECT * INTO a FROM series_attendance WHERE event_id = p_id AND account_id = who;
    RETURN core_answer(200, series_attendance_json(a));
END
$$;

-- How many events of the edition (not cancelled) a person attended: the
-- organizers' registration list and CSV show it.
CREATE OR REPLACE FUNCTION series_attended(p_edition uuid, p_account uuid) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT count(*)::integer FROM series_attendance a
      JOIN series_events ev ON ev.id = a.event_id
     WHERE ev.edition_id = p_edition AND a.account_id = p_account AND ev.status <> 'cancelled'
$$;

-- GET /v1/editions/{slug}/series-participation (organizers). Per person:
-- how many events of the edition (not cancelled) they came to and which;
-- per event: how many came. Most faithful first.
CREATE OR REPLACE FUNCTION series_participation(p_slug text) RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH e AS (SELECT id, slug FROM editions WHERE slug = p_slug),
    ev AS (SELECT s.* FROM series_events s, e WHERE s.edition_id = e.id
              AND s.status <> 'cancelled'),
    att AS (SELECT a.account_id, a.mode, ev.id, ev.title, ev.starts_at
              FROM series_attendance a JOIN ev ON ev.id = a.event_id),
    people AS (SELECT account_id, count(*) AS n,
                      json_agg(json_build_object('id', id, 'title', title,
                               'starts_at', starts_at, 'mode', mode)
                               ORDER BY starts_at, id) AS events
                 FROM att GROUP BY account_id)
    SELECT core_found((SELECT row_to_json(x) FROM (
        SELECT e.slug AS edition, (SELECT count(*) FROM ev) AS events,
               (SELECT count(*) FROM people) AS people,
               (SELECT count(*) FROM att) AS attendances,
               (SELECT coalesce(json_agg(json_build_object('id', v.id, 'title', v.title,
                        'starts_at', v.starts_at,
                        'attended', (SELECT count(*) FROM att WHERE att.id = v.id))
                        ORDER BY v.starts_at, v.id), '[]') FROM ev v) AS by_event,
               (SELECT coalesce(json_agg(json_build_object(
                        'account', json_build_object('id', a.id, 'full_name', a.full_name,
                                   'organization', a.organization, 'sector', a.sector),
                        'attended', p.n,
                        'registered', EXISTS (SELECT 1 FROM registrations r
                             WHERE r.edition_id = e.id AND r.account_id = a.id
                               AND r.status NOT IN ('cancelled', 'rejected')),
                        'events', p.events) ORDER BY p.n DESC, a.full_name, a.id), '[]')
                  FROM people p JOIN accounts a ON a.id = p.account_id) AS items
          FROM e) x))
$$;

-- ---------------------------------------------------------------------------
-- Pages (services/series/pages.c): the Rumbo al GESS list and one event,
-- each in one statement composing the API's own functions.

-- An event as the API answered it (series_event_json: online_url only for
-- whom it shows it to) plus what a page shows: its times in the edition's
-- time zone and p_lang, kind_is/format_is/status_is as keys for logic-less
-- templates, and the modes with their places as a list.
CREATE OR REPLACE FUNCTION series_page_entry(p_ev jsonb, p_tz text, p_lang text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT p_ev || jsonb_build_object(
        'when', editions_page_when((p_ev->>'starts_at')::timestamptz, p_tz, p_lang),
        'ends', CASE WHEN ((p_ev->>'starts_at')::timestamptz AT TIME ZONE p_tz)::date
                          = ((p_ev->>'ends_at')::timestamptz AT TIME ZONE p_tz)::date
                     THEN to_char((p_ev->>'ends_at')::timestamptz AT TIME ZONE p_tz, 'HH24:MI')
                     ELSE editions_page_when((p_ev->>'ends_at')::timestamptz, p_tz, p_lang) END,
        'kind_is', jsonb_build_object(p_ev->>'kind', true),
        'format_is', jsonb_build_object(p_ev->>'format', true),
        'status_is', jsonb_build_object(coalesce(p_ev->>'status', 'scheduled'), true),
        'has_location', coalesce(p_ev->>'location', '') <> '',
        'has_partners', jsonb_array_length(coalesce(p_ev->'partner_organizations', '[]')) > 0,
        'mode_list', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                      'mode', m.key, 'is', jsonb_build_object(m.key, true),
                                      'unlimited', jsonb_typeof(m.value) = 'null',
                                      'capacity', m.value,
                                      'places_left', p_ev->'places_left'->m.key,
                                      'full', jsonb_typeof(m.value) <> 'null'
                                              AND coalesce((p_ev->'places_left'->>m.key)::integer,
                                                           0) <= 0)
                                  ORDER BY m.key)
                                 FROM jsonb_each(coalesce(p_ev->'modes', '{}')) m), '[]'))
$$;

-- GET /editions/{slug}/rumbo: the edition (editions_get) and its events
-- (series_event_list, as the caller may see them): upcoming ones (not yet
-- ended) first, soonest first; then past ones, latest first.
CREATE OR REPLACE FUNCTION series_page_rumbo(p_slug text, p_viewer uuid, p_organizer boolean,
                                             p_lang text)
RETURNS api_answer
LANGUAGE plpgsql STABLE AS $$
DECLARE
    g api_answer;
    l api_answer;
    tz text;
BEGIN
    g := editions_get(p_slug, p_organizer);
    IF g.problem IS NOT NULL THEN
        RETURN g;
    END IF;
    l := series_event_list(p_slug, p_viewer, p_organizer, NULL, 200);
    IF l.problem IS NOT NULL THEN
        RETURN l;
    END IF;
    tz := g.body->>'timezone';
    RETURN core_answer(200, json_build_object(
        'edition', json_build_object('slug', g.body->'slug', 'title', g.body->'title',
                                     'timezone', g.body->'timezone'),
        'upcoming', coalesce((
            SELECT jsonb_agg(series_page_entry(x, tz, p_lang) ORDER BY x->>'starts_at', i)
              FROM jsonb_array_elements(l.body::jsonb->'items') WITH ORDINALITY AS y(x, i)
             WHERE (x->>'ends_at')::timestamptz >= now()), '[]'),
        'past', coalesce((
            SELECT jsonb_agg(series_page_entry(x, tz, p_lang) ORDER BY x->>'starts_at' DESC, i)
              FROM jsonb_array_elements(l.body::jsonb->'items') WITH ORDINALITY AS y(x, i)
             WHERE (x->>'ends_at')::timestamptz < now()), '[]'),
        'has_upcoming', EXISTS (SELECT 1 FROM json_array_elements(l.body->'items') x
                                 WHERE (x->>'ends_at')::timestamptz >= now()),
        'has_past', EXISTS (SELECT 1 FROM json_array_elements(l.body->'items') x
                             WHERE (x->>'ends_at')::timestamptz < now()),
        'more', l.body->'next_cursor' IS NOT NULL AND json_typeof(l.body->'next_cursor') <> 'null'));
END
$$;

-- GET /series-events/{id}: the event as the API shows it to the caller
-- (series_event_get) with its edition (editions_get) and local times.
CREATE OR REPLACE FUNCTION series_page_event(p_id uuid, p_viewer uuid, p_organizer boolean,
                                             p_lang text)
RETURNS api_answer
LANGUAGE plpgsql STABLE AS $$
DECLARE
    ev api_answer;
    g api_answer;
BEGIN
    ev := series_event_get(p_id, p_viewer, p_organizer);
    IF ev.problem IS NOT NULL THEN
        RETURN ev;
    END IF;
    g := editions_get(ev.body->>'edition', p_organizer);
    IF g.problem IS NOT NULL THEN
        RETURN g;
    END IF;
    RETURN core_answer(200, json_build_object(
        'title', ev.body->'title',
        'edition', json_build_object('slug', g.body->'slug', 'title', g.body->'title',
                                     'timezone', g.body->'timezone'),
        'event', series_page_entry(ev.body::jsonb, g.body->>'timezone', p_lang)
                 || jsonb_build_object(
                     'past', (ev.body->>'ends_at')::timestamptz < now(),
                     'has_online_url', coalesce(ev.body->>'online_url', '') <> '',
                     -- the RSVP forms, as series_rsvp_create and _cancel decide
                     'rsvp_mode_is', CASE WHEN json_typeof(ev.body->'my_rsvp') = 'object'
                                          THEN jsonb_build_object(ev.body->'my_rsvp'->>'mode', true)
                                     END,
                     'open', ev.body->>'status' <> 'cancelled'
                             AND (ev.body->>'starts_at')::timestamptz > now(),
                     'may_rsvp', p_viewer IS NOT NULL
                                 AND coalesce(json_typeof(ev.body->'my_rsvp'), 'null') = 'null'
                                 AND ev.body->>'status' <> 'cancelled'
                                 AND (ev.body->>'starts_at')::timestamptz > now(),
                     'may_withdraw', json_typeof(ev.body->'my_rsvp') = 'object'
                                     AND NOT (ev.body->>'status' = 'scheduled'
                                              AND (ev.body->>'starts_at')::timestamptz <= now()))));
END
$$;

GRANT EXECUTE ON FUNCTION series_page_entry(jsonb, text, text),
    series_page_rumbo(text, uuid, boolean, text), series_page_event(uuid, uuid, boolean, text)
    TO gess_app;
