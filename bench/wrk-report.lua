-- wrk's report as one JSON line on stdout, so the benchmarks read numbers rather than wrk's human-readable text.
-- Latencies in ms. `non2xx` is wrk's own count of statuses > 399; pass `-- statuses` to also count every status in
-- a response() hook (exact, but wrk then parses each response into Lua, so only where the server is the bottleneck).
local ffi = require('ffi')
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } outcry_timespec;
  int clock_gettime(int clock, outcry_timespec *tp);
]]
local timespec = ffi.new('outcry_timespec')
local function nowMs()
  ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

-- wrk opens every connection at once; a saturated Node server accepts about one per event-loop turn, so the last
-- first requests waited seconds, and wrk's coordinated-omission correction multiplied each into dozens of samples.
-- The first request on each connection waits until the (idle) server has accepted them all; not counted in the rate.
STAGGER_MS = 500
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set('id', #threads)
end

local function countStatus(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function init(args)
  statuses = {}
  startedAt = nowMs()
  response = nil
  for _, arg in ipairs(args) do
    if arg == 'statuses' then response = countStatus end
  end
end

function delay()
  if nowMs() - startedAt < 200 then return STAGGER_MS end
  return 0
end

local function ms(us) return us / 1000 end

function done(summary, latency)
  local counted, twoxx = {}, nil
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get('statuses') or {}) do
      counted[#counted + 1] = string.format('"%d":%d', status, n)
      if status >= 200 and status < 300 then twoxx = (twoxx or 0) + n end
    end
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6 - STAGGER_MS / 1000
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"requestsPerSecond":%.1f,"non2xx":%d,"socketErrors":%d,"timeouts":%d,'
      .. '"p50Ms":%.2f,"p90Ms":%.2f,"p99Ms":%.2f,"p999Ms":%.2f,"maxMs":%.2f,"meanMs":%.2f,"statuses":{%s}%s}\n',
    summary.requests, seconds, summary.requests / seconds, e.status, e.connect + e.read + e.write, e.timeout,
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)), ms(latency:percentile(99.9)),
    ms(latency.max), ms(latency.mean), table.concat(counted, ','), twoxx and string.format(',"2xx":%d', twoxx) or ''))
end
