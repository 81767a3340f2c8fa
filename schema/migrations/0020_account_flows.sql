-- 0020_account_flows: email verification, password reset, the account's
-- language and one-click unsubscribe from reminders (issue 16; DESIGN.md §6).

-- The language mail is written in; 'es' for everyone until they say.
ALTER TABLE accounts
    ADD COLUMN language text NOT NULL DEFAULT 'es' CHECK (language IN ('es', 'en')),
    -- NULL until the person proves the address is theirs; registering for
    -- an edition needs it (require_verified_email)
    ADD COLUMN email_verified_at timestamptz,
    -- the List-Unsubscribe token: it can only opt out of reminders, so it
    -- is kept plain (a leak costs a reminder, not the account)
    ADD COLUMN unsubscribe_key uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN reminders_opt_out boolean NOT NULL DEFAULT false;
ALTER TABLE accounts ADD CONSTRAINT accounts_unsubscribe_key_key UNIQUE (unsubscribe_key);

-- Accounts made before verification existed were made by people (or
-- admins) the congress already deals with: asking all of them to verify
-- on the morning of the event would lock them out of registering.
UPDATE accounts SET email_verified_at = now();

-- Single-use tokens mailed to the account's address: 'verify' (48 h)
-- proves the address, 'reset' (1 h) sets a new password. Only the SHA-256
-- of the token is kept: a copy of the database cannot verify or reset.
CREATE TABLE account_tokens (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('verify', 'reset')),
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX account_tokens_account ON account_tokens (account_id, purpose);

-- How many account mails (verification resends, reset requests) a key
-- asked for in its window: 'e:<email>' and 'a:<client address>'. Apart
-- from login_attempts because its window is an hour, not login_window_s,
-- and the login throttle's housekeeping would forget these rows early.
CREATE TABLE account_mail_attempts (
    key          text PRIMARY KEY,
    window_start timestamptz NOT NULL DEFAULT now(),
    count        integer NOT NULL DEFAULT 0
);
CREATE INDEX account_mail_attempts_window ON account_mail_attempts (window_start);

GRANT SELECT, INSERT, UPDATE, DELETE ON account_tokens, account_mail_attempts TO gess_app;
