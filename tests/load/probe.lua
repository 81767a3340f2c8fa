-- wrk script for `make bench`: a paced latency probe (each connection waits
-- 10 ms between requests, ~100 req/s per connection) so that measuring the
-- event loops' latency during the sign-up run does not itself steal a core
-- from the password hashers.
function delay()
   return 10
end
