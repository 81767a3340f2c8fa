-- functions/registration.sql: registration for an edition (capacity by a
-- guarded update of category_modes, the waitlist, approval), cancellation
-- with the seat handed on, check-in, and the edition's statistics. The
-- categories and questions registration offers are set up in editions.sql.
--
-- Reloaded by every `gessd migrate` in one transaction (check_function_bodies
-- off, so files may call each other in any order); written to be re-run:
-- CREATE OR REPLACE, and DROP ... IF EXISTS before a signature changes.
-- A function removed from here is dropped from upgraded databases by the
-- loader. The tables are in schema/migrations.

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

-- What a registration mail shows (the payload of the registration_* outbox
-- kinds, services/mail renders it; the .ics of the edition is built from
-- `edition`): self-contained, so the mail reads the same however the rows
-- change before it goes. status_is and mode_is are the value as a key
-- ({"waitlisted": true}) because the templates are logic-less: a section
-- can test a key, not compare a string; for the same reason an empty city
-- or venue is null (a section shows nothing for null, but may for "").
-- Built from rows the caller has in hand, so registration_create (the hot
-- path) pays no extra read; in PL/pgSQL because its expression plan is
-- cached per session, where a SQL function called with row arguments from
-- PL/pgSQL is planned at every call (measured: about 3.5 times the cost,
-- ~0.15 ms of registration_create).
CREATE OR REPLACE FUNCTION registration_mail(r registrations, c categories, e editions)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN jsonb_build_object(
        'registration_id', r.id, 'status', r.status,
        'status_is', jsonb_build_object(r.status, true),
        'badge_code', r.badge_code,
        'category', jsonb_build_object('code', c.code, 'name', c.name),
        'mode', r.mode, 'mode_is', jsonb_build_object(r.mode, true),
        'edition', jsonb_build_object('slug', e.slug, 'title', e.title,
                                      'starts_on', e.starts_on, 'ends_on', e.ends_on,
                                      'timezone', e.timezone, 'city', nullif(e.city, ''),
                                      'venue', nullif(e.venue, '')));
END
$$;

-- The same for a registration whose category and edition the caller has
-- not read (cancellation, decisions, promotion: not hot paths).
CREATE OR REPLACE FUNCTION registration_mail_of(r registrations) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT registration_mail(r, c, e) FROM categories c, editions e
     WHERE c.id = r.category_id AND e.id = r.edition_id
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
    promoted registrations;
BEGIN
    -- the mode row lock serialises every seat change of this category+mode;
    -- NO KEY UPDATE, as an UPDATE of taken takes: FOR UPDATE would also
    -- wait for every transaction that inserted a registration of the mode
    -- (its foreign key holds KEY SHARE on the row), and deadlock with one
    -- that then takes its own seat
    PERFORM 1 FROM category_modes WHERE category_id = p_category AND mode = p_mode
        FOR NO KEY UPDATE;
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
    UPDATE registrations SET status = new_status, updated_at = now() WHERE id = next_id
    RETURNING * INTO promoted;
    -- (an erased person's registration keeps its place in the line, but
    -- there is nobody to tell)
    IF next_account IS NOT NULL THEN
        INSERT INTO outbox (kind, account_id, payload)
        VALUES ('registration_promoted', next_account, registration_mail_of(promoted));
    END IF;
END
$$;

-- What a registration's answers to the edition's questions (qs, in their
-- order, NULL for none) get wrong: core_field_error objects, none when all
-- is well. Pure: the questions are read once by the caller (once per batch
-- in registration_admit).
CREATE OR REPLACE FUNCTION registration_answer_errors(qs questions[], p_answers jsonb)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    errs jsonb := '[]';
    codes text[] := ARRAY(SELECT x.code FROM unnest(qs) x);
    q questions;
    k text;
    v jsonb;
BEGIN
    FOR k IN SELECT jsonb_object_keys(p_answers) LOOP
        IF NOT k = ANY (codes) THEN
            errs := errs || core_field_error('answers.' || k, 'unknown');
        END IF;
    END LOOP;
    FOREACH q IN ARRAY coalesce(qs, '{}') LOOP
        v := p_answers -> q.code;
        IF v IS NULL OR v = 'null'::jsonb OR v = '""'::jsonb THEN
            IF q.required THEN
                errs := errs || core_field_error('answers.' || q.code, 'required');
            END IF;
            CONTINUE;
        END IF;
        IF q.type = 'text' AND jsonb_typeof(v) <> 'string' THEN
            errs := errs || core_field_error('answers.' || q.code, 'not_string');
        ELSIF q.type = 'text' AND length(v #>> '{}') > 2000 THEN
            errs := errs || core_field_error('answers.' || q.code, 'too_long', '2000');
        ELSIF q.type = 'yes_no' AND jsonb_typeof(v) <> 'boolean' THEN
            errs := errs || core_field_error('answers.' || q.code, 'not_boolean');
        ELSIF q.type = 'choice'
              AND (jsonb_typeof(v) <> 'string' OR NOT (v #>> '{}') = ANY (q.choices)) THEN
            errs := errs || core_field_error('answers.' || q.code, 'one_of',
                                             array_to_string(q.choices, ', '));
        END IF;
    END LOOP;
    RETURN errs;
END
$$;

-- A new registration as its 201 answers it (registration_json(r, false)),
-- from the rows in hand; in PL/pgSQL for the reason registration_mail is.
CREATE OR REPLACE FUNCTION registration_made(r registrations, c categories, e editions)
RETURNS json
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    made json;
BEGIN
    SELECT row_to_json(x) INTO made FROM (
        SELECT r.id, e.slug AS edition, e.title AS edition_title, r.status,
               c.code AS category, r.mode, r.badge_code, r.answers, r.paid,
               r.created_at, r.checked_in_at, NULL::json AS account) x;
    RETURN made;
END
$$;

-- POST /v1/editions/{slug}/registrations in one transaction. Validation
-- problems come back as core_field_error codes for gessd to word; nothing
-- is written unless the answer is 201. A replay under the same
-- Idempotency-Key answers the stored first answer as it was.
CREATE OR REPLACE FUNCTION registration_create(p_account uuid, p_slug text, p_category text, p_mode text,
                                               p_answers jsonb, p_badge text, p_key text, p_hash bytea)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    e editions;
    c categories;
    m category_modes;
    qs questions[];
    reg registrations;
    idem idempotency_keys;
    errs jsonb := '[]';
    who_sector text;
    seat boolean := false;
    made json;
BEGIN
    IF p_key IS NOT NULL THEN
        -- A retry while the first attempt runs must not wait for it: 409.
        IF NOT pg_try_advisory_xact_lock(hashtextextended(p_account::text || '/' || p_key, 4711))
        THEN
            RETURN core_problem(409, 'idempotency-in-flight');
        END IF;
        SELECT * INTO idem FROM idempotency_keys WHERE account_id = p_account AND key = p_key;
        IF FOUND THEN
            IF idem.created_at < now() - interval '24 hours' THEN
                DELETE FROM idempotency_keys WHERE account_id = p_account AND key = p_key;
            ELSIF idem.request_hash <> p_hash THEN
                RETURN core_problem(422, 'idempotency-mismatch');
            ELSE
                RETURN core_answer(idem.status, idem.body::json);
            END IF;
        END IF;
    END IF;

    SELECT * INTO e FROM editions WHERE slug = p_slug;
    IF NOT FOUND OR e.status = 'draft' THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF e.status <> 'published' OR now() < e.registration_opens_at
       OR now() >= e.registration_closes_at THEN
        RETURN core_problem(409, 'registration-closed');
    END IF;

    IF p_mode NOT IN ('in_person', 'online') THEN
        errs := errs || core_field_error('mode', 'one_of', 'in_person, online');
    END IF;
    SELECT * INTO c FROM categories WHERE edition_id = e.id AND code = p_category;
    IF NOT FOUND THEN
        errs := errs || core_field_error('category', 'unknown');
    ELSE
        SELECT sector INTO who_sector FROM accounts WHERE id = p_account;
        IF cardinality(c.sectors) > 0
           AND (who_sector IS NULL OR NOT who_sector = ANY (c.sectors)) THEN
            errs := errs || core_field_error('category', 'sector_closed');
        END IF;
        SELECT * INTO m FROM category_modes WHERE category_id = c.id AND mode = p_mode;
        IF NOT FOUND AND p_mode IN ('in_person', 'online') THEN
            errs := errs || core_field_error('mode', 'not_offered');
        END IF;
    END IF;

    SELECT array_agg(x ORDER BY x.position, x.created_at) INTO qs
      FROM questions x WHERE x.edition_id = e.id;
    errs := errs || registration_answer_errors(qs, p_answers);
    IF jsonb_array_length(errs) > 0 THEN
        RETURN core_invalid(errs);
    END IF;

    SELECT * INTO reg FROM registrations
     WHERE edition_id = e.id AND account_id = p_account
       AND status NOT IN ('cancelled', 'rejected');
    IF FOUND THEN
        RETURN core_problem(409, 'already-registered', json_build_object('registration_id', reg.id));
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
        RETURN core_problem(409, 'already-registered', json_build_object('registration_id', reg.id));
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
    -- The person's mail (confirmed, pending approval or waitlisted), in
    -- this transaction so it exists exactly when the registration does;
    -- its payload comes from the rows in hand, with no further read.
    INSERT INTO outbox (kind, account_id, payload)
    VALUES ('registration_created', p_account, registration_mail(reg, c, e));
    made := registration_made(reg, c, e);
    IF p_key IS NOT NULL THEN
        INSERT INTO idempotency_keys (account_id, key, request_hash, status, body)
        VALUES (p_account, p_key, p_hash, 201, made::text);
    END IF;
    RETURN core_answer(201, made);
END
$$;

-- Batched admission (issue 20; services/registration/admission.c): the
-- registrations for one edition that reached one gessd worker together,
-- decided in one transaction, so that one WAL flush confirms many seats.
-- p_items is a JSON array in arrival order of
--   {"account": uuid, "category": code, "mode": text, "answers": {...},
--    "badge": text, "key": text|null, "hash": hex}
-- and each item is answered as registration_create would have answered it
-- alone: one row per item, ord counting from 1. Everything is decided in
-- bulk, in a handful of statements whatever the batch's size; where that
-- cannot decide an item without a subtransaction of its own, its status
-- is NULL and gessd asks registration_create again, for that item alone,
-- after this commits: a later item of an account already in the batch,
-- and a row ON CONFLICT skipped (that person registered through another
-- batch meanwhile; a badge code drawn twice).
--
-- Seats are given in arrival order within each category and mode: the
-- first items up to what a plain read shows free are written with a seat,
-- the rest waitlisted, with created_at one microsecond apart so that the
-- waitlist keeps the order. Their mails and answers are written next, and
-- the seats taken last with the one lock of each category_modes row (FOR
-- NO KEY UPDATE, then the guarded update the CHECK backs), taken in the
-- order of the rows' keys (two batches never wait for each other in a
-- circle) and held from there to the commit, as in registration_create;
-- when another batch took seats since the plain read, the last of ours are
-- waitlisted instead, their mails and answers rewritten.
CREATE OR REPLACE FUNCTION registration_admit(p_slug text, p_items jsonb)
RETURNS TABLE (ord integer, status integer, problem text, body json)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    n integer;
    acc uuid[];
    cat text[];
    mde text[];
    ans jsonb[];
    bdg text[];
    kys text[];
    hsh bytea[];
    who text[];         -- each item's sector
    ci integer[];       -- each item's category: an index into cats, NULL when unknown
    mi integer[];       -- each item's mode: an index into modes, NULL when not offered
    room integer[];     -- by index into modes: the seats a plain read shows free
    undecided boolean[];
    st integer[];       -- the answers, by ord
    pr text[];
    bd json[];
    one api_answer;
    e editions;
    cats categories[];
    modes category_modes[];
    qs questions[];
    errs jsonb;
    x record;
    i integer;
    k integer;
    granted integer;
    t0 timestamptz;
    regs registrations[];
    reg registrations;
BEGIN
    SELECT count(*), array_agg((t.x ->> 'account')::uuid ORDER BY t.o),
           array_agg(t.x ->> 'category' ORDER BY t.o), array_agg(t.x ->> 'mode' ORDER BY t.o),
           array_agg(coalesce(t.x -> 'answers', '{}') ORDER BY t.o),
           array_agg(t.x ->> 'badge' ORDER BY t.o), array_agg(t.x ->> 'key' ORDER BY t.o),
           array_agg(decode(t.x ->> 'hash', 'hex') ORDER BY t.o)
      INTO n, acc, cat, mde, ans, bdg, kys, hsh
      FROM jsonb_array_elements(p_items) WITH ORDINALITY AS t(x, o);
    undecided := array_fill(true, ARRAY[n]);
    st := array_fill(NULL::integer, ARRAY[n]);
    pr := array_fill(NULL::text, ARRAY[n]);
    bd := array_fill(NULL::json, ARRAY[n]);
    ci := array_fill(NULL::integer, ARRAY[n]);
    mi := array_fill(NULL::integer, ARRAY[n]);

    -- A person twice in one batch: the first is decided here, the others
    -- alone afterwards (then a replay, already-registered or in flight,
    -- exactly as if they had come one after the other).
    FOR x IN SELECT d.o FROM (SELECT u.o, row_number() OVER (PARTITION BY u.a ORDER BY u.o) AS k
                                FROM unnest(acc) WITH ORDINALITY AS u(a, o)) d
              WHERE d.k > 1 LOOP
        undecided[x.o] := false;
    END LOOP;

    -- Idempotency-Keys, as registration_create checks them: in flight
    -- elsewhere, replayed, or bound to another request.
    IF EXISTS (SELECT 1 FROM unnest(kys) k WHERE k IS NOT NULL) THEN
        FOR x IN SELECT u.o FROM unnest(acc, kys) WITH ORDINALITY AS u(a, k, o)
                  WHERE u.k IS NOT NULL AND undecided[u.o]
                    AND NOT pg_try_advisory_xact_lock(hashtextextended(u.a::text || '/' || u.k, 4711))
        LOOP
            one := core_problem(409, 'idempotency-in-flight');
            st[x.o] := one.status; pr[x.o] := one.problem; undecided[x.o] := false;
        END LOOP;
        FOR x IN SELECT u.o, ik.created_at, ik.request_hash, ik.status AS s, ik.body AS b
                   FROM unnest(acc, kys) WITH ORDINALITY AS u(a, k, o)
                   CROSS JOIN LATERAL (
                       SELECT * FROM idempotency_keys i
                        WHERE i.account_id = u.a AND i.key = u.k) ik
                  WHERE undecided[u.o]
        LOOP
            IF x.created_at < now() - interval '24 hours' THEN
                DELETE FROM idempotency_keys WHERE account_id = acc[x.o] AND key = kys[x.o];
            ELSIF x.request_hash <> hsh[x.o] THEN
                one := core_problem(422, 'idempotency-mismatch');
                st[x.o] := one.status; pr[x.o] := one.problem; undecided[x.o] := false;
            ELSE
                st[x.o] := x.s; bd[x.o] := x.b::json; undecided[x.o] := false;
            END IF;
        END LOOP;
    END IF;

    SELECT * INTO e FROM editions WHERE slug = p_slug;
    IF NOT FOUND OR e.status = 'draft' OR e.status <> 'published'
       OR now() < e.registration_opens_at OR now() >= e.registration_closes_at THEN
        one := CASE WHEN e.id IS NULL OR e.status = 'draft' THEN core_problem(404, 'not-found')
                    ELSE core_problem(409, 'registration-closed') END;
        FOR i IN 1 .. n LOOP
            IF undecided[i] THEN
                st[i] := one.status; pr[i] := one.problem; undecided[i] := false;
            END IF;
        END LOOP;
        RETURN QUERY SELECT o::integer, st[o], pr[o], bd[o] FROM generate_series(1, n) AS o;
        RETURN;
    END IF;

    -- The batch's categories and their modes, each read once; the modes in
    -- the order their rows are locked in.
    SELECT array_agg(y ORDER BY y.id) INTO cats
      FROM categories y WHERE y.edition_id = e.id AND y.code = ANY (cat);
    SELECT array_agg(y ORDER BY y.category_id, y.mode) INTO modes
      FROM category_modes y WHERE y.category_id IN (SELECT z.id FROM unnest(cats) z);
    room := array_fill(0, ARRAY[greatest(cardinality(modes), 1)]);
    FOR k IN 1 .. coalesce(cardinality(modes), 0) LOOP
        room[k] := CASE WHEN (modes[k]).capacity IS NULL THEN n
                        ELSE greatest((modes[k]).capacity - (modes[k]).taken, 0) END;
    END LOOP;
    SELECT array_agg(q ORDER BY q.position, q.created_at) INTO qs
      FROM questions q WHERE q.edition_id = e.id;
    SELECT array_agg((SELECT a.sector FROM accounts a WHERE a.id = u.id) ORDER BY u.o) INTO who
      FROM unnest(acc) WITH ORDINALITY AS u(id, o);

    -- Each item's problems, in registration_create's order: the mode, the
    -- category, the person's sector, whether the category offers the mode,
    -- the answers.
    FOR i IN 1 .. n LOOP
        CONTINUE WHEN NOT undecided[i];
        FOR k IN 1 .. coalesce(cardinality(cats), 0) LOOP
            IF (cats[k]).code = cat[i] THEN
                ci[i] := k;
                EXIT;
            END IF;
        END LOOP;
        FOR k IN 1 .. coalesce(cardinality(modes), 0) LOOP
            IF (modes[k]).category_id = (cats[ci[i]]).id AND (modes[k]).mode = mde[i] THEN
                mi[i] := k;
                EXIT;
            END IF;
        END LOOP;
        errs := '[]';
        IF mde[i] NOT IN ('in_person', 'online') THEN
            errs := errs || core_field_error('mode', 'one_of', 'in_person, online');
        END IF;
        IF ci[i] IS NULL THEN
            errs := errs || core_field_error('category', 'unknown');
        ELSE
            IF cardinality((cats[ci[i]]).sectors) > 0
               AND (who[i] IS NULL OR NOT who[i] = ANY ((cats[ci[i]]).sectors)) THEN
                errs := errs || core_field_error('category', 'sector_closed');
            END IF;
            IF mi[i] IS NULL AND mde[i] IN ('in_person', 'online') THEN
                errs := errs || core_field_error('mode', 'not_offered');
            END IF;
        END IF;
        IF qs IS NOT NULL OR ans[i] <> '{}' THEN
            errs := errs || registration_answer_errors(qs, ans[i]);
        END IF;
        IF jsonb_array_length(errs) > 0 THEN
            one := core_invalid(errs);
            st[i] := one.status; pr[i] := one.problem; bd[i] := one.body; undecided[i] := false;
        END IF;
    END LOOP;

    -- One probe of registrations_one_live per person (LIMIT keeps the
    -- subquery a nested loop on both keys). Written as a join or with
    -- account_id = ANY, the plan was made while the edition had no
    -- registrations yet, by statistics saying so, and kept: a scan of
    -- all of the edition's registrations, slower with every seat sold
    -- (4-7 ms a batch at 10,000).
    FOR x IN SELECT u.o, r.id FROM unnest(acc) WITH ORDINALITY AS u(a, o)
               CROSS JOIN LATERAL (
                   SELECT r.id FROM registrations r
                    WHERE r.edition_id = e.id AND r.account_id = u.a
                      AND r.status NOT IN ('cancelled', 'rejected')
                    LIMIT 1) r
              WHERE undecided[u.o]
    LOOP
        one := core_problem(409, 'already-registered', json_build_object('registration_id', x.id));
        st[x.o] := one.status; pr[x.o] := one.problem; bd[x.o] := one.body; undecided[x.o] := false;
    END LOOP;

    t0 := clock_timestamp();
    -- Rows go in by account, not by arrival: two batches that both hold
    -- the same two people (each double-submitting on two workers) then
    -- wait for each other's rows in one order, not in a circle (two badge
    -- codes each drawn twice, crossed, still could: a deadlock, after
    -- which each request asks alone). Arrival order is in place and
    -- created_at.
    WITH todo AS (
        SELECT u.o, u.a, row_number() OVER (PARTITION BY mi[u.o] ORDER BY u.o) AS place
          FROM unnest(acc) WITH ORDINALITY AS u(a, o) WHERE undecided[u.o]
    ), ins AS (
        INSERT INTO registrations (edition_id, account_id, category_id, mode, status, badge_code,
                                   answers, sector, created_at)
        SELECT e.id, t.a, (cats[ci[t.o]]).id, mde[t.o],
               CASE WHEN t.place > room[mi[t.o]] THEN 'waitlisted'
                    WHEN (cats[ci[t.o]]).requires_approval THEN 'pending' ELSE 'confirmed' END,
               bdg[t.o], ans[t.o], who[t.o], t0 + t.o * interval '1 microsecond'
          FROM todo t ORDER BY t.a
        ON CONFLICT DO NOTHING
        RETURNING *
    )
    SELECT array_agg(ins ORDER BY ins.created_at) INTO regs FROM ins;
    IF regs IS NULL THEN
        RETURN QUERY SELECT o::integer, st[o], pr[o], bd[o] FROM generate_series(1, n) AS o;
        RETURN;
    END IF;

    -- Each person's mail and answer (stored under their key), written
    -- before the seats are taken, so that the row locks are held for the
    -- seat updates and the commit only.
    INSERT INTO outbox (kind, account_id, payload)
    SELECT 'registration_created', r.account_id, registration_mail(r, y, e)
      FROM unnest(regs) r JOIN unnest(cats) y ON y.id = r.category_id
     ORDER BY r.created_at;
    FOREACH reg IN ARRAY regs LOOP
        i := array_position(acc, reg.account_id);
        st[i] := 201; bd[i] := registration_made(reg, cats[ci[i]], e); undecided[i] := false;
    END LOOP;
    INSERT INTO idempotency_keys (account_id, key, request_hash, status, body)
    SELECT r.account_id, kys[u.o], hsh[u.o], 201, bd[u.o]::text
      FROM unnest(regs) r, LATERAL (SELECT array_position(acc, r.account_id) AS o) u
     WHERE kys[u.o] IS NOT NULL;

    FOR x IN SELECT r.category_id, r.mode, count(*) AS seated FROM unnest(regs) r
              WHERE r.status <> 'waitlisted' GROUP BY 1, 2 ORDER BY 1, 2
    LOOP
        -- NO KEY UPDATE: the lock the guarded update takes, which the KEY
        -- SHARE of other batches' inserts (their foreign key) does not
        -- block; FOR UPDATE would, and two batches would deadlock
        SELECT CASE WHEN y.capacity IS NULL THEN x.seated
                    ELSE least(x.seated, greatest(y.capacity - y.taken, 0)) END
          INTO granted
          FROM category_modes y WHERE y.category_id = x.category_id AND y.mode = x.mode
           FOR NO KEY UPDATE;
        IF granted > 0 THEN
            UPDATE category_modes SET taken = taken + granted
             WHERE category_id = x.category_id AND mode = x.mode
               AND (capacity IS NULL OR taken + granted <= capacity);
            IF NOT FOUND THEN
                -- cannot happen while the row is locked; were it ever to,
                -- the batch fails whole rather than seat people uncounted
                RAISE EXCEPTION 'registration_admit: % seats of % % not taken', granted,
                    x.category_id, x.mode;
            END IF;
        END IF;
        CONTINUE WHEN granted = x.seated;
        -- Another batch took seats since the plain read: the last of ours
        -- wait instead, and their mail and answer say so (rare: at the
        -- moment a mode fills up).
        FOR reg IN
            UPDATE registrations SET status = 'waitlisted'
             WHERE id IN (SELECT r.id FROM unnest(regs) r
                           WHERE r.category_id = x.category_id AND r.mode = x.mode
                             AND r.status <> 'waitlisted'
                           ORDER BY r.created_at DESC LIMIT x.seated - granted)
            RETURNING *
        LOOP
            i := array_position(acc, reg.account_id);
            bd[i] := registration_made(reg, cats[ci[i]], e);
            UPDATE outbox SET payload = registration_mail(reg, cats[ci[i]], e)
             WHERE kind = 'registration_created' AND account_id = reg.account_id
               AND payload ->> 'registration_id' = reg.id::text;
            UPDATE idempotency_keys SET body = bd[i]::text
             WHERE account_id = reg.account_id AND key = kys[i];
        END LOOP;
    END LOOP;
    RETURN QUERY SELECT o::integer, st[o], pr[o], bd[o] FROM generate_series(1, n) AS o;
END
$$;

-- DELETE /v1/registrations/{id}: the registrant or an organizer.
CREATE OR REPLACE FUNCTION registration_cancel(p_id uuid, p_actor uuid, p_organizer boolean)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    r registrations;
BEGIN
    SELECT * INTO r FROM registrations WHERE id = p_id FOR UPDATE;
    IF NOT FOUND OR (NOT p_organizer AND r.account_id IS DISTINCT FROM p_actor) THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF r.status IN ('cancelled', 'rejected') THEN
        RETURN core_answer(204);
    END IF;
    IF r.status = 'checked_in' THEN
        RETURN core_problem(409, 'invalid-state');
    END IF;
    UPDATE registrations SET status = 'cancelled', updated_at = now() WHERE id = p_id;
    IF r.status IN ('confirmed', 'pending') THEN
        PERFORM registration_release_seat(r.category_id, r.mode);
    END IF;
    -- The registrant hears of it, also (by_organizer) when an organizer
    -- cancelled it for them: the mail says who did. A registration whose
    -- person was erased has nobody to tell.
    IF r.account_id IS NOT NULL THEN
        r.status := 'cancelled';
        INSERT INTO outbox (kind, account_id, payload)
        VALUES ('registration_cancelled', r.account_id,
                registration_mail_of(r)
                || jsonb_build_object('by_organizer', r.account_id IS DISTINCT FROM p_actor));
    END IF;
    RETURN core_answer(204);
END
$$;

-- POST /v1/registrations/{id}/approve and /reject (organizers). A
-- rejection frees the seat like a cancellation.
CREATE OR REPLACE FUNCTION registration_decide(p_id uuid, p_actor uuid, p_approve boolean, p_reason text)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    r registrations;
    held boolean;
BEGIN
    SELECT * INTO r FROM registrations WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF p_approve AND r.status <> 'pending'
       OR NOT p_approve AND r.status NOT IN ('pending', 'confirmed', 'waitlisted') THEN
        RETURN core_problem(409, 'invalid-state');
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
    -- reason: the organizer's words, shown in the mail (null: none given)
    IF r.account_id IS NOT NULL THEN
        INSERT INTO outbox (kind, account_id, payload)
        VALUES (CASE WHEN p_approve THEN 'registration_approved' ELSE 'registration_rejected' END,
                r.account_id,
                registration_mail_of(r) || jsonb_build_object('reason', nullif(p_reason, '')));
    END IF;
    RETURN core_answer(200, registration_json(r, true));
END
$$;

-- POST /v1/editions/{slug}/checkins: a badge is scanned once; a second
-- scan answers with the first time instead of an error.
CREATE OR REPLACE FUNCTION registration_checkin(p_slug text, p_badge text)
RETURNS api_answer
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
        RETURN core_problem(404, 'not-found');
    END IF;
    IF r.status = 'confirmed' THEN
        UPDATE registrations SET status = 'checked_in', checked_in_at = now(), updated_at = now()
         WHERE id = r.id
        RETURNING * INTO r;
        first_scan := true;
    ELSIF r.status = 'checked_in' THEN
        first_scan := false;
    ELSE
        RETURN core_problem(409, 'invalid-state');
    END IF;
    RETURN core_answer(200, (SELECT row_to_json(x) FROM (
        SELECT registration_json(r, true) AS registration, r.checked_in_at,
               first_scan AS first_scan) x));
END
$$;

-- PATCH /v1/registrations/{id} (organizers): payment itself happens
-- elsewhere; organizers record that it did.
CREATE OR REPLACE FUNCTION registration_set_paid(p_id uuid, p_paid boolean)
RETURNS api_answer
LANGUAGE sql AS $$
    WITH r AS (UPDATE registrations r SET paid = p_paid, updated_at = now() WHERE r.id = p_id
               RETURNING r.*)
    SELECT core_found((SELECT registration_json(r, true) FROM r))
$$;

-- ---------------------------------------------------------------------------
-- Lists

-- GET /v1/me/registrations: the caller's own, oldest first.
CREATE OR REPLACE FUNCTION registration_list_mine(p_account uuid)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_answer(200, json_build_object('items', coalesce(
               (SELECT json_agg(registration_json(r, false) ORDER BY r.created_at, r.id)
                  FROM registrations r WHERE r.account_id = p_account), '[]')))
$$;

-- The registrations of an edition the organizers' list filters on (each
-- filter NULL: any), after the cursor p_after, in the list's order: the
-- JSON page and the CSV export share it.
CREATE OR REPLACE FUNCTION registration_matching(p_edition uuid, p_status text, p_category text,
                                                 p_mode text, p_sector text, p_checked_in boolean,
                                                 p_after uuid)
RETURNS SETOF registrations
LANGUAGE sql STABLE AS $$
    SELECT r.* FROM registrations r
     WHERE r.edition_id = p_edition
       AND (p_status IS NULL OR r.status = p_status)
       AND (p_category IS NULL OR r.category_id = (SELECT c.id FROM categories c
            WHERE c.edition_id = p_edition AND c.code = p_category))
       AND (p_mode IS NULL OR r.mode = p_mode)
       AND (p_sector IS NULL OR r.sector = p_sector)
       AND (p_checked_in IS NULL OR (r.checked_in_at IS NOT NULL) = p_checked_in)
       AND (p_after IS NULL OR (r.created_at, r.id) >
            (SELECT k.created_at, k.id FROM registrations k WHERE k.id = p_after))
     ORDER BY r.created_at, r.id
$$;

-- GET /v1/editions/{slug}/registrations as JSON: one page (DESIGN.md §5)
-- whose cursor is the last registration's id. Each item is
-- registration_json with series_attended (how many "Rumbo al GESS" events
-- of the edition the person came to, series.sql) spliced in as its last
-- member.
CREATE OR REPLACE FUNCTION registration_list_edition(p_slug text, p_status text, p_category text,
                                                     p_mode text, p_sector text,
                                                     p_checked_in boolean, p_after uuid,
                                                     p_limit integer)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH e AS (SELECT id FROM editions WHERE slug = p_slug),
    page AS (SELECT r.id, row_number() OVER (ORDER BY r.created_at, r.id) AS rn,
                    (left(registration_json(r, true)::text, -1) || ',"series_attended":'
                     || series_attended(r.edition_id, r.account_id) || '}')::json AS item
               FROM e, registration_matching(e.id, p_status, p_category, p_mode, p_sector,
                                             p_checked_in, p_after) r
              ORDER BY r.created_at, r.id LIMIT p_limit + 1)
    SELECT core_found((SELECT json_build_object(
               'items', (SELECT coalesce(json_agg(p.item ORDER BY p.rn)
                                         FILTER (WHERE p.rn <= p_limit), '[]') FROM page p),
               'next_cursor', (SELECT p.id FROM page p
                                WHERE p.rn = p_limit AND EXISTS
                                      (SELECT 1 FROM page q WHERE q.rn > p_limit)))
                              FROM e))
$$;

-- The same list as CSV rows, every match: rows rather than an answer,
-- because gessd writes the CSV (quoting, formula guard) cell by cell. No
-- row when the edition does not exist, one row of NULLs when it exists and
-- nothing matches.
CREATE OR REPLACE FUNCTION registration_list_edition_csv(p_slug text, p_status text, p_category text,
                                                         p_mode text, p_sector text,
                                                         p_checked_in boolean)
RETURNS TABLE (id uuid, status text, category text, mode text, badge_code text, full_name text,
               email text, organization text, sector text, country text, region text,
               created_at text, checked_in_at text, paid text, answers text,
               series_attended text)
LANGUAGE sql STABLE AS $$
    SELECT r.id, r.status, c.code, r.mode, r.badge_code, a.full_name, a.email::text,
           a.organization, r.sector, a.country, a.region,
           to_json(r.created_at) #>> '{}', to_json(r.checked_in_at) #>> '{}',
           r.paid::text, r.answers::text, series_attended(e.id, r.account_id)::text
      FROM editions e
      LEFT JOIN LATERAL registration_matching(e.id, p_status, p_category, p_mode, p_sector,
                                              p_checked_in, NULL) r ON true
      LEFT JOIN categories c ON c.id = r.category_id
      LEFT JOIN accounts a ON a.id = r.account_id
     WHERE e.slug = p_slug ORDER BY r.created_at, r.id
$$;

-- ---------------------------------------------------------------------------
-- Statistics

-- GET /v1/editions/{slug}/stats: counts for the organizers' dashboard.
CREATE OR REPLACE FUNCTION registration_stats(p_slug text)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found(registration_stats_json(p_slug))
$$;

CREATE OR REPLACE FUNCTION registration_stats_json(p_slug text) RETURNS json
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

-- ---------------------------------------------------------------------------
-- Pages and the badge (services/registration/pages_register.c, badge.c)

-- GET /v1/registrations/{id}/badge.svg: the badge code of a registration
-- its owner or an organizer asks for; 404 for anyone else, as the API
-- hides what is not theirs.
CREATE OR REPLACE FUNCTION registration_badge(p_id uuid, p_actor uuid, p_organizer boolean)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((
        SELECT json_build_object('badge_code', r.badge_code, 'edition_title', e.title)
          FROM registrations r JOIN editions e ON e.id = r.edition_id
         WHERE r.id = p_id AND (p_organizer OR r.account_id = p_actor)))
$$;

-- GET /editions/{slug}/register: the edition's page (editions_page_edition:
-- dates, the window, the categories with seats left per mode), the
-- questions (editions_question_list) each with its type as a key, and the
-- caller's registration for it (one not cancelled nor rejected), in one
-- answer. A problem of either list (an unknown or draft edition) is the
-- page's.
CREATE OR REPLACE FUNCTION registration_page_register(p_slug text, p_account uuid, p_lang text)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p.problem IS NOT NULL THEN p
                WHEN q.problem IS NOT NULL THEN q
                ELSE core_answer(200, (p.body::jsonb || jsonb_build_object(
        'slug', p_slug,
        'questions', coalesce((
            SELECT jsonb_agg(x || jsonb_build_object(
                       'type_is', jsonb_build_object(x ->> 'type', true),
                       'options', (SELECT coalesce(jsonb_agg(jsonb_build_object('value', c)
                                                             ORDER BY n), '[]')
                                     FROM jsonb_array_elements_text(x -> 'choices')
                                          WITH ORDINALITY AS o(c, n)))
                       ORDER BY i)
              FROM jsonb_array_elements(q.body::jsonb -> 'items') WITH ORDINALITY AS y(x, i)),
            '[]'),
        'registration', (
            SELECT registration_json(r, false)::jsonb || jsonb_build_object(
                       'status_is', jsonb_build_object(r.status, true),
                       'mode_is', jsonb_build_object(r.mode, true),
                       'category_name', c.name)
              FROM registrations r JOIN editions e ON e.id = r.edition_id
                   JOIN categories c ON c.id = r.category_id
             WHERE e.slug = p_slug AND r.account_id = p_account
               AND r.status NOT IN ('cancelled', 'rejected'))))::json)
           END
      FROM editions_page_edition(p_slug, false, p_lang) p,
           editions_question_list(p_slug, false) q
$$;

-- GET /me/registrations/{id}/cancel: the caller's own registration, to
-- confirm its cancellation (404 for another's, as DELETE answers).
CREATE OR REPLACE FUNCTION registration_page_cancel(p_id uuid, p_account uuid)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((
        SELECT registration_json(r, false)::jsonb || jsonb_build_object(
                   'status_is', jsonb_build_object(r.status, true),
                   'can_cancel', r.status IN ('pending', 'confirmed', 'waitlisted'))
          FROM registrations r WHERE r.id = p_id AND r.account_id = p_account)::json)
$$;

-- ---------------------------------------------------------------------------
-- Staff pages (services/registration/pages_manage.c, pages_checkin.c)

-- /manage/editions/{slug}/registrations: the organizers' list (the API's
-- own page of it), the edition's categories for the filter, and the
-- statistics, in one statement. Each item gets when it was made and
-- checked in as the edition's people read the time (p_lang).
CREATE OR REPLACE FUNCTION registration_page_manage(p_slug text, p_status text, p_category text,
                                                    p_mode text, p_sector text,
                                                    p_checked_in boolean, p_after uuid,
                                                    p_limit integer, p_lang text)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH e AS (SELECT * FROM editions WHERE slug = p_slug),
    l AS (SELECT * FROM registration_list_edition(p_slug, p_status, p_category, p_mode, p_sector,
                                                  p_checked_in, p_after, p_limit))
    SELECT CASE WHEN l.problem IS NOT NULL THEN (l.status, l.problem, l.body)::api_answer
           ELSE core_answer(200, json_build_object(
        'edition', (SELECT json_build_object('slug', e.slug, 'title', e.title) FROM e),
        'categories', coalesce((SELECT json_agg(json_build_object('code', c.code, 'name', c.name)
                                                ORDER BY c.code)
                                  FROM categories c, e WHERE c.edition_id = e.id), '[]'),
        'items', coalesce((SELECT json_agg(i::jsonb || jsonb_build_object(
                    'created_local', editions_page_when((i->>'created_at')::timestamptz,
                                                        e.timezone, p_lang),
                    'checked_in_local', editions_page_when((i->>'checked_in_at')::timestamptz,
                                                           e.timezone, p_lang))
                    ORDER BY n)
                  FROM e, json_array_elements(l.body->'items') WITH ORDINALITY AS x(i, n)), '[]'),
        'next_cursor', l.body->'next_cursor',
        'stats', registration_stats_json(p_slug)))
           END
      FROM l
$$;

-- /manage/editions/{slug}/checkin: the edition, how many came of how many
-- expected, and (after a scan, p_checked) that registration with the time
-- of its first scan in the edition's time zone.
CREATE OR REPLACE FUNCTION registration_page_checkin(p_slug text, p_checked uuid, p_lang text)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((SELECT json_build_object(
        'edition', json_build_object('slug', e.slug, 'title', e.title),
        'checked_in', (SELECT count(*) FROM registrations r
                        WHERE r.edition_id = e.id AND r.status = 'checked_in'),
        'expected', (SELECT count(*) FROM registrations r
                      WHERE r.edition_id = e.id AND r.status IN ('confirmed', 'checked_in')),
        'scanned', (SELECT registration_json(r, true)::jsonb || jsonb_build_object(
                               'checked_in_local', editions_page_when(r.checked_in_at,
                                                                      e.timezone, p_lang),
                               'category_name', (SELECT c.name FROM categories c
                                                  WHERE c.id = r.category_id))
                      FROM registrations r WHERE r.id = p_checked AND r.edition_id = e.id))
      FROM editions e WHERE e.slug = p_slug))
$$;
