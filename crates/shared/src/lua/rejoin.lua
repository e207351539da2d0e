-- A replica that went on alone hands over: the slots it used alone join the record (sorted,
-- the newest N kept), a fence holds every replica's next slot until `fence_in` from now, and a
-- ban it saw alone is shared.
-- KEYS: 1 slots, 2 fence, 3 open
-- ARGV: 1 N, 2 window (µs), 3 fence_in (µs, 0: none), 4 ban_left (ms, 0: none),
--       5.. ages of the slots used alone (µs before now; negative: still ahead)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local fence_in = tonumber(ARGV[3])
local ban_left = tonumber(ARGV[4])
if #ARGV > 4 then
  local slots = {}
  for _, s in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
    table.insert(slots, tonumber(s))
  end
  for i = 5, #ARGV do
    table.insert(slots, now - tonumber(ARGV[i]))
  end
  table.sort(slots)
  redis.call('DEL', KEYS[1])
  local newest = now
  for i = math.max(1, #slots - n + 1), #slots do
    redis.call('RPUSH', KEYS[1], string.format('%d', slots[i]))
    newest = math.max(newest, slots[i])
  end
  redis.call('PEXPIRE', KEYS[1], math.floor((newest - now + window) / 1000) + 1000)
end
if fence_in > 0 then
  local fence = now + fence_in
  local old = redis.call('GET', KEYS[2])
  if old then
    fence = math.max(fence, tonumber(old))
  end
  redis.call('SET', KEYS[2], string.format('%d', fence), 'PX', math.floor((fence - now) / 1000) + 1000)
end
if ban_left > 0 and redis.call('GET', KEYS[3]) ~= 'ban' then
  redis.call('SET', KEYS[3], 'ban', 'PX', ban_left)
end
return 1
