-- outbox.sql — delivering the outbox (issue 16; table: schema/migrations/
-- 0013_baseline.sql and 0019_outbox.sql): the priority set from the kind,
-- the wake-up of the sender for urgent rows, claiming with a lease, the
-- outcome of an attempt, the admin list and retry, the payload purge and
-- the /metrics gauges.

-- 0 a mail the person is waiting for at the screen (verification, reset),
-- 1 the outcome of something they did, 2 reminders and change notices.
-- One place, so writers need not know (the trigger below reads it).
CREATE OR REPLACE FUNCTION outbox_priority(p_kind text) RETURNS smallint
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p_kind IN ('email_verification', 'password_reset') THEN 0
        WHEN p_kind IN ('registration_created', 'registration_promoted', 'registration_approved',
                        'registration_rejected', 'registration_cancelled',
                        'series_rsvp_confirmed', 'practice_reviewed') THEN 1
        ELSE 2 END::smallint
$$;

-- Reminder kinds carry List-Unsubscribe and are skipped for an account
-- that opted out of reminders: the four of README's Mail section
-- (commitment_overdue was missing, so its mail went without List-Unsubscribe
-- and to accounts that had opted out; test_mail_e2e.py).
CREATE OR REPLACE FUNCTION outbox_is_reminder(p_kind text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_kind IN ('series_rsvp_reminder', 'milestone_due_soon', 'milestone_overdue',
                      'commitment_overdue')
$$;

CREATE OR REPLACE FUNCTION outbox_set_priority() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.priority := outbox_priority(NEW.kind);
    -- give-up counts from when the row is first due (0019_outbox.sql)
    NEW.due_since := NEW.next_attempt_at;
    RETURN NEW;
END
$$;

-- Only urgent rows wake the sender at once: NOTIFY takes a database-wide
-- lock at commit that serialises every committing transaction, which a
-- registration rush cannot afford; the other rows are found by the poll
-- (outbox_poll_ms).
CREATE OR REPLACE FUNCTION outbox_wake() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gess_outbox', '');
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER outbox_priority
    BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_set_priority();
CREATE OR REPLACE TRIGGER outbox_wake
    AFTER INSERT ON outbox FOR EACH ROW WHEN (NEW.priority = 0) EXECUTE FUNCTION outbox_wake();

-- gessd notify: claims up to p_limit due rows of p_channel, most urgent
-- first, leasing them for p_lease_s seconds (a sender killed mid-batch
-- leaves rows that are claimed again once the lease is over; SKIP LOCKED
-- and the lease keep several senders off each other's rows). The
-- recipient is the row's to_email or the account's current address; no
-- email means the account is gone (erased). The account columns of later
-- migrations (language, unsubscribe_key, reminders_opt_out: issue 16's
-- account flows) are read through to_jsonb so this file works with and
-- without them.
--
-- locked_until is the claim's own mark (one now() for the whole claim):
-- outbox_delivered and outbox_failed act only on rows still holding it, so
-- the late outcome of a lease that ran out (and may have been claimed by
-- another sender) changes nothing. verified: the address was proved (an
-- address fixed at write time, to_email, counts as such: its writer chose
-- it), read through to_jsonb like the other account columns of 0020.
-- The return type changed (locked_until, due_since, verified): CREATE OR
-- REPLACE cannot change it, so a function of the old one is dropped first,
-- and only that one (a second migrate changes nothing).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_proc
                WHERE oid = to_regprocedure('outbox_claim(text,integer,integer)')
                  AND NOT 'verified' = ANY (proargnames)) THEN
        DROP FUNCTION outbox_claim(text, integer, integer);
    END IF;
END
$$;
CREATE OR REPLACE FUNCTION outbox_claim(p_channel text, p_limit integer, p_lease_s integer)
RETURNS TABLE (id bigint, message_id uuid, kind text, payload jsonb, priority smallint,
               attempts integer, created_at timestamptz, email text, full_name text,
               language text, unsubscribe_key text, reminder boolean, opted_out boolean,
               locked_until timestamptz, due_since timestamptz, verified boolean)
LANGUAGE sql AS $$
    WITH due AS (
        SELECT o.id FROM outbox o
         WHERE o.status = 'pending' AND o.channel = p_channel AND o.next_attempt_at <= now()
           AND (o.locked_until IS NULL OR o.locked_until <= now())
         ORDER BY o.priority, o.next_attempt_at
         LIMIT p_limit
           FOR UPDATE SKIP LOCKED),
    taken AS (
        UPDATE outbox o
           SET locked_until = now() + make_interval(secs => p_lease_s), attempts = o.attempts + 1
          FROM due WHERE o.id = due.id
        RETURNING o.*)
    SELECT t.id, t.message_id, t.kind, t.payload, t.priority, t.attempts, t.created_at,
           coalesce(t.to_email, a.email), a.full_name,
           coalesce(to_jsonb(a) ->> 'language', 'es'),
           to_jsonb(a) ->> 'unsubscribe_key',
           outbox_is_reminder(t.kind),
           coalesce((to_jsonb(a) ->> 'reminders_opt_out')::boolean, false),
           t.locked_until, t.due_since,
           t.to_email IS NOT NULL OR (to_jsonb(a) ->> 'email_verified_at') IS NOT NULL
      FROM taken t LEFT JOIN accounts a ON a.id = t.account_id
     ORDER BY t.priority, t.next_attempt_at, t.id
$$;

-- The rows a sender delivered. Only its own leased pending rows, still
-- held by its claim (p_lock, the claim's locked_until): a row an admin
-- changed meanwhile is left as the admin left it, and one whose lease ran
-- out and was claimed again belongs to the new claim. A token (verification,
-- reset: priority 0) is of no use once sent and must not sit in the table
-- until the purge; a dead row keeps it for an admin's retry.
DROP FUNCTION IF EXISTS outbox_delivered(bigint[]);
CREATE OR REPLACE FUNCTION outbox_delivered(p_ids bigint[], p_lock timestamptz)
RETURNS integer
LANGUAGE sql AS $$
    WITH d AS (
        UPDATE outbox SET status = 'sent', sent_at = now(), locked_until = NULL, last_error = NULL,
                          payload = CASE WHEN priority = 0 THEN payload - 'token' ELSE payload END
         WHERE id = ANY (p_ids) AND status = 'pending' AND locked_until = p_lock
        RETURNING 1)
    SELECT count(*)::integer FROM d
$$;

-- A failed attempt: tried again at p_retry_at, or dead when it is NULL
-- (a permanent refusal, past mail_give_up_s, or no recipient). Like
-- outbox_delivered, only while the claim p_lock still holds the row.
DROP FUNCTION IF EXISTS outbox_failed(bigint, text, timestamptz);
CREATE OR REPLACE FUNCTION outbox_failed(p_id bigint, p_error text, p_retry_at timestamptz,
                                         p_lock timestamptz)
RETURNS void
LANGUAGE sql AS $$
    UPDATE outbox
       SET status = CASE WHEN p_retry_at IS NULL THEN 'dead' ELSE 'pending' END,
           next_attempt_at = coalesce(p_retry_at, next_attempt_at),
           locked_until = NULL, last_error = left(p_error, 2000)
     WHERE id = p_id AND status = 'pending' AND locked_until = p_lock
$$;

-- A sender stopping (SIGTERM) hands back the rows it claimed but did not
-- try: claimable at once, and the attempt it counted is not counted.
CREATE OR REPLACE FUNCTION outbox_release(p_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE outbox SET locked_until = NULL, attempts = greatest(attempts - 1, 0)
     WHERE id = ANY (p_ids) AND status = 'pending'
$$;

-- One row as the admin routes show it: its id is the message id (a UUID,
-- like every id on the API, and the one in the mail's Message-ID). The
-- payload of urgent rows holds a token in clear until it is sent: never
-- shown.
CREATE OR REPLACE FUNCTION outbox_item(o outbox) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', o.message_id, 'kind', o.kind, 'channel', o.channel,
        'priority', o.priority, 'status', o.status, 'attempts', o.attempts,
        'account_id', o.account_id, 'created_at', o.created_at, 'sent_at', o.sent_at,
        'next_attempt_at', o.next_attempt_at, 'last_error', o.last_error,
        'payload', CASE WHEN o.priority = 0 THEN NULL ELSE o.payload END)
$$;

-- GET /v1/outbox?status= (admins): newest first, cursor paged (the cursor
-- is the row's place in the table, not an id).
CREATE OR REPLACE FUNCTION outbox_list(p_status text, p_cursor bigint, p_limit integer)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH page AS (
        SELECT o.id, outbox_item(o) AS item
          FROM outbox o
         WHERE (p_status IS NULL OR o.status = p_status)
           AND (p_cursor IS NULL OR o.id < p_cursor)
         ORDER BY o.id DESC LIMIT p_limit + 1)
    SELECT core_answer(200, core_page(array_agg(g.item ORDER BY g.id DESC),
                                      array_agg(g.id::text ORDER BY g.id DESC), p_limit))
      FROM page g
$$;

-- POST /v1/outbox/{id}/retry (admins): a dead row is pending again at
-- once with its attempts reset; any other status is 409.
CREATE OR REPLACE FUNCTION outbox_retry(p_id uuid) RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    o outbox;
BEGIN
    SELECT * INTO o FROM outbox WHERE message_id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    ELSIF o.status <> 'dead' OR o.payload = '{}' THEN
        -- a purged payload (outbox_purge) has nothing left to render: a
        -- retry would only die again with a mail that does not render
        RETURN core_problem(409, 'invalid-state');
    END IF;
    UPDATE outbox
       SET status = 'pending', attempts = 0, next_attempt_at = now(), locked_until = NULL,
           last_error = NULL, due_since = now()
     WHERE id = o.id
    RETURNING * INTO o;
    RETURN core_answer(200, outbox_item(o));
END
$$;

-- Housekeeping: a delivered row keeps its kind, times and recipient (the
-- export lists them) but not its body past the retention; a dead row past
-- it will not be retried, and its payload may hold a token.
CREATE OR REPLACE FUNCTION outbox_purge(p_days integer) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    d bigint;
BEGIN
    UPDATE outbox SET payload = '{}'
     WHERE status IN ('sent', 'dead') AND payload <> '{}'
       AND coalesce(sent_at, created_at) < now() - make_interval(days => p_days);
    GET DIAGNOSTICS n = ROW_COUNT;
    -- the webhook delivery log (0023) holds the same bodies and what the
    -- receivers answered: kept as long
    DELETE FROM webhook_deliveries WHERE created_at < now() - make_interval(days => p_days);
    GET DIAGNOSTICS d = ROW_COUNT;
    IF n = 0 AND d = 0 THEN
        RETURN '0';
    END IF;
    RETURN format('purged the payloads of %s outbox rows and %s webhook deliveries past %s days',
                  n, d, p_days);
END
$$;

-- /metrics on serve: the due backlog and how long its oldest has waited,
-- as Prometheus text (core/metrics.c appends it as it is).
CREATE OR REPLACE FUNCTION outbox_gauges() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT format(E'# HELP gess_outbox_backlog Outbox rows pending and due.\n'
                  '# TYPE gess_outbox_backlog gauge\ngess_outbox_backlog %s\n'
                  '# HELP gess_outbox_oldest_due_seconds How long the oldest due row has waited.\n'
                  '# TYPE gess_outbox_oldest_due_seconds gauge\n'
                  'gess_outbox_oldest_due_seconds %s\n',
                  count(*),
                  coalesce(round(extract(epoch FROM now() - min(next_attempt_at)), 3), 0))
      FROM outbox WHERE status = 'pending' AND next_attempt_at <= now()
$$;

GRANT EXECUTE ON FUNCTION outbox_claim(text, integer, integer),
    outbox_delivered(bigint[], timestamptz), outbox_failed(bigint, text, timestamptz, timestamptz),
    outbox_release(bigint[]),
    outbox_list(text, bigint, integer), outbox_retry(uuid), outbox_purge(integer),
    outbox_gauges() TO gess_app;
