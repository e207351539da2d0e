-- A cache read that takes the single-flight lock on a miss.
-- KEYS: 1 the entry, 2 its lock
-- ARGV: 1 lock token, 2 lock time (ms)
-- Returns {1, value} on a hit; {2} when the caller holds the lock and fetches; {0} when another
-- caller is fetching (wait and ask again).
local value = redis.call('GET', KEYS[1])
if value then
  return {1, value}
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', tonumber(ARGV[2])) then
  return {2, false}
end
return {0, false}
