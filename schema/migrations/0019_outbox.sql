-- 0019_outbox: what delivering the outbox needs (issue 16): a stable
-- Message-ID, a channel (webhooks later), a priority so that a password
-- reset never waits behind a thousand reminders, a status with attempts and
-- the next attempt's time for retries, a lease (locked_until) so that a
-- killed sender's rows are claimed again, and an address fixed at write time
-- where the account's current one must not be used (NULL: the account's).
--
-- The priority is set from the kind by a trigger (schema/functions/outbox.sql),
-- so writers keep writing INSERT INTO outbox (kind, account_id, payload).
ALTER TABLE outbox
    ADD COLUMN message_id      uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    ADD COLUMN channel         text NOT NULL DEFAULT 'mail' CHECK (channel IN ('mail')),
    ADD COLUMN priority        smallint NOT NULL DEFAULT 2 CHECK (priority BETWEEN 0 AND 2),
    ADD COLUMN status          text NOT NULL DEFAULT 'pending'
                                   CHECK (status IN ('pending', 'sent', 'dead')),
    ADD COLUMN attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN locked_until    timestamptz,
    ADD COLUMN last_error      text,
    ADD COLUMN to_email        text,
    -- when the row first became due (its first next_attempt_at, set by the
    -- insert trigger; reset by an admin's retry): mail_give_up_s counts from
    -- here, not from created_at, else a reminder written weeks before its
    -- day, or a retried dead row, died on its first temporary failure
    ADD COLUMN due_since       timestamptz NOT NULL DEFAULT now();

-- Rows written before delivery existed: what was sent stays sent.
UPDATE outbox SET status = 'sent' WHERE sent_at IS NOT NULL;
UPDATE outbox SET due_since = created_at;

-- Claiming reads the due pending rows in priority order; sent rows (nearly
-- all of the table) stay out of the index.
CREATE INDEX outbox_claim_order ON outbox (priority, next_attempt_at) WHERE status = 'pending';
-- The admin list (GET /v1/outbox?status=) pages newest first per status.
CREATE INDEX outbox_status_id ON outbox (status, id);
DROP INDEX outbox_unsent;
-- series_reminders_drop and the reminder move (schema/functions/series.sql)
-- find an event's pending reminders by the payload's event id: without this
-- each cancelled or moved event read every pending row.
CREATE INDEX outbox_reminder_event ON outbox ((payload -> 'event' ->> 'id'))
    WHERE kind = 'series_rsvp_reminder' AND status = 'pending';
-- An erasure sets account_id NULL on the person's rows and the export lists
-- them: without an index each would read the whole table.
CREATE INDEX outbox_account ON outbox (account_id);

-- gessd serves as gess_app: the sender updates rows, housekeeping purges
-- payloads (an UPDATE), erasure already deletes.
GRANT SELECT, INSERT, UPDATE, DELETE ON outbox TO gess_app;
