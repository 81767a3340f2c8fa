-- 0008_pacts_api: the request functions and JSON shapes of organizations,
-- pacts, their parties and contacts, and each pact's history; accounts and
-- speakers linking an organization record.
--
-- Every function that writes a pact or a party calls pact_set_actor()
-- first, so the audit trigger of 0006 records who did it. Validation that
-- needs the database (an id that does not exist, a field the stored row
-- makes wrong) comes back as problem 'validation-failed' with
-- {errors: [{field, code, s?}]} for gessd to word (services/pacts/pacts.c).

-- ---------------------------------------------------------------------------
-- Organizations

-- organization {id, name, sector, tax_id, region, created_at, updated_at}
CREATE FUNCTION organization_json(o organizations) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT o.id, o.name, o.sector, o.tax_id, o.region, o.created_at, o.updated_at) x
$$;

-- What a name search compares: lower case without the accents of Spanish
-- (the unaccent extension is not installed; these are the letters names
-- use). The accents go first, upper case too: lower() under the C locale
-- leaves non-ASCII letters alone.
CREATE FUNCTION organization_fold(s text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT lower(translate(s, 'áéíóúüñàèìòùâêîôûäëïöçÁÉÍÓÚÜÑÀÈÌÒÙÂÊÎÔÛÄËÏÖÇ',
                              'aeiouunaeiouaeiouaeiocaeiouunaeiouaeiouaeioc'))
$$;

-- The organization an organization-taken problem names: the one holding the
-- name or the tax id.
CREATE FUNCTION organization_taken(p_name text, p_tax_id text, p_except uuid) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT json_build_object('organization', json_build_object('id', o.id, 'name', o.name))::text
      FROM organizations o
     WHERE (lower(o.name) = lower(p_name) OR o.tax_id = p_tax_id)
       AND o.id IS DISTINCT FROM p_except
     ORDER BY lower(o.name) = lower(p_name) DESC
     LIMIT 1
$$;

-- POST /v1/organizations: p holds the members gessd has checked (name,
-- sector, tax_id?, region?). The unique indexes decide races.
CREATE FUNCTION organization_create(p jsonb, OUT problem text, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
    o organizations;
BEGIN
    INSERT INTO organizations (name, sector, tax_id, region)
    VALUES (p ->> 'name', p ->> 'sector', p ->> 'tax_id', coalesce(p ->> 'region', ''))
    ON CONFLICT DO NOTHING
    RETURNING * INTO o;
    IF NOT FOUND THEN
        problem := 'organization-taken';
        body := organization_taken(p ->> 'name', p ->> 'tax_id', NULL);
        RETURN;
    END IF;
    body := organization_json(o)::text;
END
$$;

-- PATCH /v1/organizations/{id}: only the members present in p change
-- (tax_id and region may be null: cleared).
CREATE FUNCTION organization_patch(p_id uuid, p jsonb, OUT problem text, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
    o organizations;
BEGIN
    SELECT * INTO o FROM organizations WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        problem := 'not-found';
        RETURN;
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
        problem := 'organization-taken';
        body := organization_taken(o.name, o.tax_id, p_id);
        RETURN;
    END;
    body := organization_json(o)::text;
END
$$;

-- ---------------------------------------------------------------------------
-- Pacts and parties

-- How a caller may see a pact: 'full' (staff, or a contact of one of its
-- parties: drafts, contacts, unverified measurements), 'public' (a
-- non-draft pact of a non-draft edition), or NULL (not at all: 404).
CREATE FUNCTION pact_access(p pacts, viewer uuid, staff boolean) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN staff THEN 'full'
        WHEN viewer IS NOT NULL AND EXISTS (
                 SELECT 1 FROM pact_parties pp
                   JOIN pact_party_contacts c ON c.party_id = pp.id
                  WHERE pp.pact_id = p.id AND c.account_id = viewer) THEN 'full'
        WHEN p.status <> 'draft' AND EXISTS (
                 SELECT 1 FROM editions e WHERE e.id = p.edition_id AND e.status <> 'draft')
             THEN 'public'
        END
$$;

-- party {id, pact_id, organization: {id, name, sector}, role, contacts:
-- [{id, full_name}] (full only), created_at}
CREATE FUNCTION party_json(pp pact_parties, full boolean) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT (jsonb_build_object(
        'id', pp.id, 'pact_id', pp.pact_id,
        'organization', (SELECT json_build_object('id', o.id, 'name', o.name, 'sector', o.sector)
                           FROM organizations o WHERE o.id = pp.organization_id),
        'role', pp.role, 'created_at', pp.created_at)
        || CASE WHEN $2 THEN jsonb_build_object(
               'contacts', coalesce((SELECT json_agg(json_build_object('id', a.id,
                                                                       'full_name', a.full_name)
                                                     ORDER BY a.full_name, a.id)
                                       FROM pact_party_contacts c
                                       JOIN accounts a ON a.id = c.account_id
                                      WHERE c.party_id = pp.id), '[]'))
           ELSE '{}'::jsonb END)::json
$$;

-- The members a pact and a list item share.
CREATE FUNCTION pact_head(p pacts, full boolean) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', p.id, 'edition', (SELECT e.slug FROM editions e WHERE e.id = p.edition_id),
        'title', p.title, 'summary', p.summary, 'text', p.text, 'text_url', p.text_url,
        'signed_on', p.signed_on, 'status', p.status,
        'progress', progress_json(pr.progress),
        'completion', completion_level(pr.progress, pr.evidence),
        'parties', coalesce((SELECT json_agg(party_json(pp, $2) ORDER BY pp.created_at, pp.id)
                               FROM pact_parties pp WHERE pp.pact_id = p.id), '[]'),
        'created_at', p.created_at, 'updated_at', p.updated_at)
      FROM pact_progress(p.id) pr
$$;

-- pact: the head with its top-level commitments (each with its
-- sub_commitments, commitment_json of 0007).
CREATE FUNCTION pact_json(p pacts, full boolean) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT (pact_head(p, $2) || jsonb_build_object(
        'commitments', coalesce((SELECT json_agg(commitment_json(c, $2)
                                                 ORDER BY c.created_at, c.id)
                                   FROM commitments c
                                  WHERE c.pact_id = p.id AND c.parent_id IS NULL), '[]')))::json
$$;

-- A list item: the head without the full text (up to 100,000 characters:
-- read it on the pact itself) and how many commitments (top-level and sub-)
-- it has.
CREATE FUNCTION pact_item_json(p pacts, full boolean) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT ((pact_head(p, $2) - 'text') || jsonb_build_object(
        'commitment_count', (SELECT count(*) FROM commitments c WHERE c.pact_id = p.id)))::json
$$;

-- POST /v1/editions/{slug}/pacts: p holds the checked members (title,
-- summary?, text?, text_url?, signed_on?, status?).
CREATE FUNCTION pact_create(p_slug text, p jsonb, p_actor uuid,
                            OUT problem text, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
    ed uuid;
    x pacts;
BEGIN
    PERFORM pact_set_actor(p_actor);
    SELECT id INTO ed FROM editions WHERE slug = p_slug;
    IF NOT FOUND THEN
        problem := 'not-found';
        RETURN;
    END IF;
    INSERT INTO pacts (edition_id, title, summary, text, text_url, signed_on, status, created_by)
    VALUES (ed, p ->> 'title', coalesce(p ->> 'summary', ''), coalesce(p ->> 'text', ''),
            p ->> 'text_url', (p ->> 'signed_on')::date, coalesce(p ->> 'status', 'draft'),
            p_actor)
    RETURNING * INTO x;
    body := pact_json(x, true)::text;
END
$$;

-- PATCH /v1/pacts/{id}: only the members present in p change. A pact once
-- signed is public record: it cannot go back to draft (409). A pact that is
-- not a draft needs the date it was signed (422 naming signed_on).
CREATE FUNCTION pact_patch(p_id uuid, p jsonb, p_actor uuid, OUT problem text, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
    x pacts;
BEGIN
    PERFORM pact_set_actor(p_actor);
    SELECT * INTO x FROM pacts WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        problem := 'not-found';
        RETURN;
    END IF;
    IF p ->> 'status' = 'draft' AND x.status <> 'draft' THEN
        problem := 'invalid-state';
        body := json_build_object('detail', 'A pact that is ' || x.status
                                            || ' cannot go back to draft.')::text;
        RETURN;
    END IF;
    IF p ? 'title' THEN x.title := p ->> 'title'; END IF;
    IF p ? 'summary' THEN x.summary := coalesce(p ->> 'summary', ''); END IF;
    IF p ? 'text' THEN x.text := coalesce(p ->> 'text', ''); END IF;
    IF p ? 'text_url' THEN x.text_url := p ->> 'text_url'; END IF;
    IF p ? 'signed_on' THEN x.signed_on := (p ->> 'signed_on')::date; END IF;
    IF p ? 'status' THEN x.status := p ->> 'status'; END IF;
    IF x.status <> 'draft' AND x.signed_on IS NULL THEN
        problem := 'validation-failed';
        body := '{"errors": [{"field": "signed_on", "code": "required"}]}';
        RETURN;
    END IF;
    UPDATE pacts
       SET title = x.title, summary = x.summary, text = x.text, text_url = x.text_url,
           signed_on = x.signed_on, status = x.status,
           updated_at = CASE WHEN (title, summary, text, text_url, signed_on, status)
                                  IS NOT DISTINCT FROM
                                  (x.title, x.summary, x.text, x.text_url, x.signed_on, x.status)
                             THEN updated_at ELSE now() END
     WHERE id = p_id
    RETURNING * INTO x;
    body := pact_json(x, true)::text;
END
$$;

-- POST /v1/pacts/{id}/parties: an organization in a role, with the
-- accounts that speak for it. Unknown ids are 422 naming the field; the
-- same organization in the same role twice is 409 party-exists (the unique
-- constraint decides races).
CREATE FUNCTION party_create(p_pact uuid, p_org uuid, p_role text, p_contacts uuid[],
                             p_actor uuid, OUT problem text, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
    pp pact_parties;
    errs jsonb := '[]';
BEGIN
    PERFORM pact_set_actor(p_actor);
    PERFORM 1 FROM pacts WHERE id = p_pact;
    IF NOT FOUND THEN
        problem := 'not-found';
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM organizations WHERE id = p_org) THEN
        errs := errs || jsonb_build_object('field', 'organization_id', 'code', 'no_organization');
    END IF;
    SELECT errs || coalesce(jsonb_agg(jsonb_build_object(
                       'field', 'contact_account_ids[' || (k.n - 1) || ']',
                       'code', 'no_account') ORDER BY k.n), '[]')
      INTO errs
      FROM unnest(p_contacts) WITH ORDINALITY AS k(id, n)
     WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = k.id);
    IF jsonb_array_length(errs) > 0 THEN
        problem := 'validation-failed';
        body := jsonb_build_object('errors', errs)::text;
        RETURN;
    END IF;
    INSERT INTO pact_parties (pact_id, organization_id, role)
    VALUES (p_pact, p_org, p_role)
    ON CONFLICT ON CONSTRAINT pact_parties_key DO NOTHING
    RETURNING * INTO pp;
    IF NOT FOUND THEN
        problem := 'party-exists';
        body := (SELECT json_build_object('party_id', x.id) FROM pact_parties x
                  WHERE x.pact_id = p_pact AND x.organization_id = p_org AND x.role = p_role)::text;
        RETURN;
    END IF;
    -- an account removed since the check above makes the foreign key fail:
    -- a 500 for a race nobody can cause on purpose
    INSERT INTO pact_party_contacts (party_id, account_id)
    SELECT pp.id, c FROM unnest(p_contacts) c ON CONFLICT DO NOTHING;
    body := party_json(pp, true)::text;
END
$$;

-- GET /v1/pacts/{id}/history: one page of the audit trail, oldest first,
-- after the audit id p_after. NULL when the pact does not exist (404).
-- An actor whose account was erased shows as null.
CREATE FUNCTION pact_history(p_pact uuid, p_after bigint, p_limit integer) RETURNS text
LANGUAGE sql STABLE AS $$
    WITH page AS (
        SELECT a.*, row_number() OVER (ORDER BY a.id) AS rn
          FROM pact_audit a
         WHERE a.pact_id = p_pact AND a.id > coalesce(p_after, 0)
         ORDER BY a.id LIMIT p_limit + 1)
    SELECT json_build_object(
        'items', coalesce((SELECT json_agg(json_build_object(
                     'id', g.id, 'at', g.at, 'entity', g.entity, 'entity_id', g.entity_id,
                     'action', g.action,
                     'actor', (SELECT json_build_object('id', ac.id, 'full_name', ac.full_name)
                                 FROM accounts ac WHERE ac.id = g.actor_id),
                     'before', g.before, 'after', g.after) ORDER BY g.id)
                             FROM page g WHERE g.rn <= p_limit), '[]'),
        'next_cursor', (SELECT g.id::text FROM page g
                         WHERE g.rn = p_limit AND EXISTS (SELECT 1 FROM page m
                                                           WHERE m.rn > p_limit)))::text
      FROM pacts WHERE id = p_pact
$$;

-- ---------------------------------------------------------------------------
-- Accounts and speakers link an organization record (0006 added the
-- columns); the free-text organization stays as typed.

CREATE OR REPLACE FUNCTION account_json(a accounts) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT a.id, a.email, a.full_name, a.organization, a.organization_id, a.sector,
               a.country, a.region, effective_roles(a.roles) AS roles, a.created_at) x
$$;

CREATE OR REPLACE FUNCTION speaker_json(s speakers, with_account boolean) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT s.id, s.name, s.organization, s.organization_id, s.sector,
               CASE WHEN with_account THEN s.account_id END AS account_id, s.created_at) x
$$;

-- speaker_create of 0004 with the organization record: given, or the
-- account's. An organization_id that does not exist is 422 naming it.
DROP FUNCTION speaker_create(text, uuid, text, text, text);
CREATE FUNCTION speaker_create(p_slug text, p_account uuid, p_name text, p_organization text,
                               p_sector text, p_organization_id uuid,
                               OUT problem text, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
    ed uuid;
    a accounts;
    s speakers;
    org organizations;
BEGIN
    SELECT id INTO ed FROM editions WHERE slug = p_slug;
    IF NOT FOUND THEN
        problem := 'not-found';
        RETURN;
    END IF;
    IF p_account IS NOT NULL THEN
        SELECT * INTO a FROM accounts WHERE id = p_account;
        IF NOT FOUND THEN
            problem := 'validation-failed';
            body := '{"errors": [{"field": "account_id", "code": "no_account"}]}';
            RETURN;
        END IF;
    END IF;
    IF p_organization_id IS NOT NULL THEN
        SELECT * INTO org FROM organizations WHERE id = p_organization_id;
        IF NOT FOUND THEN
            problem := 'validation-failed';
            body := '{"errors": [{"field": "organization_id", "code": "no_organization"}]}';
            RETURN;
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
        problem := 'validation-failed';
        body := '{"errors": [{"field": "account_id", "code": "taken"}]}';
        RETURN;
    END IF;
    body := speaker_json(s, true)::text;
END
$$;
