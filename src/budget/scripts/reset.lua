-- reset: close the breaker. ARGV[1] = ttl ms.
if not load() then
  return reply(1, nil)
end
purge_expired(now_ms())
redis.call('HSET', K_MAIN, 'tripped', '0')
touch(ARGV[1])
return reply(0, load())
