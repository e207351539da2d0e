-- One request against a per-key limit of N per period (GCRA, as the in-process limits):
-- requests are spaced period/N apart on average, with bursts of up to N.
-- KEYS: 1 the key's theoretical arrival time (µs)
-- ARGV: 1 period (µs), 2 N
-- Returns {1, 0} when allowed, {0, µs to wait} when not.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local period = tonumber(ARGV[1])
local interval = period / tonumber(ARGV[2])
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
local next_tat = tat + interval
local allowed_at = next_tat - period
if allowed_at > now then
  return {0, math.ceil(allowed_at - now)}
end
redis.call('SET', KEYS[1], string.format('%d', next_tat), 'PX', math.floor((next_tat - now) / 1000) + 1)
return {1, 0}
