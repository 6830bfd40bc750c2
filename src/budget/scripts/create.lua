-- create: ARGV[1] = limit (micros), ARGV[2] = ttl ms. f1 = created.
local l = load()
if l then
  purge_expired(now_ms())
  touch(ARGV[2])
  l = load()
  if l.limit ~= tonumber(ARGV[1]) then
    return reply(2, l)
  end
  return reply(0, l, 0)
end
init(ARGV[1])
touch(ARGV[2])
return reply(0, load(), 1)
