-- 0011_contract_fixes: what the API suite's check against the OpenAPI
-- document found wrong on the database's side.
--
-- session-full named capacity: null for a session of capacity 2: the
-- guarded UPDATE ... RETURNING * INTO s of 0004 found no row, and in
-- PL/pgSQL that sets s to nulls before the problem read s.capacity. The
-- update now returns into a row of its own.

CREATE OR REPLACE FUNCTION reservation_create(p_session uuid, p_account uuid,
                                   OUT problem text, OUT body text, OUT created boolean)
LANGUAGE plpgsql AS $$
DECLARE
    s sessions;
    upd sessions;
    res reservations;
BEGIN
    created := false;
    SELECT * INTO s FROM sessions WHERE id = p_session AND deleted_at IS NULL;
    IF NOT FOUND OR session_released(p_session) IS NULL THEN
        problem := 'not-found';
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM registrations
                    WHERE edition_id = s.edition_id AND account_id = p_account
                      AND status IN ('confirmed', 'checked_in')) THEN
        problem := 'registration-required';
        RETURN;
    END IF;
    SELECT * INTO res FROM reservations WHERE session_id = p_session AND account_id = p_account;
    IF NOT FOUND THEN
        UPDATE sessions SET reserved = reserved + 1
         WHERE id = p_session AND (capacity IS NULL OR reserved < capacity)
        RETURNING * INTO upd;
        IF NOT FOUND THEN
            -- s is the row read above: a RETURNING that finds no row sets
            -- its target to nulls, which is how 0004 answered capacity: null
            problem := 'session-full';
            body := jsonb_build_object('session_id', p_session, 'capacity', s.capacity)::text;
            RETURN;
        END IF;
        s := upd;
        INSERT INTO reservations (session_id, account_id) VALUES (p_session, p_account)
        ON CONFLICT (session_id, account_id) DO NOTHING
        RETURNING * INTO res;
        IF FOUND THEN
            created := true;
        ELSE
            -- the same person reserved concurrently and won: give the seat back
            UPDATE sessions SET reserved = reserved - 1 WHERE id = p_session
            RETURNING * INTO s;
            SELECT * INTO res FROM reservations
             WHERE session_id = p_session AND account_id = p_account;
        END IF;
    END IF;
    INSERT INTO agenda_items (account_id, session_id) VALUES (p_account, p_session)
    ON CONFLICT (account_id, session_id) DO NOTHING;
    body := jsonb_build_object(
        'session_id', p_session, 'reserved_at', res.created_at, 'capacity', s.capacity,
        'seats_left', CASE WHEN s.capacity IS NOT NULL THEN greatest(s.capacity - s.reserved, 0)
                      END)::text;
END
$$;
