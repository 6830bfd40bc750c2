-- spend: ARGV[1] = amount, ARGV[2] = idempotency key or '', ARGV[3] = default limit,
-- ARGV[4] = ttl ms, ARGV[5] = alert id prefix, ARGV[6..] = alert thresholds. f1 = auto_created, f2 = duplicate,
-- f3 = tripped_now, extra = alerts fired, then their time (ms).
local key = ARGV[2]
local auto = 0
local l = load()
if l then
  purge_expired(now_ms())
  if key ~= '' and redis.call('SISMEMBER', K_IDEM, key) == 1 then
    touch(ARGV[4])
    return reply(0, load(), 0, 1, 0)
  end
  if l.spent + tonumber(ARGV[1]) > MAX_MICROS then
    return reply(3, l)
  end
else
  init(ARGV[3])
  auto = 1
end
local tripped_now, alerts
l, tripped_now, alerts = record(ARGV[1], 5)
if key ~= '' then
  redis.call('SADD', K_IDEM, key)
end
touch(ARGV[4])
return reply(0, l, auto, 0, tripped_now, alerts)
