import { createHash } from 'node:crypto';
import type { RedisKeys } from '@llmgw/contracts';
import type { Redis } from 'ioredis';
import type { LoginLimits } from '../context';

/**
 * Counts an attempt against the account and the IP before the password is checked, so that parallel
 * guesses cannot slip past the limit; returns the seconds to wait (0 = go ahead). Fixed windows: the
 * first attempt starts a window of `windowSeconds`.
 */
const TAKE = `
redis.call('SET', KEYS[1], 0, 'EX', ARGV[3], 'NX')
redis.call('SET', KEYS[2], 0, 'EX', ARGV[3], 'NX')
local a = redis.call('INCR', KEYS[1])
local i = redis.call('INCR', KEYS[2])
local wait = 0
if a > tonumber(ARGV[1]) then wait = math.max(wait, redis.call('TTL', KEYS[1]), 1) end
if i > tonumber(ARGV[2]) then wait = math.max(wait, redis.call('TTL', KEYS[2]), 1) end
return wait
`;

/** A successful login clears the account's failures and gives its attempt back to the IP. */
const SUCCEED = `
redis.call('DEL', KEYS[1])
local i = tonumber(redis.call('GET', KEYS[2]) or '0')
if i > 0 then redis.call('DECR', KEYS[2]) end
return 0
`;

export interface LoginLimiter {
  /** Seconds until the caller may try again, or 0. */
  take: (username: string, ip: string) => Promise<number>;
  succeeded: (username: string, ip: string) => Promise<void>;
}

export function createLoginLimiter(deps: {
  redis: Redis;
  keys: RedisKeys;
  limits: LoginLimits;
}): LoginLimiter {
  const { redis, keys, limits } = deps;
  // Usernames are emails, compared case-insensitively; the key holds a hash, never the address.
  const account = (username: string) =>
    keys.loginFailuresAccount(createHash('sha256').update(username.trim().toLowerCase()).digest('hex'));
  return {
    async take(username, ip) {
      const wait = await redis.eval(
        TAKE,
        2,
        account(username),
        keys.loginFailuresIp(ip),
        limits.perAccount,
        limits.perIp,
        limits.windowSeconds,
      );
      return Math.max(0, Number(wait));
    },
    async succeeded(username, ip) {
      await redis.eval(SUCCEED, 2, account(username), keys.loginFailuresIp(ip));
    },
  };
}
