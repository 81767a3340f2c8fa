-- pgbench script for `make bench`, part b: the statement gessd's bearer-token
-- lookup runs for every authenticated request, GET /v1/me included
-- (auth_stmt_lookup in services/core/auth.c; $1 -> :h, $2 -> :idle).
-- bench.sh regenerates this from auth.c when it can and falls back to this
-- copy. :h is the token hash in hex and :idle the token_idle_s setting, both
-- given with -D; run with -M prepared as gess_app, as gessd's pool does.
WITH t AS (
  SELECT id, account_id, last_used_at FROM tokens
   WHERE token_hash = decode(:h, 'hex') AND expires_at > now()
     AND last_used_at > now() - make_interval(secs => :idle::int)
), touch AS (
  UPDATE tokens SET last_used_at = now() FROM t
   WHERE tokens.id = t.id AND t.last_used_at < now() - interval '1 minute'
)
 SELECT a.id, a.roles::text, account_json(a)::text
   FROM t JOIN accounts a ON a.id = t.account_id;
