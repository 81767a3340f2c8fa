-- 0012_throttle: throttling that protects people instead of locking them
-- out (issue 10), the sign-up limit per address, and the housekeeping that
-- keeps tokens, idempotency keys and login attempts from growing forever.
--
-- login_attempts keys (addresses come from req_client_addr(): behind a
-- trusted proxy, the X-Forwarded-For address):
--   'p:<address> <email>'  one email from one address: free for
--                          login_pair_max failures, then an exponential
--                          back-off (login_backoff_s, doubled per failure,
--                          at most login_window_s)
--   'e:<email>'            one email from anywhere: login_max_per_email
--                          failures per login_window_s (distributed guessing)
--   'a:<address>'          one address, any email: login_max_per_address
--                          failures per login_window_s (password spraying)
--   's:<address>'          sign-ups from one address: signup_max_per_address
--                          per login_window_s
-- (An address has no space, so 'p:' keys split unambiguously.)
--
-- An attempt is counted before the password is checked, so concurrent
-- guesses cannot slip past a limit; a success or an attempt that never got
-- its password checked gives it back. A refused (429) attempt changes no
-- count and no time, so it neither counts as a failure nor extends a block.

-- When the last counted attempt of a key happened (the back-off runs from
-- it), and the one before, so that an attempt given back because its
-- password was never checked (503) does not restart a pair's wait.
ALTER TABLE login_attempts ADD COLUMN last_at timestamptz NOT NULL DEFAULT now(),
                           ADD COLUMN prev_at timestamptz;

-- The wait after a pair's count-th failure: none before p_free failures,
-- then p_base seconds doubled for each further failure, at most p_cap.
CREATE FUNCTION throttle_backoff(p_count integer, p_free integer, p_base integer,
                                 p_cap integer)
RETURNS interval
LANGUAGE sql IMMUTABLE AS $$
    SELECT make_interval(secs => CASE WHEN p_count < p_free THEN 0
        ELSE least(p_cap::numeric,
                   p_base * power(2::numeric, least(p_count - p_free, 40)))::float8 END)
$$;

-- Until when a key refuses attempts (NULL: its count does not block it).
-- p_max is the key's limit (unused for pairs, which back off instead).
CREATE FUNCTION throttle_blocked_until(p_key text, p_count integer, p_window_start timestamptz,
                                       p_last_at timestamptz, p_max integer, p_window integer,
                                       p_pair_free integer, p_backoff integer)
RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN left(p_key, 2) = 'p:' THEN
                    CASE WHEN p_count >= p_pair_free
                         THEN p_last_at + throttle_backoff(p_count, p_pair_free, p_backoff, p_window)
                    END
                WHEN p_count >= p_max THEN p_window_start + make_interval(secs => p_window)
           END
$$;

-- When a key's count is forgotten: a window key when its window is over;
-- a pair one whole window after its last wait ended, so a patient guesser
-- who tries again as each wait ends keeps the longest wait, while someone
-- who comes back later starts afresh.
CREATE FUNCTION throttle_forgotten_at(p_key text, p_count integer, p_window_start timestamptz,
                                      p_last_at timestamptz, p_window integer,
                                      p_pair_free integer, p_backoff integer)
RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN left(p_key, 2) = 'p:'
                THEN p_last_at + throttle_backoff(p_count, p_pair_free, p_backoff, p_window)
                     + make_interval(secs => p_window)
                ELSE p_window_start + make_interval(secs => p_window)
           END
$$;

-- Counts one attempt against every key, or none: the seconds to wait when
-- any key refuses (nothing is counted then), else NULL. p_maxes[i] is the
-- limit of p_keys[i]. The rows are created or locked in the text order of
-- their keys, so two attempts sharing keys never wait for each other in a
-- circle; the counting is all in PostgreSQL, so every gessd shares it.
CREATE FUNCTION throttle_take(p_keys text[], p_maxes integer[], p_window integer,
                              p_pair_free integer, p_backoff integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    until timestamptz;
BEGIN
    WITH locked AS (
        INSERT INTO login_attempts AS l (key, window_start, count, last_at)
        SELECT k, now(), 0, now() FROM unnest(p_keys) k ORDER BY k
        ON CONFLICT (key) DO UPDATE SET count = l.count  -- only to lock the row
        RETURNING l.key, l.count, l.window_start, l.last_at
    )
    SELECT max(throttle_blocked_until(x.key, x.count, x.window_start, x.last_at, m.mx,
                                      p_window, p_pair_free, p_backoff))
      INTO until
      FROM locked x JOIN unnest(p_keys, p_maxes) AS m(k, mx) ON m.k = x.key;
    IF until > now() THEN
        RETURN greatest(1, ceil(extract(epoch FROM until - now())))::integer;
    END IF;
    UPDATE login_attempts l SET
        count = CASE WHEN throttle_forgotten_at(l.key, l.count, l.window_start, l.last_at,
                                                p_window, p_pair_free, p_backoff) <= now()
                     THEN 1 ELSE l.count + 1 END,
        window_start = CASE WHEN throttle_forgotten_at(l.key, l.count, l.window_start, l.last_at,
                                                       p_window, p_pair_free, p_backoff) <= now()
                            THEN now() ELSE l.window_start END,
        prev_at = l.last_at,
        last_at = now()
     WHERE l.key = ANY (p_keys);
    RETURN NULL;
END
$$;

-- The keys a password guess for p_email from p_addr counts against, with
-- their limits in throttle_take's order.
CREATE FUNCTION login_keys(p_email text, p_addr text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['p:' || p_addr || ' ' || p_email, 'e:' || p_email, 'a:' || p_addr]
$$;

-- An attempt whose password was right, or never checked (the hashing
-- queue was full), gives its count back; a right one also forgets the
-- pair's earlier failures: whoever is at that address knows the password.
-- The per-email count is only given back, never cleared, so the owner's
-- success does not hand a distributed guesser a fresh budget.
CREATE FUNCTION login_give_back(p_email text, p_addr text, p_success boolean) RETURNS void
LANGUAGE sql AS $$
    -- the rows locked in key order first, as throttle_take locks them, so
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
DROP FUNCTION login_begin(text, text, integer, integer, integer);
CREATE FUNCTION login_begin(p_email text, p_addr text, p_window integer,
                            p_max_email integer, p_max_addr integer,
                            p_pair_free integer, p_backoff integer,
                            OUT retry_after integer, OUT account_id uuid,
                            OUT password_hash text)
LANGUAGE plpgsql AS $$
BEGIN
    retry_after := throttle_take(login_keys(p_email, p_addr),
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
CREATE FUNCTION password_begin(p_account uuid, p_addr text, p_window integer,
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
        retry_after := throttle_take(login_keys(e, p_addr),
                                     ARRAY[NULL, p_max_email, p_max_addr], p_window,
                                     p_pair_free, p_backoff);
        IF retry_after IS NULL THEN
            password_hash := h;
        END IF;
    END IF;
END
$$;

-- PUT /v1/me/password, last hop: the new hash, every other token of the
-- account revoked, and the checked guess given back, in one transaction.
CREATE FUNCTION password_set(p_account uuid, p_hash text, p_keep_token text, p_addr text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    e text;
BEGIN
    UPDATE accounts SET password_hash = p_hash, updated_at = now()
     WHERE id = p_account RETURNING email INTO e;
    DELETE FROM tokens WHERE account_id = p_account AND token_hash <> decode(p_keep_token, 'hex');
    IF e IS NOT NULL THEN
        PERFORM login_give_back(e, p_addr, true);
    END IF;
END
$$;

-- POST /v1/accounts, before the hash: one more sign-up from this address,
-- or the seconds to wait.
CREATE FUNCTION signup_begin(p_addr text, p_window integer, p_max integer) RETURNS integer
LANGUAGE sql AS $$
    SELECT throttle_take(ARRAY['s:' || p_addr], ARRAY[p_max], p_window, 0, 0)
$$;

-- The periodic task (services/core/housekeeping.c): expired tokens (past
-- their absolute or idle expiry: auth refuses them already), idempotency
-- keys past their 24 hours (a replay would delete them anyway), and
-- login_attempts rows whose count is forgotten. '0' when nothing went, so
-- the task logs at debug level; else what went, for its log line.
CREATE FUNCTION housekeeping(p_token_idle integer, p_window integer, p_pair_free integer,
                             p_backoff integer)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    nt bigint;
    ni bigint;
    nl bigint;
BEGIN
    DELETE FROM tokens
     WHERE expires_at <= now() OR last_used_at <= now() - make_interval(secs => p_token_idle);
    GET DIAGNOSTICS nt = ROW_COUNT;
    DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours';
    GET DIAGNOSTICS ni = ROW_COUNT;
    -- in key order, skipping rows an attempt holds (throttle_take locks in
    -- key order too): a forgotten row in use is left for the next run
    DELETE FROM login_attempts
     WHERE key IN (SELECT l.key FROM login_attempts l
                    WHERE throttle_forgotten_at(l.key, l.count, l.window_start, l.last_at,
                                                p_window, p_pair_free, p_backoff) <= now()
                    ORDER BY l.key FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS nl = ROW_COUNT;
    IF nt + ni + nl = 0 THEN
        RETURN '0';
    END IF;
    RETURN format('deleted %s expired tokens, %s idempotency keys past 24 h, '
                  '%s login-attempt rows past their window', nt, ni, nl);
END
$$;

GRANT EXECUTE ON FUNCTION throttle_take(text[], integer[], integer, integer, integer),
    login_begin(text, text, integer, integer, integer, integer, integer),
    login_give_back(text, text, boolean),
    password_begin(uuid, text, integer, integer, integer, integer, integer),
    password_set(uuid, text, text, text),
    signup_begin(text, integer, integer),
    housekeeping(integer, integer, integer, integer) TO gess_app;
