-- reserve: ARGV[1] = hold id, ARGV[2] = amount, ARGV[3] = hold ttl ms, ARGV[4] = ttl ms.
-- f1 = granted.
local id = ARGV[1]
if not load() then
  return reply(1, nil)
end
local now = now_ms()
purge_expired(now)
touch(ARGV[4])
local l = load()
if redis.call('HEXISTS', K_HOLDS, id) == 1 then
  return reply(0, l, 1)
end
local fate = redis.call('HGET', K_DONE, id)
if fate then
  return reply(0, l, fate == 'c' and 1 or 0)
end
local amount = tonumber(ARGV[2])
if l.tripped ~= 0 or l.spent + l.held + amount > l.limit then
  return reply(0, l, 0)
end
redis.call('HSET', K_HOLDS, id, ARGV[2])
redis.call('ZADD', K_EXP, int(now + tonumber(ARGV[3])), id)
redis.call('HINCRBY', K_MAIN, 'held', ARGV[2])
touch(ARGV[4])
return reply(0, load(), 1)
