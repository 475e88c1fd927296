-- wrk script for bench:sign: every request is a new signer (thread id, counter and a random suffix in the address)
-- from a random client address in X-Forwarded-For (the server trusts loopback as its proxy), so per-client limits
-- and dedup apply as in real life. Built with string.format only: wrk has to stay far faster than the server.
dofile((debug.getinfo(1, 'S').source:match('^@(.*/)') or './') .. 'wrk-report.lua')

local reportInit = init
local n = 0
local random, format = math.random, string.format
local headers = { ['Content-Type'] = 'application/json', ['Accept'] = 'application/json' }

function init(args)
  reportInit(args)
  math.randomseed(os.time() * 1000 + id)
  wrk.method = 'POST'
end

function request()
  n = n + 1
  headers['X-Forwarded-For'] = format('10.%d.%d.%d', random(0, 255), random(0, 255), random(0, 255))
  local body = format('{"name":"Bench Signer %d-%d","email":"bench-%d-%d-%08x@example.org","country":"DE","consent":true}',
    id, n, id, n, random(0, 0x7fffffff))
  return wrk.format(nil, nil, headers, body)
end
