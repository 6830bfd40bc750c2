-- set_limit: ARGV[1] = new limit (micros), ARGV[2] = ttl ms.
if not load() then
  return reply(1, nil)
end
purge_expired(now_ms())
redis.call('HSET', K_MAIN, 'limit', ARGV[1])
touch(ARGV[2])
return reply(0, load())
