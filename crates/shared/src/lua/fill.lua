-- Stores a fetched entry (or nothing, when the fetch failed) and releases the caller's lock.
-- KEYS: 1 the entry, 2 its lock
-- ARGV: 1 lock token, 2 ttl (ms; 0: store nothing), 3 value
if tonumber(ARGV[2]) > 0 then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', tonumber(ARGV[2]))
end
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
return 1
