-- release: ARGV[1] = hold id, ARGV[2] = ttl ms. f1 = released now.
if not load() then
  return reply(1, nil)
end
purge_expired(now_ms())
local released = 0
if drop_hold(ARGV[1]) then
  redis.call('HSET', K_DONE, ARGV[1], 'r')
  released = 1
end
touch(ARGV[2])
return reply(0, load(), released)
