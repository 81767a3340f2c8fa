-- 0001_core: roles, accounts, login tokens and login throttling.
--
-- Migrations run as the owner role named in GESS_DATABASE_URL. gessd serves
-- as gess_app (SET ROLE after connecting), which gets only the DML it needs.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gess_app') THEN
        CREATE ROLE gess_app NOLOGIN;
    END IF;
    -- The owner must be able to SET ROLE gess_app.
    IF NOT pg_has_role(current_user, 'gess_app', 'MEMBER') THEN
        EXECUTE format('GRANT gess_app TO %I', current_user);
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO gess_app;

CREATE TABLE accounts (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- normalised (trimmed, lower-case) by gessd; unique below
    email          text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    password_hash  text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    full_name      text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    organization   text NOT NULL DEFAULT '' CHECK (length(organization) <= 200),
    -- NULL only for accounts made on the command line (gessd admin create)
    sector         text CHECK (sector IN ('public', 'private', 'academia', 'civil_society',
                                          'community', 'cooperation', 'media')),
    country        text CHECK (country ~ '^[A-Z]{2}$'),
    region         text CHECK (length(region) <= 100),
    roles          text[] NOT NULL DEFAULT '{}'
                   CHECK (roles <@ ARRAY['admin', 'organizer', 'followup']::text[]),
    -- consent to the processing of personal data (Ley 29733), with the
    -- version of the policy the person accepted
    consent_at     timestamptz,
    consent_policy text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT accounts_email_key UNIQUE (email)
);

-- Bearer tokens: only a BLAKE2b-256 hash of the token is kept.
CREATE TABLE tokens (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id   uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX tokens_account_idx ON tokens (account_id);

-- Login attempts per key ('e:' email, 'a:' client address) in a fixed
-- window; kept in PostgreSQL so every gessd process shares them.
CREATE TABLE login_attempts (
    key          text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    count        integer NOT NULL CHECK (count >= 0)
);

GRANT SELECT, INSERT, UPDATE ON accounts TO gess_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON tokens, login_attempts TO gess_app;

-- admin implies organizer and followup (DESIGN.md §3).
CREATE FUNCTION effective_roles(r text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN 'admin' = ANY (r) THEN ARRAY['admin', 'organizer', 'followup']
                ELSE ARRAY(SELECT x FROM unnest(ARRAY['organizer', 'followup']) x
                           WHERE x = ANY (r)) END
$$;

-- The public shape of an account: never a secret. (row_to_json writes
-- compact JSON; json_build_object would pad every key with spaces.)
CREATE FUNCTION account_json(a accounts) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT row_to_json(x) FROM (
        SELECT a.id, a.email, a.full_name, a.organization, a.sector, a.country, a.region,
               effective_roles(a.roles) AS roles, a.created_at) x
$$;

-- Counts a login attempt for the email and the address before the password
-- is checked (so concurrent guesses cannot slip past the limit), and says
-- how long to wait when either is over its limit. A success gives the
-- attempts back (login_succeeded in services/accounts/login.c).
CREATE FUNCTION login_begin(p_email text, p_addr text, p_window integer,
                            p_max_email integer, p_max_addr integer,
                            OUT retry_after integer, OUT account_id uuid,
                            OUT password_hash text)
LANGUAGE plpgsql AS $$
DECLARE
    w interval := make_interval(secs => p_window);
BEGIN
    WITH bump AS (
        INSERT INTO login_attempts AS l (key, window_start, count)
        VALUES ('e:' || p_email, now(), 1), ('a:' || p_addr, now(), 1)
        ON CONFLICT (key) DO UPDATE SET
            count = CASE WHEN l.window_start <= now() - w THEN 1 ELSE l.count + 1 END,
            window_start = CASE WHEN l.window_start <= now() - w THEN now()
                                ELSE l.window_start END
        RETURNING l.key, l.count, l.window_start
    )
    SELECT max(greatest(1, ceil(extract(epoch FROM b.window_start + w - now()))))::integer
      INTO retry_after
      FROM bump b
     WHERE (b.key LIKE 'e:%' AND b.count > p_max_email)
        OR (b.key LIKE 'a:%' AND b.count > p_max_addr);
    SELECT a.id, a.password_hash INTO account_id, password_hash
      FROM accounts a WHERE a.email = p_email;
END
$$;
