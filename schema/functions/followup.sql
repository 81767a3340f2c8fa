-- functions/followup.sql: follow-up between editions: the public dashboard and its change
-- notifications, overdue commitments and reminders, the review of a pact
-- at the next edition, and carrying commitments over to it.
--
-- Reloaded by every `gessd migrate` in one transaction (check_function_bodies
-- off, so files may call each other in any order); written to be re-run:
-- CREATE OR REPLACE, and DROP ... IF EXISTS before a signature changes.
-- A function removed from here is dropped from upgraded databases by the
-- loader. The tables are in schema/migrations.

-- What happens to pacts between one edition and the
-- next: the public dashboard (one JSON document per edition, cached by
-- every gessd worker and dropped on NOTIFY 'dashboard:<slug>'), the list of
-- overdue commitments, reminders written to the outbox once each, the
-- review of the previous edition's pacts and carrying a commitment over.
--
-- Progress and completion come from pacts.sql and commitments.sql; "today" is the
-- edition's local date, as everywhere in the pact module.

-- ---------------------------------------------------------------------------
-- Dashboard

-- The public dashboard of an edition: every non-draft pact with its parties
-- (no contacts), progress, completion, commitments (top-level, each with
-- its sub_commitments) with indicators and milestones, counts by status,
-- overdue count and last update; plus edition-wide totals. Only verified
-- measurements count or show. No row: no such edition. The body depends
-- only on the rows and on the local date, never on now() itself, so it is
-- byte-identical while nothing changes; `valid_until` is the edition's
-- next local midnight, when `overdue` may flip and the cached copy must go.
CREATE OR REPLACE FUNCTION followup_dashboard(p_slug text,
                                           OUT draft boolean, OUT body text, OUT etag text,
                                           OUT valid_until double precision)
RETURNS SETOF record
LANGUAGE plpgsql STABLE AS $$
DECLARE
    e editions;
    today date;
    doc text;
BEGIN
    SELECT * INTO e FROM editions WHERE slug = p_slug;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    today := (now() AT TIME ZONE e.timezone)::date;
    draft := e.status = 'draft';
    valid_until := extract(epoch FROM ((today + 1)::timestamp AT TIME ZONE e.timezone));
    IF draft THEN
        RETURN NEXT;
        RETURN;
    END IF;
    WITH pc AS (
        SELECT p.*, pp.progress AS prog, pp.evidence AS ev
          FROM pacts p, pact_progress(p.id) pp
         WHERE p.edition_id = e.id AND p.status <> 'draft'),
    ind AS (
        SELECT i.*, ip.progress AS prog, ip.evidence AS ev, ip.latest_value, ip.latest_as_of,
               (SELECT max(m.reviewed_at) FROM measurements m
                 WHERE m.indicator_id = i.id AND m.status = 'verified') AS verified_at
          FROM indicators i
          JOIN commitments c ON c.id = i.commitment_id
          JOIN pc ON pc.id = c.pact_id,
               indicator_progress(i.id) ip),
    cm AS (
        SELECT c.*, cp.progress AS prog, cp.evidence AS ev,
               c.status NOT IN ('done', 'dropped') AND c.due_on < today AS late
          FROM commitments c JOIN pc ON pc.id = c.pact_id, commitment_progress(c.id) cp),
    cj AS (
        SELECT cm.id, cm.pact_id, cm.parent_id, cm.created_at, cm.status, cm.late,
               greatest(cm.updated_at,
                        (SELECT max(greatest(ind.updated_at, ind.verified_at))
                           FROM ind WHERE ind.commitment_id = cm.id),
                        (SELECT max(m.updated_at) FROM milestones m
                          WHERE m.commitment_id = cm.id)) AS last_update,
               jsonb_build_object(
                   'id', cm.id, 'parent_id', cm.parent_id, 'title', cm.title,
                   'description', cm.description,
                   'status', cm.status, 'status_reason', cm.status_reason,
                   'starts_on', cm.starts_on, 'due_on', cm.due_on, 'overdue', cm.late,
                   'progress', progress_json(cm.prog),
                   'completion', completion_level(cm.prog, cm.ev),
                   'responsible_organization', (
                       SELECT jsonb_build_object('id', o.id, 'name', o.name, 'sector', o.sector)
                         FROM organizations o WHERE o.id = cm.responsible_organization_id),
                   'co_responsible_organizations', coalesce((
                       SELECT jsonb_agg(jsonb_build_object('id', o.id, 'name', o.name,
                                                           'sector', o.sector)
                                        ORDER BY o.name, o.id)
                         FROM commitment_co_responsibles cr
                         JOIN organizations o ON o.id = cr.organization_id
                        WHERE cr.commitment_id = cm.id), '[]'),
                   'carried_from', (SELECT jsonb_build_object('id', f.id, 'pact_id', f.pact_id)
                                      FROM commitments f JOIN pacts fp ON fp.id = f.pact_id
                                     WHERE f.id = cm.carried_from_id AND fp.status <> 'draft'),
                   'indicators', coalesce((
                       SELECT jsonb_agg(jsonb_build_object(
                                  'id', ind.id, 'name', ind.name, 'unit', ind.unit,
                                  'direction', ind.direction, 'verification', ind.verification,
                                  'baseline', jsonb_build_object('value', ind.baseline_value,
                                                                 'date', ind.baseline_on),
                                  'target', jsonb_build_object('value', ind.target_value,
                                                               'date', ind.target_on),
                                  'latest', CASE WHEN ind.ev THEN jsonb_build_object(
                                                'value', ind.latest_value,
                                                'as_of', ind.latest_as_of) END,
                                  'progress', progress_json(ind.prog),
                                  'completion', completion_level(ind.prog, ind.ev))
                                ORDER BY ind.created_at, ind.id)
                         FROM ind WHERE ind.commitment_id = cm.id), '[]'),
                   'milestones', coalesce((
                       SELECT jsonb_agg(jsonb_build_object(
                                  'id', m.id, 'title', m.title, 'due_on', m.due_on,
                                  'done_on', m.done_on,
                                  'overdue', m.done_on IS NULL AND m.due_on < today)
                                ORDER BY m.due_on, m.id)
                         FROM milestones m WHERE m.commitment_id = cm.id), '[]')) AS j
          FROM cm),
    pj AS (
        SELECT pc.id, pc.created_at, pc.prog, pc.ev,
               (SELECT count(*) FROM cj WHERE cj.pact_id = pc.id) AS n,
               (SELECT count(*) FROM cj WHERE cj.pact_id = pc.id AND cj.late) AS late,
               greatest(pc.updated_at,
                        (SELECT max(cj.last_update) FROM cj WHERE cj.pact_id = pc.id)) AS last_update,
               jsonb_build_object(
                   'id', pc.id, 'title', pc.title, 'summary', pc.summary,
                   'text_url', pc.text_url, 'signed_on', pc.signed_on, 'status', pc.status,
                   'progress', progress_json(pc.prog),
                   'completion', completion_level(pc.prog, pc.ev),
                   'parties', coalesce((
                       SELECT jsonb_agg(jsonb_build_object(
                                  'id', pa.id, 'role', pa.role,
                                  'organization', jsonb_build_object('id', o.id, 'name', o.name,
                                                                     'sector', o.sector))
                                ORDER BY pa.role, o.name, pa.id)
                         FROM pact_parties pa JOIN organizations o ON o.id = pa.organization_id
                        WHERE pa.pact_id = pc.id), '[]'),
                   'commitments', coalesce((
                       SELECT jsonb_agg(t.j || jsonb_build_object('sub_commitments', coalesce((
                                            SELECT jsonb_agg(s.j ORDER BY s.created_at, s.id)
                                              FROM cj s WHERE s.parent_id = t.id), '[]'))
                                        ORDER BY t.created_at, t.id)
                         FROM cj t WHERE t.pact_id = pc.id AND t.parent_id IS NULL), '[]'),
                   'commitments_by_status', (
                       SELECT jsonb_object_agg(st, (SELECT count(*) FROM cj
                                                     WHERE cj.pact_id = pc.id AND cj.status = st))
                         FROM unnest(ARRAY['not_started', 'on_track', 'at_risk', 'delayed',
                                           'done', 'dropped']) st)) AS j
          FROM pc)
    SELECT jsonb_build_object(
               'edition', jsonb_build_object('slug', e.slug, 'number', e.number,
                                             'title', e.title, 'timezone', e.timezone),
               'as_of', today,
               'totals', jsonb_build_object(
                   'pacts', (SELECT count(*) FROM pj),
                   'commitments', (SELECT count(*) FROM cj),
                   'commitments_by_status', (
                       SELECT jsonb_object_agg(st, (SELECT count(*) FROM cj WHERE cj.status = st))
                         FROM unnest(ARRAY['not_started', 'on_track', 'at_risk', 'delayed',
                                           'done', 'dropped']) st),
                   'overdue', (SELECT count(*) FROM cj WHERE cj.late),
                   'indicators', (SELECT count(*) FROM ind),
                   'progress', progress_json(coalesce((SELECT avg(prog) FROM pj), 0)),
                   'completion', completion_level(coalesce((SELECT avg(prog) FROM pj), 0),
                                                  coalesce((SELECT bool_or(ev) FROM pj), false)),
                   'last_update', (SELECT max(last_update) FROM pj)),
               'pacts', coalesce((
                   SELECT jsonb_agg(pj.j || jsonb_build_object('commitment_count', pj.n,
                                                               'overdue', pj.late,
                                                               'last_update', pj.last_update)
                                    ORDER BY pj.created_at, pj.id)
                     FROM pj), '[]'))::text
      INTO doc;
    body := doc;
    etag := '"' || md5(doc) || '"';
    RETURN NEXT;
END
$$;

-- Tell every gessd to drop the cached dashboards a change touches. `kind`
-- names what the ids are ('edition' for pacts themselves, so a pact that is
-- deleted or moves to another edition still reaches both); the
-- notifications are sent at commit, and PostgreSQL folds duplicates within
-- a transaction.
CREATE OR REPLACE FUNCTION dashboard_notify(kind text, ids uuid[]) RETURNS void
LANGUAGE sql AS $$
    SELECT pg_notify('gess_invalidate', 'dashboard:' || s.slug)
      FROM (SELECT e.slug FROM editions e
             WHERE kind = 'edition' AND e.id = ANY (ids)
            UNION
            SELECT e.slug FROM pacts p JOIN editions e ON e.id = p.edition_id
             WHERE kind = 'pact' AND p.id = ANY (ids)
            UNION
            SELECT e.slug FROM commitments c JOIN pacts p ON p.id = c.pact_id
              JOIN editions e ON e.id = p.edition_id
             WHERE kind = 'commitment' AND c.id = ANY (ids)
            UNION
            SELECT e.slug FROM indicators i JOIN commitments c ON c.id = i.commitment_id
              JOIN pacts p ON p.id = c.pact_id JOIN editions e ON e.id = p.edition_id
             WHERE kind = 'indicator' AND i.id = ANY (ids)) s
$$;

-- Statement-level, so a bulk insert of thousands of measurements costs one
-- notification, not thousands. TG_ARGV: the column holding the id, and
-- what kind of id it is. Transition tables need one trigger per event.
CREATE OR REPLACE FUNCTION dashboard_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    col text := TG_ARGV[0];
    ids uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT (to_jsonb(n) ->> col)::uuid) INTO ids FROM dash_new n;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT (to_jsonb(o) ->> col)::uuid) INTO ids FROM dash_old o;
    ELSE
        SELECT array_agg(DISTINCT x) INTO ids FROM (
            SELECT (to_jsonb(n) ->> col)::uuid FROM dash_new n
            UNION SELECT (to_jsonb(o) ->> col)::uuid FROM dash_old o) AS u(x);
    END IF;
    IF ids IS NOT NULL THEN
        PERFORM dashboard_notify(TG_ARGV[1], ids);
    END IF;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES ('pacts', 'edition_id', 'edition'),
                                   ('pact_parties', 'pact_id', 'pact'),
                                   ('commitments', 'pact_id', 'pact'),
                                   ('commitment_co_responsibles', 'commitment_id', 'commitment'),
                                   ('indicators', 'commitment_id', 'commitment'),
                                   ('measurements', 'indicator_id', 'indicator'),
                                   ('milestones', 'commitment_id', 'commitment'))
                           AS v(tab, col, kind)
    LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS dash_new'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION dashboard_changed(%L, %L)',
                       t.tab || '_dash_ins', t.tab, t.col, t.kind);
        EXECUTE format('CREATE OR REPLACE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS dash_new'
                       ' OLD TABLE AS dash_old'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION dashboard_changed(%L, %L)',
                       t.tab || '_dash_upd', t.tab, t.col, t.kind);
        EXECUTE format('CREATE OR REPLACE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS dash_old'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION dashboard_changed(%L, %L)',
                       t.tab || '_dash_del', t.tab, t.col, t.kind);
    END LOOP;
END
$$;

-- An organization's name or sector shows on every dashboard that names it;
-- organizations change rarely, so every cached dashboard goes ('*').
CREATE OR REPLACE FUNCTION dashboard_all_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gess_invalidate', 'dashboard:*');
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER organizations_dash AFTER UPDATE OR DELETE ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION dashboard_all_changed();

-- An edition changed (status, title, time zone, slug): its dashboard goes.
CREATE OR REPLACE FUNCTION dashboard_edition_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gess_invalidate', 'dashboard:' || OLD.slug);
    IF TG_OP = 'UPDATE' AND NEW.slug IS DISTINCT FROM OLD.slug THEN
        PERFORM pg_notify('gess_invalidate', 'dashboard:' || NEW.slug);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER editions_dashboard_notify AFTER UPDATE OR DELETE ON editions
    FOR EACH ROW EXECUTE FUNCTION dashboard_edition_changed();

-- ---------------------------------------------------------------------------
-- Overdue

-- The overdue commitments: due date passed and not done/dropped, or with a
-- milestone past due and not done. One page ordered by (due_on, id), after
-- the commitment p_cursor; p_edition NULL: every edition. problem
-- 'not-found' for an edition that does not exist.
CREATE OR REPLACE FUNCTION followup_overdue(p_edition text, p_cursor uuid, p_limit integer)
RETURNS api_answer
LANGUAGE plpgsql STABLE AS $$
DECLARE
    ed uuid;
    cur commitments;
    items json;
BEGIN
    IF p_edition IS NOT NULL THEN
        SELECT id INTO ed FROM editions WHERE slug = p_edition;
        IF NOT FOUND THEN
            RETURN core_problem(404, 'not-found');
        END IF;
    END IF;
    SELECT * INTO cur FROM commitments WHERE id = p_cursor;
    WITH o AS (
        SELECT c.*, p.title AS pact_title, p.status AS pact_status, e.slug,
               (now() AT TIME ZONE e.timezone)::date AS today
          FROM commitments c
          JOIN pacts p ON p.id = c.pact_id
          JOIN editions e ON e.id = p.edition_id
         WHERE (ed IS NULL OR p.edition_id = ed)
           AND (p_cursor IS NULL OR (c.due_on, c.id) > (cur.due_on, cur.id))
           -- once carried over, it is followed in the later pact
           AND NOT EXISTS (SELECT 1 FROM commitments n WHERE n.carried_from_id = c.id)),
    late AS (
        SELECT o.*,
               coalesce((SELECT jsonb_agg(jsonb_build_object(
                                    'id', m.id, 'title', m.title, 'due_on', m.due_on,
                                    'days_overdue', o.today - m.due_on)
                                  ORDER BY m.due_on, m.id)
                           FROM milestones m
                          WHERE m.commitment_id = o.id AND m.done_on IS NULL
                            AND m.due_on < o.today), '[]') AS ms,
               (SELECT min(m.due_on) FROM milestones m
                 WHERE m.commitment_id = o.id AND m.done_on IS NULL AND m.due_on < o.today)
                   AS first_ms,
               o.status NOT IN ('done', 'dropped') AND o.due_on < o.today AS itself
          FROM o
         WHERE (o.status NOT IN ('done', 'dropped') AND o.due_on < o.today)
            OR EXISTS (SELECT 1 FROM milestones m
                        WHERE m.commitment_id = o.id AND m.done_on IS NULL
                          AND m.due_on < o.today)
         ORDER BY o.due_on, o.id
         LIMIT p_limit + 1)
    SELECT core_page(array_agg(jsonb_build_object(
               'id', page.id, 'title', page.title, 'status', page.status,
               'due_on', page.due_on, 'overdue', page.itself,
               'days_overdue', page.today - least(CASE WHEN page.itself THEN page.due_on END,
                                                  page.first_ms),
               'responsible_organization', (
                   SELECT jsonb_build_object('id', og.id, 'name', og.name)
                     FROM organizations og WHERE og.id = page.responsible_organization_id),
               'pact', jsonb_build_object('id', page.pact_id, 'title', page.pact_title,
                                          'status', page.pact_status),
               'edition', page.slug,
               'overdue_milestones', page.ms)::json
             ORDER BY page.due_on, page.id),
                     array_agg(page.id::text ORDER BY page.due_on, page.id), p_limit)
      INTO items FROM late page;
    RETURN core_answer(200, items);
END
$$;

-- Writes the reminders that are due to the outbox, once each, and returns
-- how many it wrote: 'milestone_due_soon' from days_before days before a
-- milestone's due date, 'milestone_overdue' and 'commitment_overdue' once
-- past it. Recipients: the contacts of the pact's parties whose
-- organization is the commitment's responsible or a co-responsible one;
-- with none, the contacts of the pact's `responsible` parties. Only signed
-- or in-progress pacts, open commitments, milestones not done.
CREATE OR REPLACE FUNCTION followup_remind(days_before integer) RETURNS integer
LANGUAGE sql AS $$
    WITH live AS (
        SELECT c.*, p.title AS pact_title, e.slug,
               (now() AT TIME ZONE e.timezone)::date AS today
          FROM commitments c
          JOIN pacts p ON p.id = c.pact_id
          JOIN editions e ON e.id = p.edition_id
         WHERE p.status IN ('signed', 'in_progress') AND c.status NOT IN ('done', 'dropped')
           -- once carried over, its reminders go with the copy in the later pact
           AND NOT EXISTS (SELECT 1 FROM commitments n WHERE n.carried_from_id = c.id)),
    due AS (
        SELECT CASE WHEN m.due_on < l.today THEN 'milestone_overdue'
                    ELSE 'milestone_due_soon' END AS kind,
               m.id AS subject_id, m.due_on, l.id AS commitment_id,
               jsonb_build_object('milestone', jsonb_build_object('id', m.id, 'title', m.title,
                                                                  'due_on', m.due_on)) AS what,
               l.pact_id, l.responsible_organization_id, l.title, l.due_on AS commitment_due_on,
               l.pact_title, l.slug, l.today
          FROM live l JOIN milestones m ON m.commitment_id = l.id
         WHERE m.done_on IS NULL AND m.due_on <= l.today + days_before
        UNION ALL
        SELECT 'commitment_overdue', l.id, l.due_on, l.id, '{}'::jsonb,
               l.pact_id, l.responsible_organization_id, l.title, l.due_on,
               l.pact_title, l.slug, l.today
          FROM live l WHERE l.due_on < l.today),
    orgs AS (
        SELECT d.kind, d.subject_id, d.due_on, x.account_id
          FROM due d
          CROSS JOIN LATERAL (
              SELECT DISTINCT pc.account_id
                FROM pact_parties pa JOIN pact_party_contacts pc ON pc.party_id = pa.id
               WHERE pa.pact_id = d.pact_id
                 AND (pa.organization_id = d.responsible_organization_id
                      OR pa.organization_id IN (SELECT cr.organization_id
                                                  FROM commitment_co_responsibles cr
                                                 WHERE cr.commitment_id = d.commitment_id))) x),
    fallback AS (
        SELECT d.kind, d.subject_id, d.due_on, pc.account_id
          FROM due d
          JOIN pact_parties pa ON pa.pact_id = d.pact_id AND pa.role = 'responsible'
          JOIN pact_party_contacts pc ON pc.party_id = pa.id
         WHERE NOT EXISTS (SELECT 1 FROM orgs WHERE orgs.kind = d.kind
                              AND orgs.subject_id = d.subject_id)),
    -- a contact who unsubscribed from reminders (POST /v1/unsubscribe) gets none
    who AS (SELECT w.* FROM (SELECT * FROM orgs UNION SELECT * FROM fallback) w
             WHERE NOT EXISTS (SELECT 1 FROM accounts a
                                WHERE a.id = w.account_id AND a.reminders_opt_out)),
    ins AS (
        INSERT INTO pact_reminders (kind, subject_id, due_on, account_id)
        SELECT kind, subject_id, due_on, account_id FROM who
        ON CONFLICT DO NOTHING
        RETURNING kind, subject_id, due_on, account_id),
    out AS (
        INSERT INTO outbox (kind, account_id, payload)
        SELECT ins.kind, ins.account_id,
               jsonb_build_object('edition', d.slug,
                                  'pact', jsonb_build_object('id', d.pact_id,
                                                             'title', d.pact_title),
                                  'commitment', jsonb_build_object('id', d.commitment_id,
                                                                   'title', d.title,
                                                                   'due_on', d.commitment_due_on),
                                  'due_on', ins.due_on,
                                  'days', ins.due_on - d.today) || d.what
          FROM ins JOIN due d ON d.kind = ins.kind AND d.subject_id = ins.subject_id
                            AND d.due_on = ins.due_on
        RETURNING 1)
    SELECT count(*)::integer FROM out
$$;

-- ---------------------------------------------------------------------------
-- Review at the next edition

-- progress {progress, completion} of a (progress, evidence) pair
CREATE OR REPLACE FUNCTION progress_pair_json(progress numeric, evidence boolean) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('progress', progress_json(progress),
                              'completion', completion_level(progress, evidence))
$$;

-- GET /v1/editions/{slug}/pact-review: the previous edition (previous_id,
-- else number - 1) and its non-draft pacts with progress at signing and
-- now, each commitment with the same pair and what changed since signing:
-- status changes with their reasons (from the audit), measurements
-- verified, milestones done, carry-overs.
CREATE OR REPLACE FUNCTION followup_review(p_slug text)
RETURNS api_answer
LANGUAGE plpgsql STABLE AS $$
DECLARE
    e editions;
    prev editions;
BEGIN
    SELECT * INTO e FROM editions WHERE slug = p_slug;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    SELECT * INTO prev FROM editions
     WHERE id = e.previous_id OR (e.previous_id IS NULL AND number = e.number - 1);
    IF prev.id IS NULL THEN
        RETURN core_answer(200, jsonb_build_object('edition', e.slug, 'previous', NULL,
                                                   'pacts', '[]'::jsonb)::json);
    END IF;
    RETURN core_answer(200, jsonb_build_object(
        'edition', e.slug,
        'previous', jsonb_build_object('slug', prev.slug, 'number', prev.number,
                                       'title', prev.title),
        'pacts', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', p.id, 'title', p.title, 'status', p.status,
                       'signed_on', p.signed_on,
                       'at_signing', (SELECT progress_pair_json(x.progress, x.evidence)
                                        FROM pact_progress(p.id, p.signed_on) x),
                       'now', (SELECT progress_pair_json(x.progress, x.evidence)
                                 FROM pact_progress(p.id) x),
                       'commitments', coalesce((
                           SELECT jsonb_agg(jsonb_build_object(
                                      'id', c.id, 'parent_id', c.parent_id, 'title', c.title,
                                      'status', c.status, 'due_on', c.due_on,
                                      'overdue', c.status NOT IN ('done', 'dropped')
                                                 AND c.due_on < (now() AT TIME ZONE prev.timezone)::date,
                                      'responsible_organization', (
                                          SELECT jsonb_build_object('id', o.id, 'name', o.name)
                                            FROM organizations o
                                           WHERE o.id = c.responsible_organization_id),
                                      'at_signing', (SELECT progress_pair_json(x.progress, x.evidence)
                                                       FROM commitment_progress(c.id, p.signed_on) x),
                                      'now', (SELECT progress_pair_json(x.progress, x.evidence)
                                                FROM commitment_progress(c.id) x),
                                      'changes', jsonb_build_object(
                                          'status_changes', coalesce((
                                              SELECT jsonb_agg(jsonb_build_object(
                                                         'at', a.at,
                                                         'from', a.before ->> 'status',
                                                         'to', a.after ->> 'status',
                                                         'reason', a.after ->> 'status_reason',
                                                         'actor', (SELECT jsonb_build_object(
                                                                              'id', ac.id,
                                                                              'full_name', ac.full_name)
                                                                     FROM accounts ac
                                                                    WHERE ac.id = a.actor_id))
                                                       ORDER BY a.id)
                                                FROM pact_audit a
                                               WHERE a.pact_id = p.id AND a.entity = 'commitment'
                                                 AND a.entity_id = c.id AND a.action = 'update'
                                                 AND a.before ->> 'status' IS DISTINCT FROM
                                                     a.after ->> 'status'
                                                 AND (a.at AT TIME ZONE prev.timezone)::date
                                                     >= p.signed_on), '[]'),
                                          'measurements_verified', coalesce((
                                              SELECT jsonb_agg(jsonb_build_object(
                                                         'id', m.id, 'indicator_id', i.id,
                                                         'indicator', i.name, 'unit', i.unit,
                                                         'value', m.value, 'as_of', m.as_of,
                                                         'reviewed_at', m.reviewed_at)
                                                       ORDER BY m.as_of, m.reviewed_at, m.id)
                                                FROM indicators i
                                                JOIN measurements m ON m.indicator_id = i.id
                                               WHERE i.commitment_id = c.id
                                                 AND m.status = 'verified'
                                                 AND m.as_of > p.signed_on), '[]'),
                                          'milestones_done', coalesce((
                                              SELECT jsonb_agg(jsonb_build_object(
                                                         'id', ms.id, 'title', ms.title,
                                                         'due_on', ms.due_on,
                                                         'done_on', ms.done_on)
                                                       ORDER BY ms.done_on, ms.id)
                                                FROM milestones ms
                                               WHERE ms.commitment_id = c.id
                                                 AND ms.done_on > p.signed_on), '[]'),
                                          'carried_over_to', coalesce((
                                              SELECT jsonb_agg(jsonb_build_object(
                                                         'id', t.id, 'pact_id', t.pact_id,
                                                         'edition', te.slug)
                                                       ORDER BY t.created_at, t.id)
                                                FROM commitments t
                                                JOIN pacts tp ON tp.id = t.pact_id
                                                JOIN editions te ON te.id = tp.edition_id
                                               WHERE t.carried_from_id = c.id), '[]')))
                                    ORDER BY c.parent_id NULLS FIRST, c.created_at, c.id)
                             FROM commitments c WHERE c.pact_id = p.id), '[]'))
                     ORDER BY p.signed_on, p.created_at, p.id)
              FROM pacts p WHERE p.edition_id = prev.id AND p.status <> 'draft'), '[]'))::json);
END
$$;

-- ---------------------------------------------------------------------------
-- Carry-over

-- POST /v1/commitments/{id}/carry-over {pact_id, due_on?}: a copy of a
-- commitment that is not done, in a pact of a later edition: title,
-- description, responsible and co-responsible organizations, indicators
-- with the same baseline and target and their verified measurements (so
-- progress continues where it was), open milestones; carried_from_id links
-- back. Once per source commitment and target edition: the source row is
-- locked FOR UPDATE, so a second request waits and then sees the first.
CREATE OR REPLACE FUNCTION followup_carry_over(p_actor uuid, p_id uuid, p_pact uuid, p_due_on date)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    src commitments;
    src_ed editions;
    tgt pacts;
    tgt_ed editions;
    nc commitments;
    i indicators;
    ni uuid;
    due date;
BEGIN
    PERFORM pact_set_actor(p_actor);
    SELECT * INTO src FROM commitments WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF src.status = 'done' THEN
        RETURN core_problem(409, 'commitment-closed');
    END IF;
    SELECT e.* INTO src_ed FROM pacts p JOIN editions e ON e.id = p.edition_id
     WHERE p.id = src.pact_id;
    SELECT * INTO tgt FROM pacts WHERE id = p_pact;
    IF FOUND THEN
        SELECT * INTO tgt_ed FROM editions WHERE id = tgt.edition_id;
    END IF;
    IF tgt.id IS NULL OR tgt_ed.number <= src_ed.number THEN
        RETURN core_refused('pact_id', CASE WHEN tgt.id IS NULL THEN 'no_pact'
                                            ELSE 'not_later_edition' END);
    END IF;
    IF EXISTS (SELECT 1 FROM commitments t JOIN pacts tp ON tp.id = t.pact_id
                WHERE t.carried_from_id = src.id AND tp.edition_id = tgt.edition_id) THEN
        RETURN core_problem(409, 'already-carried-over');
    END IF;
    due := coalesce(p_due_on, src.due_on);
    -- the copy's status comes with its reason, like any status change
    INSERT INTO commitments (pact_id, title, description, responsible_organization_id,
                             starts_on, due_on, status, status_reason, status_changed_at,
                             carried_from_id)
    VALUES (tgt.id, src.title, src.description, src.responsible_organization_id,
            CASE WHEN src.starts_on <= due THEN src.starts_on END, due,
            CASE WHEN src.status = 'dropped' THEN 'not_started' ELSE src.status END,
            format('Trasladado del pacto «%s» (%s)',
                   (SELECT title FROM pacts WHERE id = src.pact_id), src_ed.slug),
            now(), src.id)
    RETURNING * INTO nc;
    INSERT INTO commitment_co_responsibles (commitment_id, organization_id)
    SELECT nc.id, organization_id FROM commitment_co_responsibles WHERE commitment_id = src.id;
    FOR i IN SELECT * FROM indicators WHERE commitment_id = src.id ORDER BY created_at, id LOOP
        INSERT INTO indicators (commitment_id, name, unit, baseline_value, baseline_on,
                                target_value, target_on, direction, verification)
        VALUES (nc.id, i.name, i.unit, i.baseline_value, i.baseline_on, i.target_value,
                i.target_on, i.direction, i.verification)
        RETURNING id INTO ni;
        INSERT INTO measurements (indicator_id, value, as_of, evidence_url, evidence, status,
                                  reported_by, reported_at, reviewed_by, reviewed_at,
                                  review_comment)
        SELECT ni, m.value, m.as_of, m.evidence_url, m.evidence, m.status, m.reported_by,
               m.reported_at, m.reviewed_by, m.reviewed_at, m.review_comment
          FROM measurements m WHERE m.indicator_id = i.id AND m.status = 'verified';
    END LOOP;
    INSERT INTO milestones (commitment_id, title, due_on)
    SELECT nc.id, title, due_on FROM milestones WHERE commitment_id = src.id AND done_on IS NULL;
    RETURN core_answer(201, commitment_json(nc, true));
END
$$;

-- ---------------------------------------------------------------------------
-- Pages (services/followup/pages.c)

-- GET /editions/{slug}/pacts, the dashboard page: the API's own document
-- (followup_dashboard above) as an answer, 404 for an unknown or draft
-- edition as the API says. The page is not cached: it varies by language
-- and caller, and PostgreSQL builds the document in one statement anyway.
CREATE OR REPLACE FUNCTION followup_page_dashboard(p_slug text)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((SELECT d.body::json FROM followup_dashboard(p_slug) d WHERE NOT d.draft))
$$;

GRANT EXECUTE ON FUNCTION followup_page_dashboard(text) TO gess_app;
