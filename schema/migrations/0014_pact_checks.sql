-- 0014_pact_checks: the CHECKs that 0006_pacts gained after it had shipped.
--
-- 0006 was edited once it had been applied (before migrations were
-- checksummed): a database migrated in between lacks the CHECKs that
-- require a status change's reason, a measurement's evidence and a
-- rejection's comment, and its audit table refuses the entities
-- party_contact and co_responsible, which the audit triggers now write. The
-- baseline takes such a database as having everything, so this migration
-- brings the tables to what the baseline defines. On any other database it
-- changes nothing.
--
-- A CHECK is added NOT VALID (enforced for every new and updated row) and
-- then validated; rows written before it that break it keep it NOT VALID,
-- with a warning naming it, rather than failing the upgrade: they are the
-- organizers' to correct, and VALIDATE CONSTRAINT can be run again then.

DO $$
DECLARE
    c record;
BEGIN
    -- the audit's entities: the CHECK is replaced when it lacks the newer ones
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                    WHERE conrelid = 'pact_audit'::regclass AND conname = 'pact_audit_entity_check'
                      AND pg_get_constraintdef(oid) LIKE '%co_responsible%') THEN
        ALTER TABLE pact_audit DROP CONSTRAINT IF EXISTS pact_audit_entity_check;
        ALTER TABLE pact_audit ADD CONSTRAINT pact_audit_entity_check
            CHECK (entity IN ('pact', 'party', 'party_contact', 'commitment', 'co_responsible',
                              'indicator', 'measurement', 'milestone')) NOT VALID;
    END IF;

    FOR c IN SELECT * FROM (VALUES
        ('commitments', 'commitments_reason_check',
         'CHECK (status_changed_at IS NULL OR btrim(status_reason) <> '''')'),
        ('measurements', 'measurements_evidence_given',
         'CHECK (evidence_url IS NOT NULL OR btrim(evidence) <> '''')'),
        ('measurements', 'measurements_rejection_check',
         'CHECK (status <> ''rejected'' OR btrim(review_comment) <> '''')'),
        ('pact_audit', 'pact_audit_entity_check', NULL)) AS v(tab, name, def)
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_constraint
                        WHERE conrelid = c.tab::regclass AND conname = c.name) THEN
            EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I %s NOT VALID', c.tab, c.name, c.def);
        END IF;
        CONTINUE WHEN (SELECT convalidated FROM pg_constraint
                        WHERE conrelid = c.tab::regclass AND conname = c.name);
        BEGIN
            EXECUTE format('ALTER TABLE %I VALIDATE CONSTRAINT %I', c.tab, c.name);
        EXCEPTION WHEN check_violation THEN
            RAISE WARNING '%: rows written before it break it; it stays NOT VALID', c.name;
        END;
    END LOOP;
END
$$;
