-- functions/accounts.sql: accounts and their roles (the last admin is kept by an advisory
-- lock), the account's JSON, erasure, and the login, sign-up and
-- password-change steps around the Argon2id hash (done in C, off the loop);
-- email verification, password reset, PATCH /v1/me and one-click
-- unsubscribe (issue 16).
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
               a.country, a.region, effective_roles(a.roles) AS roles, a.language,
               a.email_verified_at IS NOT NULL AS email_verified, a.created_at) x
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
    DELETE FROM account_mail_attempts
     WHERE key = (SELECT 'e:' || a.email FROM accounts a WHERE a.id = p_account);
    -- the mail written to the person, sent or not, goes with them (the
    -- foreign key alone would keep each row, its address and payload)
    DELETE FROM outbox WHERE account_id = p_account;
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
                effective_roles(a.roles) AS roles, a.language,
                a.email_verified_at IS NOT NULL AS email_verified, a.email_verified_at,
                a.reminders_opt_out, a.consent_at, a.consent_policy,
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
               WHERE p.account_id = a.id) AS speaker_profiles,
             -- the mail gess wrote to the person: what and when, never the
             -- payload (a verification or reset token is in it until sent)
             (SELECT coalesce(json_agg(jsonb_build_object('kind', o.kind,
                     'status', o.status, 'created_at', o.created_at, 'sent_at', o.sent_at)
                     ORDER BY o.created_at, o.id), '[]')
                FROM outbox o WHERE o.account_id = a.id) AS mail
        FROM accounts a WHERE a.id = p_account) x))
$$;

-- POST /v1/accounts, last hop (the password hashed): the new account, and
-- in the same transaction its verification mail (p_token, made in C); the
-- unique email decides races (409 email-taken) and the foreign key whether
-- the organization record exists.
DROP FUNCTION IF EXISTS accounts_signup(text, text, text, text, text, text, text, text, uuid);
CREATE OR REPLACE FUNCTION accounts_signup(p_email text, p_hash text, p_name text,
                                          p_organization text, p_sector text, p_country text,
                                          p_region text, p_policy text, p_organization_id uuid,
                                          p_language text, p_token text)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    c text;
    made uuid;
    body json;
BEGIN
    INSERT INTO accounts AS a (email, password_hash, full_name, organization, sector, country,
                               region, consent_at, consent_policy, organization_id, language)
    VALUES (p_email, p_hash, p_name, coalesce(p_organization, ''), p_sector, p_country,
            p_region, now(), p_policy, p_organization_id, coalesce(p_language, 'es'))
    RETURNING a.id, account_json(a) INTO made, body;
    PERFORM accounts_token_issue(made, 'verify', p_token);
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
    -- a reset asked for before is moot, and must not undo this change
    UPDATE account_tokens SET used_at = now()
     WHERE account_id = p_account AND purpose = 'reset' AND used_at IS NULL;
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

-- ---------------------------------------------------------------------------
-- Email verification and password reset (issue 16). A token is made in C
-- (32 random bytes, base64url) and reaches the person only by mail: the
-- outbox payload holds it until sent, account_tokens only its SHA-256.

-- What account_tokens keeps of a token.
CREATE OR REPLACE FUNCTION accounts_token_hash(p_token text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT sha256(convert_to(p_token, 'UTF8'))
$$;

-- Stores a token for the account and writes the mail that carries it, in
-- the caller's transaction: 'verify' lasts 48 hours (time to find the
-- mail after a weekend), 'reset' one hour (it opens the account). The
-- account's spent and expired tokens go first: no task has to sweep the
-- table, and a used token refused as unknown is refused all the same.
CREATE OR REPLACE FUNCTION accounts_token_issue(p_account uuid, p_purpose text, p_token text)
RETURNS void
LANGUAGE sql AS $$
    DELETE FROM account_tokens
     WHERE account_id = p_account AND (used_at IS NOT NULL OR expires_at <= now());
    INSERT INTO account_tokens (account_id, purpose, token_hash, expires_at)
    VALUES (p_account, p_purpose, accounts_token_hash(p_token),
            now() + CASE p_purpose WHEN 'verify' THEN interval '48 hours'
                                   ELSE interval '1 hour' END);
    INSERT INTO outbox (kind, account_id, payload)
    VALUES (CASE p_purpose WHEN 'verify' THEN 'email_verification' ELSE 'password_reset' END,
            p_account, jsonb_build_object('token', p_token));
$$;

-- The live token of a purpose: unused, unexpired, its account's id; NULL
-- when unknown, used or expired (all three are the same refusal, so an
-- answer never tells which tokens once existed).
CREATE OR REPLACE FUNCTION accounts_token_live(p_token text, p_purpose text)
RETURNS account_tokens
LANGUAGE sql STABLE AS $$
    SELECT t.* FROM account_tokens t
     WHERE t.token_hash = accounts_token_hash(p_token) AND t.purpose = p_purpose
       AND t.used_at IS NULL AND t.expires_at > now()
$$;

-- One more account mail (a verification resent, a reset asked for) to
-- p_email from p_addr, or the seconds to wait: at most p_max_email per
-- email and p_max_addr per address in a fixed window of p_window seconds,
-- so nobody can bomb an inbox, nor one address many inboxes. The rows are
-- locked in key order ('a:' before 'e:'), so two requests never wait for
-- each other in a circle; a few forgotten rows go on each call (requests
-- are rare, and this keeps the table small without a housekeeping task).
CREATE OR REPLACE FUNCTION accounts_mail_begin(p_email text, p_addr text, p_window integer,
                                              p_max_email integer, p_max_addr integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    keys text[] := ARRAY['a:' || p_addr, 'e:' || p_email];
    until timestamptz;
BEGIN
    DELETE FROM account_mail_attempts
     WHERE key IN (SELECT m.key FROM account_mail_attempts m
                    WHERE m.window_start < now() - make_interval(secs => p_window)
                      AND m.key <> ALL (keys)
                    ORDER BY m.window_start LIMIT 20 FOR UPDATE SKIP LOCKED);
    WITH locked AS (
        INSERT INTO account_mail_attempts AS m (key, window_start, count)
        SELECT k, now(), 0 FROM unnest(keys) k ORDER BY k
        ON CONFLICT (key) DO UPDATE SET count = m.count  -- only to lock the row
        RETURNING m.key, m.window_start, m.count
    )
    SELECT max(l.window_start + make_interval(secs => p_window)) INTO until
      FROM locked l
     WHERE l.window_start + make_interval(secs => p_window) > now()
       AND l.count >= CASE WHEN left(l.key, 2) = 'a:' THEN p_max_addr ELSE p_max_email END;
    IF until IS NOT NULL THEN
        RETURN greatest(1, ceil(extract(epoch FROM until - now())))::integer;
    END IF;
    UPDATE account_mail_attempts m SET
        count = CASE WHEN m.window_start + make_interval(secs => p_window) <= now() THEN 1
                     ELSE m.count + 1 END,
        window_start = CASE WHEN m.window_start + make_interval(secs => p_window) <= now()
                            THEN now() ELSE m.window_start END
     WHERE m.key = ANY (keys);
    RETURN NULL;
END
$$;

-- The body of a 202: the mail is written, not yet sent.
CREATE OR REPLACE FUNCTION accounts_accepted() RETURNS api_answer
LANGUAGE sql IMMUTABLE AS $$
    SELECT core_answer(202, json_build_object('status', 'accepted'))
$$;

-- POST /v1/email-verifications: the token proves the address; 200 the
-- account, verified. Every verification token of the account is spent
-- with it: once verified, an older mail's link has nothing left to do.
CREATE OR REPLACE FUNCTION accounts_verify_email(p_token text)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    t account_tokens;
    body json;
BEGIN
    -- locked and checked again under the lock: of two verifications with
    -- one token at once, exactly one succeeds (single use)
    SELECT * INTO t FROM account_tokens
     WHERE token_hash = accounts_token_hash(p_token) AND purpose = 'verify' FOR UPDATE;
    IF NOT FOUND OR t.used_at IS NOT NULL OR t.expires_at <= now() THEN
        RETURN core_refused('token', 'bad_token');
    END IF;
    UPDATE account_tokens SET used_at = now()
     WHERE account_id = t.account_id AND purpose = 'verify' AND used_at IS NULL;
    UPDATE accounts a SET email_verified_at = coalesce(a.email_verified_at, now()),
                          updated_at = now()
     WHERE a.id = t.account_id RETURNING account_json(a) INTO body;
    RETURN core_found(body);
END
$$;

-- POST /v1/email-verifications/resend, after accounts_mail_begin let it
-- through: a new verification mail; an address already verified gets
-- none (there is nothing to prove), and the answer is the same 202.
CREATE OR REPLACE FUNCTION accounts_verify_resend(p_account uuid, p_token text)
RETURNS api_answer
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM accounts a
                WHERE a.id = p_account AND a.email_verified_at IS NULL) THEN
        PERFORM accounts_token_issue(p_account, 'verify', p_token);
    END IF;
    RETURN accounts_accepted();
END
$$;

-- POST /v1/password-resets: always 202, whether the email has an account
-- or the request was throttled (either would otherwise tell a stranger
-- which addresses have accounts); a mail only for an account, when the
-- throttle lets it through.
CREATE OR REPLACE FUNCTION accounts_reset_request(p_email text, p_addr text, p_token text,
                                                 p_window integer, p_max_email integer,
                                                 p_max_addr integer)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    owner uuid;
BEGIN
    IF accounts_mail_begin(p_email, p_addr, p_window, p_max_email, p_max_addr) IS NULL THEN
        SELECT a.id INTO owner FROM accounts a WHERE a.email = p_email;
        IF owner IS NOT NULL THEN
            PERFORM accounts_token_issue(owner, 'reset', p_token);
        END IF;
    END IF;
    RETURN accounts_accepted();
END
$$;

-- POST /v1/password-resets/confirm, before the hash: whose the token is
-- (the password policy counts their email and name as guessable); no row
-- for a token that is unknown, used or expired. Not an answer: a step.
CREATE OR REPLACE FUNCTION accounts_reset_begin(p_token text, OUT email text, OUT full_name text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
    SELECT a.email, a.full_name FROM accounts a
     WHERE a.id = (accounts_token_live(p_token, 'reset')).account_id
$$;

-- POST /v1/password-resets/confirm, last hop: the new hash; every login
-- token and every reset token of the account go (whoever held a session
-- or another mail must start again), 204. The token is checked again
-- under its row's lock, so of two confirmations racing one wins. Reading
-- the mail proved the address too.
CREATE OR REPLACE FUNCTION accounts_reset_confirm(p_token text, p_hash text)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    t account_tokens;
BEGIN
    -- the account first: two confirms with two tokens of one account then
    -- queue on it instead of each holding its token and waiting for the
    -- other's (a deadlock)
    PERFORM 1 FROM accounts a JOIN account_tokens k ON k.account_id = a.id
      WHERE k.token_hash = accounts_token_hash(p_token) FOR UPDATE OF a;
    SELECT * INTO t FROM account_tokens
     WHERE token_hash = accounts_token_hash(p_token) AND purpose = 'reset'
       FOR UPDATE;
    IF NOT FOUND OR t.used_at IS NOT NULL OR t.expires_at <= now() THEN
        RETURN core_refused('token', 'bad_token');
    END IF;
    UPDATE account_tokens SET used_at = now()
     WHERE account_id = t.account_id AND purpose = 'reset' AND used_at IS NULL;
    UPDATE accounts SET password_hash = p_hash,
                        email_verified_at = coalesce(email_verified_at, now()),
                        updated_at = now()
     WHERE id = t.account_id;
    DELETE FROM tokens WHERE account_id = t.account_id;
    RETURN core_answer(204);
END
$$;

-- PATCH /v1/me: the members present in p_fields (checked in C:
-- services/accounts/me.c) replace the account's; a null country or region
-- clears it, a null organization empties it. 200 the account.
CREATE OR REPLACE FUNCTION accounts_me_update(p_account uuid, p_fields jsonb)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    body json;
BEGIN
    UPDATE accounts a SET
        full_name = CASE WHEN p_fields ? 'full_name' THEN p_fields ->> 'full_name'
                         ELSE a.full_name END,
        organization = CASE WHEN p_fields ? 'organization'
                            THEN coalesce(p_fields ->> 'organization', '')
                            ELSE a.organization END,
        sector = CASE WHEN p_fields ? 'sector' THEN p_fields ->> 'sector' ELSE a.sector END,
        country = CASE WHEN p_fields ? 'country' THEN p_fields ->> 'country' ELSE a.country END,
        region = CASE WHEN p_fields ? 'region' THEN p_fields ->> 'region' ELSE a.region END,
        language = CASE WHEN p_fields ? 'language' THEN p_fields ->> 'language'
                        ELSE a.language END,
        -- the way back in after a one-click unsubscribe
        reminders_opt_out = CASE WHEN p_fields ? 'reminders_opt_out'
                                 THEN (p_fields ->> 'reminders_opt_out')::boolean
                                 ELSE a.reminders_opt_out END,
        updated_at = now()
     WHERE a.id = p_account
    RETURNING account_json(a) INTO body;
    RETURN core_found(body);
END
$$;

-- POST /v1/unsubscribe?token= (RFC 8058 one-click): the account behind the
-- key gets no more reminders (series_rsvp_reminder and the pact reminders
-- skip it; PATCH /v1/me {reminders_opt_out: false} undoes it); 204, also when it had already opted out; 404 for a key that
-- names no account.
CREATE OR REPLACE FUNCTION accounts_unsubscribe(p_key uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    who uuid;
BEGIN
    UPDATE accounts SET reminders_opt_out = true, updated_at = now()
     WHERE unsubscribe_key = p_key RETURNING id INTO who;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    -- the reminders already waiting (an RSVP's is written weeks ahead) go
    -- too, rather than each ending as a dead letter when it falls due
    DELETE FROM outbox
     WHERE account_id = who AND status = 'pending'
       AND kind IN ('series_rsvp_reminder', 'milestone_due_soon', 'milestone_overdue',
                    'commitment_overdue');
    RETURN core_answer(204);
END
$$;

-- GET /me, the page (services/accounts/pages_me.c): the caller's account as
-- GET /v1/me shows it, with reminders_opt_out (the profile form's checkbox),
-- and their registrations as GET /v1/me/registrations lists them
-- (registration_list_mine), each with status_is ({"waitlisted": true}: the
-- template is logic-less, a section tests a key); 404 when the account went.
CREATE OR REPLACE FUNCTION accounts_page_me(p_account uuid)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((
        SELECT json_build_object(
                   'account', account_json(a),
                   'reminders_opt_out', a.reminders_opt_out,
                   'registrations', r.list,
                   -- a list renders a section once per item: whether there
                   -- is any is a boolean of its own (the table around them)
                   'has_registrations', json_array_length(r.list) > 0)
          FROM accounts a,
               LATERAL (SELECT coalesce((
                       SELECT json_agg(i::jsonb || jsonb_build_object(
                                  'status_is', jsonb_build_object(i ->> 'status', true),
                                  -- what the registration part of /me offers:
                                  -- the badge once a seat is confirmed, and
                                  -- cancelling while it can be cancelled
                                  'badge_shown', i ->> 'status' IN ('confirmed', 'checked_in'),
                                  'can_cancel',
                                  i ->> 'status' IN ('pending', 'confirmed', 'waitlisted'))
                              ORDER BY n)
                         FROM json_array_elements(
                                  (registration_list_mine(p_account)).body -> 'items')
                              WITH ORDINALITY AS x(i, n)), '[]') AS list) r
         WHERE a.id = p_account))
$$;

GRANT EXECUTE ON FUNCTION accounts_mail_begin(text, text, integer, integer, integer),
    accounts_reset_begin(text) TO gess_app;

GRANT EXECUTE ON FUNCTION accounts_login_begin(text, text, integer, integer, integer, integer, integer),
    accounts_login_give_back(text, text, boolean),
    accounts_password_begin(uuid, text, integer, integer, integer, integer, integer),
    accounts_password_set(uuid, text, text, text),
    accounts_signup_begin(text, integer, integer) TO gess_app;
