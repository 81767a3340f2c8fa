-- functions/webhooks.sql: the admins' webhook endpoints (issue 17; tables:
-- schema/migrations/0023_webhooks.sql): their JSON, creation with the
-- secret gessd made, the list, edits, deletion, the delivery log and a
-- redelivery. What writes an event's outbox rows and what `gessd notify`
-- calls to deliver them is schema/functions/webhook_delivery.sql.
--
-- gessd has checked every member it passes (services/webhooks/admin.c):
-- these functions read exactly those keys. Every request function answers
-- one api_answer (services/core/req.h "The answer contract").

-- webhook {id, url, events, description, active, disabled_at,
-- disabled_reason, created_at, updated_at, pending}. Never the secret:
-- only the creation's answer shows it, once. pending counts its queue
-- (outbox_webhook_pending), what an admin reads to see a backlog behind a
-- disabled or failing endpoint.
CREATE OR REPLACE FUNCTION webhook_json(w webhooks) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', w.id, 'url', w.url, 'events', w.events, 'description', w.description,
        'active', w.active, 'disabled_at', w.disabled_at, 'disabled_reason', w.disabled_reason,
        'created_at', w.created_at, 'updated_at', w.updated_at,
        'previous_secret_until', CASE WHEN w.previous_secret_until > now()
                                      THEN w.previous_secret_until END,
        'pending', (SELECT count(*) FROM outbox o
                     WHERE o.webhook_id = w.id AND o.status = 'pending'))
$$;

-- The events of a checked body, as the column's text[].
CREATE OR REPLACE FUNCTION webhook_events(p jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY(SELECT jsonb_array_elements_text(p -> 'events'))
$$;

-- POST /v1/webhooks: p {url, events, description?, active?}; p_secret the
-- standard base64 of the random key gessd made (the signing key is those
-- bytes, so the column holds them decoded); p_by the admin. The answer
-- adds secret, "whsec_" and that base64, as Standard Webhooks writes it.
CREATE OR REPLACE FUNCTION webhooks_create(p jsonb, p_secret text, p_by uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    w webhooks;
BEGIN
    INSERT INTO webhooks (url, events, description, active, secret, created_by)
    VALUES (p ->> 'url', webhook_events(p), coalesce(p ->> 'description', ''),
            coalesce((p ->> 'active')::boolean, true), decode(p_secret, 'base64'), p_by)
    RETURNING * INTO w;
    RETURN core_answer(201, (webhook_json(w)::jsonb
                             || jsonb_build_object('secret', 'whsec_' || p_secret))::json);
END
$$;

-- POST /v1/webhooks/{id}/secret: a new key (p_secret, as for the creation)
-- signs from now on; the one it replaces signs beside it for 24 hours, so
-- a receiver can be given the new secret without missing a delivery. The
-- answer shows the new secret, once. A rotation during the overlap ends
-- the oldest key at once: two keys at most.
CREATE OR REPLACE FUNCTION webhooks_rotate_secret(p_id uuid, p_secret text)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    w webhooks;
BEGIN
    UPDATE webhooks
       SET previous_secret = secret, previous_secret_until = now() + interval '24 hours',
           secret = decode(p_secret, 'base64'), updated_at = now()
     WHERE id = p_id
    RETURNING * INTO w;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    RETURN core_answer(200, (webhook_json(w)::jsonb
                             || jsonb_build_object('secret', 'whsec_' || p_secret))::json);
END
$$;

-- GET /v1/webhooks: oldest first (webhooks_created), the cursor the last
-- endpoint's id.
CREATE OR REPLACE FUNCTION webhooks_list(p_cursor uuid, p_limit integer)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH page AS (
        SELECT w, w.id, row_number() OVER (ORDER BY w.created_at, w.id) AS rn
          FROM webhooks w
         WHERE p_cursor IS NULL
            OR (w.created_at, w.id) > (SELECT k.created_at, k.id FROM webhooks k WHERE k.id = p_cursor)
         ORDER BY w.created_at, w.id LIMIT p_limit + 1)
    SELECT core_answer(200, core_page(array_agg(webhook_json(g.w) ORDER BY g.rn),
                                      array_agg(g.id::text ORDER BY g.rn), p_limit))
      FROM page g
$$;

-- GET /v1/webhooks/{id}
CREATE OR REPLACE FUNCTION webhooks_get(p_id uuid)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    SELECT core_found((SELECT webhook_json(w) FROM webhooks w WHERE w.id = p_id))
$$;

-- PATCH /v1/webhooks/{id}: only the members present in p change. active
-- true also clears disabled_at and disabled_reason: the admin has seen why
-- gess disabled it (a 410) and takes it back; its paused queue is claimed
-- again. updated_at moves only when something did.
CREATE OR REPLACE FUNCTION webhooks_patch(p_id uuid, p jsonb)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    w webhooks;
BEGIN
    -- NO KEY UPDATE: FOR UPDATE would conflict with the KEY SHARE lock each
    -- event's outbox insert takes on the endpoint, and stall a rush of
    -- registrations behind an admin's edit
    SELECT * INTO w FROM webhooks WHERE id = p_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    IF p ? 'url' THEN w.url := p ->> 'url'; END IF;
    IF p ? 'events' THEN w.events := webhook_events(p); END IF;
    IF p ? 'description' THEN w.description := coalesce(p ->> 'description', ''); END IF;
    IF p ? 'active' THEN w.active := (p ->> 'active')::boolean; END IF;
    IF (p ->> 'active')::boolean THEN
        w.disabled_at := NULL;
        w.disabled_reason := NULL;
    END IF;
    UPDATE webhooks
       SET url = w.url, events = w.events, description = w.description, active = w.active,
           disabled_at = w.disabled_at, disabled_reason = w.disabled_reason,
           updated_at = CASE WHEN (url, events, description, active, disabled_at, disabled_reason)
                                  IS NOT DISTINCT FROM (w.url, w.events, w.description, w.active,
                                                        w.disabled_at, w.disabled_reason)
                             THEN updated_at ELSE now() END
     WHERE id = p_id
    RETURNING * INTO w;
    RETURN core_answer(200, webhook_json(w));
END
$$;

-- DELETE /v1/webhooks/{id}: its queue (outbox rows of channel 'webhook')
-- and its delivery log go with it, by the cascades of 0023.
CREATE OR REPLACE FUNCTION webhooks_delete(p_id uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM webhooks WHERE id = p_id;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    RETURN core_answer(204);
END
$$;

-- One attempt as the log shows it: what was sent, what came back (status
-- NULL: no HTTP answer, error says why) and whether it counted as
-- delivered (a 2xx, the only success). message_id is the webhook-id the
-- receiver saw; event the row's kind.
CREATE OR REPLACE FUNCTION webhook_delivery_json(d webhook_deliveries, o outbox) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', d.id, 'webhook_id', d.webhook_id, 'message_id', o.message_id, 'event', o.kind,
        'attempt', d.attempt, 'url', d.url,
        'request', json_build_object('headers', d.request_headers, 'body', d.request_body),
        'response', json_build_object('status', d.response_status, 'body', d.response_body),
        'error', d.error, 'duration_ms', d.duration_ms,
        'succeeded', coalesce(d.response_status BETWEEN 200 AND 299, false),
        'created_at', d.created_at)
$$;

-- GET /v1/webhooks/{id}/deliveries: newest first, in the order of the
-- index webhook_deliveries_webhook (created_at DESC, then id), the cursor
-- the last attempt's id (one of this endpoint's). An unknown endpoint is
-- 404, not an empty log.
CREATE OR REPLACE FUNCTION webhooks_deliveries(p_webhook uuid, p_cursor uuid, p_limit integer)
RETURNS api_answer
LANGUAGE sql STABLE AS $$
    WITH k AS (
        SELECT c.created_at, c.id FROM webhook_deliveries c
         WHERE c.id = p_cursor AND c.webhook_id = p_webhook),
    page AS (
        SELECT d.id, webhook_delivery_json(d, o) AS item,
               row_number() OVER (ORDER BY d.created_at DESC, d.id) AS rn
          FROM webhook_deliveries d JOIN outbox o ON o.id = d.outbox_id
         WHERE d.webhook_id = p_webhook
           AND (p_cursor IS NULL
                OR EXISTS (SELECT 1 FROM k WHERE d.created_at < k.created_at
                                              OR (d.created_at = k.created_at AND d.id > k.id)))
         ORDER BY d.created_at DESC, d.id LIMIT p_limit + 1)
    SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.id = p_webhook)
                THEN core_problem(404, 'not-found')
                ELSE core_answer(200, core_page(array_agg(g.item ORDER BY g.rn),
                                                array_agg(g.id::text ORDER BY g.rn), p_limit)) END
      FROM page g
$$;

-- POST /v1/webhook-deliveries/{id}/redeliver: the delivery's outbox row is
-- pending again now, its attempts and give-up clock reset, with the same
-- message_id (a receiver that processed the first one drops it). Refused:
-- an inactive endpoint (its queue is paused; the admin activates it
-- first: 409 webhook-disabled), a row already pending (queued or in
-- flight) or whose payload was purged (outbox_purge: nothing left to
-- send): 409 invalid-state. sent_at goes too: a pending row is not sent.
CREATE OR REPLACE FUNCTION webhooks_redeliver(p_id uuid)
RETURNS api_answer
LANGUAGE plpgsql AS $$
DECLARE
    d webhook_deliveries;
    o outbox;
BEGIN
    SELECT * INTO d FROM webhook_deliveries WHERE id = p_id;
    IF NOT FOUND THEN
        RETURN core_problem(404, 'not-found');
    END IF;
    SELECT * INTO o FROM outbox WHERE id = d.outbox_id FOR UPDATE;
    IF NOT FOUND THEN  -- deleted since (the endpoint went): gone with it
        RETURN core_problem(404, 'not-found');
    END IF;
    IF NOT (SELECT w.active FROM webhooks w WHERE w.id = o.webhook_id) THEN
        RETURN core_problem(409, 'webhook-disabled');
    ELSIF o.status = 'pending' OR o.payload = '{}' THEN
        RETURN core_problem(409, 'invalid-state');
    END IF;
    UPDATE outbox
       SET status = 'pending', attempts = 0, next_attempt_at = now(), due_since = now(),
           locked_until = NULL, last_error = NULL, sent_at = NULL
     WHERE id = o.id
    RETURNING * INTO o;
    RETURN core_answer(202, json_build_object('id', o.message_id, 'event', o.kind,
                                              'status', o.status, 'webhook_id', o.webhook_id));
END
$$;

GRANT EXECUTE ON FUNCTION webhook_json(webhooks), webhook_events(jsonb),
    webhooks_create(jsonb, text, uuid), webhooks_list(uuid, integer), webhooks_get(uuid),
    webhooks_patch(uuid, jsonb), webhooks_delete(uuid),
    webhook_delivery_json(webhook_deliveries, outbox), webhooks_deliveries(uuid, uuid, integer),
    webhooks_redeliver(uuid), webhooks_rotate_secret(uuid, text) TO gess_app;
