-- functions/registration.sql: registration for an edition: categories and questions, the
-- registration itself (capacity by a guarded update of category_modes, the
-- waitlist, approval), cancellation with the seat handed on, check-in.
--
-- Reloaded by every `gessd migrate` in one transaction (check_function_bodies
-- off, so files may call each other in any order); written to be re-run:
-- CREATE OR REPLACE, and DROP ... IF EXISTS before a signature changes.
-- A function removed from here is dropped from upgraded databases by the
-- loader. The tables are in schema/migrations.

CREATE OR REPLACE FUNCTION category_json(c categories) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT c.id, c.code, c.name, c.description, c.price_cents, c.currency,
               c.requires_approval, c.sectors,
               (SELECT jsonb_object_agg(m.mode, m.capacity ORDER BY m.mode)
                  FROM category_modes m WHERE m.category_id = c.id) AS modes,
               (SELECT jsonb_object_agg(m.mode, m.capacity - m.taken ORDER BY m.mode)
                  FROM category_modes m WHERE m.category_id = c.id) AS seats_left) x
$$;

CREATE OR REPLACE FUNCTION question_json(q questions) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT q.id, q.code, q.label, q.type, q.choices, q.required) x
$$;

-- A registration as its owner sees it; with_person adds who registered
-- (organizer views).
CREATE OR REPLACE FUNCTION registration_json(r registrations, with_person boolean) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT r.id, e.slug AS edition, e.title AS edition_title, r.status, c.code AS category,
               r.mode, r.badge_code, r.answers, r.paid, r.created_at, r.checked_in_at,
               CASE WHEN with_person THEN
                   (SELECT jsonb_build_object('id', a.id, 'full_name', a.full_name,
                                             'email', a.email, 'organization', a.organization,
                                             'sector', a.sector)
                      FROM accounts a WHERE a.id = r.account_id)
               END AS account
          FROM editions e, categories c
         WHERE e.id = r.edition_id AND c.id = r.category_id) x
$$;

-- Frees the seat of a registration that held one, or hands it to the
-- oldest waitlisted registration of the same category and mode (pending
-- when the category needs approval), with the promoted person's mail in
-- the outbox. The caller has locked the registration and changed its
-- status already; this runs in the caller's transaction.
CREATE OR REPLACE FUNCTION registration_release_seat(p_category uuid, p_mode text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    next_id uuid;
    next_account uuid;
    approval boolean;
    new_status text;
BEGIN
    -- the mode row lock serialises every seat change of this category+mode
    PERFORM 1 FROM category_modes WHERE category_id = p_category AND mode = p_mode FOR UPDATE;
    SELECT r.id, r.account_id INTO next_id, next_account
      FROM registrations r
     WHERE r.category_id = p_category AND r.mode = p_mode AND r.status = 'waitlisted'
     ORDER BY r.created_at, r.id
     LIMIT 1
       FOR UPDATE SKIP LOCKED;
    IF next_id IS NULL THEN
        UPDATE category_modes SET taken = taken - 1
         WHERE category_id = p_category AND mode = p_mode;
        RETURN;
    END IF;
    SELECT requires_approval INTO approval FROM categories WHERE id = p_category;
    new_status := CASE WHEN approval THEN 'pending' ELSE 'confirmed' END;
    UPDATE registrations SET status = new_status, updated_at = now() WHERE id = next_id;
    INSERT INTO outbox (kind, account_id, payload)
    VALUES ('registration_promoted', next_account,
            jsonb_build_object('registration_id', next_id, 'status', new_status));
END
$$;

-- POST /v1/editions/{slug}/registrations in one transaction. Validation
-- problems come back as {field, code} pairs for gessd to word; nothing is
-- written unless the answer is 201.
CREATE OR REPLACE FUNCTION registration_create(p_account uuid, p_slug text, p_category text, p_mode text,
                                               p_answers jsonb, p_badge text, p_key text, p_hash bytea,
                                               OUT http_status integer, OUT body text, OUT problem text,
                                               OUT errors jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    e editions;
    c categories;
    m category_modes;
    q questions;
    reg registrations;
    idem idempotency_keys;
    errs jsonb := '[]';
    v jsonb;
    k text;
    who_sector text;
    seat boolean := false;
BEGIN
    IF p_key IS NOT NULL THEN
        -- A retry while the first attempt runs must not wait for it: 409.
        IF NOT pg_try_advisory_xact_lock(hashtextextended(p_account::text || '/' || p_key, 4711))
        THEN
            problem := 'idempotency-in-flight';
            RETURN;
        END IF;
        SELECT * INTO idem FROM idempotency_keys WHERE account_id = p_account AND key = p_key;
        IF FOUND THEN
            IF idem.created_at < now() - interval '24 hours' THEN
                DELETE FROM idempotency_keys WHERE account_id = p_account AND key = p_key;
            ELSIF idem.request_hash <> p_hash THEN
                problem := 'idempotency-mismatch';
                RETURN;
            ELSE
                http_status := idem.status;
                body := idem.body;
                RETURN;
            END IF;
        END IF;
    END IF;

    SELECT * INTO e FROM editions WHERE slug = p_slug;
    IF NOT FOUND OR e.status = 'draft' THEN
        problem := 'not-found';
        RETURN;
    END IF;
    IF e.status <> 'published' OR now() < e.registration_opens_at
       OR now() >= e.registration_closes_at THEN
        problem := 'registration-closed';
        RETURN;
    END IF;

    IF p_mode NOT IN ('in_person', 'online') THEN
        errs := errs || jsonb_build_object('field', 'mode', 'code', 'one_of',
                                           'choices', 'in_person, online');
    END IF;
    SELECT * INTO c FROM categories WHERE edition_id = e.id AND code = p_category;
    IF NOT FOUND THEN
        errs := errs || jsonb_build_object('field', 'category', 'code', 'unknown');
    ELSE
        SELECT sector INTO who_sector FROM accounts WHERE id = p_account;
        IF cardinality(c.sectors) > 0
           AND (who_sector IS NULL OR NOT who_sector = ANY (c.sectors)) THEN
            errs := errs || jsonb_build_object('field', 'category', 'code', 'sector_closed');
        END IF;
        SELECT * INTO m FROM category_modes WHERE category_id = c.id AND mode = p_mode;
        IF NOT FOUND AND p_mode IN ('in_person', 'online') THEN
            errs := errs || jsonb_build_object('field', 'mode', 'code', 'not_offered');
        END IF;
    END IF;

    FOR k IN SELECT jsonb_object_keys(p_answers) LOOP
        IF NOT EXISTS (SELECT 1 FROM questions WHERE edition_id = e.id AND code = k) THEN
            errs := errs || jsonb_build_object('field', 'answers.' || k, 'code', 'unknown');
        END IF;
    END LOOP;
    FOR q IN SELECT * FROM questions WHERE edition_id = e.id ORDER BY position, created_at LOOP
        v := p_answers -> q.code;
        IF v IS NULL OR v = 'null'::jsonb OR v = '""'::jsonb THEN
            IF q.required THEN
                errs := errs || jsonb_build_object('field', 'answers.' || q.code, 'code', 'required');
            END IF;
            CONTINUE;
        END IF;
        IF q.type = 'text' AND jsonb_typeof(v) <> 'string' THEN
            errs := errs || jsonb_build_object('field', 'answers.' || q.code, 'code', 'not_string');
        ELSIF q.type = 'text' AND length(v #>> '{}') > 2000 THEN
            errs := errs || jsonb_build_object('field', 'answers.' || q.code, 'code', 'too_long');
        ELSIF q.type = 'yes_no' AND jsonb_typeof(v) <> 'boolean' THEN
            errs := errs || jsonb_build_object('field', 'answers.' || q.code, 'code', 'not_boolean');
        ELSIF q.type = 'choice'
              AND (jsonb_typeof(v) <> 'string' OR NOT (v #>> '{}') = ANY (q.choices)) THEN
            errs := errs || jsonb_build_object('field', 'answers.' || q.code, 'code', 'one_of',
                                               'choices', array_to_string(q.choices, ', '));
        END IF;
    END LOOP;
    IF jsonb_array_length(errs) > 0 THEN
        problem := 'validation-failed';
        errors := errs;
        RETURN;
    END IF;

    SELECT * INTO reg FROM registrations
     WHERE edition_id = e.id AND account_id = p_account
       AND status NOT IN ('cancelled', 'rejected');
    IF FOUND THEN
        problem := 'already-registered';
        body := reg.id::text;
        RETURN;
    END IF;

    -- The registration goes in first and the seat is taken last, so the
    -- category_modes row lock (which serialises every seat of this
    -- category and mode) is held only from the guarded update to the
    -- commit. A plain read first spares the lock when the mode is visibly
    -- full; the guarded update is still the only way to take a seat.
    seat := m.capacity IS NULL OR m.taken < m.capacity;
    INSERT INTO registrations (edition_id, account_id, category_id, mode, status, badge_code,
                               answers, sector)
    VALUES (e.id, p_account, c.id, p_mode,
            CASE WHEN NOT seat THEN 'waitlisted'
                 WHEN c.requires_approval THEN 'pending' ELSE 'confirmed' END,
            p_badge, p_answers, who_sector)
    ON CONFLICT (edition_id, account_id) WHERE status NOT IN ('cancelled', 'rejected')
    DO NOTHING
    RETURNING * INTO reg;
    IF NOT FOUND THEN
        -- The same person registered concurrently and won (ON CONFLICT
        -- waited for it to commit, so a new snapshot sees it).
        SELECT id INTO reg.id FROM registrations
         WHERE edition_id = e.id AND account_id = p_account
           AND status NOT IN ('cancelled', 'rejected');
        problem := 'already-registered';
        body := reg.id::text;
        RETURN;
    END IF;
    IF seat THEN
        UPDATE category_modes SET taken = taken + 1
         WHERE category_id = c.id AND mode = p_mode
           AND (capacity IS NULL OR taken < capacity);
        IF NOT FOUND THEN
            UPDATE registrations SET status = 'waitlisted' WHERE id = reg.id
            RETURNING * INTO reg;
        END IF;
    END IF;
    http_status := 201;
    -- registration_json(reg, false), built from what is at hand
    SELECT row_to_json(x)::text INTO body FROM (
        SELECT reg.id, e.slug AS edition, e.title AS edition_title, reg.status,
               c.code AS category, reg.mode, reg.badge_code, reg.answers, reg.paid,
               reg.created_at, reg.checked_in_at, NULL::json AS account) x;
    IF p_key IS NOT NULL THEN
        INSERT INTO idempotency_keys (account_id, key, request_hash, status, body)
        VALUES (p_account, p_key, p_hash, 201, body);
    END IF;
END
$$;

-- DELETE /v1/registrations/{id}: the registrant or an organizer.
CREATE OR REPLACE FUNCTION registration_cancel(p_id uuid, p_actor uuid, p_organizer boolean,
                                               OUT problem text)
LANGUAGE plpgsql AS $$
DECLARE
    r registrations;
BEGIN
    SELECT * INTO r FROM registrations WHERE id = p_id FOR UPDATE;
    IF NOT FOUND OR (NOT p_organizer AND r.account_id IS DISTINCT FROM p_actor) THEN
        problem := 'not-found';
        RETURN;
    END IF;
    IF r.status IN ('cancelled', 'rejected') THEN
        RETURN;
    END IF;
    IF r.status = 'checked_in' THEN
        problem := 'invalid-state';
        RETURN;
    END IF;
    UPDATE registrations SET status = 'cancelled', updated_at = now() WHERE id = p_id;
    IF r.status IN ('confirmed', 'pending') THEN
        PERFORM registration_release_seat(r.category_id, r.mode);
    END IF;
END
$$;

-- POST /v1/registrations/{id}/approve and /reject (organizers). A
-- rejection frees the seat like a cancellation.
CREATE OR REPLACE FUNCTION registration_decide(p_id uuid, p_actor uuid, p_approve boolean, p_reason text,
                                               OUT problem text, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
    r registrations;
    held boolean;
BEGIN
    SELECT * INTO r FROM registrations WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        problem := 'not-found';
        RETURN;
    END IF;
    IF p_approve AND r.status <> 'pending'
       OR NOT p_approve AND r.status NOT IN ('pending', 'confirmed', 'waitlisted') THEN
        problem := 'invalid-state';
        RETURN;
    END IF;
    held := r.status IN ('pending', 'confirmed');
    UPDATE registrations
       SET status = CASE WHEN p_approve THEN 'confirmed' ELSE 'rejected' END,
           decided_at = now(), decided_by = p_actor, reason = p_reason, updated_at = now()
     WHERE id = p_id
    RETURNING * INTO r;
    IF NOT p_approve AND held THEN
        PERFORM registration_release_seat(r.category_id, r.mode);
    END IF;
    INSERT INTO outbox (kind, account_id, payload)
    VALUES (CASE WHEN p_approve THEN 'registration_approved' ELSE 'registration_rejected' END,
            r.account_id,
            jsonb_build_object('registration_id', r.id, 'reason', p_reason));
    body := registration_json(r, true)::text;
END
$$;

-- POST /v1/editions/{slug}/checkins: a badge is scanned once; a second
-- scan answers with the first time instead of an error.
CREATE OR REPLACE FUNCTION registration_checkin(p_slug text, p_badge text,
                                                OUT problem text, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
    r registrations;
    first_scan boolean;
BEGIN
    SELECT reg.* INTO r
      FROM registrations reg JOIN editions e ON e.id = reg.edition_id
     WHERE e.slug = p_slug AND reg.badge_code = p_badge
       FOR UPDATE OF reg;
    IF NOT FOUND THEN
        problem := 'not-found';
        RETURN;
    END IF;
    IF r.status = 'confirmed' THEN
        UPDATE registrations SET status = 'checked_in', checked_in_at = now(), updated_at = now()
         WHERE id = r.id
        RETURNING * INTO r;
        first_scan := true;
    ELSIF r.status = 'checked_in' THEN
        first_scan := false;
    ELSE
        problem := 'invalid-state';
        RETURN;
    END IF;
    SELECT row_to_json(x)::text INTO body FROM (
        SELECT registration_json(r, true) AS registration, r.checked_in_at,
               first_scan AS first_scan) x;
END
$$;

-- POST /v1/editions/{slug}/categories: the category and its modes.
CREATE OR REPLACE FUNCTION category_create(p_slug text, p_code text, p_name text, p_description text,
                                           p_price bigint, p_currency text, p_approval boolean,
                                           p_sectors text[], p_modes jsonb,
                                           OUT problem text, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
    ed uuid;
    c categories;
BEGIN
    SELECT id INTO ed FROM editions WHERE slug = p_slug;
    IF NOT FOUND THEN
        problem := 'not-found';
        RETURN;
    END IF;
    INSERT INTO categories (edition_id, code, name, description, price_cents, currency,
                            requires_approval, sectors, position)
    VALUES (ed, p_code, p_name, p_description, p_price, p_currency, p_approval, p_sectors,
            (SELECT count(*) FROM categories WHERE edition_id = ed))
    ON CONFLICT ON CONSTRAINT categories_code_key DO NOTHING
    RETURNING * INTO c;
    IF NOT FOUND THEN
        problem := 'category-taken';
        RETURN;
    END IF;
    INSERT INTO category_modes (category_id, mode, capacity)
    SELECT c.id, key, (value #>> '{}')::integer FROM jsonb_each(p_modes);
    body := category_json(c)::text;
END
$$;
