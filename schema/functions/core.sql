-- functions/core.sql: shared by every domain: the sliding-window throttle behind login,
-- sign-up and password-change limits, and the hourly housekeeping task.
--
-- Reloaded by every `gessd migrate` in one transaction (check_function_bodies
-- off, so files may call each other in any order); written to be re-run:
-- CREATE OR REPLACE, and DROP ... IF EXISTS before a signature changes.
-- A function removed from here is dropped from upgraded databases by the
-- loader. The tables are in schema/migrations.

-- The wait after a pair's count-th failure: none before p_free failures,
-- then p_base seconds doubled for each further failure, at most p_cap.
CREATE OR REPLACE FUNCTION throttle_backoff(p_count integer, p_free integer, p_base integer,
                                            p_cap integer)
RETURNS interval
LANGUAGE sql IMMUTABLE AS $$
    SELECT make_interval(secs => CASE WHEN p_count < p_free THEN 0
        ELSE least(p_cap::numeric,
                   p_base * power(2::numeric, least(p_count - p_free, 40)))::float8 END)
$$;

-- Until when a key refuses attempts (NULL: its count does not block it).
-- p_max is the key's limit (unused for pairs, which back off instead).
CREATE OR REPLACE FUNCTION throttle_blocked_until(p_key text, p_count integer, p_window_start timestamptz,
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
CREATE OR REPLACE FUNCTION throttle_forgotten_at(p_key text, p_count integer, p_window_start timestamptz,
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
CREATE OR REPLACE FUNCTION core_throttle_take(p_keys text[], p_maxes integer[], p_window integer,
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

-- The periodic task (services/core/housekeeping.c): expired tokens (past
-- their absolute or idle expiry: auth refuses them already), idempotency
-- keys past their 24 hours (a replay would delete them anyway), and
-- login_attempts rows whose count is forgotten. '0' when nothing went, so
-- the task logs at debug level; else what went, for its log line.
CREATE OR REPLACE FUNCTION core_housekeeping(p_token_idle integer, p_window integer, p_pair_free integer,
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
    -- in key order, skipping rows an attempt holds (core_throttle_take locks in
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

GRANT EXECUTE ON FUNCTION core_throttle_take(text[], integer[], integer, integer, integer),
    core_housekeeping(integer, integer, integer, integer) TO gess_app;

-- One refusal of a validation-failed answer: the field, what is wrong with
-- it (a code core words in English and Spanish, services/core/problem.c)
-- and the argument its message takes, if any. An API function collects
-- them and answers (422, 'validation-failed', json_build_object('errors',
-- <array>)).
CREATE OR REPLACE FUNCTION core_field_error(p_field text, p_code text, p_arg text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object('field', p_field, 'code', p_code, 'arg', p_arg))
$$;

-- The answers of an API function (schema/migrations/0015_answer.sql):
--   core_answer(200, body)          a success (201 for a creation, 204
--                                   without a body);
--   core_problem(409, 'slug-taken') a problem, with members joining the
--                                   document (an object, or NULL); the
--                                   status must be the problem's own
--                                   (services/core/problem.c), or gessd
--                                   answers 500;
--   core_invalid(errors)            422 validation-failed, errors an array
--                                   of core_field_error();
--   core_refused(field, code, arg)  the same for one field;
--   core_found(body)                200 with body, or 404 when it is NULL.
CREATE OR REPLACE FUNCTION core_answer(p_status integer, p_body json DEFAULT NULL)
RETURNS api_answer
LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(p_status, NULL, p_body)::api_answer
$$;

CREATE OR REPLACE FUNCTION core_problem(p_status integer, p_problem text, p_members json DEFAULT NULL)
RETURNS api_answer
LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(p_status, p_problem, p_members)::api_answer
$$;

CREATE OR REPLACE FUNCTION core_invalid(p_errors jsonb)
RETURNS api_answer
LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(422, 'validation-failed', json_build_object('errors', p_errors))::api_answer
$$;

CREATE OR REPLACE FUNCTION core_refused(p_field text, p_code text, p_arg text DEFAULT NULL)
RETURNS api_answer
LANGUAGE sql IMMUTABLE AS $$
    SELECT core_invalid(jsonb_build_array(core_field_error(p_field, p_code, p_arg)))
$$;

CREATE OR REPLACE FUNCTION core_found(p_body json)
RETURNS api_answer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_body IS NULL THEN core_problem(404, 'not-found')
                ELSE core_answer(200, p_body) END
$$;

-- ---------------------------------------------------------------------------
-- Added by organizations, pacts and followup (shared by several domains).

-- One page of a list: {items, next_cursor}. p_items are the rows read in
-- the list's order, at most p_limit + 1 of them (one more than a page says
-- that another page follows); p_cursors[i] is the cursor of p_items[i].
-- next_cursor is the last item's cursor when another page follows, else
-- null. Both arrays NULL (no rows): an empty page.
CREATE OR REPLACE FUNCTION core_page(p_items json[], p_cursors text[], p_limit integer)
RETURNS json
LANGUAGE sql IMMUTABLE AS $$
    SELECT json_build_object(
        'items', coalesce(array_to_json(p_items[1:p_limit]), '[]'::json),
        'next_cursor', CASE WHEN cardinality(p_items) > p_limit THEN p_cursors[p_limit] END)
$$;
