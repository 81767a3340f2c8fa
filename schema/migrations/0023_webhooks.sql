-- 0023_webhooks: signed webhooks (issue 17). Other systems (a CRM, a badge
-- printer, the IIMP's site) register an endpoint for some events; each
-- event becomes one outbox row per endpoint that wants it (channel
-- 'webhook'), delivered by `gessd notify` in its own lane with the row's
-- message_id as the Standard Webhooks `webhook-id`, so a receiver drops
-- the duplicates that at-least-once delivery brings. Each attempt is logged
-- (webhook_deliveries), kept outbox_retention_days.

CREATE TABLE webhooks (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    url             text NOT NULL CHECK (url ~ '^https?://[^/?#@]+' AND length(url) <= 2000),
    -- the events it wants; the list grows by a migration, as this CHECK does
    events          text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 9 AND events <@ ARRAY[
                        'registration.created', 'registration.confirmed',
                        'registration.cancelled', 'registration.checked_in',
                        'schedule.released', 'series_event.changed', 'pact.updated',
                        'measurement.verified', 'practice.published']),
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    active          boolean NOT NULL DEFAULT true,
    -- the signing key, as decoded from the whsec_ secret shown once: the
    -- sender needs it in clear to sign (an HMAC key cannot be hashed away)
    secret          bytea NOT NULL CHECK (length(secret) BETWEEN 24 AND 64),
    -- after a rotation the old key signs too, until previous_secret_until,
    -- so receivers can switch without dropping a delivery (Standard
    -- Webhooks: one signature per key, space separated)
    previous_secret       bytea CHECK (length(previous_secret) BETWEEN 24 AND 64),
    previous_secret_until timestamptz,
    -- set when gess disabled it (a 410 from the receiver), cleared when an
    -- admin activates it again
    disabled_at     timestamptz,
    disabled_reason text CHECK (length(disabled_reason) <= 500),
    created_by      uuid REFERENCES accounts ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_created ON webhooks (created_at, id);

-- A webhook row is its endpoint's: deleting the endpoint drops its queue
-- and its log. The mail rows keep webhook_id NULL.
ALTER TABLE outbox
    DROP CONSTRAINT outbox_channel_check,
    ADD CONSTRAINT outbox_channel_check CHECK (channel IN ('mail', 'webhook')),
    ADD COLUMN webhook_id uuid REFERENCES webhooks ON DELETE CASCADE,
    ADD CONSTRAINT outbox_webhook_check CHECK ((channel = 'webhook') = (webhook_id IS NOT NULL));

-- Claiming is per channel now: the mail lane must not walk past a backlog
-- of webhook rows for a dead endpoint to find its mail, nor the webhook
-- lane past mail.
DROP INDEX outbox_claim_order;
CREATE INDEX outbox_claim_order ON outbox (channel, priority, next_attempt_at)
    WHERE status = 'pending';
-- An endpoint's queue in claim order: the claim takes the first due rows
-- of each endpoint (so one endpoint's backlog never hides another's new
-- rows), and disabling one reads its pending rows. Every webhook kind has
-- the same priority, so the order is next_attempt_at alone: the scan ends
-- at the first row not yet due, however long a failing endpoint's backlog.
-- And all its rows, for the cascade of a deleted endpoint (mail rows stay
-- out).
CREATE INDEX outbox_webhook_pending ON outbox (webhook_id, next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX outbox_webhook ON outbox (webhook_id) WHERE webhook_id IS NOT NULL;

-- A claim writes locked_until and attempts, which no index holds: with
-- room left on the row's page the new version stays there (a HOT update,
-- no index touched), and a delivery costs one update through the indexes
-- (its outcome) instead of two. New pages keep a tenth free for it.
ALTER TABLE outbox SET (fillfactor = 90);

-- One row per attempt: what was sent (headers and body), what came back
-- (status, the first 64 KiB of the body) or why nothing did, and how long.
CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    webhook_id      uuid NOT NULL REFERENCES webhooks ON DELETE CASCADE,
    outbox_id       bigint NOT NULL REFERENCES outbox ON DELETE CASCADE,
    attempt         integer NOT NULL CHECK (attempt >= 1),
    url             text NOT NULL,
    request_headers jsonb NOT NULL,
    request_body    text NOT NULL,
    -- NULL: no HTTP answer (refused, timed out, connection failed)
    response_status integer CHECK (response_status BETWEEN 100 AND 999),
    response_body   text NOT NULL DEFAULT '' CHECK (octet_length(response_body) <= 65536),
    error           text CHECK (length(error) <= 2000),
    duration_ms     integer NOT NULL CHECK (duration_ms >= 0),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at DESC, id);
CREATE INDEX webhook_deliveries_outbox ON webhook_deliveries (outbox_id);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON webhooks, webhook_deliveries TO gess_app;
