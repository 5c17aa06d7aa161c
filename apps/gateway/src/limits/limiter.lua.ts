/**
 * The two Lua scripts of the hot path. Each request costs one script before forwarding (`RESERVE`) and
 * one after (`SETTLE`). Both work on a list of scopes (key, user, team, team member, model-per-key); per
 * scope they get one base key and derive the rest, so a scope without limits costs nothing.
 *
 * Per scope, ARGV holds 5 values: rpm limit, tpm limit, parallel limit, max budget (nano-USD) and the
 * reservation (nano-USD); -1 = no limit.
 *
 * - requests per minute: a sliding log (sorted set of request ids scored by time): exact in any window,
 *   across any number of gateway replicas, because the check and the insert happen in one script;
 * - tokens per minute: a sliding-window counter (this and the previous fixed window, weighted by overlap),
 *   tokens are added at settle time when they are known;
 * - parallel requests: a sorted set of in-flight request ids scored by their deadline, so a crashed
 *   gateway cannot leak a slot forever;
 * - budget: an integer counter of spend in nano-USD including reservations; a request is admitted while
 *   the counter is below the budget, then its estimate is added, so concurrency can overrun a budget by at
 *   most one estimate. The counters are seeded from Postgres by the spend service, never here: a missing
 *   counter (a Redis restart) makes the script answer "seed" (status 2) without changing anything, the
 *   gateway asks the spend service to seed it, and runs the script again.
 *
 * Keys are derived inside the scripts from the base keys in KEYS (standalone Redis; not cluster-safe).
 */
export const RESERVE_LUA = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local reqid = ARGV[3]
local deadline = now + tonumber(ARGV[4])
local n = #KEYS
local w = math.floor(now / window)
local elapsed = (now - w * window) / window
local out = {}

-- Pass 1: check every scope without changing anything.
-- Pass 0: every budgeted scope needs its counter; otherwise ask for seeding and change nothing.
local missing = {}
for i = 1, n do
  if tonumber(ARGV[4 + (i - 1) * 5 + 4]) >= 0 and redis.call('EXISTS', KEYS[i] .. ':spend') == 0 then
    missing[#missing + 1] = i
  end
end
if #missing > 0 then return {2, unpack(missing)} end

for i = 1, n do
  local base = KEYS[i]
  local o = 4 + (i - 1) * 5
  local rpm, tpm, par, budget = tonumber(ARGV[o + 1]), tonumber(ARGV[o + 2]), tonumber(ARGV[o + 3]), tonumber(ARGV[o + 4])
  if rpm >= 0 then
    redis.call('ZREMRANGEBYSCORE', base .. ':rpm', '-inf', now - window)
    local used = redis.call('ZCARD', base .. ':rpm')
    if used >= rpm then
      local oldest = redis.call('ZRANGE', base .. ':rpm', 0, 0, 'WITHSCORES')
      local reset = oldest[2] and (tonumber(oldest[2]) + window) or (now + window)
      return {0, i, 'requests', rpm, reset}
    end
    out[#out + 1] = rpm - used - 1
  else
    out[#out + 1] = -1
  end
  if tpm >= 0 then
    local cur = tonumber(redis.call('GET', base .. ':tpm:' .. w) or '0')
    local prev = tonumber(redis.call('GET', base .. ':tpm:' .. (w - 1)) or '0')
    local used = math.floor(prev * (1 - elapsed) + cur)
    if used >= tpm then return {0, i, 'tokens', tpm, (w + 1) * window} end
    out[#out + 1] = tpm - used
  else
    out[#out + 1] = -1
  end
  if par >= 0 then
    redis.call('ZREMRANGEBYSCORE', base .. ':par', '-inf', now)
    if redis.call('ZCARD', base .. ':par') >= par then return {0, i, 'max_parallel_requests', par, now + 1000} end
  end
  if budget >= 0 then
    local spent = tonumber(redis.call('GET', base .. ':spend'))
    if spent >= budget then return {0, i, 'budget', budget, spent} end
  end
end

-- Pass 2: every scope admits the request; record it.
for i = 1, n do
  local base = KEYS[i]
  local o = 4 + (i - 1) * 5
  if tonumber(ARGV[o + 1]) >= 0 then
    redis.call('ZADD', base .. ':rpm', now, reqid)
    redis.call('PEXPIRE', base .. ':rpm', window)
  end
  if tonumber(ARGV[o + 3]) >= 0 then
    redis.call('ZADD', base .. ':par', deadline, reqid)
    redis.call('PEXPIRE', base .. ':par', deadline - now + 1000)
  end
  if tonumber(ARGV[o + 4]) >= 0 then
    redis.call('INCRBY', base .. ':spend', ARGV[o + 5])
  end
end
return {1, 0, '', 0, 0, unpack(out)}
`;

/**
 * After the call: free the parallel slot, add the tokens to the tpm window, and replace the reservation
 * with the actual cost. ARGV per scope: tokens, reservation (nano-USD), actual cost (nano-USD), has
 * budget (1/0), has tpm (1/0), has parallel (1/0).
 */
export const SETTLE_LUA = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local reqid = ARGV[3]
local w = math.floor(now / window)
for i = 1, #KEYS do
  local base = KEYS[i]
  local o = 3 + (i - 1) * 6
  local tokens, reserved, actual = tonumber(ARGV[o + 1]), tonumber(ARGV[o + 2]), tonumber(ARGV[o + 3])
  if ARGV[o + 6] == '1' then redis.call('ZREM', base .. ':par', reqid) end
  if ARGV[o + 5] == '1' and tokens > 0 then
    redis.call('INCRBY', base .. ':tpm:' .. w, tokens)
    redis.call('PEXPIRE', base .. ':tpm:' .. w, window * 2)
  end
  -- A counter that vanished (Redis restart) is left to the spend service to seed from Postgres: an
  -- INCRBY here would create it holding only this difference and unblock an over-budget key.
  if ARGV[o + 4] == '1' and actual ~= reserved and redis.call('EXISTS', base .. ':spend') == 1 then
    redis.call('INCRBY', base .. ':spend', actual - reserved)
  end
end
return 1
`;
