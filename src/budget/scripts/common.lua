-- warden budget: shared prelude, prepended to every operation script.
-- KEYS[1] = warden:budget:{run}          hash: limit, spent, held, tripped, alert:<pct>
-- KEYS[2] = warden:budget:{run}:idem     set of spend idempotency keys
-- KEYS[3] = warden:budget:{run}:holds    hash hold_id -> amount (active holds)
-- KEYS[4] = warden:budget:{run}:hold_exp zset hold_id -> expiry (ms, Redis TIME)
-- KEYS[5] = warden:budget:{run}:hold_done hash hold_id -> c|r|e (committed/released/expired)
-- KEYS[6] = warden:budget:{run}:outbox   hash alert_id -> "pct spent limit tripped time_ms":
--           alerts decided here and not yet acknowledged by JetStream (transactional
--           outbox; warden deletes an entry only after the publish was acked)
-- All amounts are integer micro-units (<= 2^53-1, exact in Lua numbers). Amounts always
-- reach Redis as the caller's decimal strings; computed numbers are written with int().
-- Reply: {code, limit, spent, held, tripped, f1, f2, f3, extra...}
--   code 0 ok, 1 not found, 2 conflict (limit differs), 3 ledger overflow.
local K_MAIN, K_IDEM, K_HOLDS, K_EXP, K_DONE = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local K_OUTBOX = KEYS[6]
local MAX_MICROS = 9007199254740991

local function int(n)
  return string.format('%d', n)
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function load()
  local v = redis.call('HMGET', K_MAIN, 'limit', 'spent', 'held', 'tripped')
  if not v[1] then
    return nil
  end
  return {
    limit = tonumber(v[1]),
    spent = tonumber(v[2]) or 0,
    held = tonumber(v[3]) or 0,
    tripped = tonumber(v[4]) or 0,
  }
end

-- Fresh budget; clears anything left behind by a previous incarnation of the run
-- (except alerts still waiting in the outbox: those were promised).
local function init(limit)
  redis.call('DEL', K_IDEM, K_HOLDS, K_EXP, K_DONE)
  redis.call('HSET', K_MAIN, 'limit', limit, 'spent', '0', 'held', '0', 'tripped', '0')
end

-- Removes an active hold; returns true when it existed.
local function drop_hold(id)
  local amount = redis.call('HGET', K_HOLDS, id)
  if not amount then
    return false
  end
  redis.call('HINCRBY', K_MAIN, 'held', '-' .. amount)
  redis.call('HDEL', K_HOLDS, id)
  redis.call('ZREM', K_EXP, id)
  return true
end

-- A hold is active while now < expiry.
local function purge_expired(now)
  local ids = redis.call('ZRANGEBYSCORE', K_EXP, '-inf', int(now))
  for _, id in ipairs(ids) do
    drop_hold(id)
    redis.call('ZREM', K_EXP, id)
    redis.call('HSET', K_DONE, id, 'e')
  end
end

local function touch(ttl_ms)
  for i = 1, 6 do
    redis.call('PEXPIRE', KEYS[i], ttl_ms)
  end
end

local function reply(code, l, f1, f2, f3, extra)
  if not l then
    return {code, 0, 0, 0, 0, 0, 0, 0}
  end
  local r = {code, l.limit, l.spent, l.held, l.tripped, f1 or 0, f2 or 0, f3 or 0}
  if extra then
    for _, x in ipairs(extra) do
      r[#r + 1] = x
    end
  end
  return r
end

-- spent >= limit * pct / 100, exactly: limit = q*100 + r  =>  need = q*pct + ceil(r*pct/100).
local function reached(spent, limit, pct)
  local q = math.floor(limit / 100)
  local r = limit - q * 100
  return spent >= q * pct + math.floor((r * pct + 99) / 100)
end

-- Adds the caller's amount string to spent; trips the breaker; fires first-time alerts
-- (ARGV[first] is the alert id prefix, thresholds are ARGV[first+1], ...), writing each
-- into the outbox as '<prefix>:<pct>'. Returns ledger, tripped_now, alerts (the
-- thresholds fired followed, when any fired, by the time in ms they were decided at).
local function record(amount_str, first)
  redis.call('HINCRBY', K_MAIN, 'spent', amount_str)
  local l = load()
  local tripped_now = 0
  if l.spent > l.limit and l.tripped == 0 then
    redis.call('HSET', K_MAIN, 'tripped', '1')
    l.tripped = 1
    tripped_now = 1
  end
  local alerts = {}
  local now
  for i = first + 1, #ARGV do
    local pct = tonumber(ARGV[i])
    local field = 'alert:' .. ARGV[i]
    if reached(l.spent, l.limit, pct) and redis.call('HSETNX', K_MAIN, field, '1') == 1 then
      alerts[#alerts + 1] = pct
      now = now or now_ms()
      redis.call('HSET', K_OUTBOX, ARGV[first] .. ':' .. ARGV[i],
        ARGV[i] .. ' ' .. int(l.spent) .. ' ' .. int(l.limit) .. ' ' .. l.tripped .. ' ' .. int(now))
    end
  end
  if now then
    -- The caller builds the same alerts from the reply: thresholds, then the time.
    alerts[#alerts + 1] = now
  end
  return l, tripped_now, alerts
end
