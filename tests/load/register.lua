-- wrk script for `make bench`, part d: POST /v1/editions/SLUG/registrations
-- (SLUG is in the URL), each request with another account's bearer token,
-- counting 201 answers.
-- usage: wrk -s tests/load/register.lua URL -- TOKEN_FILE CATEGORIES
--   TOKEN_FILE  one token per line (bench.sh made the accounts in SQL)
--   CATEGORIES  "hot", or "cat01,cat02,...": requests go round-robin over them
-- Each account can register once per edition, so a token is never used
-- twice: thread k of T takes tokens k, k+T, k+2T, ... and stops when its
-- share runs out (reported as exhausted=1: make the token file longer).

local threads = {}
local nthreads = 0

function setup(thread)
   nthreads = nthreads + 1
   thread:set("tid", nthreads)
   table.insert(threads, thread)
end

local tokens, cats, ncats, idx, step, sent, headers
created = 0
other = 0
exhausted = 0

function init(args)
   tokens = {}
   for line in io.lines(args[1]) do
      if #line > 0 then tokens[#tokens + 1] = line end
   end
   cats = {}
   for c in string.gmatch(args[2] or "hot", "[^,]+") do cats[#cats + 1] = c end
   ncats = #cats
   step = tonumber(args[3]) or 1 -- the number of threads
   idx = tid or 1
   sent = 0
   headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
end

function request()
   if idx > #tokens then
      -- out of tokens: stop rather than reuse one (that would be a 409)
      exhausted = 1
      wrk.thread:stop()
      idx = idx - step -- keep sending something well-formed meanwhile
   end
   local t = tokens[idx]
   idx = idx + step
   sent = sent + 1
   headers["Authorization"] = "Bearer " .. t
   local body = string.format('{"category":"%s","mode":"in_person"}', cats[(sent - 1) % ncats + 1])
   return wrk.format("POST", nil, headers, body)
end

function response(status, hdrs, body)
   if status == 201 then
      created = created + 1
   else
      other = other + 1
      last_status = status
      if not first_other and body then first_other = string.sub(body, 1, 200) end
   end
end

function done(summary, latency, requests)
   local c, o, ex, ls, fo = 0, 0, 0, nil, nil
   for _, t in ipairs(threads) do
      c = c + (t:get("created") or 0)
      o = o + (t:get("other") or 0)
      ex = math.max(ex, t:get("exhausted") or 0)
      ls = t:get("last_status") or ls
      fo = fo or t:get("first_other")
   end
   local secs = summary.duration / 1e6
   io.write(string.format("register created=%d other=%d exhausted=%d last_other_status=%s seconds=%.2f created_per_s=%.2f\n",
                          c, o, ex, tostring(ls or "-"), secs, c / secs))
   if fo then io.write("register first_other_body=" .. string.gsub(fo, "\n", " ") .. "\n") end
end
