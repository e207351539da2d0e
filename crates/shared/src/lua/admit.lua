-- One REDCap call asks to go: the breaker, then the call budget, on Redis's clock.
-- KEYS: 1 slots (list of reserved slot times, µs, ascending), 2 open (breaker; PX = pause),
--       3 failures (outages in a row), 4 fence (µs: no slot before it)
-- ARGV: 1 N (calls per window), 2 window (µs), 3 max_wait (µs)
-- Returns {status, µs, failures}: status 1 = granted, go in µs; 0 = budget exhausted, retry
-- in µs; 2 = breaker open, retry in µs.
-- Invariant (as the in-process budget): slot i and slot i + N are at least a window apart.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local failures = tonumber(redis.call('GET', KEYS[3]) or '0')
local open = redis.call('PTTL', KEYS[2])
if open > 0 then
  return {2, open * 1000, failures}
end
local n = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local slot = now
local fence = redis.call('GET', KEYS[4])
if fence then
  slot = math.max(slot, tonumber(fence))
end
if redis.call('LLEN', KEYS[1]) >= n then
  slot = math.max(slot, tonumber(redis.call('LINDEX', KEYS[1], -n)) + window)
end
if slot - now > max_wait then
  return {0, slot - now, failures}
end
redis.call('RPUSH', KEYS[1], string.format('%d', slot))
redis.call('LTRIM', KEYS[1], -n, -1)
redis.call('PEXPIRE', KEYS[1], math.floor((slot - now + window) / 1000) + 1000)
return {1, slot - now, failures}
