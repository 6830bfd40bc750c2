-- commit: ARGV[1] = hold id, ARGV[2] = actual amount, ARGV[3] = default limit,
-- ARGV[4] = ttl ms, ARGV[5] = alert id prefix, ARGV[6..] = alert thresholds. Flags as spend.lua.
local id = ARGV[1]
local auto = 0
local l = load()
if l then
  purge_expired(now_ms())
  if redis.call('HGET', K_DONE, id) == 'c' then
    touch(ARGV[4])
    return reply(0, load(), 0, 1, 0)
  end
  if l.spent + tonumber(ARGV[2]) > MAX_MICROS then
    return reply(3, l)
  end
  drop_hold(id)
else
  init(ARGV[3])
  auto = 1
end
local tripped_now, alerts
l, tripped_now, alerts = record(ARGV[2], 5)
redis.call('HSET', K_DONE, id, 'c')
touch(ARGV[4])
return reply(0, load(), auto, 0, tripped_now, alerts)
