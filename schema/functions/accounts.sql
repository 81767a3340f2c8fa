-- functions/accounts.sql: accounts and their roles (the last admin is kept by an advisory
-- lock), the account's JSON, erasure, and the login, sign-up and
-- password-change steps around the Argon2id hash (done in C, off the loop).
--
-- Reloaded by every `gessd migrate` in one transaction (check_function_bodies
-- off, so files may call each other in any order); written to be re-run:
-- CREATE OR REPLACE, and DROP ... IF EXISTS before a signature changes.
-- A function removed from here is dropped from upgraded databases by the
-- loader. The tables are in schema/migrations.

-- admin implies organizer, followup and curator (DESIGN.md §3).
CREATE OR REPLACE FUNCTION effective_roles(r text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN 'admin' = ANY (r) THEN ARRAY['admin', 'organizer', 'followup', 'curator']
                ELSE ARRAY(SELECT x FROM unnest(ARRAY['organizer', 'followup', 'curator']) x
                           WHERE x = ANY (r)) END
$$;

-- ---------------------------------------------------------------------------
-- Accounts and speakers may link an organization record; the free-text
-- organization stays as typed.
CREATE OR REPLACE FUNCTION account_json(a accounts) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT a.id, a.email, a.full_name, a.organization, a.organization_id, a.sector,
               a.country, a.region, effective_roles(a.roles) AS roles, a.created_at) x
$$;

-- The last admin: there is always at least one admin (DESIGN.md §3),
-- however concurrent the changes. Before this, a role change read
-- "EXISTS (another admin)" under READ COMMITTED, so two admins demoting
-- each other at the same moment both saw the other and both went ahead,
-- and an erasure did not look at all. Every change that can take an admin
-- away now takes one transaction-level advisory lock first and looks
-- after it: under READ COMMITTED each statement that follows sees what
-- the previous holder committed, so of two such changes the second sees
-- the first. Changes that only add admin need no lock: they cannot leave
-- zero, and the demotions that follow them lock the row they changed.

-- The one lock on the set of admins; the key is arbitrary but fixed
-- ("gessadm" as ASCII).
CREATE OR REPLACE FUNCTION admin_set_lock() RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(29103469132604525)
$$;

-- PUT /v1/accounts/{id}/roles: the account with its new roles; 404 for
-- no such account, 409 last-admin when the change would leave no admin.
CREATE OR REPLACE FUNCTION accounts_roles_set(p_id uuid, p_roles text[])
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    old text[];
    body json;
BEGIN
    IF NOT 'admin' = ANY (p_roles) THEN
        PERFORM admin_set_lock();
    END IF;
    SELECT a.roles INTO old FROM accounts a WHERE a.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF 'admin' = ANY (old) AND NOT 'admin' = ANY (p_roles)
       AND NOT EXISTS (SELECT 1 FROM accounts o WHERE o.id <> p_id AND 'admin' = ANY (o.roles))
    THEN
        RETURN core_problem(409, 'last-admin');
    END IF;
    UPDATE accounts a SET roles = p_roles, updated_at = now() WHERE a.id = p_id
    RETURNING account_json(a) INTO body;
    RETURN core_answer(200, body);
END
$$;

-- DELETE /v1/me: the person's data goes (registrations stay, anonymous, for
-- the counts); refused with 409 last-admin for the only admin; 204 once
-- erased.
CREATE OR REPLACE FUNCTION accounts_erase(p_account uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    r registrations;
    roles_now text[];
BEGIN
    PERFORM admin_set_lock();
    -- no FOR UPDATE: the lock serialises every change that can take an
    -- admin away, and locking the account row here, before the
    -- registrations below, would deadlock with an approval whose outbox
    -- row (a foreign key to the account) waits for it
    SELECT a.roles INTO roles_now FROM accounts a WHERE a.id = p_account;
    IF 'admin' = ANY (roles_now)
       AND NOT EXISTS (SELECT 1 FROM accounts o
                        WHERE o.id <> p_account AND 'admin' = ANY (o.roles)) THEN
        RETURN core_problem(409, 'last-admin');
    END IF;
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
    -- the throttle's counts that name the email (login_keys():
    -- 'e:<email>' and 'p:<address> <email>') go with the person; locked in
    -- key order first, as the throttle locks them, so the two never wait
    -- for each other in a cycle
    DELETE FROM login_attempts
     WHERE key IN (SELECT l.key FROM login_attempts l, accounts a
                    WHERE a.id = p_account
                      AND (l.key = 'e:' || a.email
                           OR (left(l.key, 2) = 'p:'
                               AND right(l.key, length(a.email) + 1) = ' ' || a.email))
                    ORDER BY l.key FOR UPDATE OF l);
    DELETE FROM accounts WHERE id = p_account;  -- tokens and idempotency keys cascade
    RETURN core_answer(204);
END
$$;

-- GET /v1/me/export: everything held about the person (Ley 29733, GDPR);
-- 404 when the account went between the token check and this.
CREATE OR REPLACE FUNCTION accounts_export(p_account uuid)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((SELECT row_to_json(x) FROM (
      SELECT (SELECT row_to_json(y) FROM (SELECT a.id, a.email, a.full_name, a.organization,
                a.organization_id, a.sector, a.country, a.region,
                effective_roles(a.roles) AS roles, a.consent_at, a.consent_policy,
                a.created_at, a.updated_at) y) AS account,
             (SELECT coalesce(json_agg(registration_json(r, false)
                                       ORDER BY r.created_at, r.id), '[]')
                FROM registrations r WHERE r.account_id = a.id) AS registrations,
             (SELECT coalesce(json_agg(jsonb_build_object('created_at', t.created_at,
                     'last_used_at', t.last_used_at, 'expires_at', t.expires_at)
                     ORDER BY t.created_at), '[]')
                FROM tokens t WHERE t.account_id = a.id) AS tokens,
             (SELECT coalesce(json_agg(jsonb_build_object('event_id', v.event_id,
                     'title', e.title, 'starts_at', e.starts_at, 'mode', v.mode,
                     'created_at', v.created_at) ORDER BY v.created_at), '[]')
                FROM series_rsvps v JOIN series_events e ON e.id = v.event_id
               WHERE v.account_id = a.id) AS series_rsvps,
             (SELECT coalesce(json_agg(jsonb_build_object('event_id', v.event_id,
                     'title', e.title, 'starts_at', e.starts_at, 'mode', v.mode,
                     'recorded_at', v.recorded_at) ORDER BY v.recorded_at), '[]')
                FROM series_attendance v JOIN series_events e ON e.id = v.event_id
               WHERE v.account_id = a.id) AS series_attendance,
             (SELECT coalesce(json_agg(jsonb_build_object('session_id', s.id,
                     'title', s.title, 'starts_at', s.starts_at,
                     'reserved', EXISTS (SELECT 1 FROM reservations v
                                  WHERE v.session_id = s.id AND v.account_id = a.id),
                     'added_at', i.created_at) ORDER BY i.created_at), '[]')
                FROM agenda_items i JOIN sessions s ON s.id = i.session_id
               WHERE i.account_id = a.id) AS agenda,
             (SELECT coalesce(json_agg(jsonb_build_object('speaker_id', p.id,
                     'edition', ed.slug, 'name', p.name, 'organization', p.organization)
                     ORDER BY p.created_at), '[]')
                FROM speakers p JOIN editions ed ON ed.id = p.edition_id
               WHERE p.account_id = a.id) AS speaker_profiles
        FROM accounts a WHERE a.id = p_account) x))
$$;

-- POST /v1/accounts, last hop (the password hashed): the new account; the
-- unique email decides races (409 email-taken) and the foreign key whether
-- the organization record exists.
CREATE OR REPLACE FUNCTION accounts_signup(p_email text, p_hash text, p_name text,
                                          p_organization text, p_sector text, p_country text,
                                          p_region text, p_policy text, p_organization_id uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    c text;
    body json;
BEGIN
    INSERT INTO accounts AS a (email, password_hash, full_name, organization, sector, country,
                               region, consent_at, consent_policy, organization_id)
    VALUES (p_email, p_hash, p_name, coalesce(p_organization, ''), p_sector, p_country,
            p_region, now(), p_policy, p_organization_id)
    RETURNING account_json(a) INTO body;
    RETURN core_answer(201, body);
EXCEPTION WHEN unique_violation OR foreign_key_violation THEN
    GET STACKED DIAGNOSTICS c = CONSTRAINT_NAME;
    IF c = 'accounts_email_key' THEN
        RETURN core_problem(409, 'email-taken');
    ELSIF c = 'accounts_organization_id_fkey' THEN
        RETURN core_refused('organization_id', 'no_organization');
    END IF;
    RAISE;
END
$$;

-- DELETE /v1/tokens/current: the caller's token is no more.
CREATE OR REPLACE FUNCTION accounts_logout(p_token_hash text)
RETURNS api_answer
LANGUAGE sql AS $$
    WITH gone AS (DELETE FROM tokens WHERE token_hash = decode(p_token_hash, 'hex'))
    SELECT core_answer(204)
$$;

-- The keys a password guess for p_email from p_addr counts against, with
-- their limits in core_throttle_take's order.
CREATE OR REPLACE FUNCTION login_keys(p_email text, p_addr text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['p:' || p_addr || ' ' || p_email, 'e:' || p_email, 'a:' || p_addr]
$$;

-- An attempt whose password was right, or never checked (the hashing
-- queue was full), gives its count back; a right one also forgets the
-- pair's earlier failures: whoever is at that address knows the password.
-- The per-email count is only given back, never cleared, so the owner's
-- success does not hand a distributed guesser a fresh budget.
CREATE OR REPLACE FUNCTION accounts_login_give_back(p_email text, p_addr text, p_success boolean) RETURNS void
LANGUAGE sql AS $$
    -- the rows locked in key order first, as core_throttle_take locks them, so
    -- a give-back and a new attempt never wait for each other in a cycle
    SELECT 1 FROM login_attempts WHERE key = ANY (login_keys(p_email, p_addr))
     ORDER BY key FOR UPDATE;
    DELETE FROM login_attempts WHERE p_success AND key = (login_keys(p_email, p_addr))[1];
    UPDATE login_attempts SET count = greatest(count - 1, 0),
                              last_at = CASE WHEN p_success THEN last_at
                                             ELSE coalesce(prev_at, last_at) END
     WHERE key = ANY (CASE WHEN p_success THEN (login_keys(p_email, p_addr))[2:3]
                           ELSE login_keys(p_email, p_addr) END);
$$;

-- POST /v1/tokens, first hop: count the attempt (pair, email, address) and
-- fetch the hash; retry_after when refused (then nothing else).
CREATE OR REPLACE FUNCTION accounts_login_begin(p_email text, p_addr text, p_window integer,
                                       p_max_email integer, p_max_addr integer,
                                       p_pair_free integer, p_backoff integer,
                                       OUT retry_after integer, OUT account_id uuid,
                                       OUT password_hash text)
LANGUAGE plpgsql AS $$
BEGIN
    retry_after := core_throttle_take(login_keys(p_email, p_addr),
                                 ARRAY[NULL, p_max_email, p_max_addr], p_window,
                                 p_pair_free, p_backoff);
    IF retry_after IS NULL THEN
        SELECT a.id, a.password_hash INTO account_id, password_hash
          FROM accounts a WHERE a.email = p_email;
    END IF;
END
$$;

-- PUT /v1/me/password, first hop: a guess of current_password counts like
-- a login of the account's email from this address (a stolen session must
-- not become an unthrottled password oracle). known is false when the
-- account is gone (plpgsql's FOUND forbids that name).
CREATE OR REPLACE FUNCTION accounts_password_begin(p_account uuid, p_addr text, p_window integer,
                                          p_max_email integer, p_max_addr integer,
                                          p_pair_free integer, p_backoff integer,
                                          OUT known boolean, OUT retry_after integer,
                                          OUT password_hash text)
LANGUAGE plpgsql AS $$
DECLARE
    e text;
    h text;
BEGIN
    SELECT a.email, a.password_hash INTO e, h FROM accounts a WHERE a.id = p_account;
    known := e IS NOT NULL;
    IF known THEN
        retry_after := core_throttle_take(login_keys(e, p_addr),
                                     ARRAY[NULL, p_max_email, p_max_addr], p_window,
                                     p_pair_free, p_backoff);
        IF retry_after IS NULL THEN
            password_hash := h;
        END IF;
    END IF;
END
$$;

-- PUT /v1/me/password, last hop: the new hash, every other token of the
-- account revoked, and the checked guess given back, in one transaction;
-- 204.
CREATE OR REPLACE FUNCTION accounts_password_set(p_account uuid, p_hash text, p_keep_token text,
                                                p_addr text)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    e text;
BEGIN
    UPDATE accounts SET password_hash = p_hash, updated_at = now()
     WHERE id = p_account RETURNING email INTO e;
    DELETE FROM tokens WHERE account_id = p_account AND token_hash <> decode(p_keep_token, 'hex');
    IF e IS NOT NULL THEN
        PERFORM accounts_login_give_back(e, p_addr, true);
    END IF;
    RETURN core_answer(204);
END
$$;

-- POST /v1/accounts, before the hash: one more sign-up from this address,
-- or the seconds to wait.
CREATE OR REPLACE FUNCTION accounts_signup_begin(p_addr text, p_window integer, p_max integer) RETURNS integer
LANGUAGE sql AS $$
    SELECT core_throttle_take(ARRAY['s:' || p_addr], ARRAY[p_max], p_window, 0, 0)
$$;

GRANT EXECUTE ON FUNCTION accounts_login_begin(text, text, integer, integer, integer, integer, integer),
    accounts_login_give_back(text, text, boolean),
    accounts_password_begin(uuid, text, integer, integer, integer, integer, integer),
    accounts_password_set(uuid, text, text, text),
    accounts_signup_begin(text, integer, integer) TO gess_app;
