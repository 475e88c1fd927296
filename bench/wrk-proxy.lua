-- wrk script for bench:proxy: visitors at a steady rate, each new (its own X-Forwarded-For, no cookie), at the campaign
-- page; every Nth of them then signs (JSON POST). nginx believes X-Forwarded-For from the generator's 127.0.0.1 only
-- (realip, in the benchmark's configuration), so Outcry sees each visitor's own address as behind a real proxy.
-- Arguments after `--`: requests per second, sign every N visitors, first visitor number, page path, requests in all
-- (then it waits out wrk's duration, which is a whole number of seconds); `signers-only` leaves out the page views
-- (the same signers at the same times, to tell what the crowd costs apart from them).
dofile((debug.getinfo(1, 'S').source:match('^@(.*/)') or './') .. 'wrk-report.lua')

local reportInit = init
-- wrk-report.lua's clock is local to it; its C declaration is not.
local ffi = require('ffi')
local timespec = ffi.new('outcry_timespec')
local function nowMs()
  ffi.C.clock_gettime(1, timespec)
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end
local floor, format = math.floor, string.format
local intervalMs, firstAt, slot, slots, visitor, signEvery, pendingSigner, pagePath, signersOnly
local pageHeaders = { ['Accept-Language'] = 'en-GB,en;q=0.9' }
local signHeaders = { ['Content-Type'] = 'application/json', ['Accept'] = 'application/json', ['Sec-Fetch-Site'] = 'same-origin' }

function init(args)
  reportInit(args)
  intervalMs = 1000 / tonumber(args[1])
  signEvery = tonumber(args[2])
  visitor = tonumber(args[3])
  pagePath = args[4]
  slots = tonumber(args[5])
  for _, arg in ipairs(args) do
    if arg == 'signers-only' then signersOnly = true end
  end
  firstAt = startedAt + STAGGER_MS
  slot = 0
end

-- The same address scheme as bench/proxy-listeners.js: visitor n is 10.x.y.z.
local function addressOf(n)
  return format('10.%d.%d.%d', floor(n / 65536) % 256, floor(n / 256) % 256, n % 256)
end

-- Each request takes the next slot of one schedule for all connections: an arrival rate, not a closed loop. When the
-- server falls behind, every connection is busy and the slots pass; the report's rate then says so.
function delay()
  if slot >= slots then return 3600000 end
  local at = firstAt + slot * intervalMs
  slot = slot + 1
  local wait = at - nowMs()
  return wait > 0 and wait or 0
end

function request()
  if signersOnly then
    visitor = visitor + signEvery
    pendingSigner = visitor
  end
  if pendingSigner then
    local n = pendingSigner
    pendingSigner = nil
    signHeaders['X-Forwarded-For'] = addressOf(n)
    local body = format('{"name":"Visitor %d","email":"visitor-%d@example.org","country":"DE","consent":true}', n, n)
    return wrk.format('POST', pagePath .. '/sign', signHeaders, body)
  end
  visitor = visitor + 1
  if visitor % signEvery == 0 then pendingSigner = visitor end
  pageHeaders['X-Forwarded-For'] = addressOf(visitor)
  return wrk.format('GET', pagePath, pageHeaders)
end
