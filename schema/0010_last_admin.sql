-- 0010_last_admin: there is always at least one admin (DESIGN.md §3),
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
CREATE FUNCTION admin_set_lock() RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(29103469132604525)
$$;

-- PUT /v1/accounts/{id}/roles: matched is 0 for no such account; account
-- is NULL when the change would leave no admin (409 last-admin).
CREATE FUNCTION account_roles_set(p_id uuid, p_roles text[], OUT matched integer,
                                  OUT account text)
LANGUAGE plpgsql AS $$
DECLARE
    old text[];
BEGIN
    IF NOT 'admin' = ANY (p_roles) THEN
        PERFORM admin_set_lock();
    END IF;
    SELECT a.roles INTO old FROM accounts a WHERE a.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        matched := 0;
        RETURN;
    END IF;
    matched := 1;
    IF 'admin' = ANY (old) AND NOT 'admin' = ANY (p_roles)
       AND NOT EXISTS (SELECT 1 FROM accounts o WHERE o.id <> p_id AND 'admin' = ANY (o.roles))
    THEN
        RETURN;
    END IF;
    UPDATE accounts a SET roles = p_roles, updated_at = now() WHERE a.id = p_id
    RETURNING account_json(a)::text INTO account;
END
$$;

-- DELETE /v1/me: as 0002's account_erase, refused with 'last-admin' for
-- the only admin; NULL once erased.
DROP FUNCTION account_erase(uuid);
CREATE FUNCTION account_erase(p_account uuid) RETURNS text
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
        RETURN 'last-admin';
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
    -- the throttle's counts that name the email (0012_throttle.sql keys:
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
    RETURN NULL;
END
$$;
