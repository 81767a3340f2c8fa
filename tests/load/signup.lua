-- wrk script for `make bench`: POST /v1/accounts with a unique e-mail per
-- request and a strong password, counting 201 answers.
-- usage: wrk -s tests/load/signup.lua URL -- PREFIX
-- PREFIX (bench.sh passes time + pid) keeps e-mails unique across runs;
-- each thread adds its own id and counter.

local threads = {}
local next_id = 0

function setup(thread)
   next_id = next_id + 1
   thread:set("tid", next_id)
   table.insert(threads, thread)
end

local prefix, counter, headers
created = 0
other = 0

function init(args)
   math.randomseed(os.time() + (tid or 0) * 7919)
   prefix = args[1] or string.format("%x", math.random(0, 0x7fffffff))
   prefix = prefix .. "-" .. string.format("%x", math.random(0, 0xffffff))
   counter = 0
   headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
end

function request()
   counter = counter + 1
   local email = string.format("bench-%s-t%d-%d@example.org", prefix, tid or 0, counter)
   local body = string.format(
      '{"email":"%s","password":"Vq7!mZr2#Lp9xWt4 kettle","full_name":"Bench User %d",' ..
      '"organization":"Load Test","sector":"academia","country":"PE","region":"Lima",' ..
      '"consent":true}', email, counter)
   return wrk.format("POST", "/v1/accounts", headers, body)
end

function response(status, hdrs, body)
   if status == 201 then
      created = created + 1
   else
      other = other + 1
      last_status = status
   end
end

function done(summary, latency, requests)
   local c, o, ls = 0, 0, nil
   for _, t in ipairs(threads) do
      c = c + (t:get("created") or 0)
      o = o + (t:get("other") or 0)
      ls = t:get("last_status") or ls
   end
   local secs = summary.duration / 1e6
   io.write(string.format("signup created=%d other=%d last_other_status=%s seconds=%.2f created_per_s=%.2f\n",
                          c, o, tostring(ls or "-"), secs, c / secs))
end
