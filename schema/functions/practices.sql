-- practices.sql — the living repository of practices: cases and their
-- revisions, review, reports and moderation, adoptions, themes, synonyms
-- and search (tables: schema/migrations/0016_practices.sql).

-- The text search reads: title, summary and every long text of the
-- published version, building blocks too, capped so that one very long
-- case cannot make indexing or ts_headline slow (a case is a few thousand
-- words; 100,000 characters is far beyond it).
CREATE OR REPLACE FUNCTION practices_search_text(c jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT left(concat_ws(E'\n',
                          c ->> 'title', c ->> 'summary', c ->> 'context', c ->> 'challenges',
                          c ->> 'what_worked', c ->> 'what_did_not', c ->> 'results',
                          c ->> 'enabling_factors', c ->> 'replicability',
                          (SELECT string_agg(concat_ws(E'\n', b ->> 'title', b ->> 'description',
                                                       b ->> 'enabling_factors', b ->> 'lessons'),
                                             E'\n')
                             FROM jsonb_array_elements(coalesce(c -> 'building_blocks', '[]')) b)),
                100000)
$$;

-- The columns search and facets read, kept from the published version by
-- whoever sets it (a review, a test's fixture): one place decides them.
-- A territory's facet value is its department (UBIGEO's first two digits)
-- or, abroad, its country.
CREATE OR REPLACE FUNCTION practices_published_columns() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    c jsonb := NEW.published;
BEGIN
    IF c IS NULL THEN
        RETURN NEW;
    END IF;
    NEW.themes := ARRAY(SELECT jsonb_array_elements_text(coalesce(c -> 'themes', '[]')));
    NEW.sectors := ARRAY(SELECT jsonb_array_elements_text(coalesce(c -> 'sectors', '[]')));
    NEW.territories := ARRAY(SELECT jsonb_array_elements_text(coalesce(c -> 'territories', '[]')));
    NEW.departments := ARRAY(SELECT DISTINCT CASE WHEN t ~ '^[0-9]' THEN left(t, 2) ELSE t END
                               FROM unnest(NEW.territories) t ORDER BY 1);
    NEW.sdgs := ARRAY(SELECT (jsonb_array_elements_text(coalesce(c -> 'sdgs', '[]')))::integer);
    NEW.organization_ids := ARRAY(SELECT (jsonb_array_elements_text(
                                            coalesce(c -> 'organization_ids', '[]')))::uuid);
    NEW.pact_id := (c ->> 'pact_id')::uuid;
    NEW.edition_id := (SELECT e.id FROM editions e WHERE e.slug = c ->> 'edition');
    NEW.search_text := practices_search_text(c);
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER practices_published_columns
    BEFORE INSERT OR UPDATE OF published ON practices
    FOR EACH ROW EXECUTE FUNCTION practices_published_columns();

-- ---- workflow ----
-- Cases and their life: create, read, change (a revision), submit,
-- review, revisions; reports and moderation; adoptions; themes.
--
-- The content of a case (a revision's, or the published version) is the
-- practice body of DESIGN.md §6 as gessd checked it, with every member
-- present (practice_normal). The case row's status says where the case
-- stands: before its first publication, its first revisions' status
-- (draft, submitted, rejected); after it, published, hidden (3 open
-- reports) or withdrawn (a curator). The latest revision is the working
-- copy: a draft or a submission is edited or reviewed; a published or
-- rejected one is copied into a new draft by the next change.

-- The content with every member present (the defaults of a new case).
CREATE OR REPLACE FUNCTION practice_normal(c jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object(
        'context', '', 'challenges', '', 'what_worked', '', 'what_did_not', '', 'results', '',
        'enabling_factors', '', 'replicability', '', 'building_blocks', '[]'::jsonb,
        'themes', '[]'::jsonb, 'sectors', '[]'::jsonb, 'territories', '[]'::jsonb,
        'sdgs', '[]'::jsonb, 'stage', NULL, 'edition', NULL, 'organization_ids', '[]'::jsonb,
        'session_id', NULL, 'series_event_id', NULL, 'pact_id', NULL,
        'commitment_ids', '[]'::jsonb, 'links', '[]'::jsonb, 'language', 'es',
        'license', 'CC-BY-4.0') || c
$$;

-- What the database says is wrong with a content: a lesson without what
-- did not work, a theme off the list, a territory whose department does
-- not exist, ids that name nothing. An array's item is named field[i].
CREATE OR REPLACE FUNCTION practice_errors(c jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(e ORDER BY ord), '[]'::jsonb) FROM (
        SELECT 1 AS ord, core_field_error('what_did_not', 'required') AS e
         WHERE c ->> 'kind' = 'lesson' AND btrim(coalesce(c ->> 'what_did_not', ''), E' \t\r\n') = ''
        UNION ALL
        SELECT 2 + t.i::integer / 1000.0, core_field_error(format('themes[%s]', t.i - 1), 'no_theme')
          FROM jsonb_array_elements_text(coalesce(c -> 'themes', '[]')) WITH ORDINALITY t(v, i)
         WHERE NOT EXISTS (SELECT 1 FROM practice_themes th WHERE th.code = t.v)
        UNION ALL
        SELECT 3 + t.i / 1000.0, core_field_error(format('territories[%s]', t.i - 1), 'no_department')
          FROM jsonb_array_elements_text(coalesce(c -> 'territories', '[]')) WITH ORDINALITY t(v, i)
         WHERE t.v ~ '^[0-9]'
           AND NOT EXISTS (SELECT 1 FROM practice_departments d WHERE d.code = left(t.v, 2))
        UNION ALL
        SELECT 4, core_field_error('edition', 'no_edition')
         WHERE c ->> 'edition' IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM editions e
                            WHERE e.slug = c ->> 'edition' AND e.status <> 'draft')
        UNION ALL
        SELECT 5 + t.i / 1000.0, core_field_error(format('organization_ids[%s]', t.i - 1),
                                                  'no_organization')
          FROM jsonb_array_elements_text(coalesce(c -> 'organization_ids', '[]'))
               WITH ORDINALITY t(v, i)
         WHERE NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = t.v::uuid)
        UNION ALL
        SELECT 6, core_field_error('session_id', 'no_session')
         WHERE c ->> 'session_id' IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM sessions s JOIN editions e ON e.id = s.edition_id
                            WHERE s.id = (c ->> 'session_id')::uuid AND s.deleted_at IS NULL
                              AND e.status <> 'draft')
        UNION ALL
        SELECT 7, core_field_error('series_event_id', 'no_series_event')
         WHERE c ->> 'series_event_id' IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM series_events s JOIN editions e ON e.id = s.edition_id
                            WHERE s.id = (c ->> 'series_event_id')::uuid AND e.status <> 'draft')
        UNION ALL
        SELECT 8, core_field_error('pact_id', 'no_pact')
         WHERE c ->> 'pact_id' IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM pacts pa WHERE pa.id = (c ->> 'pact_id')::uuid
                              AND pact_access(pa, NULL, false) IS NOT NULL)
        UNION ALL
        SELECT 9 + t.i / 1000.0, core_field_error(format('commitment_ids[%s]', t.i - 1),
                                                  'no_commitment')
          FROM jsonb_array_elements_text(coalesce(c -> 'commitment_ids', '[]'))
               WITH ORDINALITY t(v, i)
         WHERE NOT EXISTS (SELECT 1 FROM commitments cm JOIN pacts pa ON pa.id = cm.pact_id
                            WHERE cm.id = t.v::uuid AND pact_access(pa, NULL, false) IS NOT NULL)) x
$$;

-- How a caller may see a case: 'full' (its author, or a curator: every
-- revision), 'public' (a published case), or NULL (404).
CREATE OR REPLACE FUNCTION practice_access(p practices, viewer uuid, curator boolean) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN curator OR (viewer IS NOT NULL AND viewer = p.author_id) THEN 'full'
                WHEN p.status = 'published' THEN 'public' END
$$;

-- Why a request on a case is refused, or NULL when it may go on: p the
-- case (all NULL when none was found), needs what the request asks for —
-- 'full' (its author or a curator), 'author' (its author only),
-- 'published' (anyone who sees it, on a published case). Whoever may not
-- see the case gets 404, never a hint that it exists.
CREATE OR REPLACE FUNCTION practice_refusal(p practices, viewer uuid, curator boolean, needs text)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN p.id IS NULL OR practice_access(p, viewer, curator) IS NULL
            THEN core_problem(404, 'not-found')
        WHEN needs = 'full' AND practice_access(p, viewer, curator) <> 'full'
            THEN core_problem(403, 'forbidden')
        WHEN needs = 'author' AND p.author_id IS DISTINCT FROM viewer
            THEN core_problem(403, 'forbidden')
        WHEN needs = 'published' AND p.status <> 'published'
            THEN core_problem(409, 'invalid-state')
    END
$$;

-- The latest revision of a case: its working copy.
CREATE OR REPLACE FUNCTION practice_latest(p_id uuid) RETURNS practice_revisions
LANGUAGE sql STABLE AS $$
    SELECT r FROM practice_revisions r WHERE r.practice_id = p_id ORDER BY r.number DESC LIMIT 1
$$;

-- The evidence a case cites: its pact and commitments (those whose pact
-- the public may see, by the pacts' own rule: pact_access) with their
-- current progress and completion, from the follow-up's own functions
-- (commitments.sql, pacts.sql).
CREATE OR REPLACE FUNCTION practice_evidence(c jsonb) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'pact', (SELECT json_build_object('id', pa.id, 'title', pa.title, 'status', pa.status,
                                          'progress', progress_json(pp.progress),
                                          'completion', completion_level(pp.progress, pp.evidence))
                   FROM pacts pa, pact_progress(pa.id) pp
                  WHERE pa.id = (c ->> 'pact_id')::uuid
                    AND pact_access(pa, NULL, false) IS NOT NULL),
        'commitments', coalesce((
            SELECT json_agg(json_build_object('id', cm.id, 'title', cm.title, 'pact_id', cm.pact_id,
                                              'status', cm.status,
                                              'progress', progress_json(cp.progress),
                                              'completion', completion_level(cp.progress,
                                                                             cp.evidence))
                            ORDER BY t.i)
              FROM jsonb_array_elements_text(coalesce(c -> 'commitment_ids', '[]'))
                   WITH ORDINALITY t(v, i)
              JOIN commitments cm ON cm.id = t.v::uuid
              JOIN pacts pa ON pa.id = cm.pact_id AND pact_access(pa, NULL, false) IS NOT NULL,
                   commitment_progress(cm.id) cp), '[]'::json))
$$;

-- revision {number, status, author_id, created_at, updated_at,
-- submitted_at, reviewer_id, reviewed_at, comment, content}
CREATE OR REPLACE FUNCTION practice_revision_json(r practice_revisions) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('number', r.number, 'status', r.status, 'author_id', r.author_id,
                              'created_at', r.created_at, 'updated_at', r.updated_at,
                              'submitted_at', r.submitted_at, 'reviewer_id', r.reviewer_id,
                              'reviewed_at', r.reviewed_at, 'comment', r.comment,
                              'content', r.content)
$$;

-- The read of a case: the published version's content (before the first
-- publication, the working copy's: only its author and curators see such
-- a case) with {id, status, revision (the number of the version shown),
-- published_at, author_id, created_at, updated_at, adopted_in,
-- adoption_count, evidence}; for its author and curators also `working`,
-- the latest revision, and `consent` {at, license}: when the author
-- consented to publish, under which licence.
CREATE OR REPLACE FUNCTION practice_json(p practices, p_full boolean) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
    w practice_revisions := practice_latest(p.id);
    c jsonb := coalesce(p.published, w.content);
    out jsonb;
BEGIN
    out := c || jsonb_build_object(
        'id', p.id, 'status', p.status,
        'revision', CASE WHEN p.published IS NOT NULL THEN p.revision ELSE w.number END,
        'published_at', p.published_at, 'author_id', p.author_id,
        'created_at', p.created_at, 'updated_at', p.updated_at,
        'adopted_in', coalesce((SELECT jsonb_agg(DISTINCT a.territory) FROM practice_adoptions a
                                 WHERE a.practice_id = p.id), '[]'::jsonb),
        'adoption_count', (SELECT count(*) FROM practice_adoptions a WHERE a.practice_id = p.id),
        'evidence', practice_evidence(c));
    IF p_full THEN
        out := out || jsonb_build_object('working', practice_revision_json(w),
                                         'consent', jsonb_build_object(
                                             'at', p.consented_at,
                                             'license', p.consented_license));
    END IF;
    RETURN out::json;
END
$$;

-- POST /v1/practices: p is the body gessd checked (consent given).
CREATE OR REPLACE FUNCTION practices_create(p jsonb, p_actor uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    c jsonb := practice_normal(p);
    errs jsonb := practice_errors(c);
    pr practices;
BEGIN
    IF jsonb_array_length(errs) > 0 THEN
        RETURN core_invalid(errs);
    END IF;
    INSERT INTO practices (author_id, consented_at, consented_license)
    VALUES (p_actor, now(), coalesce(c ->> 'license', 'CC-BY-4.0')) RETURNING * INTO pr;
    INSERT INTO practice_revisions (practice_id, number, content, author_id)
    VALUES (pr.id, 1, c, p_actor);
    RETURN core_answer(201, practice_json(pr, true));
END
$$;

-- GET /v1/practices/{id}
CREATE OR REPLACE FUNCTION practices_get(p_id uuid, p_viewer uuid, p_curator boolean)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((SELECT practice_json(p, practice_access(p, p_viewer, p_curator) = 'full')
                         FROM practices p
                        WHERE p.id = p_id AND practice_access(p, p_viewer, p_curator) IS NOT NULL))
$$;

-- PATCH /v1/practices/{id} (its author, or a curator): changes the
-- working copy. A draft is changed in place; after a submission's
-- decision (published or rejected) the change is a new draft revision,
-- and the published version stays what the public sees. A submission
-- under review cannot change (409).
CREATE OR REPLACE FUNCTION practices_patch(p_id uuid, p jsonb, p_actor uuid, p_curator boolean)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    pr practices;
    refusal api_answer;
    w practice_revisions;
    c jsonb;
    errs jsonb;
BEGIN
    SELECT * INTO pr FROM practices WHERE id = p_id FOR UPDATE;
    refusal := practice_refusal(pr, p_actor, p_curator, 'full');
    IF refusal.status IS NOT NULL THEN
        RETURN refusal;
    END IF;
    w := practice_latest(p_id);
    IF pr.status = 'withdrawn' OR w.status = 'submitted' THEN
        RETURN core_problem(409, 'invalid-state');
    END IF;
    c := practice_normal(w.content || p);
    errs := practice_errors(c);
    IF jsonb_array_length(errs) > 0 THEN
        RETURN core_invalid(errs);
    END IF;
    -- a licence is the author's to grant (gessd required consent: true
    -- with it); the grant is recorded with its time
    IF c ->> 'license' IS DISTINCT FROM coalesce(pr.consented_license, w.content ->> 'license') THEN
        IF pr.author_id IS DISTINCT FROM p_actor THEN
            RETURN core_problem(403, 'forbidden',
                                json_build_object('detail', 'Only the author grants a licence.'));
        END IF;
        UPDATE practices SET consented_at = now(), consented_license = c ->> 'license'
         WHERE id = p_id;
    END IF;
    IF w.status = 'draft' THEN
        UPDATE practice_revisions SET content = c, author_id = p_actor, updated_at = now()
         WHERE practice_id = p_id AND number = w.number;
    ELSE
        INSERT INTO practice_revisions (practice_id, number, content, author_id)
        VALUES (p_id, w.number + 1, c, p_actor);
    END IF;
    UPDATE practices
       SET status = CASE WHEN published IS NULL THEN 'draft' ELSE status END, updated_at = now()
     WHERE id = p_id RETURNING * INTO pr;
    RETURN core_answer(200, practice_json(pr, true));
END
$$;

-- POST /v1/practices/{id}/submit (its author): the draft goes to review.
CREATE OR REPLACE FUNCTION practices_submit(p_id uuid, p_actor uuid, p_curator boolean)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    pr practices;
    refusal api_answer;
    w practice_revisions;
BEGIN
    SELECT * INTO pr FROM practices WHERE id = p_id FOR UPDATE;
    refusal := practice_refusal(pr, p_actor, p_curator, 'author');
    IF refusal.status IS NOT NULL THEN
        RETURN refusal;
    END IF;
    w := practice_latest(p_id);
    IF w.status <> 'draft' OR pr.status = 'withdrawn' THEN
        RETURN core_problem(409, 'invalid-state');
    END IF;
    UPDATE practice_revisions SET status = 'submitted', submitted_at = now(), updated_at = now()
     WHERE practice_id = p_id AND number = w.number;
    UPDATE practices
       SET status = CASE WHEN published IS NULL THEN 'submitted' ELSE status END, updated_at = now()
     WHERE id = p_id RETURNING * INTO pr;
    RETURN core_answer(200, practice_json(pr, true));
END
$$;

-- POST /v1/practices/{id}/review (a curator; gessd checked the role):
-- publishes the submission (it becomes the published version; the one
-- before is superseded) or rejects it (the published version, if any,
-- stays). The author hears of it through the outbox.
CREATE OR REPLACE FUNCTION practices_review(p_id uuid, p_decision text, p_comment text,
                                            p_revision integer, p_actor uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    pr practices;
    w practice_revisions;
BEGIN
    SELECT * INTO pr FROM practices WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    w := practice_latest(p_id);
    IF w.status <> 'submitted' THEN
        RETURN core_problem(409, 'invalid-state');
    END IF;
    -- four eyes: the repository's entry bar means nothing if a curator can
    -- publish their own case (as nobody reviews their own measurement); a
    -- curator who copy-edited someone else's case may still decide on it
    IF pr.author_id = p_actor THEN
        RETURN core_problem(403, 'forbidden',
                            json_build_object('detail', 'Nobody reviews their own case.'));
    END IF;
    -- a curator who names the revision read decides on that text only: a
    -- newer one submitted meanwhile is not published unread
    IF p_revision IS NOT NULL AND p_revision <> w.number THEN
        RETURN core_problem(409, 'invalid-state',
                            json_build_object('detail', format(
                                'Revision %s is the one submitted, not %s.', w.number,
                                p_revision)));
    END IF;
    UPDATE practice_revisions
       SET status = p_decision, reviewer_id = p_actor, reviewed_at = now(), comment = p_comment,
           updated_at = now()
     WHERE practice_id = p_id AND number = w.number;
    IF p_decision = 'published' THEN
        UPDATE practice_revisions SET status = 'superseded', updated_at = now()
         WHERE practice_id = p_id AND status = 'published' AND number <> w.number;
        UPDATE practices
           SET published = w.content, published_at = now(), revision = w.number,
               status = CASE WHEN status IN ('hidden', 'withdrawn') THEN status
                             ELSE 'published' END,
               updated_at = now()
         WHERE id = p_id RETURNING * INTO pr;
    ELSE
        UPDATE practices
           SET status = CASE WHEN published IS NULL THEN 'rejected' ELSE status END,
               updated_at = now()
         WHERE id = p_id RETURNING * INTO pr;
    END IF;
    -- decision_is: the decision as a key ({"rejected": true}), which the
    -- logic-less mail templates can test (services/mail); no comment is
    -- null, which a section skips
    IF pr.author_id IS NOT NULL THEN
        INSERT INTO outbox (kind, account_id, payload)
        VALUES ('practice_reviewed', pr.author_id,
                jsonb_build_object('practice', jsonb_build_object('id', pr.id,
                                                                  'title', w.content ->> 'title'),
                                   'revision', w.number, 'decision', p_decision,
                                   'decision_is', jsonb_build_object(p_decision, true),
                                   'comment', nullif(p_comment, '')));
    END IF;
    RETURN core_answer(200, practice_json(pr, true));
END
$$;

-- GET /v1/practices/{id}/revisions (its author and curators): every
-- revision, oldest first, with the members that changed from the one
-- before (the first: from an empty case). The cursor is a number.
CREATE OR REPLACE FUNCTION practices_revisions(p_id uuid, p_viewer uuid, p_curator boolean,
                                               p_cursor bigint, p_limit integer)
RETURNS api_answer
LANGUAGE plpgsql STABLE AS $$
DECLARE
    pr practices;
    refusal api_answer;
BEGIN
    SELECT * INTO pr FROM practices WHERE id = p_id;
    refusal := practice_refusal(pr, p_viewer, p_curator, 'full');
    IF refusal.status IS NOT NULL THEN
        RETURN refusal;
    END IF;
    RETURN (
        WITH page AS (
            SELECT r, r.number,
                   coalesce(lag(r.content) OVER (ORDER BY r.number), practice_normal('{}')) AS prev
              FROM practice_revisions r WHERE r.practice_id = p_id),
        cut AS (SELECT * FROM page WHERE p_cursor IS NULL OR number > p_cursor
                 ORDER BY number LIMIT p_limit + 1)
        SELECT core_answer(200, core_page(
                   array_agg(((practice_revision_json(g.r) - 'content') || jsonb_build_object(
                       'changed', coalesce((SELECT jsonb_agg(k.key ORDER BY k.key)
                                              FROM jsonb_each((g.r).content) k
                                             WHERE g.prev -> k.key IS DISTINCT FROM k.value),
                                           '[]'::jsonb)))::json ORDER BY g.number),
                   array_agg(g.number::text ORDER BY g.number), p_limit))
          FROM cut g);
END
$$;

-- POST /v1/practices/{id}/reports: one per account, published cases only;
-- the third open report hides the case pending a curator.
CREATE OR REPLACE FUNCTION practices_report_create(p_id uuid, p_reason text, p_actor uuid,
                                                   p_curator boolean)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    pr practices;
    refusal api_answer;
    rep practice_reports;
    open_n integer;
BEGIN
    SELECT * INTO pr FROM practices WHERE id = p_id FOR UPDATE;
    refusal := practice_refusal(pr, p_actor, p_curator, 'published');
    IF refusal.status IS NOT NULL THEN
        RETURN refusal;
    END IF;
    INSERT INTO practice_reports (practice_id, account_id, reason)
    VALUES (p_id, p_actor, p_reason)
    ON CONFLICT DO NOTHING
    RETURNING * INTO rep;
    IF NOT FOUND THEN
        RETURN core_problem(409, 'already-reported');
    END IF;
    SELECT count(*) INTO open_n FROM practice_reports
     WHERE practice_id = p_id AND resolved_at IS NULL;
    IF open_n >= 3 THEN
        UPDATE practices SET status = 'hidden', updated_at = now() WHERE id = p_id;
    END IF;
    RETURN core_answer(201, json_build_object('practice_id', rep.practice_id,
                                              'account_id', rep.account_id, 'reason', rep.reason,
                                              'created_at', rep.created_at,
                                              'hidden', open_n >= 3));
END
$$;

-- GET /v1/practice-reports (curators): the cases with open reports, or
-- hidden, by id; each with its open reports.
CREATE OR REPLACE FUNCTION practices_reports_list(p_cursor uuid, p_limit integer)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH page AS (
        SELECT p.id, json_build_object(
                   'practice', json_build_object('id', p.id, 'status', p.status,
                                                 'title', coalesce(p.published ->> 'title',
                                                                   (practice_latest(p.id)).content ->> 'title')),
                   'open_reports', (SELECT count(*) FROM practice_reports r
                                     WHERE r.practice_id = p.id AND r.resolved_at IS NULL),
                   'reports', coalesce((SELECT json_agg(json_build_object(
                                               'account_id', r.account_id, 'reason', r.reason,
                                               'created_at', r.created_at) ORDER BY r.created_at)
                                          FROM practice_reports r
                                         WHERE r.practice_id = p.id AND r.resolved_at IS NULL),
                                       '[]'::json)) AS item
          FROM practices p
         WHERE (p.status = 'hidden' OR EXISTS (SELECT 1 FROM practice_reports r
                                               WHERE r.practice_id = p.id AND r.resolved_at IS NULL))
           AND (p_cursor IS NULL OR p.id > p_cursor)
         ORDER BY p.id LIMIT p_limit + 1)
    SELECT core_answer(200, core_page(array_agg(g.item ORDER BY g.id),
                                      array_agg(g.id::text ORDER BY g.id), p_limit))
      FROM page g
$$;

-- GET /v1/practice-submissions (curators): the cases whose working copy
-- is submitted and waits for a review, by id (as the reports queue), each
-- with the revision to decide on, whether it revises a published case,
-- and the members it changes (from the published version, or from an
-- empty case for a first submission).
CREATE OR REPLACE FUNCTION practices_submissions(p_cursor uuid, p_limit integer)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH page AS (
        SELECT p.id, json_build_object(
                   'practice', json_build_object('id', p.id, 'status', p.status,
                                                 'title', w.content ->> 'title',
                                                 'kind', w.content ->> 'kind',
                                                 'summary', w.content ->> 'summary',
                                                 'author_id', p.author_id),
                   'revision', w.number, 'submitted_at', w.submitted_at,
                   'revises_published', p.published IS NOT NULL,
                   'changed', coalesce((SELECT jsonb_agg(k.key ORDER BY k.key)
                                          FROM jsonb_each(w.content) k
                                         WHERE coalesce(p.published, practice_normal('{}')) -> k.key
                                               IS DISTINCT FROM k.value), '[]'::jsonb)) AS item
          FROM practices p
          JOIN LATERAL (SELECT r.* FROM practice_revisions r WHERE r.practice_id = p.id
                         ORDER BY r.number DESC LIMIT 1) w ON true
         WHERE w.status = 'submitted' AND p.status <> 'withdrawn'
           AND (p_cursor IS NULL OR p.id > p_cursor)
         ORDER BY p.id LIMIT p_limit + 1)
    SELECT core_answer(200, core_page(array_agg(g.item ORDER BY g.id),
                                      array_agg(g.id::text ORDER BY g.id), p_limit))
      FROM page g
$$;

-- POST /v1/practices/{id}/moderation (curators): restore (published
-- again, its reports resolved) or withdraw a case the public has seen.
CREATE OR REPLACE FUNCTION practices_moderate(p_id uuid, p_action text, p_comment text,
                                              p_actor uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    pr practices;
BEGIN
    SELECT * INTO pr FROM practices WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    ELSIF pr.published IS NULL THEN
        RETURN core_problem(409, 'invalid-state');
    ELSIF pr.author_id = p_actor THEN
        -- the same second pair of eyes as for a review
        RETURN core_problem(403, 'forbidden',
                            json_build_object('detail', 'Nobody moderates their own case.'));
    END IF;
    INSERT INTO practice_moderation (practice_id, action, comment, curator_id)
    VALUES (p_id, p_action, p_comment, p_actor);
    UPDATE practice_reports SET resolved_at = now()
     WHERE practice_id = p_id AND resolved_at IS NULL;
    UPDATE practices
       SET status = CASE p_action WHEN 'restore' THEN 'published' ELSE 'withdrawn' END,
           updated_at = now()
     WHERE id = p_id RETURNING * INTO pr;
    RETURN core_answer(200, practice_json(pr, true));
END
$$;

-- adoption {id, practice_id, organization: {id, name}, territory, note,
-- created_by, created_at}
CREATE OR REPLACE FUNCTION practice_adoption_json(a practice_adoptions) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', a.id, 'practice_id', a.practice_id,
                             'organization', (SELECT json_build_object('id', o.id, 'name', o.name)
                                                FROM organizations o
                                               WHERE o.id = a.organization_id),
                             'territory', a.territory, 'note', a.note,
                             'created_by', a.created_by, 'created_at', a.created_at)
$$;

-- POST /v1/practices/{id}/adoptions: an organization replicated a
-- published case in a territory (any account records it).
CREATE OR REPLACE FUNCTION practices_adoption_create(p_id uuid, p jsonb, p_actor uuid,
                                                     p_curator boolean)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    pr practices;
    refusal api_answer;
    a practice_adoptions;
    errs jsonb := '[]';
BEGIN
    SELECT * INTO pr FROM practices WHERE id = p_id FOR SHARE;
    refusal := practice_refusal(pr, p_actor, p_curator, 'published');
    IF refusal.status IS NOT NULL THEN
        RETURN refusal;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = (p ->> 'organization_id')::uuid) THEN
        errs := errs || core_field_error('organization_id', 'no_organization');
    END IF;
    IF p ->> 'territory' ~ '^[0-9]' AND NOT EXISTS (
           SELECT 1 FROM practice_departments d WHERE d.code = left(p ->> 'territory', 2)) THEN
        errs := errs || core_field_error('territory', 'no_department');
    END IF;
    IF jsonb_array_length(errs) > 0 THEN
        RETURN core_invalid(errs);
    END IF;
    INSERT INTO practice_adoptions (practice_id, organization_id, territory, note, created_by)
    VALUES (p_id, (p ->> 'organization_id')::uuid, p ->> 'territory', p ->> 'note', p_actor)
    ON CONFLICT DO NOTHING
    RETURNING * INTO a;
    IF NOT FOUND THEN
        RETURN core_problem(409, 'adoption-exists');
    END IF;
    RETURN core_answer(201, practice_adoption_json(a));
END
$$;

-- GET /v1/practices/{id}/adoptions: of a case the caller may see, by id.
CREATE OR REPLACE FUNCTION practices_adoptions_list(p_id uuid, p_viewer uuid, p_curator boolean,
                                                    p_cursor uuid, p_limit integer)
RETURNS api_answer
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM practices p
                    WHERE p.id = p_id AND practice_access(p, p_viewer, p_curator) IS NOT NULL) THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    RETURN (
        WITH page AS (SELECT a FROM practice_adoptions a
                       WHERE a.practice_id = p_id AND (p_cursor IS NULL OR a.id > p_cursor)
                       ORDER BY a.id LIMIT p_limit + 1)
        SELECT core_answer(200, core_page(array_agg(practice_adoption_json(g.a) ORDER BY (g.a).id),
                                          array_agg((g.a).id::text ORDER BY (g.a).id), p_limit))
          FROM page g);
END
$$;

-- theme {code, name_es, name_en}
CREATE OR REPLACE FUNCTION practice_theme_json(t practice_themes) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object('code', t.code, 'name_es', t.name_es, 'name_en', t.name_en)
$$;

-- GET /v1/practice-themes: the whole controlled list, by code (one page:
-- a list curators keep short).
CREATE OR REPLACE FUNCTION practices_themes_list()
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_answer(200, json_build_object(
        'items', coalesce((SELECT json_agg(practice_theme_json(t) ORDER BY t.code)
                             FROM practice_themes t), '[]'::json),
        'next_cursor', NULL))
$$;

-- POST /v1/practice-themes (curators)
CREATE OR REPLACE FUNCTION practices_theme_create(p jsonb)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    t practice_themes;
BEGIN
    INSERT INTO practice_themes (code, name_es, name_en)
    VALUES (p ->> 'code', p ->> 'name_es', p ->> 'name_en')
    ON CONFLICT DO NOTHING
    RETURNING * INTO t;
    IF NOT FOUND THEN
        RETURN core_problem(409, 'theme-taken');
    END IF;
    RETURN core_answer(201, practice_theme_json(t));
END
$$;

-- ---- search ----
--
-- GET /v1/practices: published cases only. A query in web-search syntax is
-- split into its positive part and its excluded terms (`-palabra`,
-- `-"una frase"`), and each part becomes one tsquery per vector: `spanish`
-- over the text as written (search_es) and `spanish` over unaccent
-- (search_unaccent). A case matches when its positive part matches either
-- vector and no excluded term matches either vector: OR-ing two whole
-- queries would let `agua -minería` through the vector where the excluded
-- word's stem differs (`minería` stems to `min`, `mineria` to `mineri`).

-- The curators' synonyms, applied in one normalization (un: unaccented):
-- each term and meaning, as a phrase and as its words, is rewritten to
-- itself OR the other, so RSE finds "responsabilidad social empresarial"
-- and the reverse. NULL for an empty query (only stop words).
CREATE OR REPLACE FUNCTION practices_rewrite(q tsquery, un boolean) RETURNS tsquery
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN q IS NULL OR numnode(q) = 0 THEN NULL
                WHEN NOT EXISTS (SELECT 1 FROM practice_synonyms) THEN q
                ELSE ts_rewrite(q, format($r$
        SELECT target, target || other FROM (
            SELECT %1$s AS target, %2$s AS other FROM practice_synonyms
            UNION ALL SELECT %2$s, %1$s FROM practice_synonyms
            UNION ALL SELECT plainto_tsquery('spanish', %3$s), %1$s FROM practice_synonyms
             WHERE %3$s ~ '\s'
            UNION ALL SELECT plainto_tsquery('spanish', %4$s), %2$s FROM practice_synonyms
             WHERE %4$s ~ '\s') r
         WHERE numnode(target) > 0 AND numnode(other) > 0$r$,
        CASE WHEN un THEN 'term_un' ELSE 'term_es' END,
        CASE WHEN un THEN 'means_un' ELSE 'means_es' END,
        CASE WHEN un THEN 'practices_unaccent(means)' ELSE 'means' END,
        CASE WHEN un THEN 'practices_unaccent(term)' ELSE 'term' END)) END
$$;

-- The four tsqueries of a web-search query (positive and excluded, per
-- vector), each NULL when that part is empty; words: the positive words
-- as typed (for did_you_mean).
CREATE OR REPLACE FUNCTION practices_query_parts(p_q text, OUT pos_es tsquery, OUT pos_un tsquery,
                                                 OUT neg_es tsquery, OUT neg_un tsquery,
                                                 OUT words text[])
LANGUAGE plpgsql STABLE SET client_min_messages = warning AS $$
DECLARE
    pos text := '';
    neg text := '';
    t text;
BEGIN
    words := '{}';
    FOR t IN SELECT m[1] FROM regexp_matches(coalesce(p_q, ''), '(-?"[^"]*"?|[^[:space:]"]+)', 'g') m
    LOOP
        IF t ~ '^-.' THEN
            neg := neg || CASE WHEN neg = '' THEN '' ELSE ' or ' END || substr(t, 2);
        ELSE
            pos := pos || ' ' || t;
        END IF;
    END LOOP;
    words := ARRAY(SELECT w FROM regexp_split_to_table(
                       lower(translate(pos, 'ÁÉÍÓÚÜÑ', 'áéíóúüñ')), '[^a-z0-9áéíóúüñàèìòùç]+') w
                    WHERE length(w) >= 3 AND w NOT IN ('and', 'not'));
    IF btrim(pos) <> '' THEN
        pos_es := practices_rewrite(websearch_to_tsquery('spanish', pos), false);
        pos_un := practices_rewrite(websearch_to_tsquery('spanish', practices_unaccent(pos)), true);
    END IF;
    IF btrim(neg) <> '' THEN
        neg_es := practices_rewrite(websearch_to_tsquery('spanish', neg), false);
        neg_un := practices_rewrite(websearch_to_tsquery('spanish', practices_unaccent(neg)), true);
    END IF;
END
$$;

-- The WHERE of a search (the tsqueries are $1..$4 and the filters $5, a
-- jsonb {theme: [...], ...}), spliced only where present so that each
-- EXECUTE is planned for what was asked: the GIN indexes narrow the
-- published cases to those matching, nothing else is read. A word may be a
-- stop word in one normalization only (más, también accented; éste, cómo
-- unaccented): that vector's query is NULL and is left out here, rather
-- than wrapped in coalesce(), which hides the @@ from the planner and
-- scans every case (130 ms for a rare word over 10,000 cases, not 1 ms).
-- qp: practices_query_parts. Facet filters are not here: they are flags of
-- each row (practices_list), so each facet's counts can leave out its own
-- filter.
CREATE OR REPLACE FUNCTION practices_where(qp record, p_f jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    pos text := concat_ws(' OR ', CASE WHEN qp.pos_es IS NOT NULL THEN 'p.search_es @@ $1' END,
                          CASE WHEN qp.pos_un IS NOT NULL THEN 'p.search_unaccent @@ $2' END);
    neg text := concat_ws(' OR ', CASE WHEN qp.neg_es IS NOT NULL THEN 'p.search_es @@ $3' END,
                          CASE WHEN qp.neg_un IS NOT NULL THEN 'p.search_unaccent @@ $4' END);
BEGIN
    RETURN concat_ws(' AND ', 'p.status = ''published''',
        CASE WHEN pos <> '' THEN '(' || pos || ')' END,
        CASE WHEN neg <> '' THEN 'NOT (' || neg || ')' END,
        CASE WHEN p_f ? 'organization_id' THEN
            'p.organization_ids && ARRAY(SELECT jsonb_array_elements_text($5 -> ''organization_id''))::uuid[]'
        END);
END
$$;

-- The flag of one facet's filter (true when that facet is not filtered).
CREATE OR REPLACE FUNCTION practices_flag(p_f jsonb, facet text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN NOT p_f ? facet THEN 'true'
                ELSE format(CASE facet
                    WHEN 'theme' THEN 'p.themes && %s'
                    WHEN 'sector' THEN 'p.sectors && %s'
                    WHEN 'territory' THEN 'p.departments && %s'
                    WHEN 'sdg' THEN 'p.sdgs && %s::integer[]'
                    WHEN 'kind' THEN 'p.kind = ANY (%s)'
                    WHEN 'stage' THEN 'p.stage = ANY (%s)'
                    WHEN 'edition' THEN 'e.slug = ANY (%s)' END,
                    format('ARRAY(SELECT jsonb_array_elements_text($5 -> %L))', facet)) END
$$;

-- A list item: PracticeListItem of services/openapi.json.
CREATE OR REPLACE FUNCTION practice_list_item_json(p practices, edition text, snippet text)
RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', p.id, 'kind', p.kind, 'title', p.published ->> 'title',
        'summary', p.published ->> 'summary', 'themes', p.themes, 'sectors', p.sectors,
        'territories', p.territories, 'sdgs', p.sdgs, 'stage', p.stage, 'edition', edition,
        'published_at', p.published_at, 'snippet', snippet,
        'adopted_count', (SELECT count(*) FROM practice_adoptions a WHERE a.practice_id = p.id))
$$;

-- The snippet: ts_headline over the first 2,000 characters of the text
-- (about 0.2 ms a case; 4,000 took twice that, for a page of 50 the most of its time),
-- HTML-escaped first (ts_headline does not escape; entities pass through
-- it unchanged), with control characters as markers that become
-- <mark></mark> afterwards, so no markup of the text survives.
CREATE OR REPLACE FUNCTION practices_snippet(t text, q tsquery) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT replace(replace(ts_headline('practices_headline',
        replace(replace(replace(replace(replace(translate(left(t, 2000), E'\x01\x02', ''),
            '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;'),
        q, format('StartSel=%s, StopSel=%s, MaxWords=35, MinWords=15, MaxFragments=2, '
                  'FragmentDelimiter=" … "', chr(1), chr(2))),
        chr(1), '<mark>'), chr(2), '</mark>')
$$;

-- Real words near the ones typed (pg_trgm), for a query that found fewer
-- than 3 cases: each typed word that is not a surface word of a published
-- case is replaced by the most similar one that is; NULL when none is.
CREATE OR REPLACE FUNCTION practices_did_you_mean(words text[]) RETURNS text
LANGUAGE sql STABLE AS $$
    WITH fixed AS (
        SELECT i, w, coalesce(
            (SELECT x.word FROM practice_words x WHERE x.word = w),
            (SELECT x.word FROM practice_words x
              WHERE x.word % w AND practices_unaccent(x.word) <> practices_unaccent(w)
              ORDER BY similarity(x.word, w) DESC, x.uses DESC, x.word LIMIT 1)) AS f,
            EXISTS (SELECT 1 FROM practice_words x WHERE x.word = w) AS known
          FROM unnest(words) WITH ORDINALITY AS u(w, i))
    SELECT CASE WHEN bool_or(NOT known AND f IS NOT NULL)
                THEN string_agg(coalesce(f, w), ' ' ORDER BY i) END
      FROM fixed
$$;

-- GET /v1/practices: p_f the checked filters ({theme: [..], sector, territory
-- (department or country), sdg, kind, stage, edition (slug),
-- organization_id}: AND across them, OR within one), p_sort relevance
-- (the default with a query) or newest, p_cursor the offset a previous
-- page handed out. Facets are disjunctive: each one's counts apply the
-- query and every other facet's filter, not its own.
--
-- Ranking stays bounded: the GIN indexes give the matches; only the 1,000
-- newest of them are ranked (ts_rank on one vector that matched), so a very broad term
-- costs one ordered read of matches, not a rank of every match; counts and
-- facets need no rank. Pages by relevance therefore reach the first 1,000
-- matches (total still counts them all); by newest, every match.
CREATE OR REPLACE FUNCTION practices_list(p_q text, p_f jsonb, p_sort text, p_cursor bigint,
                                          p_limit integer)
RETURNS api_answer
LANGUAGE plpgsql STABLE AS $$
DECLARE
    qp record;
    f jsonb := coalesce(p_f, '{}');
    facets text[] := ARRAY['theme', 'sector', 'territory', 'sdg', 'kind', 'stage', 'edition'];
    cols text[] := ARRAY['unnest(m.themes)', 'unnest(m.sectors)', 'unnest(m.departments)',
                         'unnest(m.sdgs)::text', 'm.kind', 'm.stage', 'm.edition'];
    flags text := '';
    facet_sql text := '';
    rank_sql text;
    snip_q tsquery;
    body json;
    total bigint;
BEGIN
    SELECT * INTO qp FROM practices_query_parts(p_q);
    FOR i IN 1 .. 7 LOOP
        flags := flags || format(', %s AS ok_%s', practices_flag(f, facets[i]), facets[i]);
        facet_sql := facet_sql || format(
            '%s%L, (SELECT coalesce(json_object_agg(v, n ORDER BY v), ''{}'') FROM '
            '(SELECT %s AS v, count(*) AS n FROM m WHERE %s GROUP BY 1) c WHERE v IS NOT NULL)',
            CASE WHEN i > 1 THEN ', ' ELSE '' END, facets[i], cols[i],
            (SELECT coalesce(string_agg('m.ok_' || x, ' AND '), 'true')
               FROM unnest(facets) x WHERE x <> facets[i]));
    END LOOP;
    rank_sql := CASE WHEN (qp.pos_es IS NOT NULL OR qp.pos_un IS NOT NULL)
                          AND coalesce(p_sort, 'relevance') = 'relevance'
                     -- one vector's rank, not the sum of both (each ts_rank
                     -- reads a whole ~2.4 kB vector per match): the one that
                     -- matched, since a word may stem apart in the two (minería
                     -- to min accented, mineri unaccented) and rank ~0 in one
                     THEN CASE WHEN qp.pos_un IS NULL THEN 'ts_rank(p.search_es, $1)'
                               WHEN qp.pos_es IS NULL THEN 'ts_rank(p.search_unaccent, $2)'
                               ELSE 'CASE WHEN p.search_unaccent @@ $2'
                                    ' THEN ts_rank(p.search_unaccent, $2)'
                                    ' ELSE ts_rank(p.search_es, $1) END' END
                     ELSE '0' END;
    snip_q := coalesce(qp.pos_un, qp.pos_es);
    EXECUTE format($s$
        WITH m AS MATERIALIZED (
            SELECT p.id, p.published_at, p.themes, p.sectors, p.departments, p.sdgs, p.kind,
                   p.stage, e.slug AS edition %1$s
              FROM practices p LEFT JOIN editions e ON e.id = p.edition_id
             WHERE %2$s),
        hits AS (SELECT m.id, m.published_at, m.edition FROM m
                  WHERE m.ok_theme AND m.ok_sector AND m.ok_territory AND m.ok_sdg AND m.ok_kind
                    AND m.ok_stage AND m.ok_edition),
        ranked AS (
            SELECT h.id, h.published_at, h.edition, %3$s AS rank
              FROM (SELECT * FROM hits ORDER BY published_at DESC, id LIMIT %5$s) h
              JOIN practices p ON p.id = h.id),
        page AS (
            SELECT x.*, row_number() OVER (ORDER BY x.rank DESC, x.published_at DESC, x.id) AS rn
              FROM (SELECT r.* FROM ranked r ORDER BY r.rank DESC, r.published_at DESC, r.id
                    OFFSET $6 LIMIT $7 + 1) x)
        SELECT json_build_object(
            'items', coalesce((SELECT json_agg(practice_list_item_json(p, g.edition,
                                   CASE WHEN $8::tsquery IS NOT NULL
                                        THEN practices_snippet(p.search_text, $8) END)
                                   ORDER BY g.rn)
                                 FROM page g JOIN practices p ON p.id = g.id WHERE g.rn <= $7),
                              '[]'),
            'next_cursor', CASE WHEN (SELECT count(*) FROM page) > $7 THEN ($6 + $7)::text END,
            'total', (SELECT count(*) FROM hits),
            'facets', json_build_object(%4$s)),
            (SELECT count(*) FROM hits)
    $s$, flags, practices_where(qp, f), rank_sql,
         facet_sql, CASE WHEN rank_sql = '0' THEN 'ALL' ELSE '1000' END)
    INTO body, total
    USING qp.pos_es, qp.pos_un, qp.neg_es, qp.neg_un, f, coalesce(p_cursor, 0), p_limit, snip_q;
    IF total < 3 AND cardinality(qp.words) > 0 THEN
        body := (body::jsonb || jsonb_build_object('did_you_mean',
                                                   practices_did_you_mean(qp.words)))::json;
        IF body ->> 'did_you_mean' IS NULL THEN
            body := (body::jsonb - 'did_you_mean')::json;
        END IF;
    END IF;
    RETURN core_answer(200, body);
END
$$;

-- The CSV export's rows (not an answer: gessd writes the CSV cell by cell,
-- formula-safe): every published case the search matches, newest first,
-- the taxonomies as ;-joined codes.
CREATE OR REPLACE FUNCTION practices_list_csv(p_q text, p_f jsonb)
RETURNS TABLE (id uuid, kind text, title text, summary text, themes text, sectors text,
               territories text, sdgs text, stage text, edition text, organization_ids text,
               license text, published_at text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    qp record;
    f jsonb := coalesce(p_f, '{}');
    flags text := '';
BEGIN
    SELECT * INTO qp FROM practices_query_parts(p_q);
    flags := (SELECT string_agg(practices_flag(f, x), ' AND ')
                FROM unnest(ARRAY['theme', 'sector', 'territory', 'sdg', 'kind', 'stage',
                                  'edition']) x);
    RETURN QUERY EXECUTE format($s$
        SELECT p.id, p.kind, p.published ->> 'title', p.published ->> 'summary',
               array_to_string(p.themes, ';'), array_to_string(p.sectors, ';'),
               array_to_string(p.territories, ';'), array_to_string(p.sdgs, ';'), p.stage,
               e.slug::text, array_to_string(p.organization_ids, ';'),
               coalesce(p.published ->> 'license', 'CC-BY-4.0'),
               to_char(p.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
          FROM practices p LEFT JOIN editions e ON e.id = p.edition_id
         WHERE %s AND %s
         ORDER BY p.published_at DESC, p.id$s$,
        practices_where(qp, f), flags)
    USING qp.pos_es, qp.pos_un, qp.neg_es, qp.neg_un, f;
END
$$;

-- ?format=atom: the newest published cases the search matches (at most
-- p_limit), as {updated, entries: [{id, title, summary, published_at,
-- updated}]}; gessd writes the XML (services/practices/feed.c).
CREATE OR REPLACE FUNCTION practices_feed(p_q text, p_f jsonb, p_limit integer)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH e AS (
        SELECT c.id, c.title, c.summary, c.published_at FROM practices_list_csv(p_q, p_f) c
         LIMIT p_limit)
    SELECT core_answer(200, json_build_object(
        'updated', coalesce((SELECT to_char(max(p.published_at) AT TIME ZONE 'UTC',
                                            'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                               FROM practices p WHERE p.status = 'published'),
                            '2026-01-01T00:00:00Z'),
        'entries', coalesce((SELECT json_agg(json_build_object(
                                 'id', e.id, 'title', e.title, 'summary', e.summary,
                                 'updated', e.published_at)) FROM e), '[]')))
$$;

-- The surface words of published cases (practice_words, for did_you_mean):
-- lower-cased words of 3 or more letters of a case's published text, with
-- how often they are used; kept by a trigger whenever a case's published
-- text or its status changes.
CREATE OR REPLACE FUNCTION practices_words_of(t text) RETURNS TABLE (word text, uses integer)
LANGUAGE sql IMMUTABLE AS $$
    SELECT w, count(*)::integer
      FROM regexp_split_to_table(lower(translate(t, 'ÁÉÍÓÚÜÑÀÈÌÒÙ', 'áéíóúüñàèìòù')),
                                 '[^a-záéíóúüñàèìòùç]+') w
     WHERE length(w) >= 3
     GROUP BY w
$$;

-- One statement's change to the surface words: the words of the rows that
-- were published and changed (status or text) leave, those of the rows
-- that are published now arrive, summed per word, applied in word order
-- (two statements touching the same words lock them in the same order).
-- Statement-level, over the transition tables, so publishing many cases at
-- once (a bulk load, the demo) applies one summed change per word.
CREATE OR REPLACE FUNCTION practices_words_upkeep() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    gone text[]; -- the words this statement took the last use of
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO practice_words AS x (word, uses)
        SELECT w.word, sum(w.uses) FROM new_rows n, practices_words_of(n.search_text) w
         WHERE n.status = 'published' GROUP BY w.word ORDER BY w.word
        ON CONFLICT (word) DO UPDATE SET uses = x.uses + excluded.uses;
    ELSIF TG_OP = 'DELETE' THEN
        WITH applied AS (
            UPDATE practice_words x SET uses = x.uses - d.uses
              FROM (SELECT w.word, sum(w.uses) AS uses
                      FROM old_rows o, practices_words_of(o.search_text) w
                     WHERE o.status = 'published' GROUP BY w.word) d
             WHERE x.word = d.word
            RETURNING x.word, x.uses)
        SELECT array_agg(word) FILTER (WHERE uses <= 0) INTO gone FROM applied;
    ELSE
        WITH changed AS (
            SELECT o.status AS old_status, o.search_text AS old_text, n.status AS new_status,
                   n.search_text AS new_text
              FROM old_rows o JOIN new_rows n ON n.id = o.id
             WHERE (o.status, o.search_text) IS DISTINCT FROM (n.status, n.search_text)
               AND 'published' IN (o.status, n.status)),
        delta AS (
            SELECT w.word, sum(w.uses) AS uses
              FROM (SELECT new_text AS t, 1 AS sign FROM changed WHERE new_status = 'published'
                    UNION ALL
                    SELECT old_text, -1 FROM changed WHERE old_status = 'published') c,
                   LATERAL (SELECT word, uses * c.sign AS uses FROM practices_words_of(c.t)) w
             GROUP BY w.word HAVING sum(w.uses) <> 0),
        applied AS (
            INSERT INTO practice_words AS x (word, uses)
            SELECT word, uses FROM delta ORDER BY word
            ON CONFLICT (word) DO UPDATE SET uses = x.uses + excluded.uses
            RETURNING x.word, x.uses)
        SELECT array_agg(word) FILTER (WHERE uses <= 0) INTO gone FROM applied;
    END IF;
    -- only the words this statement changed: the table is never scanned
    IF gone IS NOT NULL THEN
        DELETE FROM practice_words WHERE word = ANY (gone) AND uses <= 0;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS practices_words_upkeep ON practices;
CREATE OR REPLACE TRIGGER practices_words_insert
    AFTER INSERT ON practices REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION practices_words_upkeep();
CREATE OR REPLACE TRIGGER practices_words_update
    AFTER UPDATE ON practices REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION practices_words_upkeep();
CREATE OR REPLACE TRIGGER practices_words_delete
    AFTER DELETE ON practices REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION practices_words_upkeep();

-- GET /v1/practice-synonyms: the whole list, by term.
CREATE OR REPLACE FUNCTION practices_synonyms_get() RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_answer(200, json_build_object('items', coalesce(
        (SELECT json_agg(json_build_object('term', s.term, 'means', s.means) ORDER BY s.term)
           FROM practice_synonyms s), '[]')))
$$;

-- PUT /v1/practice-synonyms (curators): p {items: [{term, means}]} as gessd
-- checked it replaces the whole list.
CREATE OR REPLACE FUNCTION practices_synonyms_put(p jsonb) RETURNS api_answer
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM practice_synonyms WHERE true;
    INSERT INTO practice_synonyms (term, means)
    SELECT i ->> 'term', i ->> 'means' FROM jsonb_array_elements(p -> 'items') i;
    RETURN practices_synonyms_get();
END
$$;

-- ---------------------------------------------------------------------------
-- Pages (services/practices/pages.c)

-- The words a page shows for the codes of a case: theme names in both
-- languages ({code: {es, en}}) and department names ({code: name}).
CREATE OR REPLACE FUNCTION practices_page_labels() RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'themes', coalesce((SELECT json_object_agg(t.code, json_build_object('es', t.name_es,
                                                                             'en', t.name_en)
                                                   ORDER BY t.code)
                              FROM practice_themes t), '{}'),
        'departments', coalesce((SELECT json_object_agg(d.code, d.name ORDER BY d.code)
                                   FROM practice_departments d), '{}'))
$$;

-- GET /practices, the search page: the API's search (practices_list, the
-- same arguments) with the labels of its facets, in one statement.
CREATE OR REPLACE FUNCTION practices_page_search(p_q text, p_f jsonb, p_sort text,
                                                 p_cursor bigint, p_limit integer)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN a.status <> 200 THEN a
                ELSE core_answer(200, (a.body::jsonb || jsonb_build_object(
                                           'labels', practices_page_labels()))::json) END
      FROM practices_list(p_q, p_f, p_sort, p_cursor, p_limit) a
$$;

-- GET /practices/{id}, a case's page: the API's read (practices_get, 404
-- as it says) with its adoptions (the first 50: who replicated it where)
-- and the labels of its codes, in one statement.
CREATE OR REPLACE FUNCTION practices_page_case(p_id uuid, p_viewer uuid, p_curator boolean)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN c.status <> 200 THEN c
                ELSE core_answer(200, (c.body::jsonb || jsonb_build_object(
                         'adoptions', (practices_adoptions_list(p_id, p_viewer, p_curator,
                                                                NULL, 50)).body -> 'items',
                         'labels', practices_page_labels()))::json) END
      FROM practices_get(p_id, p_viewer, p_curator) c
$$;

-- GET /practices/new, the case form (services/practices/pages_submit.c):
-- the controlled list of themes (practices_themes_list) and the editions
-- a case may name (those practice_errors accepts: not drafts), newest first.
CREATE OR REPLACE FUNCTION practices_page_new()
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_answer(200, json_build_object(
        'themes', (practices_themes_list()).body -> 'items',
        'editions', coalesce((SELECT json_agg(json_build_object('slug', e.slug, 'title', e.title)
                                              ORDER BY e.starts_on DESC)
                                FROM editions e WHERE e.status <> 'draft'), '[]'::json)))
$$;

-- GET /manage/practices, the curators' page (pages_curate.c): the API's
-- two queues, submissions (practices_submissions) and reports
-- (practices_reports_list), a page of each from its own cursor, in one
-- statement.
CREATE OR REPLACE FUNCTION practices_page_manage(p_submissions_cursor uuid, p_reports_cursor uuid,
                                                 p_limit integer)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_answer(200, json_build_object(
        'submissions', (practices_submissions(p_submissions_cursor, p_limit)).body,
        'reports', (practices_reports_list(p_reports_cursor, p_limit)).body))
$$;

GRANT EXECUTE ON FUNCTION practices_page_labels(),
    practices_page_search(text, jsonb, text, bigint, integer),
    practices_page_case(uuid, uuid, boolean), practices_page_new(),
    practices_page_manage(uuid, uuid, integer), practices_submissions(uuid, integer) TO gess_app;
