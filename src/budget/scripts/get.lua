-- get: ARGV[1] = ttl ms.
if not load() then
  return reply(1, nil)
end
purge_expired(now_ms())
touch(ARGV[1])
return reply(0, load())
