-- 0022_practice_consent: when the author consented to publish a case, and
-- under which licence. POST /v1/practices has required `consent: true`
-- since 0016 but kept only the fact that the case exists; a licence grant
-- is worth little without its date, so each case now records both. Cases
-- made before this migration consented when they were created.
ALTER TABLE practices
    ADD COLUMN consented_at timestamptz,
    ADD COLUMN consented_license text;
UPDATE practices p
   SET consented_at = p.created_at,
       consented_license = coalesce((SELECT r.content ->> 'license' FROM practice_revisions r
                                      WHERE r.practice_id = p.id ORDER BY r.number LIMIT 1),
                                    'CC-BY-4.0');
