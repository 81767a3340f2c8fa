-- functions/editions.sql: editions: their JSON, the next edition two years
-- on (with a copy of its setup), and the setup registration offers:
-- categories with their per-mode capacity, and questions.
--
-- Reloaded by every `gessd migrate` in one transaction (check_function_bodies
-- off, so files may call each other in any order); written to be re-run:
-- CREATE OR REPLACE, and DROP ... IF EXISTS before a signature changes.
-- A function removed from here is dropped from upgraded databases by the
-- loader. The tables are in schema/migrations.

CREATE OR REPLACE FUNCTION edition_json(e editions) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT e.id, e.slug, e.number, e.title, e.motto, e.city, e.venue, e.starts_on,
               e.ends_on, e.timezone, e.registration_opens_at, e.registration_closes_at,
               e.status, (SELECT p.slug FROM editions p WHERE p.id = e.previous_id) AS previous,
               (e.status = 'published' AND now() >= e.registration_opens_at
                AND now() < e.registration_closes_at) AS registration_open,
               e.created_at) x
$$;

-- An integrity error an edition's row broke, as the answer (NULL for one
-- that is not the request's fault: the caller re-raises it). The slug is
-- the edition's name, a problem of its own; the others are fields.
CREATE OR REPLACE FUNCTION editions_refusal(p_constraint text)
RETURNS api_answer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_constraint = 'editions_slug_key' THEN core_problem(409, 'slug-taken')
                WHEN f.field IS NOT NULL THEN core_refused(f.field, f.code, f.arg) END
      FROM (SELECT NULL) one
      LEFT JOIN (VALUES ('editions_number_key', 'number', 'edition_taken', NULL),
                        ('editions_timezone_check', 'timezone', 'timezone', NULL),
                        ('editions_ends_on_check', 'ends_on', 'not_before', 'starts_on'),
                        ('editions_window_check', 'registration_closes_at', 'after',
                         'registration_opens_at')) f (con, field, code, arg)
        ON f.con = p_constraint
$$;

-- POST /v1/editions: the new edition (201).
CREATE OR REPLACE FUNCTION editions_create(p_slug text, p_number integer, p_title text,
                                          p_motto text, p_city text, p_venue text,
                                          p_starts date, p_ends date, p_timezone text,
                                          p_opens timestamptz, p_closes timestamptz,
                                          p_status text)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    body json;
    c text;
    refusal api_answer;
BEGIN
    INSERT INTO editions AS e (slug, number, title, motto, city, venue, starts_on, ends_on,
                               timezone, registration_opens_at, registration_closes_at, status)
    VALUES (p_slug, p_number, p_title, coalesce(p_motto, ''), coalesce(p_city, ''),
            coalesce(p_venue, ''), p_starts, p_ends, coalesce(p_timezone, 'America/Lima'),
            p_opens, p_closes, coalesce(p_status, 'draft'))
    RETURNING edition_json(e) INTO body;
    RETURN core_answer(201, body);
EXCEPTION WHEN unique_violation OR check_violation THEN
    GET STACKED DIAGNOSTICS c = CONSTRAINT_NAME;
    refusal := editions_refusal(c);
    IF refusal.status IS NULL THEN
        RAISE;
    END IF;
    RETURN refusal;
END
$$;

-- GET /v1/editions: newest first, drafts only for staff; the cursor is the
-- number of the last edition of the previous page.
CREATE OR REPLACE FUNCTION editions_list(p_staff boolean, p_cursor bigint, p_limit integer)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH page AS (
        SELECT e AS ed, e.number, row_number() OVER (ORDER BY e.number DESC) AS rn
          FROM editions e
         WHERE (p_staff OR e.status <> 'draft') AND (p_cursor IS NULL OR e.number < p_cursor)
         ORDER BY e.number DESC LIMIT p_limit + 1)
    SELECT core_answer(200, json_build_object(
               'items', coalesce(json_agg(edition_json(ed) ORDER BY number DESC)
                                 FILTER (WHERE rn <= p_limit), '[]'),
               'next_cursor', CASE WHEN max(rn) > p_limit
                                   THEN (min(number) FILTER (WHERE rn <= p_limit))::text END))
      FROM page
$$;

-- The edition a caller may see: a draft is staff's only.
CREATE OR REPLACE FUNCTION editions_visible(p_slug text, p_staff boolean) RETURNS SETOF editions
LANGUAGE sql STABLE AS $$
    SELECT * FROM editions e WHERE e.slug = p_slug AND (p_staff OR e.status <> 'draft')
$$;

-- GET /v1/editions/{slug}.
CREATE OR REPLACE FUNCTION editions_get(p_slug text, p_staff boolean)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((SELECT edition_json(e) FROM editions_visible(p_slug, p_staff) e))
$$;

-- Pages (services/editions/page_home.c): the current edition is the next
-- published one by date (not over yet), else the latest that is not a
-- draft; NULL when there is none.
CREATE OR REPLACE FUNCTION editions_page_current() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT e.slug FROM editions e WHERE e.status = 'published' AND e.ends_on >= current_date
          ORDER BY e.starts_on, e.number LIMIT 1),
        (SELECT e.slug FROM editions e WHERE e.status <> 'draft'
          ORDER BY e.starts_on DESC, e.number DESC LIMIT 1))
$$;

-- A date span as a page in p_lang writes it: '12–14 de mayo de 2028',
-- '30 de julio – 2 de agosto de 2026', '12–14 May 2028' (as
-- services/mail/dates.c does for mail; names from arrays, not lc_time).
CREATE OR REPLACE FUNCTION editions_page_span(p_from date, p_to date, p_lang text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    WITH n AS (SELECT CASE WHEN p_lang = 'en' THEN
                          ARRAY['January', 'February', 'March', 'April', 'May', 'June', 'July',
                                'August', 'September', 'October', 'November', 'December']
                      ELSE ARRAY['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio',
                                 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre']
                      END AS m,
                      CASE WHEN p_lang = 'en' THEN ' ' ELSE ' de ' END AS de),
         d AS (SELECT extract(day FROM p_from)::int AS d1, extract(month FROM p_from)::int AS m1,
                      extract(year FROM p_from)::int AS y1, extract(day FROM p_to)::int AS d2,
                      extract(month FROM p_to)::int AS m2, extract(year FROM p_to)::int AS y2)
    SELECT CASE WHEN p_from = p_to THEN d1 || de || m[m1] || de || y1
                WHEN y1 = y2 AND m1 = m2 THEN d1 || '–' || d2 || de || m[m1] || de || y1
                WHEN y1 = y2 THEN d1 || de || m[m1] || ' – ' || d2 || de || m[m2] || de || y1
                ELSE d1 || de || m[m1] || de || y1 || ' – ' || d2 || de || m[m2] || de || y2
           END
      FROM n, d
$$;

-- GET /: the current edition (editions_get) with its dates as people read
-- them, and its next three Rumbo al GESS events (series_event_list, from
-- now on), in one answer; {"edition": null} when there is no edition yet.
CREATE OR REPLACE FUNCTION editions_page_home(p_viewer uuid, p_lang text)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH cur AS (SELECT editions_page_current() AS slug),
    ed AS (SELECT (editions_get(cur.slug, false)).body AS e FROM cur WHERE cur.slug IS NOT NULL),
    evs AS (SELECT (series_event_list(cur.slug, p_viewer, false, NULL, 200)).body AS l
              FROM cur WHERE cur.slug IS NOT NULL),
    upcoming AS (SELECT coalesce(json_agg((x.ev::jsonb || jsonb_build_object('when',
                            editions_page_span(x.local::date, x.local::date, p_lang) || ', '
                            || to_char(x.local, 'HH24:MI')))::json ORDER BY x.n), '[]') AS items
                   FROM (SELECT t.ev, t.n, (t.ev ->> 'starts_at')::timestamptz
                                AT TIME ZONE (SELECT e ->> 'timezone' FROM ed) AS local
                           FROM evs, json_array_elements(evs.l -> 'items') WITH ORDINALITY AS t(ev, n)
                          WHERE (t.ev ->> 'starts_at')::timestamptz >= now()
                            AND t.ev ->> 'status' IS DISTINCT FROM 'cancelled'
                          ORDER BY t.n LIMIT 3) x)
    SELECT core_answer(200, json_build_object(
               'edition', (SELECT e FROM ed),
               'dates', (SELECT editions_page_span((e ->> 'starts_on')::date,
                                                   (e ->> 'ends_on')::date, p_lang) FROM ed),
               -- a day as people write it, in the edition's time zone
               'registration_closes_on',
                   (SELECT editions_page_span(d, d, p_lang)
                      FROM (SELECT ((e ->> 'registration_closes_at')::timestamptz
                                    AT TIME ZONE (e ->> 'timezone'))::date AS d FROM ed) x),
               'events', (SELECT items FROM upcoming),
               -- a list renders a section once per item: whether there is
               -- any is a boolean of its own
               'has_events', (SELECT json_array_length(items) > 0 FROM upcoming)))
$$;

-- GET /programme, /rumbo, /pacts: where the current edition's page is.
CREATE OR REPLACE FUNCTION editions_page_go() RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((SELECT json_build_object('slug', s) FROM editions_page_current() s
                        WHERE s IS NOT NULL))
$$;

-- PATCH /v1/editions/{slug}: absent fields keep their value; status moves
-- only forward.
CREATE OR REPLACE FUNCTION editions_patch(p_slug text, p_number integer, p_title text,
                                         p_motto text, p_city text, p_venue text,
                                         p_starts date, p_ends date, p_timezone text,
                                         p_opens timestamptz, p_closes timestamptz,
                                         p_status text)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    old editions;
    steps CONSTANT text[] := ARRAY['draft', 'published', 'closed', 'archived'];
    body json;
    c text;
    refusal api_answer;
BEGIN
    SELECT * INTO old FROM editions WHERE slug = p_slug FOR UPDATE;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF array_position(steps, p_status) < array_position(steps, old.status) THEN
        RETURN core_refused('status', 'backwards');
    END IF;
    UPDATE editions e SET
        number = coalesce(p_number, e.number), title = coalesce(p_title, e.title),
        motto = coalesce(p_motto, e.motto), city = coalesce(p_city, e.city),
        venue = coalesce(p_venue, e.venue), starts_on = coalesce(p_starts, e.starts_on),
        ends_on = coalesce(p_ends, e.ends_on), timezone = coalesce(p_timezone, e.timezone),
        registration_opens_at = coalesce(p_opens, e.registration_opens_at),
        registration_closes_at = coalesce(p_closes, e.registration_closes_at),
        status = coalesce(p_status, e.status), updated_at = now()
     WHERE e.id = old.id
    RETURNING edition_json(e) INTO body;
    RETURN core_answer(200, body);
EXCEPTION WHEN unique_violation OR check_violation THEN
    GET STACKED DIAGNOSTICS c = CONSTRAINT_NAME;
    refusal := editions_refusal(c);
    IF refusal.status IS NULL THEN
        RAISE;
    END IF;
    RETURN refusal;
END
$$;

-- POST /v1/editions/{slug}/next: the edition two years later, with a copy
-- of the chosen setup (never registrations).
CREATE OR REPLACE FUNCTION editions_next(p_slug text, p_categories boolean, p_questions boolean)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    e editions;
    n editions;
    old_year text;
    new_year text;
    parts text[];
BEGIN
    SELECT * INTO e FROM editions WHERE slug = p_slug;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    old_year := extract(year FROM e.starts_on)::text;
    new_year := (extract(year FROM e.starts_on) + 2)::text;
    parts := regexp_match(e.slug, '^(.*)([0-9]{4})(.*)$');
    n := e;
    n.id := gen_random_uuid();
    n.slug := CASE WHEN parts IS NULL THEN e.slug || '-' || new_year
                   ELSE parts[1] || (parts[2]::integer + 2)::text || parts[3] END;
    n.number := e.number + 1;
    n.title := replace(e.title, old_year, new_year);
    n.starts_on := e.starts_on + interval '2 years';
    n.ends_on := e.ends_on + interval '2 years';
    n.registration_opens_at := e.registration_opens_at + interval '2 years';
    n.registration_closes_at := e.registration_closes_at + interval '2 years';
    n.status := 'draft';
    n.previous_id := e.id;
    n.created_at := now();
    n.updated_at := now();
    BEGIN
        INSERT INTO editions SELECT n.*;
    EXCEPTION WHEN unique_violation THEN
        RETURN core_problem(409, 'slug-taken');
    END;
    IF p_categories THEN
        WITH src AS (
            SELECT c.*, gen_random_uuid() AS new_id FROM categories c WHERE c.edition_id = e.id
        ), ins AS (
            INSERT INTO categories (id, edition_id, code, name, description, price_cents,
                                    currency, requires_approval, sectors, position)
            SELECT new_id, n.id, code, name, description, price_cents, currency,
                   requires_approval, sectors, position FROM src
        )
        INSERT INTO category_modes (category_id, mode, capacity)
        SELECT src.new_id, m.mode, m.capacity
          FROM src JOIN category_modes m ON m.category_id = src.id;
    END IF;
    IF p_questions THEN
        INSERT INTO questions (edition_id, code, label, type, choices, required, position)
        SELECT n.id, code, label, type, choices, required, position
          FROM questions WHERE edition_id = e.id;
    END IF;
    RETURN core_answer(201, edition_json(n));
END
$$;

-- ---------------------------------------------------------------------------
-- Registration setup: categories (with their per-mode capacity) and questions

CREATE OR REPLACE FUNCTION category_json(c categories) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT c.id, c.code, c.name, c.description, c.price_cents, c.currency,
               c.requires_approval, c.sectors,
               (SELECT jsonb_object_agg(m.mode, m.capacity ORDER BY m.mode)
                  FROM category_modes m WHERE m.category_id = c.id) AS modes,
               (SELECT jsonb_object_agg(m.mode, m.capacity - m.taken ORDER BY m.mode)
                  FROM category_modes m WHERE m.category_id = c.id) AS seats_left) x
$$;

CREATE OR REPLACE FUNCTION question_json(q questions) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT q.id, q.code, q.label, q.type, q.choices, q.required) x
$$;

-- POST /v1/editions/{slug}/categories: the category and its modes.
CREATE OR REPLACE FUNCTION editions_category_create(p_slug text, p_code text, p_name text, p_description text,
                                           p_price bigint, p_currency text, p_approval boolean,
                                           p_sectors text[], p_modes jsonb)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    ed uuid;
    c categories;
BEGIN
    SELECT id INTO ed FROM editions WHERE slug = p_slug;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    INSERT INTO categories (edition_id, code, name, description, price_cents, currency,
                            requires_approval, sectors, position)
    VALUES (ed, p_code, p_name, p_description, p_price, p_currency, p_approval, p_sectors,
            (SELECT count(*) FROM categories WHERE edition_id = ed))
    ON CONFLICT ON CONSTRAINT categories_code_key DO NOTHING
    RETURNING * INTO c;
    IF NOT FOUND THEN
        RETURN core_problem(409, 'category-taken');
    END IF;
    INSERT INTO category_modes (category_id, mode, capacity)
    SELECT c.id, key, (value #>> '{}')::integer FROM jsonb_each(p_modes);
    RETURN core_answer(201, category_json(c));
END
$$;

-- GET /v1/editions/{slug}/categories, in the order they were made.
CREATE OR REPLACE FUNCTION editions_category_list(p_slug text, p_staff boolean)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((
        SELECT json_build_object('items', coalesce(json_agg(category_json(c)
                                                            ORDER BY c.position, c.created_at)
                                                   FILTER (WHERE c.id IS NOT NULL), '[]'))
          FROM editions_visible(p_slug, p_staff) e
          LEFT JOIN categories c ON c.edition_id = e.id
         GROUP BY e.id))
$$;

-- POST /v1/editions/{slug}/questions: the question, last on the form;
-- 409 question-taken for a code the edition already asks.
CREATE OR REPLACE FUNCTION editions_question_create(p_slug text, p_code text, p_label text,
                                                   p_type text, p_choices jsonb,
                                                   p_required boolean)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    ed uuid;
    body json;
BEGIN
    SELECT id INTO ed FROM editions WHERE slug = p_slug;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    INSERT INTO questions AS q (edition_id, code, label, type, choices, required, position)
    VALUES (ed, p_code, p_label, p_type, ARRAY(SELECT jsonb_array_elements_text(p_choices)),
            coalesce(p_required, false), (SELECT count(*) FROM questions WHERE edition_id = ed))
    ON CONFLICT ON CONSTRAINT questions_code_key DO NOTHING
    RETURNING question_json(q) INTO body;
    IF NOT FOUND THEN
        RETURN core_problem(409, 'question-taken');
    END IF;
    RETURN core_answer(201, body);
END
$$;

-- GET /v1/editions/{slug}/questions, in the form's order.
CREATE OR REPLACE FUNCTION editions_question_list(p_slug text, p_staff boolean)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((
        SELECT json_build_object('items', coalesce(json_agg(question_json(q)
                                                            ORDER BY q.position, q.created_at)
                                                   FILTER (WHERE q.id IS NOT NULL), '[]'))
          FROM editions_visible(p_slug, p_staff) e
          LEFT JOIN questions q ON q.edition_id = e.id
         GROUP BY e.id))
$$;

-- ---------------------------------------------------------------------------
-- Pages (services/editions/page_edition.c): dates as people read them, and
-- the edition's page in one statement.

-- A day as the page's language writes it: 'martes 18 de agosto de 2026',
-- 'Tuesday 18 August 2026' (p_lang 'en'; anything else Spanish). Names from
-- arrays, not lc_time, so the server's locale changes nothing.
CREATE OR REPLACE FUNCTION editions_page_day(p_day date, p_lang text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_lang = 'en' THEN
               (ARRAY['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday',
                      'Saturday'])[extract(dow FROM p_day)::int + 1]
               || ' ' || extract(day FROM p_day)::int || ' '
               || (ARRAY['January', 'February', 'March', 'April', 'May', 'June', 'July',
                         'August', 'September', 'October', 'November',
                         'December'])[extract(month FROM p_day)::int]
               || ' ' || extract(year FROM p_day)::int
           ELSE
               (ARRAY['domingo', 'lunes', 'martes', 'miércoles', 'jueves', 'viernes',
                      'sábado'])[extract(dow FROM p_day)::int + 1]
               || ' ' || extract(day FROM p_day)::int || ' de '
               || (ARRAY['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio',
                         'agosto', 'septiembre', 'octubre', 'noviembre',
                         'diciembre'])[extract(month FROM p_day)::int]
               || ' de ' || extract(year FROM p_day)::int
           END
$$;

-- An instant as the wall clock of time zone p_tz in p_lang:
-- 'martes 18 de agosto de 2026, 09:00'.
CREATE OR REPLACE FUNCTION editions_page_when(p_at timestamptz, p_tz text, p_lang text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT editions_page_day((p_at AT TIME ZONE p_tz)::date, p_lang) || ', '
           || to_char(p_at AT TIME ZONE p_tz, 'HH24:MI')
$$;

-- GET /editions/{slug}: the edition (editions_get) with its dates and
-- registration window as people read them, and the categories
-- (editions_category_list) with each offered mode's seats, in one answer.
-- A problem of either (the edition is unknown or a draft) is the page's.
-- registration_open (the API's), registration_soon (not open yet) and
-- registration_over (closed: past its window, or the edition closed) are
-- exclusive, for logic-less templates.
CREATE OR REPLACE FUNCTION editions_page_edition(p_slug text, p_staff boolean, p_lang text)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN g.problem IS NOT NULL THEN g
                WHEN c.problem IS NOT NULL THEN c
                ELSE core_answer(200, json_build_object(
        'title', g.body->'title',
        'edition', g.body::jsonb || jsonb_build_object(
            'dates', editions_page_span((g.body->>'starts_on')::date,
                                        (g.body->>'ends_on')::date, p_lang),
            'opens_local', editions_page_when((g.body->>'registration_opens_at')::timestamptz,
                                              g.body->>'timezone', p_lang),
            'closes_local', editions_page_when((g.body->>'registration_closes_at')::timestamptz,
                                               g.body->>'timezone', p_lang),
            'registration_soon', NOT (g.body->>'registration_open')::boolean
                                 AND now() < (g.body->>'registration_opens_at')::timestamptz,
            'registration_over', NOT (g.body->>'registration_open')::boolean
                                 AND now() >= (g.body->>'registration_opens_at')::timestamptz),
        'categories', coalesce((
            SELECT json_agg(json_build_object(
                       'code', x->>'code', 'name', x->>'name',
                       'description', nullif(x->>'description', ''),
                       'free', coalesce((x->>'price_cents')::bigint, 0) = 0,
                       'price', CASE WHEN coalesce((x->>'price_cents')::bigint, 0) > 0 THEN
                                    concat_ws(' ', x->>'currency',
                                              to_char((x->>'price_cents')::bigint / 100.0,
                                                      'FM999999990.00')) END,
                       'requires_approval', (x->>'requires_approval')::boolean,
                       'modes', (SELECT json_agg(json_build_object(
                                            'mode', m.key,
                                            'is', json_build_object(m.key, true),
                                            'unlimited', jsonb_typeof(m.value) = 'null',
                                            'capacity', m.value,
                                            'seats_left', x->'seats_left'->m.key,
                                            'full', jsonb_typeof(m.value) <> 'null'
                                                    AND (x->'seats_left'->>m.key)::int <= 0)
                                        ORDER BY m.key)
                                   FROM jsonb_each(x->'modes') m))
                   ORDER BY i)
              FROM jsonb_array_elements(c.body::jsonb->'items') WITH ORDINALITY AS y(x, i)),
            '[]')))
           END
      FROM editions_get(p_slug, p_staff) g, editions_category_list(p_slug, p_staff) c
$$;

GRANT EXECUTE ON FUNCTION editions_page_day(date, text),
    editions_page_when(timestamptz, text, text), editions_page_edition(text, boolean, text)
    TO gess_app;

-- GET /manage (services/editions/page_manage.c): the editions the staff
-- pages work on (drafts and published ones: a closed edition's desk has
-- nothing left to do), the latest twelve by their dates; only staff see it.
CREATE OR REPLACE FUNCTION editions_page_manage(p_lang text)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_answer(200, json_build_object('editions', coalesce((
        SELECT json_agg(json_build_object('slug', x.slug, 'title', x.title, 'status', x.status,
                                          'dates', editions_page_span(x.starts_on, x.ends_on,
                                                                      p_lang))
                        ORDER BY x.starts_on DESC, x.slug)
          FROM (SELECT * FROM editions e WHERE e.status IN ('draft', 'published')
                 ORDER BY e.starts_on DESC, e.slug LIMIT 12) x), '[]')))
$$;
