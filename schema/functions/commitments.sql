-- functions/commitments.sql: commitments (one level of sub-commitments), their status with a
-- reason, indicators with baseline and target, measurements reviewed
-- before they count, milestones, and their progress.
--
-- Reloaded by every `gessd migrate` in one transaction (check_function_bodies
-- off, so files may call each other in any order); written to be re-run:
-- CREATE OR REPLACE, and DROP ... IF EXISTS before a signature changes.
-- A function removed from here is dropped from upgraded databases by the
-- loader. The tables are in schema/migrations.

CREATE OR REPLACE FUNCTION commitments_one_level() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.parent_id IS NOT NULL AND EXISTS (
           SELECT 1 FROM commitments p
            WHERE p.id = NEW.parent_id AND (p.parent_id IS NOT NULL OR p.pact_id <> NEW.pact_id))
    THEN
        RAISE EXCEPTION 'a sub-commitment''s parent must be a top-level commitment of the same pact'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'commitments_parent_check';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER commitments_one_level BEFORE INSERT OR UPDATE OF parent_id, pact_id ON commitments
    FOR EACH ROW EXECUTE FUNCTION commitments_one_level();

-- ---------------------------------------------------------------------------
-- Progress. `at` (NULL: today) reads the state as of a day: measurements
-- with as_of on or before it, milestones done on or before it; the pact
-- review uses it for "progress at signing".
--
-- They are set-returning (one row) on purpose: PostgreSQL inlines a
-- set-returning SQL function into the calling query instead of planning it
-- afresh on every call, which halves the time of the public dashboard
-- (1,500 indicators: 650 -> 310 ms per build).
CREATE OR REPLACE FUNCTION indicator_progress(ind uuid, at date DEFAULT NULL)
RETURNS TABLE (progress numeric, evidence boolean, latest_value numeric, latest_as_of date)
LANGUAGE sql STABLE ROWS 1 AS $$
    SELECT CASE WHEN m.value IS NULL THEN 0
                ELSE greatest(0, least(1, (m.value - i.baseline_value)
                                          / (i.target_value - i.baseline_value))) END,
           m.value IS NOT NULL, m.value, m.as_of
      FROM indicators i
      LEFT JOIN LATERAL (
            SELECT v.value, v.as_of FROM measurements v
             WHERE v.indicator_id = i.id AND v.status = 'verified'
               AND (at IS NULL OR v.as_of <= at)
             ORDER BY v.as_of DESC, v.reviewed_at DESC
             LIMIT 1) m ON true
     WHERE i.id = ind
$$;

-- A commitment's own progress (indicators, else milestones); NULL progress
-- when it has neither.
CREATE OR REPLACE FUNCTION commitment_own_progress(c uuid, at date DEFAULT NULL)
RETURNS TABLE (progress numeric, evidence boolean)
LANGUAGE sql STABLE ROWS 1 AS $$
    SELECT CASE WHEN ind.n > 0 THEN ind.avg WHEN ms.n > 0 THEN ms.done::numeric / ms.n END,
           coalesce(ind.ev, false) OR ms.done > 0
      FROM (SELECT count(*) AS n, avg(p.progress) AS avg, bool_or(p.evidence) AS ev
              FROM indicators i, indicator_progress(i.id, at) p
             WHERE i.commitment_id = c) ind,
           (SELECT count(*) AS n,
                   count(*) FILTER (WHERE done_on IS NOT NULL AND (at IS NULL OR done_on <= at)) AS done
              FROM milestones WHERE commitment_id = c) ms
$$;

-- Whether a commitment counts on a day: not dropped, or dropped after it.
CREATE OR REPLACE FUNCTION commitment_live(c commitments, at date) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT c.status <> 'dropped'
           OR (at IS NOT NULL AND (c.status_changed_at AT TIME ZONE 'UTC')::date > at)
$$;

CREATE OR REPLACE FUNCTION commitment_progress(c uuid, at date DEFAULT NULL)
RETURNS TABLE (progress numeric, evidence boolean)
LANGUAGE sql STABLE ROWS 1 AS $$
    SELECT CASE WHEN own.progress IS NOT NULL THEN own.progress
                WHEN sub.n > 0 THEN sub.avg
                WHEN done THEN 1 ELSE 0 END,
           CASE WHEN own.progress IS NOT NULL THEN own.evidence
                WHEN sub.n > 0 THEN sub.ev
                ELSE done END
      FROM commitments cm,
           commitment_own_progress(cm.id, at) own,
           (SELECT count(*) AS n, avg(coalesce(o.progress, 0)) AS avg,
                   coalesce(bool_or(o.evidence), false) AS ev
              FROM commitments s, commitment_own_progress(s.id, at) o
             WHERE s.parent_id = c AND commitment_live(s, at)) sub,
           LATERAL (SELECT cm.status = 'done'
                           AND (at IS NULL OR cm.status_changed_at IS NULL
                                OR (cm.status_changed_at AT TIME ZONE 'UTC')::date <= at)) d(done)
     WHERE cm.id = c
$$;

-- milestone {id, commitment_id, title, due_on, done_on, overdue}
CREATE OR REPLACE FUNCTION milestone_json(m milestones) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', m.id, 'commitment_id', m.commitment_id, 'title', m.title,
        'due_on', m.due_on, 'done_on', m.done_on,
        'overdue', m.done_on IS NULL AND m.due_on < pact_local_today(c.pact_id),
        'created_at', m.created_at, 'updated_at', m.updated_at)
      FROM commitments c WHERE c.id = m.commitment_id
$$;

-- measurement; `full` adds who reported and reviewed it (people outside the
-- pact see verified values only, and no names). The extra members are
-- spliced into the object's text so the keys keep their order.
CREATE OR REPLACE FUNCTION measurement_json(m measurements, full boolean) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN $2
                THEN (left(x::text, -1) || ', "reported_by" : '
                      || coalesce((SELECT json_build_object('id', a.id, 'full_name', a.full_name)
                                     FROM accounts a WHERE a.id = m.reported_by)::text, 'null')
                      || ', "reviewed_by" : '
                      || coalesce((SELECT json_build_object('id', a.id, 'full_name', a.full_name)
                                     FROM accounts a WHERE a.id = m.reviewed_by)::text, 'null')
                      || '}')::json
                ELSE x END
      FROM (SELECT json_build_object(
                'id', m.id, 'indicator_id', m.indicator_id, 'value', m.value, 'as_of', m.as_of,
                'evidence', m.evidence, 'evidence_url', m.evidence_url, 'status', m.status,
                'reported_at', m.reported_at, 'reviewed_at', m.reviewed_at,
                'review_comment', m.review_comment) AS x) s
$$;

-- indicator; `latest` is the latest verified value; measurements: all of
-- them when full, else the verified ones only.
CREATE OR REPLACE FUNCTION indicator_json(i indicators, full boolean) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', i.id, 'commitment_id', i.commitment_id, 'name', i.name, 'unit', i.unit,
        'baseline', json_build_object('value', i.baseline_value, 'date', i.baseline_on),
        'target', json_build_object('value', i.target_value, 'date', i.target_on),
        'direction', i.direction, 'verification', i.verification,
        'latest', CASE WHEN p.evidence
                       THEN json_build_object('value', p.latest_value, 'as_of', p.latest_as_of)
                  END,
        'progress', progress_json(p.progress),
        'completion', completion_level(p.progress, p.evidence),
        'measurements', coalesce((SELECT json_agg(measurement_json(m, $2)
                                                  ORDER BY m.as_of, m.reported_at, m.id)
                                    FROM measurements m
                                   WHERE m.indicator_id = i.id
                                     AND ($2 OR m.status = 'verified')), '[]'),
        'created_at', i.created_at, 'updated_at', i.updated_at)
      FROM indicator_progress(i.id) p
$$;

-- commitment; a top-level one carries its sub_commitments (one level),
-- spliced in as the last member so the keys keep their order.
CREATE OR REPLACE FUNCTION commitment_json(c commitments, full boolean) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN c.parent_id IS NOT NULL THEN x
                ELSE (left(x::text, -1) || ', "sub_commitments" : '
                      || coalesce((SELECT json_agg(commitment_json(s, $2)
                                                   ORDER BY s.created_at, s.id)
                                     FROM commitments s WHERE s.parent_id = c.id)::text, '[]')
                      || '}')::json END
      FROM (SELECT json_build_object(
        'id', c.id, 'pact_id', c.pact_id, 'parent_id', c.parent_id, 'title', c.title,
        'description', c.description,
        'responsible_organization', (SELECT json_build_object('id', o.id, 'name', o.name)
                                       FROM organizations o
                                      WHERE o.id = c.responsible_organization_id),
        'co_responsible_organizations',
            coalesce((SELECT json_agg(json_build_object('id', o.id, 'name', o.name)
                                      ORDER BY o.name, o.id)
                        FROM commitment_co_responsibles cr
                        JOIN organizations o ON o.id = cr.organization_id
                       WHERE cr.commitment_id = c.id), '[]'),
        'starts_on', c.starts_on, 'due_on', c.due_on, 'status', c.status,
        'status_reason', c.status_reason, 'status_changed_at', c.status_changed_at,
        'overdue', c.status NOT IN ('done', 'dropped') AND c.due_on < pact_local_today(c.pact_id),
        -- links to a draft pact only for those who may see drafts
        'carried_from', (SELECT json_build_object('id', f.id, 'pact_id', f.pact_id)
                           FROM commitments f JOIN pacts fp ON fp.id = f.pact_id
                          WHERE f.id = c.carried_from_id AND ($2 OR fp.status <> 'draft')),
        'carried_over_to', coalesce((SELECT json_agg(json_build_object('id', t.id,
                                                                       'pact_id', t.pact_id)
                                                     ORDER BY t.created_at, t.id)
                                       FROM commitments t JOIN pacts tp ON tp.id = t.pact_id
                                      WHERE t.carried_from_id = c.id
                                        AND ($2 OR tp.status <> 'draft')), '[]'),
        'progress', progress_json(p.progress),
        'completion', completion_level(p.progress, p.evidence),
        'indicators', coalesce((SELECT json_agg(indicator_json(i, $2) ORDER BY i.created_at, i.id)
                                  FROM indicators i WHERE i.commitment_id = c.id), '[]'),
        'milestones', coalesce((SELECT json_agg(milestone_json(m) ORDER BY m.due_on, m.id)
                                  FROM milestones m WHERE m.commitment_id = c.id), '[]'),
        'created_at', c.created_at, 'updated_at', c.updated_at) AS x
              FROM commitment_progress(c.id) p) s
$$;

-- ---------------------------------------------------------------------------
-- Who may see a pact: whoever pact_access (pacts.sql) lets see it at all:
-- staff, and contacts of one of its parties, see every pact (drafts too);
-- everyone else only pacts that are not drafts, at an edition that is not
-- a draft.
CREATE OR REPLACE FUNCTION commitment_pact_visible(p_pact uuid, p_viewer uuid, p_staff boolean)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT pact_access(pa, p_viewer, p_staff) IS NOT NULL FROM pacts pa WHERE pa.id = p_pact
$$;

-- The first step of a request that adds to a commitment: who is acting,
-- and the commitment's row shared-locked, so a status change waits for (or
-- is seen by) what is added. False: no such commitment (404).
CREATE OR REPLACE FUNCTION commitment_share(p_commitment uuid, p_actor uuid) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pact_set_actor(p_actor);
    PERFORM 1 FROM commitments WHERE id = p_commitment FOR SHARE;
    RETURN FOUND;
END
$$;

-- POST /v1/pacts/{id}/commitments (followup). p: {title, description,
-- responsible_organization_id, co_responsible_organization_ids, starts_on,
-- due_on, parent_id}, each checked by gessd; what needs the database
-- (organizations that exist, a parent that is a top-level commitment of the
-- same pact) is checked here, before anything is written.
CREATE OR REPLACE FUNCTION commitments_create(p_pact uuid, p jsonb, p_actor uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    errs jsonb := '[]';
    c commitments;
    org uuid;
    k integer;
    resp uuid := (p ->> 'responsible_organization_id')::uuid;
    parent uuid := (p ->> 'parent_id')::uuid;
    co uuid[] := ARRAY(SELECT x::uuid FROM jsonb_array_elements_text(
                           coalesce(p -> 'co_responsible_organization_ids', '[]')) x);
BEGIN
    PERFORM pact_set_actor(p_actor);
    -- the pact row is locked so a sub-commitment cannot race its parent's move
    PERFORM 1 FROM pacts WHERE id = p_pact FOR SHARE;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF resp IS NOT NULL AND NOT EXISTS (SELECT 1 FROM organizations WHERE id = resp) THEN
        errs := errs || core_field_error('responsible_organization_id', 'no_organization');
    END IF;
    FOR k IN 1 .. coalesce(cardinality(co), 0) LOOP
        org := co[k];
        IF NOT EXISTS (SELECT 1 FROM organizations WHERE id = org) THEN
            errs := errs || core_field_error('co_responsible_organization_ids[' || (k - 1) || ']',
                                             'no_organization');
        END IF;
    END LOOP;
    IF parent IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM commitments
            WHERE id = parent AND pact_id = p_pact AND parent_id IS NULL) THEN
        errs := errs || core_field_error('parent_id', 'no_parent');
    END IF;
    IF jsonb_array_length(errs) > 0 THEN
        RETURN core_invalid(errs);
    END IF;
    INSERT INTO commitments (pact_id, parent_id, title, description, responsible_organization_id,
                             starts_on, due_on)
    VALUES (p_pact, parent, p ->> 'title', coalesce(p ->> 'description', ''), resp,
            (p ->> 'starts_on')::date, (p ->> 'due_on')::date)
    RETURNING * INTO c;
    INSERT INTO commitment_co_responsibles (commitment_id, organization_id)
    SELECT c.id, x FROM unnest(co) x ON CONFLICT DO NOTHING;
    RETURN core_answer(201, commitment_json(c, true));
END
$$;

-- POST /v1/commitments/{id}/status (followup): {status, reason}.
CREATE OR REPLACE FUNCTION commitments_set_status(p_id uuid, p_status text, p_reason text, p_actor uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    c commitments;
BEGIN
    PERFORM pact_set_actor(p_actor);
    UPDATE commitments SET status = p_status, status_reason = p_reason,
           status_changed_at = now(), updated_at = now()
     WHERE id = p_id
    RETURNING * INTO c;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    RETURN core_answer(200, commitment_json(c, true));
END
$$;

-- POST /v1/commitments/{id}/indicators (followup). gessd checked every
-- field and their relations (target beyond the baseline in the direction,
-- target date after the baseline date); the CHECKs on indicators hold them
-- too.
CREATE OR REPLACE FUNCTION commitments_indicator_create(p_commitment uuid, p jsonb, p_actor uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    i indicators;
BEGIN
    IF NOT commitment_share(p_commitment, p_actor) THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    INSERT INTO indicators (commitment_id, name, unit, baseline_value, baseline_on, target_value,
                            target_on, direction, verification)
    VALUES (p_commitment, p ->> 'name', p ->> 'unit', (p #>> '{baseline,value}')::numeric,
            (p #>> '{baseline,date}')::date, (p #>> '{target,value}')::numeric,
            (p #>> '{target,date}')::date, p ->> 'direction', coalesce(p ->> 'verification', ''))
    RETURNING * INTO i;
    RETURN core_answer(201, indicator_json(i, true));
END
$$;

-- True when p_account is a contact of a party of p_pact with one of roles
-- (NULL: any role) whose organization is one of orgs (NULL: any).
CREATE OR REPLACE FUNCTION commitment_is_contact(p_pact uuid, p_account uuid, roles text[], orgs uuid[])
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM pact_parties pp JOIN pact_party_contacts pc ON pc.party_id = pp.id
         WHERE pp.pact_id = p_pact AND pc.account_id = p_account
           AND (roles IS NULL OR pp.role = ANY (roles))
           AND (orgs IS NULL OR pp.organization_id = ANY (orgs)))
$$;

-- Who may report a value for c's indicators: the follow-up team, or a
-- contact of a party whose organization is c's responsible or a
-- co-responsible one (POST /v1/indicators/{id}/measurements and the
-- commitment's page ask the same).
CREATE OR REPLACE FUNCTION commitment_may_report(c commitments, p_actor uuid, p_followup boolean)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT p_followup OR (p_actor IS NOT NULL AND commitment_is_contact(
        c.pact_id, p_actor, NULL,
        ARRAY(SELECT organization_id FROM commitment_co_responsibles
               WHERE commitment_id = c.id
              UNION ALL
              SELECT c.responsible_organization_id
               WHERE c.responsible_organization_id IS NOT NULL)))
$$;

-- Who may review the values reported on p_pact: the follow-up team, or a
-- contact of one of its `verifier` parties (never their own value: the
-- review and the queue check that apart).
CREATE OR REPLACE FUNCTION commitment_may_review(p_pact uuid, p_actor uuid, p_followup boolean)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT p_followup
        OR (p_actor IS NOT NULL AND commitment_is_contact(p_pact, p_actor, ARRAY['verifier'], NULL))
$$;

-- POST /v1/indicators/{id}/measurements: the follow-up team records a
-- verified value at once (they are the verification team); a contact of a
-- party whose organization is responsible or co-responsible for the
-- commitment submits one for review. p: {value, as_of, evidence,
-- evidence_url}.
CREATE OR REPLACE FUNCTION commitments_measurement_create(p_indicator uuid, p jsonb, p_actor uuid,
                                                          p_followup boolean, p_staff boolean)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    c commitments;
    m measurements;
BEGIN
    PERFORM pact_set_actor(p_actor);
    -- the commitment's row is shared-locked so that a status change to done
    -- or dropped waits for (or is seen by) this insert
    SELECT cm.* INTO c FROM indicators i JOIN commitments cm ON cm.id = i.commitment_id
     WHERE i.id = p_indicator FOR SHARE OF cm;
    IF NOT FOUND OR NOT commitment_pact_visible(c.pact_id, p_actor, p_staff) THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF NOT commitment_may_report(c, p_actor, p_followup) THEN
        RETURN core_problem(403, 'forbidden');
    END IF;
    IF c.status IN ('done', 'dropped') THEN
        RETURN core_problem(409, 'commitment-closed');
    END IF;
    IF (p ->> 'as_of')::date > pact_local_today(c.pact_id) THEN
        RETURN core_refused('as_of', 'not_future');
    END IF;
    INSERT INTO measurements (indicator_id, value, as_of, evidence, evidence_url, status,
                              reported_by, reviewed_by, reviewed_at)
    VALUES (p_indicator, (p ->> 'value')::numeric, (p ->> 'as_of')::date,
            coalesce(p ->> 'evidence', ''), p ->> 'evidence_url',
            CASE WHEN p_followup THEN 'verified' ELSE 'submitted' END, p_actor,
            CASE WHEN p_followup THEN p_actor END,
            CASE WHEN p_followup THEN clock_timestamp() END)
    RETURNING * INTO m;
    RETURN core_answer(201, measurement_json(m, true));
END
$$;

-- POST /v1/measurements/{id}/review: the follow-up team or a contact of a
-- `verifier` party of the pact verifies or rejects a submitted value, never
-- their own. The row lock makes two reviews at once answer one 200 and one
-- 409 already-reviewed. The answer carries the indicator with its new
-- progress.
CREATE OR REPLACE FUNCTION commitments_measurement_review(p_id uuid, p_decision text, p_comment text,
                                                          p_actor uuid, p_followup boolean,
                                                          p_staff boolean)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    m measurements;
    pact uuid;
    i indicators;
BEGIN
    PERFORM pact_set_actor(p_actor);
    SELECT * INTO m FROM measurements WHERE id = p_id FOR UPDATE;
    IF FOUND THEN
        SELECT cm.pact_id INTO pact
          FROM indicators ii JOIN commitments cm ON cm.id = ii.commitment_id
         WHERE ii.id = m.indicator_id;
    END IF;
    -- a value not verified is seen only by staff and the pact's contacts:
    -- for anyone else it does not exist (404, not 403)
    IF pact IS NULL OR NOT commitment_pact_visible(pact, p_actor, p_staff)
       OR (m.status <> 'verified' AND NOT p_staff
           AND NOT commitment_is_contact(pact, p_actor, NULL, NULL)) THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF NOT commitment_may_review(pact, p_actor, p_followup) THEN
        RETURN core_problem(403, 'forbidden');
    END IF;
    IF m.reported_by = p_actor THEN
        RETURN core_problem(403, 'forbidden',
                            json_build_object('detail', 'Nobody reviews their own measurement.'));
    END IF;
    IF m.status <> 'submitted' THEN
        RETURN core_problem(409, 'already-reviewed');
    END IF;
    UPDATE measurements SET status = p_decision, reviewed_by = p_actor,
           reviewed_at = clock_timestamp(), review_comment = p_comment
     WHERE id = p_id
    RETURNING * INTO m;
    SELECT * INTO i FROM indicators WHERE id = m.indicator_id;
    RETURN core_answer(200, (measurement_json(m, true)::jsonb
                             || jsonb_build_object('indicator', indicator_json(i, true)::jsonb))::json);
END
$$;

-- POST /v1/commitments/{id}/milestones (followup): {title, due_on}.
CREATE OR REPLACE FUNCTION commitments_milestone_create(p_commitment uuid, p jsonb, p_actor uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    ms milestones;
BEGIN
    IF NOT commitment_share(p_commitment, p_actor) THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    INSERT INTO milestones (commitment_id, title, due_on)
    VALUES (p_commitment, p ->> 'title', (p ->> 'due_on')::date)
    RETURNING * INTO ms;
    RETURN core_answer(201, milestone_json(ms));
END
$$;

-- PATCH /v1/milestones/{id} (followup): {done_on (date or null), title,
-- due_on}, each optional; done_on may not be after the edition's today.
CREATE OR REPLACE FUNCTION commitments_milestone_patch(p_id uuid, p jsonb, p_actor uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    ms milestones;
    pact uuid;
BEGIN
    PERFORM pact_set_actor(p_actor);
    SELECT * INTO ms FROM milestones WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    SELECT pact_id INTO pact FROM commitments WHERE id = ms.commitment_id;
    IF p ? 'done_on' AND (p ->> 'done_on')::date > pact_local_today(pact) THEN
        RETURN core_refused('done_on', 'not_future');
    END IF;
    UPDATE milestones
       SET title = CASE WHEN p ? 'title' THEN p ->> 'title' ELSE title END,
           due_on = CASE WHEN p ? 'due_on' THEN (p ->> 'due_on')::date ELSE due_on END,
           done_on = CASE WHEN p ? 'done_on' THEN (p ->> 'done_on')::date ELSE done_on END,
           updated_at = now()
     WHERE id = p_id
    RETURNING * INTO ms;
    RETURN core_answer(200, milestone_json(ms));
END
$$;

-- GET /v1/measurements: the values of one status (`submitted`, the
-- verifiers' queue, by default) that the caller may review: the follow-up
-- team sees every pact's, a contact of a verifier party its pacts' —
-- never the values they reported themselves. Oldest reported first; the
-- cursor is the last measurement's id. 403 for anyone who may review
-- nothing at all. Each item is the measurement (with who reported and
-- reviewed it) and its indicator (without its measurements), commitment
-- and pact.
CREATE OR REPLACE FUNCTION commitments_measurements_list(p_viewer uuid, p_followup boolean,
                                                         p_status text, p_cursor uuid,
                                                         p_limit integer)
RETURNS api_answer
LANGUAGE plpgsql STABLE AS $$
DECLARE
    cur measurements;
    items json;
BEGIN
    IF NOT p_followup AND NOT EXISTS (
           SELECT 1 FROM pact_parties pp JOIN pact_party_contacts pc ON pc.party_id = pp.id
            WHERE pp.role = 'verifier' AND pc.account_id = p_viewer) THEN
        RETURN core_problem(403, 'forbidden');
    END IF;
    SELECT * INTO cur FROM measurements WHERE id = p_cursor;
    WITH q AS (
        SELECT m, i, c.id AS c_id, c.title AS c_title, p.id AS p_id, p.title AS p_title,
               e.slug, m.reported_at, m.id
          FROM measurements m
          JOIN indicators i ON i.id = m.indicator_id
          JOIN commitments c ON c.id = i.commitment_id
          JOIN pacts p ON p.id = c.pact_id
          JOIN editions e ON e.id = p.edition_id
         WHERE m.status = p_status
           AND m.reported_by IS DISTINCT FROM p_viewer
           AND commitment_may_review(p.id, p_viewer, p_followup)
           AND (p_cursor IS NULL OR (m.reported_at, m.id) > (cur.reported_at, cur.id))
         ORDER BY m.reported_at, m.id
         LIMIT p_limit + 1)
    SELECT core_page(array_agg((measurement_json(q.m, true)::jsonb || jsonb_build_object(
               'indicator', indicator_json(q.i, false)::jsonb - 'measurements',
               'commitment', jsonb_build_object('id', q.c_id, 'title', q.c_title),
               'pact', jsonb_build_object('id', q.p_id, 'title', q.p_title, 'edition', q.slug)))::json
             ORDER BY q.reported_at, q.id),
                     array_agg(q.id::text ORDER BY q.reported_at, q.id), p_limit)
      INTO items FROM q;
    RETURN core_answer(200, items);
END
$$;

-- ---------------------------------------------------------------------------
-- Pages (services/commitments/pages.c)

-- GET /commitments/{id}, the commitment's page: the commitment as GET
-- /v1/pacts/{id} shows it to this caller (commitment_json, full for staff
-- and the pact's contacts; 404 where the pact is hidden from them), its
-- pact and parent, the pact's local today (the forms' default date) and
-- what the caller may do there: report a value (commitment_may_report, on
-- a commitment not done or dropped; `closed` when it is one of those),
-- mark milestones (the follow-up team, as PATCH /v1/milestones/{id}),
-- review values (commitment_may_review).
CREATE OR REPLACE FUNCTION commitments_page_commitment(p_id uuid, p_viewer uuid, p_staff boolean,
                                                       p_followup boolean)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((
        SELECT json_build_object(
            'commitment', commitment_json(c, x.acc = 'full'),
            'pact', json_build_object('id', p.id, 'title', p.title, 'status', p.status,
                                      'edition', e.slug),
            'parent', (SELECT json_build_object('id', pc.id, 'title', pc.title)
                         FROM commitments pc WHERE pc.id = c.parent_id),
            'today', pact_local_today(p.id),
            'may', json_build_object(
                'report', c.status NOT IN ('done', 'dropped')
                          AND commitment_may_report(c, p_viewer, p_followup),
                -- a reporter told why there is no form
                'closed', c.status IN ('done', 'dropped')
                          AND commitment_may_report(c, p_viewer, p_followup),
                'verified_at_once', p_followup,
                'milestones', p_followup,
                'review', commitment_may_review(p.id, p_viewer, p_followup)))
          FROM commitments c
          JOIN pacts p ON p.id = c.pact_id
          JOIN editions e ON e.id = p.edition_id,
               LATERAL (SELECT pact_access(p, p_viewer, p_staff) AS acc) x
         WHERE c.id = p_id AND x.acc IS NOT NULL))
$$;

GRANT EXECUTE ON FUNCTION commitments_page_commitment(uuid, uuid, boolean, boolean) TO gess_app;
