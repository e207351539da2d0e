-- Deletes every entry of a record's index set, and the set; returns how many entries were
-- still there. (The entries' names come from the set, as standalone Redis and Valkey allow.)
-- KEYS: 1 the record's index set
local dropped = 0
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  dropped = dropped + redis.call('DEL', key)
end
redis.call('DEL', KEYS[1])
return dropped
