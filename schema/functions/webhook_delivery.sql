-- webhook_delivery.sql — webhooks from event to delivery (issue 17; tables:
-- schema/migrations/0023_webhooks.sql): the events, written by triggers so
-- that every path that changes a registration, a release, a series event, a
-- pact, a measurement or a practice is heard, whoever wrote it; the claim
-- of gessd notify's webhook lane; and the record of its attempts. The admin
-- routes are in webhooks.sql.
--
-- An event is one outbox row per active endpoint that wants it; its
-- payload is the body sent, {type, timestamp, data}, data holding ids (thin
-- payloads: a receiver that needs more asks the API, with its own rights).

CREATE OR REPLACE FUNCTION webhook_body(p_type text, p_data jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'type', p_type,
        'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'data', p_data)
$$;

CREATE OR REPLACE FUNCTION webhook_emit(p_type text, p_data jsonb) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO outbox (kind, channel, webhook_id, payload)
    SELECT p_type, 'webhook', w.id, webhook_body(p_type, p_data)
      FROM webhooks w
     WHERE w.active AND p_type = ANY (w.events)
     ORDER BY w.created_at, w.id
$$;

-- A registration's events carry the same data: what a receiver needs to
-- find it through the API.
CREATE OR REPLACE FUNCTION webhook_registration_data(p_reg registrations) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', p_reg.id, 'edition', ed.slug, 'account_id', p_reg.account_id,
                              'category', c.code, 'mode', p_reg.mode, 'status', p_reg.status)
      FROM editions ed, categories c
     WHERE ed.id = p_reg.edition_id AND c.id = p_reg.category_id
$$;

-- A new registration is told at commit, as it stands then: registration_
-- create inserts it confirmed and takes the seat after (so the seat's lock
-- is held the shortest time), and a seat taken meanwhile makes it
-- waitlisted in the same transaction; an event fired at the insert would
-- have announced a confirmation that never was. So this is a deferred
-- constraint trigger reading the row at commit: registration.created with
-- the final status, and .confirmed (or .checked_in) when that is what it
-- is. A path that inserts and then confirms or cancels in one transaction
-- would be told twice (the update below too): none does.
CREATE OR REPLACE FUNCTION webhook_registration_created() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    cur registrations;
    d jsonb;
BEGIN
    -- the usual case of a rush: no endpoint at all, nothing to read
    IF NOT EXISTS (SELECT 1 FROM webhooks WHERE active) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO cur FROM registrations WHERE id = NEW.id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    d := webhook_registration_data(cur);
    PERFORM webhook_emit('registration.created', d);
    IF cur.status IN ('confirmed', 'checked_in') THEN
        PERFORM webhook_emit('registration.' || cur.status, d);
    END IF;
    RETURN NULL;
END
$$;

-- Changes come in sets (a cancellation promotes from the waitlist; issue
-- 20 admits in batches): per statement, over the transition tables, one
-- INSERT for the whole set. The statuses told are final ones: a
-- registration becomes confirmed (a promotion, an approval), cancelled or
-- checked in; waitlisted, pending and rejected have no event.
CREATE OR REPLACE FUNCTION webhook_registrations_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhooks WHERE active) THEN
        RETURN NULL;
    END IF;
    INSERT INTO outbox (kind, channel, webhook_id, payload)
    SELECT e.type, 'webhook', w.id, webhook_body(e.type, e.data)
      FROM (SELECT 'registration.' || n.status AS type, n.id,
                   jsonb_build_object('id', n.id, 'edition', ed.slug,
                                      'account_id', n.account_id, 'category', c.code,
                                      'mode', n.mode, 'status', n.status) AS data
              FROM new_rows n
              JOIN old_rows o ON o.id = n.id
              JOIN editions ed ON ed.id = n.edition_id
              JOIN categories c ON c.id = n.category_id
             WHERE n.status IS DISTINCT FROM o.status
               AND n.status IN ('confirmed', 'cancelled', 'checked_in')) e
      JOIN webhooks w ON w.active AND e.type = ANY (w.events)
     ORDER BY e.id, w.created_at, w.id;
    RETURN NULL;
END
$$;

-- CREATE OR REPLACE does not take constraint triggers: dropped and made
-- again on each load of this file.
DROP TRIGGER IF EXISTS webhook_registrations_inserted ON registrations;
DROP TRIGGER IF EXISTS webhook_registration_created ON registrations;
CREATE CONSTRAINT TRIGGER webhook_registration_created
    AFTER INSERT ON registrations DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION webhook_registration_created();
CREATE OR REPLACE TRIGGER webhook_registrations_updated
    AFTER UPDATE ON registrations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_registrations_changed();

CREATE OR REPLACE FUNCTION webhook_schedule_released() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM webhook_emit('schedule.released',
                         jsonb_build_object('id', NEW.id, 'version', NEW.version,
                                            'edition', (SELECT slug FROM editions
                                                         WHERE id = NEW.edition_id)));
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER webhook_schedule_released
    AFTER INSERT ON schedule_releases FOR EACH ROW EXECUTE FUNCTION webhook_schedule_released();

-- Created, changed (any column: a calendar raises its SEQUENCE for less)
-- or cancelled.
CREATE OR REPLACE FUNCTION webhook_series_event_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NULL;
    END IF;
    PERFORM webhook_emit('series_event.changed',
                         jsonb_build_object(
                             'id', NEW.id,
                             'edition', (SELECT slug FROM editions WHERE id = NEW.edition_id),
                             'change', CASE
                                 WHEN TG_OP = 'INSERT' THEN 'created'
                                 WHEN NEW.status = 'cancelled' AND OLD.status <> 'cancelled'
                                     THEN 'cancelled'
                                 ELSE 'updated' END,
                             'sequence', NEW.sequence));
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER webhook_series_event_changed
    AFTER INSERT OR UPDATE ON series_events
    FOR EACH ROW EXECUTE FUNCTION webhook_series_event_changed();

-- Everything that changes in a pact (its parties, commitments, indicators,
-- measurements, milestones) is in its audit trail already: one event per
-- pact per statement, naming what kinds of things changed.
CREATE OR REPLACE FUNCTION webhook_pact_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhooks WHERE active AND 'pact.updated' = ANY (events)) THEN
        RETURN NULL;
    END IF;
    PERFORM webhook_emit('pact.updated',
                         jsonb_build_object('id', a.pact_id, 'edition', ed.slug,
                                            'changed', a.changed))
       FROM (SELECT pact_id, jsonb_agg(DISTINCT entity ORDER BY entity) AS changed,
                    min(id) AS first
               FROM new_rows GROUP BY pact_id) a
       JOIN pacts p ON p.id = a.pact_id
       JOIN editions ed ON ed.id = p.edition_id
      ORDER BY a.first;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER webhook_pact_updated
    AFTER INSERT ON pact_audit REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_pact_updated();

CREATE OR REPLACE FUNCTION webhook_measurement_verified() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = 'verified' THEN
        RETURN NULL;
    END IF;
    PERFORM webhook_emit('measurement.verified',
                         jsonb_build_object('id', NEW.id, 'indicator_id', NEW.indicator_id,
                                            'commitment_id', c.id, 'pact_id', c.pact_id,
                                            'value', NEW.value, 'as_of', NEW.as_of))
       FROM indicators i JOIN commitments c ON c.id = i.commitment_id
      WHERE i.id = NEW.indicator_id;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER webhook_measurement_verified
    AFTER INSERT OR UPDATE OF status ON measurements
    FOR EACH ROW WHEN (NEW.status = 'verified')
    EXECUTE FUNCTION webhook_measurement_verified();

-- Published for the first time, a new revision published, or restored by
-- a curator: each time the public text is (again) what the receiver
-- should show.
CREATE OR REPLACE FUNCTION webhook_practice_published() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = 'published' AND OLD.revision = NEW.revision THEN
        RETURN NULL;
    END IF;
    PERFORM webhook_emit('practice.published',
                         jsonb_build_object('id', NEW.id, 'revision', NEW.revision));
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER webhook_practice_published
    AFTER INSERT OR UPDATE ON practices
    FOR EACH ROW WHEN (NEW.status = 'published')
    EXECUTE FUNCTION webhook_practice_published();

-- The webhook lane's claim: like outbox_claim (outbox.sql), due rows of
-- active endpoints leased for p_lease_s, with the endpoint's url and
-- secret. Each endpoint gives its first due rows, up to p_per_endpoint
-- less those the lane has in flight to it (p_busy: {webhook id: posts},
-- counted by the lane, which knows them without a read), so a hanging
-- endpoint holds a few of the lane's slots, not all of them, and its
-- backlog, however long, never stands before another endpoint's rows. The
-- limit is per lane: two notify processes may each have p_per_endpoint in
-- flight to one endpoint. previous_secret: the key a rotation replaced,
-- while it still signs (webhooks_rotate_secret).
DROP FUNCTION IF EXISTS webhook_claim(integer, integer, integer);
CREATE OR REPLACE FUNCTION webhook_claim(p_limit integer, p_lease_s integer,
                                         p_per_endpoint integer, p_busy jsonb)
RETURNS TABLE (id bigint, message_id uuid, kind text, body text, attempts integer,
               due_since timestamptz, locked_until timestamptz, url text, secret text,
               previous_secret text, webhook_id uuid)
LANGUAGE plpgsql
-- JIT compiles a plan whose estimated cost passes jit_above_cost, which
-- this small claim reached on a large outbox: 10-17 % of a bench run went
-- to LLVM for nothing
SET jit = off
AS $$
#variable_conflict use_column
BEGIN
    -- PL/pgSQL, so the plan is made once per connection (an SQL function
    -- that cannot be inlined is planned on every call). The ids go through
    -- ARRAY(...) at each step, so each is a short index read and a few
    -- primary-key lookups: written as joins (IN, FROM) the planner hashed
    -- every pending row of the table on each claim, 27 ms a claim at
    -- 10,000 pending rows (bench part i3).
    RETURN QUERY
    WITH taken AS (
        UPDATE outbox o
           SET locked_until = now() + make_interval(secs => p_lease_s), attempts = o.attempts + 1
         WHERE o.id = ANY (ARRAY(
               SELECT d.id FROM outbox d
                WHERE d.id = ANY (ARRAY(
                      SELECT c.id
                        FROM webhooks w
                       CROSS JOIN LATERAL (
                             SELECT e.id, e.next_attempt_at
                               FROM outbox e
                              WHERE e.webhook_id = w.id AND e.status = 'pending'
                                AND e.next_attempt_at <= now()
                                AND (e.locked_until IS NULL OR e.locked_until <= now())
                              ORDER BY e.next_attempt_at
                              LIMIT greatest(p_per_endpoint
                                             - coalesce((p_busy ->> w.id::text)::integer, 0),
                                             0)) c
                       WHERE w.active
                       ORDER BY c.next_attempt_at, c.id
                       LIMIT p_limit))
                  AND d.status = 'pending'
                  AND (d.locked_until IS NULL OR d.locked_until <= now())
                  FOR UPDATE SKIP LOCKED))
        RETURNING o.*)
    SELECT t.id, t.message_id, t.kind, t.payload::text, t.attempts, t.due_since, t.locked_until,
           -- encode() breaks base64 into lines of 76: a key over 57 bytes
           -- would not decode as one
           w.url, translate(encode(w.secret, 'base64'), E'\n', ''),
           CASE WHEN w.previous_secret_until > now()
                THEN translate(encode(w.previous_secret, 'base64'), E'\n', '') END,
           w.id
      FROM taken t JOIN webhooks w ON w.id = t.webhook_id
     ORDER BY t.next_attempt_at, t.id;
END
$$;

-- The outcomes of finished attempts, many in one call (the lane records
-- what completed together): each is logged, and its row is sent, retried
-- at retry_at, or dead (retry_at NULL) — only while the attempt's claim
-- (lock: its locked_until) still holds the row, as in outbox_delivered.
-- outcome 'gone' (a 410) disables the endpoint and ends its queue: the
-- receiver said it will never want these.
--
-- p_results: [{id, lock, attempt, url, headers, body, status, response,
-- error, duration_ms, outcome: sent|retry|gone, retry_at (epoch s)}]
CREATE OR REPLACE FUNCTION webhook_results(p_results jsonb)
RETURNS TABLE (id bigint, lock timestamptz, attempt integer, url text, headers jsonb,
               body text, status integer, response text, error text, duration_ms integer,
               outcome text, retry_at float8)
-- a batch is tens of rows, not the default estimate of 1000 for a set-
-- returning function: with it the planner hashed the whole outbox to join
-- them (bench part i3)
LANGUAGE sql STABLE ROWS 32 AS $$
    SELECT * FROM jsonb_to_recordset(p_results) AS x(
        id bigint, lock timestamptz, attempt integer, url text, headers jsonb, body text,
        status integer, response text, error text, duration_ms integer, outcome text,
        retry_at float8)
$$;

CREATE OR REPLACE FUNCTION webhook_record(p_results jsonb) RETURNS integer
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    n integer;
BEGIN
    -- an endpoint deleted meanwhile took its rows along: nothing to log
    INSERT INTO webhook_deliveries (webhook_id, outbox_id, attempt, url, request_headers,
                                    request_body, response_status, response_body, error,
                                    duration_ms)
    SELECT o.webhook_id, o.id, r.attempt, r.url, r.headers, r.body, r.status,
           coalesce(r.response, ''), left(r.error, 2000), greatest(r.duration_ms, 0)
      FROM webhook_results(p_results) r JOIN outbox o ON o.id = r.id
     ORDER BY r.id;

    UPDATE outbox o
       SET status = CASE WHEN r.outcome = 'sent' THEN 'sent'
                         WHEN r.outcome = 'retry' AND r.retry_at IS NOT NULL THEN 'pending'
                         ELSE 'dead' END,
           sent_at = CASE WHEN r.outcome = 'sent' THEN now() END,
           next_attempt_at = CASE WHEN r.outcome = 'retry' AND r.retry_at IS NOT NULL
                                  THEN to_timestamp(r.retry_at) ELSE o.next_attempt_at END,
           locked_until = NULL,
           last_error = CASE WHEN r.outcome = 'sent' THEN NULL
                             ELSE left(coalesce(r.error, 'HTTP ' || r.status), 2000) END
      FROM webhook_results(p_results) r
     WHERE o.id = r.id AND o.status = 'pending' AND o.locked_until = r.lock;
    GET DIAGNOSTICS n = ROW_COUNT;

    -- the row of the 410 is dead already (above); the rest of the queue,
    -- rows in flight included, ends here
    WITH gone AS (
        UPDATE webhooks w
           SET active = false, disabled_at = now(), updated_at = now(),
               disabled_reason = format('410 Gone from %s at %s', r.url,
                                        to_char(now() AT TIME ZONE 'UTC',
                                                'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
          FROM webhook_results(p_results) r JOIN outbox o ON o.id = r.id
         WHERE r.outcome = 'gone' AND w.id = o.webhook_id AND w.active
           -- an admin who moved the endpoint meanwhile is not overruled by
           -- the old address's 410
           AND w.url = r.url
        RETURNING w.id)
    UPDATE outbox o
       SET status = 'dead', locked_until = NULL,
           last_error = 'the endpoint answered 410 Gone and was disabled'
      FROM gone
     WHERE o.webhook_id = gone.id AND o.status = 'pending';
    RETURN n;
END
$$;

-- A stopping lane hands back the rows it abandoned in flight: like
-- outbox_release, but only those its claims still hold (p_locks, one per
-- id): a row whose lease ran out meanwhile may be another sender's now.
CREATE OR REPLACE FUNCTION webhook_release(p_ids bigint[], p_locks timestamptz[])
RETURNS void
LANGUAGE sql AS $$
    UPDATE outbox o SET locked_until = NULL, attempts = greatest(o.attempts - 1, 0)
      FROM unnest(p_ids, p_locks) AS x(id, lock)
     WHERE o.id = x.id AND o.status = 'pending' AND o.locked_until = x.lock
$$;

GRANT EXECUTE ON FUNCTION webhook_claim(integer, integer, integer, jsonb), webhook_record(jsonb),
    webhook_release(bigint[], timestamptz[]) TO gess_app;
