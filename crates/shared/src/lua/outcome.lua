-- What a REDCap call came to, for the shared breaker.
-- KEYS: 1 open (value 'ban' or 'fail'; PX = pause), 2 failures (outages in a row)
-- ARGV: 1 kind ('ban' | 'failure' | 'answer'), 2 pause (ms: ban pause or failure pause),
--       3 failures to open
-- Returns 1 when this call changed the breaker (its replica writes the one log line), else 0;
-- and the failures in a row.
local kind = ARGV[1]
local pause = tonumber(ARGV[2])
if kind == 'ban' then
  if redis.call('GET', KEYS[1]) == 'ban' then
    return {0, 0}
  end
  redis.call('SET', KEYS[1], 'ban', 'PX', pause)
  return {1, 0}
elseif kind == 'failure' then
  local failures = redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], pause * 4)
  if failures >= tonumber(ARGV[3]) and redis.call('EXISTS', KEYS[1]) == 0 then
    redis.call('SET', KEYS[1], 'fail', 'PX', pause)
    return {1, failures}
  end
  return {0, failures}
else
  redis.call('DEL', KEYS[2])
  if redis.call('GET', KEYS[1]) == 'fail' then
    redis.call('DEL', KEYS[1])
    return {1, 0}
  end
  return {0, 0}
end
