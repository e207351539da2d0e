-- Stores a fetched entry (or nothing, when the fetch failed) and releases the caller's lock;
-- an entry about a record is added to that record's index set (kept as long as its longest
-- entry), which `purge.lua` empties.
-- KEYS: 1 the entry, 2 its lock, 3 its record's index set
-- ARGV: 1 lock token, 2 ttl (ms; 0: store nothing), 3 value, 4 '1' when it is about a record
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ttl)
  if ARGV[4] == '1' then
    redis.call('SADD', KEYS[3], KEYS[1])
    if redis.call('PTTL', KEYS[3]) < ttl then
      redis.call('PEXPIRE', KEYS[3], ttl)
    end
  end
end
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
return 1
