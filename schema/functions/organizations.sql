-- functions/organizations.sql: organizations as records (name unique in any letter case, tax
-- id unique), their JSON, creation and edits.
--
-- Reloaded by every `gessd migrate` in one transaction (check_function_bodies
-- off, so files may call each other in any order); written to be re-run:
-- CREATE OR REPLACE, and DROP ... IF EXISTS before a signature changes.
-- A function removed from here is dropped from upgraded databases by the
-- loader. The tables are in schema/migrations.

-- The request functions and JSON shapes of organizations (pacts, parties
-- and history are in pacts.sql).
--
-- Every function that writes a pact or a party calls pact_set_actor()
-- first, so the audit trigger (pacts.sql) records who did it. Validation that
-- needs the database (an id that does not exist, a field the stored row
-- makes wrong) comes back as problem 'validation-failed' with
-- {errors: [core_field_error(...)]} for gessd to word (services/core/problem.c).
--
-- Every request function answers one api_answer (status, problem, body),
-- the contract of services/core/req.h.

-- ---------------------------------------------------------------------------
-- Organizations

-- organization {id, name, sector, tax_id, region, created_at, updated_at}
CREATE OR REPLACE FUNCTION organization_json(o organizations) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT o.id, o.name, o.sector, o.tax_id, o.region, o.created_at, o.updated_at) x
$$;

-- What a name search compares: lower case without the accents of Spanish
-- (the unaccent extension is not installed; these are the letters names
-- use). The accents go first, upper case too: lower() under the C locale
-- leaves non-ASCII letters alone.
CREATE OR REPLACE FUNCTION organization_fold(s text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT lower(translate(s, 'áéíóúüñàèìòùâêîôûäëïöçÁÉÍÓÚÜÑÀÈÌÒÙÂÊÎÔÛÄËÏÖÇ',
                              'aeiouunaeiouaeiouaeiocaeiouunaeiouaeiouaeioc'))
$$;

-- The organization an organization-taken problem names: the one holding the
-- name or the tax id.
CREATE OR REPLACE FUNCTION organization_taken(p_name text, p_tax_id text, p_except uuid) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object('organization', json_build_object('id', o.id, 'name', o.name))
      FROM organizations o
     WHERE (lower(o.name) = lower(p_name) OR o.tax_id = p_tax_id)
       AND o.id IS DISTINCT FROM p_except
     ORDER BY lower(o.name) = lower(p_name) DESC
     LIMIT 1
$$;

-- POST /v1/organizations: p holds the members gessd has checked (name,
-- sector, tax_id?, region?). The unique indexes decide races.
CREATE OR REPLACE FUNCTION organizations_create(p jsonb)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    o organizations;
BEGIN
    INSERT INTO organizations (name, sector, tax_id, region)
    VALUES (p ->> 'name', p ->> 'sector', p ->> 'tax_id', coalesce(p ->> 'region', ''))
    ON CONFLICT DO NOTHING
    RETURNING * INTO o;
    IF NOT FOUND THEN
        RETURN core_problem(409, 'organization-taken',
                            organization_taken(p ->> 'name', p ->> 'tax_id', NULL));
    END IF;
    RETURN core_answer(201, organization_json(o));
END
$$;

-- PATCH /v1/organizations/{id}: only the members present in p change
-- (tax_id and region may be null: cleared).
CREATE OR REPLACE FUNCTION organizations_patch(p_id uuid, p jsonb)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    o organizations;
BEGIN
    SELECT * INTO o FROM organizations WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF p ? 'name' THEN o.name := p ->> 'name'; END IF;
    IF p ? 'sector' THEN o.sector := p ->> 'sector'; END IF;
    IF p ? 'tax_id' THEN o.tax_id := p ->> 'tax_id'; END IF;
    IF p ? 'region' THEN o.region := coalesce(p ->> 'region', ''); END IF;
    BEGIN
        UPDATE organizations
           SET name = o.name, sector = o.sector, tax_id = o.tax_id, region = o.region,
               updated_at = CASE WHEN (name, sector, tax_id, region)
                                      IS NOT DISTINCT FROM (o.name, o.sector, o.tax_id, o.region)
                                 THEN updated_at ELSE now() END
         WHERE id = p_id
        RETURNING * INTO o;
    EXCEPTION WHEN unique_violation THEN
        RETURN core_problem(409, 'organization-taken', organization_taken(o.name, o.tax_id, p_id));
    END;
    RETURN core_answer(200, organization_json(o));
END
$$;

-- GET /v1/organizations: one page ordered by name (any letter case), then
-- id; the cursor is the last organization's id. p_q: a substring of the
-- name (letter case and accents aside), p_sector: one sector (each NULL:
-- no filter).
CREATE OR REPLACE FUNCTION organizations_list(p_q text, p_sector text, p_cursor uuid, p_limit integer)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH page AS (SELECT o, o.id, row_number() OVER (ORDER BY lower(o.name), o.id) AS rn
       FROM organizations o
      WHERE (p_q IS NULL OR strpos(organization_fold(o.name), organization_fold(p_q)) > 0)
        AND (p_sector IS NULL OR o.sector = p_sector)
        AND (p_cursor IS NULL OR (lower(o.name), o.id) >
             (SELECT lower(k.name), k.id FROM organizations k WHERE k.id = p_cursor))
      ORDER BY lower(o.name), o.id LIMIT p_limit + 1)
    SELECT core_answer(200, core_page(array_agg(organization_json(g.o) ORDER BY g.rn),
                                      array_agg(g.id::text ORDER BY g.rn), p_limit))
      FROM page g
$$;

-- GET /v1/organizations/{id}
CREATE OR REPLACE FUNCTION organizations_get(p_id uuid)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((SELECT organization_json(o) FROM organizations o WHERE o.id = p_id))
$$;
