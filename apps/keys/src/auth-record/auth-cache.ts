import type { CachedAuthRecord, RedisKeys } from '@llmgw/contracts';
import type { Redis } from 'ioredis';

/**
 * Writes a record only if the key's generation is still the one the writer read before it went to
 * Postgres. Any change bumps the generation first, so a fill that read an older row loses.
 */
const SET_IF_GEN = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1
`;

export interface AuthCacheOptions {
  redis: Redis;
  keys: RedisKeys;
  /** Loads the record from Postgres for the given generation (null = no such key). */
  load: (hash: string, gen: number) => Promise<CachedAuthRecord>;
  recordTtlSeconds: number;
  negativeTtlSeconds: number;
}

export interface AuthCache {
  /** Builds the record from Postgres and writes it to Redis unless a newer change raced it. */
  fill: (hash: string) => Promise<CachedAuthRecord>;
  /** After a change: bump the generation, drop the record, tell every gateway, then write the new one. */
  refresh: (hash: string) => Promise<void>;
  invalidate: (hash: string) => Promise<void>;
}

export function createAuthCache(opts: AuthCacheOptions): AuthCache {
  const { redis, keys } = opts;
  redis.defineCommand('llmgwSetIfGen', { numberOfKeys: 2, lua: SET_IF_GEN });
  const setIfGen = (hash: string, gen: number, record: CachedAuthRecord) =>
    (
      redis as unknown as {
        llmgwSetIfGen: (a: string, b: string, gen: number, json: string, ttl: number) => Promise<number>;
      }
    ).llmgwSetIfGen(
      keys.authGen(hash),
      keys.authRecord(hash),
      gen,
      JSON.stringify(record),
      record.found ? opts.recordTtlSeconds : opts.negativeTtlSeconds,
    );

  const fill = async (hash: string) => {
    const gen = Number((await redis.get(keys.authGen(hash))) ?? 0);
    const record = await opts.load(hash, gen);
    await setIfGen(hash, gen, record);
    return record;
  };

  const invalidate = async (hash: string) => {
    await redis
      .multi()
      .incr(keys.authGen(hash))
      .del(keys.authRecord(hash))
      .publish(keys.authInvalidations, hash)
      .exec();
  };

  return {
    fill,
    invalidate,
    refresh: async (hash) => {
      await invalidate(hash);
      await fill(hash);
    },
  };
}
