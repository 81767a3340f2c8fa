-- functions/pacts.sql: pacts and their parties, who may see and edit them, the audit
-- trail written by trigger in the same transaction as every change, and
-- progress as every reader shares it (never stored, so it cannot drift):
--   indicator:  (latest verified value - baseline) / (target - baseline),
--               clipped to 0..1; no verified value yet: 0.
--   commitment: the mean of its indicators; with none, milestones done over
--               milestones; with neither, the mean of its live
--               sub-commitments; with nothing at all, 1 from the day the
--               follow-up team set it `done`, else 0.
--   pact:       the mean of its top-level commitments that are not
--               `dropped` (as of the day asked); 0 with none.
--
-- Reloaded by every `gessd migrate` in one transaction (check_function_bodies
-- off, so files may call each other in any order); written to be re-run:
-- CREATE OR REPLACE, and DROP ... IF EXISTS before a signature changes.
-- A function removed from here is dropped from upgraded databases by the
-- loader. The tables are in schema/migrations.

CREATE OR REPLACE FUNCTION pact_audit_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'pact_audit rows cannot be changed or removed'
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE TRIGGER pact_audit_immutable BEFORE UPDATE OR DELETE ON pact_audit
    FOR EACH ROW EXECUTE FUNCTION pact_audit_immutable();

CREATE OR REPLACE TRIGGER pact_audit_no_truncate BEFORE TRUNCATE ON pact_audit
    FOR EACH STATEMENT EXECUTE FUNCTION pact_audit_immutable();

-- Who is acting: request functions call pact_set_actor(account) first; the
-- audit trigger reads it back. Transaction-local, so a pooled connection
-- never carries it into the next request.
CREATE OR REPLACE FUNCTION pact_set_actor(actor uuid) RETURNS void
LANGUAGE sql AS $$
    SELECT set_config('gess.actor', coalesce(actor::text, ''), true)
$$;

CREATE OR REPLACE FUNCTION pact_actor() RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('gess.actor', true), '')::uuid
$$;

-- The pact a row belongs to, for any audited table.
CREATE OR REPLACE FUNCTION pact_of(entity text, r jsonb) RETURNS uuid
LANGUAGE plpgsql STABLE AS $$
BEGIN
    CASE entity
    WHEN 'pact' THEN RETURN (r->>'id')::uuid;
    WHEN 'party', 'commitment' THEN RETURN (r->>'pact_id')::uuid;
    WHEN 'party_contact' THEN
        RETURN (SELECT pp.pact_id FROM pact_parties pp WHERE pp.id = (r->>'party_id')::uuid);
    WHEN 'co_responsible' THEN
        RETURN (SELECT c.pact_id FROM commitments c WHERE c.id = (r->>'commitment_id')::uuid);
    WHEN 'indicator', 'milestone' THEN
        RETURN (SELECT c.pact_id FROM commitments c WHERE c.id = (r->>'commitment_id')::uuid);
    WHEN 'measurement' THEN
        RETURN (SELECT c.pact_id FROM indicators i JOIN commitments c ON c.id = i.commitment_id
                 WHERE i.id = (r->>'indicator_id')::uuid);
    END CASE;
END $$;

CREATE OR REPLACE FUNCTION pact_audit_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    entity text := TG_ARGV[0];
    b jsonb;
    a jsonb;
    p uuid;
BEGIN
    IF TG_OP <> 'INSERT' THEN b := to_jsonb(OLD) - 'updated_at'; END IF;
    IF TG_OP <> 'DELETE' THEN a := to_jsonb(NEW) - 'updated_at'; END IF;
    IF TG_OP = 'UPDATE' AND a = b THEN
        RETURN NULL;  -- nothing changed: nothing to record
    END IF;
    p := pact_of(entity, coalesce(a, b));
    -- a row removed with its pact (ON DELETE CASCADE) has no pact to file under
    IF p IS NULL THEN RETURN NULL; END IF;
    INSERT INTO pact_audit (pact_id, entity, entity_id, action, actor_id, before, after)
    VALUES (p, entity,
            (coalesce(a, b)->>CASE entity WHEN 'party_contact' THEN 'party_id'
                                          WHEN 'co_responsible' THEN 'commitment_id'
                                          ELSE 'id' END)::uuid,
            lower(TG_OP), pact_actor(), b, a);
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER pacts_audit AFTER INSERT OR UPDATE OR DELETE ON pacts
    FOR EACH ROW EXECUTE FUNCTION pact_audit_row('pact');

CREATE OR REPLACE TRIGGER pact_parties_audit AFTER INSERT OR UPDATE OR DELETE ON pact_parties
    FOR EACH ROW EXECUTE FUNCTION pact_audit_row('party');

CREATE OR REPLACE TRIGGER commitments_audit AFTER INSERT OR UPDATE OR DELETE ON commitments
    FOR EACH ROW EXECUTE FUNCTION pact_audit_row('commitment');

CREATE OR REPLACE TRIGGER pact_party_contacts_audit AFTER INSERT OR UPDATE OR DELETE ON pact_party_contacts
    FOR EACH ROW EXECUTE FUNCTION pact_audit_row('party_contact');

CREATE OR REPLACE TRIGGER commitment_co_responsibles_audit
    AFTER INSERT OR UPDATE OR DELETE ON commitment_co_responsibles
    FOR EACH ROW EXECUTE FUNCTION pact_audit_row('co_responsible');

CREATE OR REPLACE TRIGGER indicators_audit AFTER INSERT OR UPDATE OR DELETE ON indicators
    FOR EACH ROW EXECUTE FUNCTION pact_audit_row('indicator');

CREATE OR REPLACE TRIGGER measurements_audit AFTER INSERT OR UPDATE OR DELETE ON measurements
    FOR EACH ROW EXECUTE FUNCTION pact_audit_row('measurement');

CREATE OR REPLACE TRIGGER milestones_audit AFTER INSERT OR UPDATE OR DELETE ON milestones
    FOR EACH ROW EXECUTE FUNCTION pact_audit_row('milestone');

CREATE OR REPLACE FUNCTION pact_progress(p uuid, at date DEFAULT NULL)
RETURNS TABLE (progress numeric, evidence boolean)
LANGUAGE sql STABLE ROWS 1 AS $$
    SELECT coalesce(avg(cp.progress), 0), coalesce(bool_or(cp.evidence), false)
      FROM commitments c, commitment_progress(c.id, at) cp
     WHERE c.pact_id = p AND c.parent_id IS NULL AND commitment_live(c, at)
$$;

-- The five-step completion scale used by open-government reviewers
-- (DESIGN.md §6).
CREATE OR REPLACE FUNCTION completion_level(progress numeric, evidence boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN NOT evidence THEN 'no_evidence'
                WHEN progress <= 0 THEN 'not_started'
                WHEN progress < 0.5 THEN 'limited'
                WHEN progress < 1 THEN 'substantial'
                ELSE 'complete' END
$$;

-- Progress as it travels in JSON: four decimals, so clients compare it
-- without floating-point noise. Truncated, not rounded, so it never reads
-- 1 (or 0.5) while the completion level, computed from the exact value,
-- is still below it.
CREATE OR REPLACE FUNCTION progress_json(progress numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$ SELECT trunc(progress, 4) $$;

-- Progress and completion come from the functions above (never stored,
-- never computed in C). "Today" is the edition's local date, so a
-- commitment due on the 10th is overdue from the 11th in Lima, whatever
-- the server's clock zone.

-- The local date at the edition a pact was signed at.
CREATE OR REPLACE FUNCTION pact_local_today(p uuid) RETURNS date
LANGUAGE sql STABLE AS $$
    SELECT (now() AT TIME ZONE e.timezone)::date
      FROM pacts pa JOIN editions e ON e.id = pa.edition_id WHERE pa.id = p
$$;

-- ---------------------------------------------------------------------------
-- Pacts and parties

-- How a caller may see a pact: 'full' (staff, or a contact of one of its
-- parties: drafts, contacts, unverified measurements), 'public' (a
-- non-draft pact of a non-draft edition), or NULL (not at all: 404).
CREATE OR REPLACE FUNCTION pact_access(p pacts, viewer uuid, staff boolean) RETURNS text
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
CREATE OR REPLACE FUNCTION party_json(pp pact_parties, full boolean) RETURNS json
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
CREATE OR REPLACE FUNCTION pact_head(p pacts, full boolean) RETURNS jsonb
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
-- sub_commitments, commitment_json of commitments.sql).
CREATE OR REPLACE FUNCTION pact_json(p pacts, full boolean) RETURNS json
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
CREATE OR REPLACE FUNCTION pact_item_json(p pacts, full boolean) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT ((pact_head(p, $2) - 'text') || jsonb_build_object(
        'commitment_count', (SELECT count(*) FROM commitments c WHERE c.pact_id = p.id)))::json
$$;

-- The request functions below answer one api_answer (status, problem,
-- body), the contract of services/core/req.h; refusals that need the
-- database are 'validation-failed' with {errors: [core_field_error(...)]}.

-- GET /v1/editions/{slug}/pacts: one page ordered by (created_at, id); the
-- cursor is the last pact's id. 404 when the edition does not exist or is
-- a draft the caller may not see.
CREATE OR REPLACE FUNCTION pacts_list(p_slug text, p_viewer uuid, p_staff boolean, p_cursor uuid,
                                      p_limit integer)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH e AS (SELECT id FROM editions_visible(p_slug, p_staff)),
    page AS (SELECT p, p.id, pact_access(p, p_viewer, p_staff) AS acc,
                    row_number() OVER (ORDER BY p.created_at, p.id) AS rn
       FROM pacts p, e WHERE p.edition_id = e.id
        AND pact_access(p, p_viewer, p_staff) IS NOT NULL
        AND (p_cursor IS NULL OR (p.created_at, p.id) >
             (SELECT k.created_at, k.id FROM pacts k WHERE k.id = p_cursor))
      ORDER BY p.created_at, p.id LIMIT p_limit + 1)
    SELECT core_found((SELECT (SELECT core_page(array_agg(pact_item_json(g.p, g.acc = 'full')
                                                          ORDER BY g.rn),
                                                array_agg(g.id::text ORDER BY g.rn), p_limit)
                                 FROM page g)
                         FROM e))
$$;

-- GET /v1/pacts/{id}: 404 for a pact the caller may not see.
CREATE OR REPLACE FUNCTION pacts_get(p_id uuid, p_viewer uuid, p_staff boolean)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((SELECT pact_json(p, acc = 'full')
                         FROM pacts p, LATERAL (SELECT pact_access(p, p_viewer, p_staff) AS acc) x
                        WHERE p.id = p_id AND acc IS NOT NULL))
$$;

-- POST /v1/editions/{slug}/pacts: p holds the checked members (title,
-- summary?, text?, text_url?, signed_on?, status?).
CREATE OR REPLACE FUNCTION pacts_create(p_slug text, p jsonb, p_actor uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    ed uuid;
    x pacts;
BEGIN
    PERFORM pact_set_actor(p_actor);
    SELECT id INTO ed FROM editions WHERE slug = p_slug;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    INSERT INTO pacts (edition_id, title, summary, text, text_url, signed_on, status, created_by)
    VALUES (ed, p ->> 'title', coalesce(p ->> 'summary', ''), coalesce(p ->> 'text', ''),
            p ->> 'text_url', (p ->> 'signed_on')::date, coalesce(p ->> 'status', 'draft'),
            p_actor)
    RETURNING * INTO x;
    RETURN core_answer(201, pact_json(x, true));
END
$$;

-- PATCH /v1/pacts/{id}: only the members present in p change. A pact once
-- signed is public record: it cannot go back to draft (409). A pact that is
-- not a draft needs the date it was signed (422 naming signed_on).
CREATE OR REPLACE FUNCTION pacts_patch(p_id uuid, p jsonb, p_actor uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    x pacts;
BEGIN
    PERFORM pact_set_actor(p_actor);
    SELECT * INTO x FROM pacts WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF p ->> 'status' = 'draft' AND x.status <> 'draft' THEN
        RETURN core_problem(409, 'invalid-state',
                            json_build_object('detail', 'A pact that is ' || x.status
                                                        || ' cannot go back to draft.'));
    END IF;
    IF p ? 'title' THEN x.title := p ->> 'title'; END IF;
    IF p ? 'summary' THEN x.summary := coalesce(p ->> 'summary', ''); END IF;
    IF p ? 'text' THEN x.text := coalesce(p ->> 'text', ''); END IF;
    IF p ? 'text_url' THEN x.text_url := p ->> 'text_url'; END IF;
    IF p ? 'signed_on' THEN x.signed_on := (p ->> 'signed_on')::date; END IF;
    IF p ? 'status' THEN x.status := p ->> 'status'; END IF;
    IF x.status <> 'draft' AND x.signed_on IS NULL THEN
        RETURN core_refused('signed_on', 'required');
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
    RETURN core_answer(200, pact_json(x, true));
END
$$;

-- POST /v1/pacts/{id}/parties: an organization in a role, with the
-- accounts that speak for it. Unknown ids are 422 naming the field; the
-- same organization in the same role twice is 409 party-exists (the unique
-- constraint decides races).
CREATE OR REPLACE FUNCTION pacts_party_create(p_pact uuid, p_org uuid, p_role text, p_contacts uuid[],
                                              p_actor uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    pp pact_parties;
    errs jsonb := '[]';
BEGIN
    PERFORM pact_set_actor(p_actor);
    PERFORM 1 FROM pacts WHERE id = p_pact;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM organizations WHERE id = p_org) THEN
        errs := errs || core_field_error('organization_id', 'no_organization');
    END IF;
    SELECT errs || coalesce(jsonb_agg(core_field_error('contact_account_ids[' || (k.n - 1) || ']',
                                                       'no_account') ORDER BY k.n), '[]')
      INTO errs
      FROM unnest(p_contacts) WITH ORDINALITY AS k(id, n)
     WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = k.id);
    IF jsonb_array_length(errs) > 0 THEN
        RETURN core_invalid(errs);
    END IF;
    INSERT INTO pact_parties (pact_id, organization_id, role)
    VALUES (p_pact, p_org, p_role)
    ON CONFLICT ON CONSTRAINT pact_parties_key DO NOTHING
    RETURNING * INTO pp;
    IF NOT FOUND THEN
        RETURN core_problem(409, 'party-exists',
                            (SELECT json_build_object('party_id', x.id) FROM pact_parties x
                              WHERE x.pact_id = p_pact AND x.organization_id = p_org
                                AND x.role = p_role));
    END IF;
    -- an account removed since the check above makes the foreign key fail:
    -- a 500 for a race nobody can cause on purpose
    INSERT INTO pact_party_contacts (party_id, account_id)
    SELECT pp.id, c FROM unnest(p_contacts) c ON CONFLICT DO NOTHING;
    RETURN core_answer(201, party_json(pp, true));
END
$$;

-- GET /v1/pacts/{id}/history: one page of the audit trail, oldest first,
-- after the audit id p_after. 404 when the pact does not exist.
-- An actor whose account was erased shows as null.
CREATE OR REPLACE FUNCTION pacts_history(p_pact uuid, p_after bigint, p_limit integer)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH page AS (
        SELECT a.* FROM pact_audit a
         WHERE a.pact_id = p_pact AND a.id > coalesce(p_after, 0)
         ORDER BY a.id LIMIT p_limit + 1)
    SELECT core_found((SELECT (SELECT core_page(array_agg(json_build_object(
                     'id', g.id, 'at', g.at, 'entity', g.entity, 'entity_id', g.entity_id,
                     'action', g.action,
                     'actor', (SELECT json_build_object('id', ac.id, 'full_name', ac.full_name)
                                 FROM accounts ac WHERE ac.id = g.actor_id),
                     'before', g.before, 'after', g.after) ORDER BY g.id),
                                                array_agg(g.id::text ORDER BY g.id), p_limit)
                                 FROM page g)
                         FROM pacts WHERE id = p_pact))
$$;
