-- 0006_pacts: the pacts signed at a congress and their follow-up between
-- editions ("compromiso asumido, compromiso cumplido"): organizations,
-- pacts, parties and their contacts, commitments (one level of
-- sub-commitments), indicators with baseline and target, measurements
-- reviewed before they count, milestones, and an audit trail.
--
-- This file holds the tables, the audit trigger and the progress
-- arithmetic every reader shares; the request functions live in the
-- migrations after it.
--
-- Progress (DESIGN.md §6) is computed here, never stored, so it cannot
-- drift from the rows it comes from:
--   indicator:  (latest verified value - baseline) / (target - baseline),
--               clipped to 0..1. The CHECKs below make target - baseline
--               positive for `up` and negative for `down`, so one formula
--               honours both directions. No verified value yet: 0.
--   commitment: the mean of its indicators; with none, milestones done over
--               milestones; with neither, the mean of its live
--               sub-commitments; with nothing at all, 1 from the day the
--               follow-up team set it `done` (a status change with its
--               reason, in the audit trail: that is its evidence), else 0.
--   pact:       the mean of its top-level commitments that are not
--               `dropped` (as of the day asked: one dropped later still
--               counted then); 0 with none.
-- `evidence` says whether anything counted: a verified measurement or a
-- milestone done (completion `no_evidence` otherwise), taken from the same
-- source as the progress.

CREATE TABLE organizations (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    sector     text NOT NULL CHECK (sector IN ('public', 'private', 'academia', 'civil_society',
                                               'community', 'cooperation', 'media')),
    -- RUC in Peru (11 digits); other countries' ids are allowed, so only
    -- the shape is checked: uniqueness is what matters
    tax_id     text CHECK (tax_id ~ '^[A-Za-z0-9-]{4,20}$'),
    region     text NOT NULL DEFAULT '' CHECK (length(region) <= 100),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- one record per organization: the same name in any letter case is the same one
CREATE UNIQUE INDEX organizations_name_key ON organizations (lower(name));
CREATE UNIQUE INDEX organizations_tax_id_key ON organizations (tax_id) WHERE tax_id IS NOT NULL;

-- An account keeps the organization as typed at sign-up and may also link
-- the record (DESIGN.md §6).
ALTER TABLE accounts ADD COLUMN organization_id uuid REFERENCES organizations ON DELETE SET NULL;
ALTER TABLE speakers ADD COLUMN organization_id uuid REFERENCES organizations ON DELETE SET NULL;

CREATE TABLE pacts (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id  uuid NOT NULL REFERENCES editions ON DELETE RESTRICT,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    summary     text NOT NULL DEFAULT '' CHECK (length(summary) <= 5000),
    -- the full text, or a link to it (or both)
    text        text NOT NULL DEFAULT '' CHECK (length(text) <= 100000),
    text_url    text CHECK (text_url ~ '^https?://' AND length(text_url) <= 500),
    signed_on   date,
    status      text NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'signed', 'in_progress', 'completed', 'lapsed')),
    created_by  uuid REFERENCES accounts ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    -- a pact is public from signature on: it needs the date it was signed
    CONSTRAINT pacts_signed_check CHECK (status = 'draft' OR signed_on IS NOT NULL)
);
CREATE INDEX pacts_edition ON pacts (edition_id, created_at, id);

CREATE TABLE pact_parties (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pact_id         uuid NOT NULL REFERENCES pacts ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE RESTRICT,
    role            text NOT NULL
                    CHECK (role IN ('signatory', 'responsible', 'co_responsible', 'verifier')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pact_parties_key UNIQUE (pact_id, organization_id, role)
);
CREATE INDEX pact_parties_organization ON pact_parties (organization_id);

-- The people who speak for a party: they submit measurements for the
-- commitments their organization is responsible or co-responsible for, and
-- a verifier's contacts review them.
CREATE TABLE pact_party_contacts (
    party_id   uuid NOT NULL REFERENCES pact_parties ON DELETE CASCADE,
    account_id uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
    PRIMARY KEY (party_id, account_id)
);
CREATE INDEX pact_party_contacts_account ON pact_party_contacts (account_id);

CREATE TABLE commitments (
    id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pact_id                     uuid NOT NULL REFERENCES pacts ON DELETE CASCADE,
    -- sub-commitments are one level deep (trigger below)
    parent_id                   uuid REFERENCES commitments ON DELETE CASCADE,
    title                       text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description                 text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    responsible_organization_id uuid REFERENCES organizations ON DELETE RESTRICT,
    starts_on                   date,
    due_on                      date NOT NULL,
    status                      text NOT NULL DEFAULT 'not_started'
                                CHECK (status IN ('not_started', 'on_track', 'at_risk',
                                                  'delayed', 'done', 'dropped')),
    -- why the last status change was made (POST .../status {status, reason})
    status_reason               text NOT NULL DEFAULT '' CHECK (length(status_reason) <= 2000),
    status_changed_at           timestamptz,
    -- carried over from a commitment of an earlier pact (POST .../carry-over)
    carried_from_id             uuid REFERENCES commitments ON DELETE SET NULL,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT commitments_dates_check CHECK (starts_on IS NULL OR due_on >= starts_on),
    -- a status is changed only with a reason (POST .../status, carry-over)
    CONSTRAINT commitments_reason_check
        CHECK (status_changed_at IS NULL OR btrim(status_reason) <> '')
);
CREATE INDEX commitments_pact ON commitments (pact_id, created_at, id);
CREATE INDEX commitments_parent ON commitments (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX commitments_open_due ON commitments (due_on) WHERE status NOT IN ('done', 'dropped');
CREATE INDEX commitments_carried ON commitments (carried_from_id) WHERE carried_from_id IS NOT NULL;

CREATE TABLE commitment_co_responsibles (
    commitment_id   uuid NOT NULL REFERENCES commitments ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE RESTRICT,
    PRIMARY KEY (commitment_id, organization_id)
);

CREATE FUNCTION commitments_one_level() RETURNS trigger
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
CREATE TRIGGER commitments_one_level BEFORE INSERT OR UPDATE OF parent_id, pact_id ON commitments
    FOR EACH ROW EXECUTE FUNCTION commitments_one_level();

CREATE TABLE indicators (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    commitment_id  uuid NOT NULL REFERENCES commitments ON DELETE CASCADE,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    unit           text NOT NULL CHECK (length(unit) BETWEEN 1 AND 50),
    baseline_value numeric NOT NULL,
    baseline_on    date NOT NULL,
    target_value   numeric NOT NULL,
    target_on      date NOT NULL,
    direction      text NOT NULL CHECK (direction IN ('up', 'down')),
    -- how a value is checked (source, method, who verifies)
    verification   text NOT NULL DEFAULT '' CHECK (length(verification) <= 2000),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT indicators_target_check CHECK (
        (direction = 'up' AND target_value > baseline_value) OR
        (direction = 'down' AND target_value < baseline_value)),
    CONSTRAINT indicators_dates_check CHECK (target_on > baseline_on)
);
CREATE INDEX indicators_commitment ON indicators (commitment_id, created_at, id);

CREATE TABLE measurements (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    indicator_id   uuid NOT NULL REFERENCES indicators ON DELETE CASCADE,
    value          numeric NOT NULL,
    as_of          date NOT NULL,
    -- a link to the evidence, a description of it, or both
    evidence_url   text CHECK (evidence_url ~ '^https?://' AND length(evidence_url) <= 500),
    evidence       text NOT NULL DEFAULT '' CHECK (length(evidence) <= 5000),
    -- only verified values count (participatory monitoring)
    status         text NOT NULL DEFAULT 'submitted'
                   CHECK (status IN ('submitted', 'verified', 'rejected')),
    reported_by    uuid REFERENCES accounts ON DELETE SET NULL,
    reported_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    reviewed_by    uuid REFERENCES accounts ON DELETE SET NULL,
    reviewed_at    timestamptz,
    review_comment text NOT NULL DEFAULT '' CHECK (length(review_comment) <= 2000),
    CONSTRAINT measurements_review_check CHECK (status = 'submitted' OR reviewed_at IS NOT NULL),
    CONSTRAINT measurements_evidence_given CHECK (evidence_url IS NOT NULL OR btrim(evidence) <> ''),
    -- a rejection tells the reporter why
    CONSTRAINT measurements_rejection_check
        CHECK (status <> 'rejected' OR btrim(review_comment) <> '')
);
CREATE INDEX measurements_indicator ON measurements (indicator_id, as_of DESC, reviewed_at DESC)
    WHERE status = 'verified';
CREATE INDEX measurements_all ON measurements (indicator_id, reported_at);

CREATE TABLE milestones (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    commitment_id uuid NOT NULL REFERENCES commitments ON DELETE CASCADE,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    due_on        date NOT NULL,
    done_on       date,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX milestones_commitment ON milestones (commitment_id, due_on, id);
CREATE INDEX milestones_open_due ON milestones (due_on) WHERE done_on IS NULL;

-- The audit trail: one row per insert, change or removal of a pact, party,
-- commitment, indicator, measurement or milestone, written by a trigger in
-- the same transaction. The app role may only insert and read it (GRANT
-- below), and a trigger refuses UPDATE and DELETE for everyone else too.
-- actor_id has no foreign key on purpose: erasing an account must not
-- rewrite history; readers show a removed actor as null.
CREATE TABLE pact_audit (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pact_id   uuid NOT NULL,
    -- party_contact and co_responsible rows are filed under the party or
    -- commitment they belong to (entity_id)
    entity    text NOT NULL CHECK (entity IN ('pact', 'party', 'party_contact', 'commitment',
                                              'co_responsible', 'indicator', 'measurement',
                                              'milestone')),
    entity_id uuid NOT NULL,
    action    text NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    actor_id  uuid,
    at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    before    jsonb,
    after     jsonb
);
CREATE INDEX pact_audit_pact ON pact_audit (pact_id, id);

CREATE FUNCTION pact_audit_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'pact_audit rows cannot be changed or removed'
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER pact_audit_immutable BEFORE UPDATE OR DELETE ON pact_audit
    FOR EACH ROW EXECUTE FUNCTION pact_audit_immutable();
CREATE TRIGGER pact_audit_no_truncate BEFORE TRUNCATE ON pact_audit
    FOR EACH STATEMENT EXECUTE FUNCTION pact_audit_immutable();

-- Who is acting: request functions call pact_set_actor(account) first; the
-- audit trigger reads it back. Transaction-local, so a pooled connection
-- never carries it into the next request.
CREATE FUNCTION pact_set_actor(actor uuid) RETURNS void
LANGUAGE sql AS $$
    SELECT set_config('gess.actor', coalesce(actor::text, ''), true)
$$;

CREATE FUNCTION pact_actor() RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('gess.actor', true), '')::uuid
$$;

-- The pact a row belongs to, for any audited table.
CREATE FUNCTION pact_of(entity text, r jsonb) RETURNS uuid
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

CREATE FUNCTION pact_audit_row() RETURNS trigger
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

CREATE TRIGGER pacts_audit AFTER INSERT OR UPDATE OR DELETE ON pacts
    FOR EACH ROW EXECUTE FUNCTION pact_audit_row('pact');
CREATE TRIGGER pact_parties_audit AFTER INSERT OR UPDATE OR DELETE ON pact_parties
    FOR EACH ROW EXECUTE FUNCTION pact_audit_row('party');
CREATE TRIGGER commitments_audit AFTER INSERT OR UPDATE OR DELETE ON commitments
    FOR EACH ROW EXECUTE FUNCTION pact_audit_row('commitment');
CREATE TRIGGER pact_party_contacts_audit AFTER INSERT OR UPDATE OR DELETE ON pact_party_contacts
    FOR EACH ROW EXECUTE FUNCTION pact_audit_row('party_contact');
CREATE TRIGGER commitment_co_responsibles_audit
    AFTER INSERT OR UPDATE OR DELETE ON commitment_co_responsibles
    FOR EACH ROW EXECUTE FUNCTION pact_audit_row('co_responsible');
CREATE TRIGGER indicators_audit AFTER INSERT OR UPDATE OR DELETE ON indicators
    FOR EACH ROW EXECUTE FUNCTION pact_audit_row('indicator');
CREATE TRIGGER measurements_audit AFTER INSERT OR UPDATE OR DELETE ON measurements
    FOR EACH ROW EXECUTE FUNCTION pact_audit_row('measurement');
CREATE TRIGGER milestones_audit AFTER INSERT OR UPDATE OR DELETE ON milestones
    FOR EACH ROW EXECUTE FUNCTION pact_audit_row('milestone');

-- ---------------------------------------------------------------------------
-- Progress. `at` (NULL: today) reads the state as of a day: measurements
-- with as_of on or before it, milestones done on or before it; the pact
-- review uses it for "progress at signing".
--
-- They are set-returning (one row) on purpose: PostgreSQL inlines a
-- set-returning SQL function into the calling query instead of planning it
-- afresh on every call, which halves the time of the public dashboard
-- (1,500 indicators: 650 -> 310 ms per build).

CREATE FUNCTION indicator_progress(ind uuid, at date DEFAULT NULL)
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
CREATE FUNCTION commitment_own_progress(c uuid, at date DEFAULT NULL)
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
CREATE FUNCTION commitment_live(c commitments, at date) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT c.status <> 'dropped'
           OR (at IS NOT NULL AND (c.status_changed_at AT TIME ZONE 'UTC')::date > at)
$$;

CREATE FUNCTION commitment_progress(c uuid, at date DEFAULT NULL)
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

CREATE FUNCTION pact_progress(p uuid, at date DEFAULT NULL)
RETURNS TABLE (progress numeric, evidence boolean)
LANGUAGE sql STABLE ROWS 1 AS $$
    SELECT coalesce(avg(cp.progress), 0), coalesce(bool_or(cp.evidence), false)
      FROM commitments c, commitment_progress(c.id, at) cp
     WHERE c.pact_id = p AND c.parent_id IS NULL AND commitment_live(c, at)
$$;

-- The five-step completion scale used by open-government reviewers
-- (DESIGN.md §6).
CREATE FUNCTION completion_level(progress numeric, evidence boolean) RETURNS text
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
CREATE FUNCTION progress_json(progress numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$ SELECT trunc(progress, 4) $$;

GRANT SELECT, INSERT, UPDATE ON organizations, pacts, commitments, indicators, measurements,
    milestones TO gess_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON pact_parties, pact_party_contacts,
    commitment_co_responsibles TO gess_app;
GRANT SELECT, INSERT ON pact_audit TO gess_app;
