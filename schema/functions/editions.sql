-- functions/editions.sql: editions: their JSON, the next edition of a series of congresses,
-- and the registration statistics of one.
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

-- POST /v1/editions/{slug}/next: the edition two years later, with a copy
-- of the chosen setup (never registrations).
CREATE OR REPLACE FUNCTION edition_next(p_slug text, p_categories boolean, p_questions boolean,
                                        OUT problem text, OUT body text)
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
        problem := 'not-found';
        RETURN;
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
        problem := 'slug-taken';
        RETURN;
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
    body := edition_json(n)::text;
END
$$;

-- GET /v1/editions/{slug}/stats: counts for the organizers' dashboard.
CREATE OR REPLACE FUNCTION edition_stats(p_slug text) RETURNS json
LANGUAGE sql STABLE AS $$
    WITH e AS (SELECT id, timezone FROM editions WHERE slug = p_slug),
    r AS (SELECT reg.*, c.code FROM registrations reg JOIN e ON reg.edition_id = e.id
            JOIN categories c ON c.id = reg.category_id)
    SELECT row_to_json(x) FROM (
        SELECT (SELECT count(*) FROM r) AS total,
               (SELECT coalesce(jsonb_object_agg(status, n), '{}')
                  FROM (SELECT status, count(*) n FROM r GROUP BY status) s) AS by_status,
               (SELECT coalesce(jsonb_object_agg(code, st), '{}') FROM (
                    SELECT code, jsonb_object_agg(status, n) st
                      FROM (SELECT code, status, count(*) n FROM r GROUP BY code, status) s
                     GROUP BY code) s2) AS by_category,
               (SELECT coalesce(jsonb_object_agg(mode, n), '{}')
                  FROM (SELECT mode, count(*) n FROM r GROUP BY mode) s) AS by_mode,
               (SELECT coalesce(jsonb_object_agg(coalesce(sector, 'unknown'), n), '{}')
                  FROM (SELECT sector, count(*) n FROM r GROUP BY sector) s) AS by_sector,
               (SELECT coalesce(jsonb_object_agg(day, n ORDER BY day), '{}')
                  FROM (SELECT (r.created_at AT TIME ZONE e.timezone)::date AS day, count(*) n
                          FROM r, e GROUP BY 1) s) AS by_day
         WHERE EXISTS (SELECT 1 FROM e)) x
$$;
