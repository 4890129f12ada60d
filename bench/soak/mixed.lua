-- wrk script for bench/soak/run.sh: a mixed read/write load.
--   45%  GET  /api/v1/incidents/{ref}          (audited read: a durable audit entry each)
--   20%  GET  /api/v1/incidents?status=S       (S cycles through the lifecycle states)
--   10%  GET  /api/v1/trends?by=month,org
--   25%  POST /api/v1/incidents                (durable write: incident, rollups, audit)
-- Usage: wrk ... -s mixed.lua -H "Authorization: Bearer T" URL -- REFS_FILE
-- The bearer token comes in with -H (wrk adds it to every request).
-- done() prints one machine-readable "SOAK ..." line that run.sh parses:
-- every response outside 200-299 counts in non2xx (wrk's own "Non-2xx or
-- 3xx" counter only counts status >= 400).

local threads = {}
local refs = {}
local statuses = {"reported", "triaged", "investigating", "awaiting-decision", "decided", "closed"}
local types = {"portable-asset-lost", "pass-lost", "workstation-unlocked", "official-docs-unsecured",
               "account-sharing", "clear-desk-failure"}
local post_headers = {}

function setup(thread)
   thread:set("id", #threads + 1)
   table.insert(threads, thread)
end

function init(args)
   for line in io.lines(args[1]) do
      if #line > 0 then refs[#refs + 1] = line end
   end
   -- wrk.format with its own headers drops wrk.headers (the -H ones): copy them.
   for k, v in pairs(wrk.headers) do post_headers[k] = v end
   post_headers["Content-Type"] = "application/json"
   math.randomseed(os.time() * 31 + id)
   non2xx, s4xx, s5xx = 0, 0, 0
   n_get, n_list, n_trends, n_post = 0, 0, 0, 0
end

local function body(i)
   local t = types[(i % #types) + 1]
   return '{"org":"bench","types":["' .. t .. '"],"classification":"official",' ..
      '"discovered_at":"2026-11-20T09:30:00Z","location":"Petty France, 5th floor",' ..
      '"description":"Soak test incident ' .. i .. '","subjects":["B1"]}'
end

function request()
   local r = math.random(100)
   if r <= 45 then
      n_get = n_get + 1
      return wrk.format("GET", "/api/v1/incidents/" .. refs[math.random(#refs)])
   elseif r <= 65 then
      n_list = n_list + 1
      return wrk.format("GET", "/api/v1/incidents?status=" .. statuses[(n_list % #statuses) + 1])
   elseif r <= 75 then
      n_trends = n_trends + 1
      return wrk.format("GET", "/api/v1/trends?by=month,org")
   else
      n_post = n_post + 1
      return wrk.format("POST", "/api/v1/incidents", post_headers, body(n_post))
   end
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if status >= 500 then s5xx = s5xx + 1 elseif status >= 400 then s4xx = s4xx + 1 end
   end
end

function done(summary, latency, requests)
   local t = {non2xx = 0, s4xx = 0, s5xx = 0, n_get = 0, n_list = 0, n_trends = 0, n_post = 0}
   for _, th in ipairs(threads) do
      for k, _ in pairs(t) do t[k] = t[k] + (th:get(k) or 0) end
   end
   local e = summary.errors
   io.write(string.format(
      "SOAK requests=%d duration_us=%d non2xx=%d s4xx=%d s5xx=%d connect=%d read=%d write=%d " ..
      "timeout=%d p50_us=%d p99_us=%d max_us=%d get=%d list=%d trends=%d post=%d\n",
      summary.requests, summary.duration, t.non2xx, t.s4xx, t.s5xx, e.connect, e.read, e.write,
      e.timeout, latency:percentile(50), latency:percentile(99), latency.max,
      t.n_get, t.n_list, t.n_trends, t.n_post))
end
