-- 0002_editions_registration: biennial editions, registration categories
-- with per-mode capacity, custom questions, registrations with waitlist,
-- idempotency keys and the mail outbox.

-- True for a time zone name PostgreSQL knows (IANA names such as
-- America/Lima); used by a CHECK, so a bad name is refused by the database.
CREATE FUNCTION is_timezone(tz text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM now() AT TIME ZONE tz;
    RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN false;
END
$$;

CREATE TABLE editions (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug                   text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'
                                                AND length(slug) <= 64),
    number                 integer NOT NULL CHECK (number >= 1),
    title                  text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    motto                  text NOT NULL DEFAULT '' CHECK (length(motto) <= 300),
    city                   text NOT NULL DEFAULT '' CHECK (length(city) <= 100),
    venue                  text NOT NULL DEFAULT '' CHECK (length(venue) <= 200),
    starts_on              date NOT NULL,
    ends_on                date NOT NULL,
    timezone               text NOT NULL DEFAULT 'America/Lima',
    registration_opens_at  timestamptz NOT NULL,
    registration_closes_at timestamptz NOT NULL,
    status                 text NOT NULL DEFAULT 'draft'
                           CHECK (status IN ('draft', 'published', 'closed', 'archived')),
    previous_id            uuid REFERENCES editions ON DELETE SET NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT editions_slug_key UNIQUE (slug),
    CONSTRAINT editions_number_key UNIQUE (number),
    CONSTRAINT editions_ends_on_check CHECK (ends_on >= starts_on),
    CONSTRAINT editions_window_check CHECK (registration_closes_at > registration_opens_at),
    CONSTRAINT editions_timezone_check CHECK (is_timezone(timezone))
);

CREATE TABLE categories (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id        uuid NOT NULL REFERENCES editions ON DELETE CASCADE,
    code              text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description       text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    price_cents       bigint NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
    currency          text NOT NULL DEFAULT 'PEN' CHECK (currency ~ '^[A-Z]{3}$'),
    requires_approval boolean NOT NULL DEFAULT false,
    -- empty: open to every sector
    sectors           text[] NOT NULL DEFAULT '{}'
                      CHECK (sectors <@ ARRAY['public', 'private', 'academia', 'civil_society',
                                              'community', 'cooperation', 'media']::text[]),
    position          integer NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT categories_code_key UNIQUE (edition_id, code)
);

-- One row per attendance mode a category offers. `taken` counts the seats
-- held (confirmed, pending, checked_in); the CHECK makes overselling
-- impossible whatever the C code does.
CREATE TABLE category_modes (
    category_id uuid NOT NULL REFERENCES categories ON DELETE CASCADE,
    mode        text NOT NULL CHECK (mode IN ('in_person', 'online')),
    capacity    integer CHECK (capacity >= 0),  -- NULL: unlimited
    taken       integer NOT NULL DEFAULT 0 CHECK (taken >= 0),
    PRIMARY KEY (category_id, mode),
    CONSTRAINT category_modes_not_oversold CHECK (capacity IS NULL OR taken <= capacity)
);

CREATE TABLE questions (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id uuid NOT NULL REFERENCES editions ON DELETE CASCADE,
    code       text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
    label      text NOT NULL CHECK (length(label) BETWEEN 1 AND 300),
    type       text NOT NULL CHECK (type IN ('text', 'choice', 'yes_no')),
    choices    text[] NOT NULL DEFAULT '{}',
    required   boolean NOT NULL DEFAULT false,
    position   integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT questions_code_key UNIQUE (edition_id, code),
    CHECK ((type = 'choice') = (cardinality(choices) > 0))
);

CREATE TABLE registrations (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id    uuid NOT NULL REFERENCES editions ON DELETE CASCADE,
    -- NULL once the person erased their account (DELETE /v1/me): the row
    -- stays so statistics stay right
    account_id    uuid REFERENCES accounts ON DELETE SET NULL,
    category_id   uuid NOT NULL,
    mode          text NOT NULL,
    status        text NOT NULL CHECK (status IN ('pending', 'confirmed', 'waitlisted',
                                                  'rejected', 'cancelled', 'checked_in')),
    badge_code    text NOT NULL CHECK (badge_code ~ '^[2-9A-HJ-NP-Z]{10}$'),
    answers       jsonb NOT NULL DEFAULT '{}',
    sector        text,  -- the person's sector when registering, for statistics
    paid          boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    checked_in_at timestamptz,
    decided_at    timestamptz,
    decided_by    uuid REFERENCES accounts ON DELETE SET NULL,
    reason        text CHECK (length(reason) <= 1000),
    CONSTRAINT registrations_badge_key UNIQUE (badge_code),
    FOREIGN KEY (category_id, mode) REFERENCES category_modes (category_id, mode)
);
-- One live registration per person and edition; after a cancellation or a
-- rejection the person may register again.
CREATE UNIQUE INDEX registrations_one_live ON registrations (edition_id, account_id)
    WHERE status NOT IN ('cancelled', 'rejected');
CREATE INDEX registrations_waitlist ON registrations (category_id, mode, created_at, id)
    WHERE status = 'waitlisted';
CREATE INDEX registrations_edition ON registrations (edition_id, created_at, id);
CREATE INDEX registrations_account ON registrations (account_id);

-- Idempotency-Key of POST .../registrations: the first 201 answer, replayed
-- byte for byte for 24 hours.
CREATE TABLE idempotency_keys (
    account_id   uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
    key          text NOT NULL,
    request_hash bytea NOT NULL,
    status       integer NOT NULL,
    body         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, key)
);

-- Mail (and later webhooks) to send, written in the transaction of the
-- change that causes it; a sender delivers and marks sent_at.
CREATE TABLE outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text NOT NULL,
    account_id uuid REFERENCES accounts ON DELETE SET NULL,
    payload    jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

GRANT SELECT, INSERT, UPDATE ON editions, categories, category_modes, questions, registrations
    TO gess_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO gess_app;
GRANT SELECT, INSERT, UPDATE ON outbox TO gess_app;
GRANT DELETE ON accounts TO gess_app;

CREATE FUNCTION edition_json(e editions) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT e.id, e.slug, e.number, e.title, e.motto, e.city, e.venue, e.starts_on,
               e.ends_on, e.timezone, e.registration_opens_at, e.registration_closes_at,
               e.status, (SELECT p.slug FROM editions p WHERE p.id = e.previous_id) AS previous,
               (e.status = 'published' AND now() >= e.registration_opens_at
                AND now() < e.registration_closes_at) AS registration_open,
               e.created_at) x
$$;

CREATE FUNCTION category_json(c categories) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT c.id, c.code, c.name, c.description, c.price_cents, c.currency,
               c.requires_approval, c.sectors,
               (SELECT jsonb_object_agg(m.mode, m.capacity ORDER BY m.mode)
                  FROM category_modes m WHERE m.category_id = c.id) AS modes,
               (SELECT jsonb_object_agg(m.mode, m.capacity - m.taken ORDER BY m.mode)
                  FROM category_modes m WHERE m.category_id = c.id) AS seats_left) x
$$;

CREATE FUNCTION question_json(q questions) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT q.id, q.code, q.label, q.type, q.choices, q.required) x
$$;

-- A registration as its owner sees it; with_person adds who registered
-- (organizer views).
CREATE FUNCTION registration_json(r registrations, with_person boolean) RETURNS json
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
CREATE FUNCTION registration_release_seat(p_category uuid, p_mode text) RETURNS void
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
CREATE FUNCTION registration_create(p_account uuid, p_slug text, p_category text, p_mode text,
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
CREATE FUNCTION registration_cancel(p_id uuid, p_actor uuid, p_organizer boolean,
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
CREATE FUNCTION registration_decide(p_id uuid, p_actor uuid, p_approve boolean, p_reason text,
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
CREATE FUNCTION registration_checkin(p_slug text, p_badge text,
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

-- POST /v1/editions/{slug}/next: the edition two years later, with a copy
-- of the chosen setup (never registrations).
CREATE FUNCTION edition_next(p_slug text, p_categories boolean, p_questions boolean,
                             OUT problem text, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
    e editions;
    n editions;
    old_year text;
    new_year text;
    parts text[];
BEGIN
    SELECT * INTO e FROM editions WHERE slug = p_slug;
    IF NOT FOUND THEN
        problem := 'not-found';
        RETURN;
    END IF;
    old_year := extract(year FROM e.starts_on)::text;
    new_year := (extract(year FROM e.starts_on) + 2)::text;
    parts := regexp_match(e.slug, '^(.*)([0-9]{4})(.*)$');
    n := e;
    n.id := gen_random_uuid();
    n.slug := CASE WHEN parts IS NULL THEN e.slug || '-' || new_year
                   ELSE parts[1] || (parts[2]::integer + 2)::text || parts[3] END;
    n.number := e.number + 1;
    n.title := replace(e.title, old_year, new_year);
    n.starts_on := e.starts_on + interval '2 years';
    n.ends_on := e.ends_on + interval '2 years';
    n.registration_opens_at := e.registration_opens_at + interval '2 years';
    n.registration_closes_at := e.registration_closes_at + interval '2 years';
    n.status := 'draft';
    n.previous_id := e.id;
    n.created_at := now();
    n.updated_at := now();
    BEGIN
        INSERT INTO editions SELECT n.*;
    EXCEPTION WHEN unique_violation THEN
        problem := 'slug-taken';
        RETURN;
    END;
    IF p_categories THEN
        WITH src AS (
            SELECT c.*, gen_random_uuid() AS new_id FROM categories c WHERE c.edition_id = e.id
        ), ins AS (
            INSERT INTO categories (id, edition_id, code, name, description, price_cents,
                                    currency, requires_approval, sectors, position)
            SELECT new_id, n.id, code, name, description, price_cents, currency,
                   requires_approval, sectors, position FROM src
        )
        INSERT INTO category_modes (category_id, mode, capacity)
        SELECT src.new_id, m.mode, m.capacity
          FROM src JOIN category_modes m ON m.category_id = src.id;
    END IF;
    IF p_questions THEN
        INSERT INTO questions (edition_id, code, label, type, choices, required, position)
        SELECT n.id, code, label, type, choices, required, position
          FROM questions WHERE edition_id = e.id;
    END IF;
    body := edition_json(n)::text;
END
$$;

-- POST /v1/editions/{slug}/categories: the category and its modes.
CREATE FUNCTION category_create(p_slug text, p_code text, p_name text, p_description text,
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

-- DELETE /v1/me: live registrations of editions not yet over are cancelled
-- (seats freed, waitlists promoted); every registration keeps its status,
-- category, mode and sector for the statistics but loses the person.
CREATE FUNCTION account_erase(p_account uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    r registrations;
BEGIN
    FOR r IN SELECT reg.* FROM registrations reg JOIN editions e ON e.id = reg.edition_id
              WHERE reg.account_id = p_account AND e.ends_on >= current_date
                AND reg.status IN ('confirmed', 'pending', 'waitlisted')
                FOR UPDATE OF reg LOOP
        UPDATE registrations SET status = 'cancelled', updated_at = now() WHERE id = r.id;
        IF r.status IN ('confirmed', 'pending') THEN
            PERFORM registration_release_seat(r.category_id, r.mode);
        END IF;
    END LOOP;
    UPDATE registrations SET account_id = NULL, answers = '{}', updated_at = now()
     WHERE account_id = p_account;
    DELETE FROM login_attempts
     WHERE key = 'e:' || (SELECT email FROM accounts WHERE id = p_account);
    DELETE FROM accounts WHERE id = p_account;  -- tokens and idempotency keys cascade
END
$$;

-- GET /v1/editions/{slug}/stats: counts for the organizers' dashboard.
CREATE FUNCTION edition_stats(p_slug text) RETURNS json
LANGUAGE sql STABLE AS $$
    WITH e AS (SELECT id, timezone FROM editions WHERE slug = p_slug),
    r AS (SELECT reg.*, c.code FROM registrations reg JOIN e ON reg.edition_id = e.id
            JOIN categories c ON c.id = reg.category_id)
    SELECT row_to_json(x) FROM (
        SELECT (SELECT count(*) FROM r) AS total,
               (SELECT coalesce(jsonb_object_agg(status, n), '{}')
                  FROM (SELECT status, count(*) n FROM r GROUP BY status) s) AS by_status,
               (SELECT coalesce(jsonb_object_agg(code, st), '{}') FROM (
                    SELECT code, jsonb_object_agg(status, n) st
                      FROM (SELECT code, status, count(*) n FROM r GROUP BY code, status) s
                     GROUP BY code) s2) AS by_category,
               (SELECT coalesce(jsonb_object_agg(mode, n), '{}')
                  FROM (SELECT mode, count(*) n FROM r GROUP BY mode) s) AS by_mode,
               (SELECT coalesce(jsonb_object_agg(coalesce(sector, 'unknown'), n), '{}')
                  FROM (SELECT sector, count(*) n FROM r GROUP BY sector) s) AS by_sector,
               (SELECT coalesce(jsonb_object_agg(day, n ORDER BY day), '{}')
                  FROM (SELECT (r.created_at AT TIME ZONE e.timezone)::date AS day, count(*) n
                          FROM r, e GROUP BY 1) s) AS by_day
         WHERE EXISTS (SELECT 1 FROM e)) x
$$;
