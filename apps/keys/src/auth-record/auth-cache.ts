import { randomBytes } from 'node:crypto';
import { authWarmKeys, type CachedAuthRecord, type RedisKeys } from '@llmgw/contracts';
import type { Logger } from '@llmgw/http';
import type { Redis } from 'ioredis';

/**
 * Applies a freshly built record only if the key's generation is still the one the builder read before
 * it went to Postgres; every change bumps the generation first, so a build that read an older row loses.
 * ARGV: gen, json ('' = the key does not exist: drop the record), ttl seconds (0 = none), hash, publish.
 */
const APPLY_IF_GEN = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local applied = 0
if current == tonumber(ARGV[1]) then
  if ARGV[2] == '' then
    redis.call('DEL', KEYS[2])
  elseif tonumber(ARGV[3]) > 0 then
    redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
  else
    redis.call('SET', KEYS[2], ARGV[2])
  end
  applied = 1
end
if ARGV[5] == '1' then redis.call('PUBLISH', KEYS[3], ARGV[4]) end
return applied
`;

/** Sets the warm marker only if no write-through failed since the warm-up began (same epoch token). */
const SET_WARM_IF_EPOCH = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[2])
  return 1
end
return 0
`;

/** Generation counters outlive any in-flight build by far, and are not kept forever for deleted keys. */
const GEN_TTL_SECONDS = 7 * 86_400;
const WARM_PAGE = 500;

/**
 * Builds records at given generations. One call = one Postgres query for the rows, plus identity's facts
 * (remembered per user/team within the call). An entry whose facts could not be fetched is an Error.
 */
export type RecordLoader = (
  entries: { hash: string; gen: number }[],
) => Promise<(CachedAuthRecord | Error)[]>;

export interface AuthCacheOptions {
  redis: Redis;
  keys: RedisKeys;
  load: RecordLoader;
  /** Pages of every key hash, ordered, for the warm-up. */
  listHashes: (after: string | null, limit: number) => Promise<string[]>;
  /** Which of these hashes are keys (to sweep records of keys deleted behind the service's back). */
  existingHashes: (hashes: string[]) => Promise<Set<string>>;
  /** Keep Redis complete and set the warm marker (see `authWarmKeys`). */
  warm: boolean;
  /** TTL of a positive record when not warm (a warm cache keeps records until they change). */
  recordTtlSeconds: number;
  negativeTtlSeconds: number;
  logger: Logger;
  metrics?: { onFill?: (found: boolean) => void };
}

export interface WarmUpResult {
  keys: number;
  failed: number;
  /** The marker was set (or kept) at the end. */
  warm: boolean;
}

export interface AuthCache {
  /**
   * A gateway missed: returns the record from Redis if another fill or a write-through put it there
   * meanwhile, otherwise builds it and writes it (negatively cached when the key does not exist).
   * Concurrent fills of one hash share one build. Throws when identity is unavailable: a record missing
   * its facts is never cached and never answered.
   */
  fill: (hash: string) => Promise<CachedAuthRecord>;
  /**
   * Write-through after keys or their owners changed: bumps each generation first (so in-flight fills of
   * the old state lose), rebuilds from Postgres and identity, writes, and tells every gateway. A key whose
   * record cannot be rebuilt is dropped from Redis and the warm marker is withdrawn (fail closed).
   * Never throws: when Redis itself fails, the write-through is retried in the background.
   */
  refresh: (hashes: string[]) => Promise<void>;
  /**
   * After deletes (and for the old hash of a regenerated key): bump, drop, tell every gateway. Never
   * throws, like `refresh`.
   */
  remove: (hashes: string[]) => Promise<void>;
  /**
   * Writes the record of every key and drops records whose key no longer exists; sets the warm marker
   * when all succeeded and nothing broke meanwhile.
   */
  warmUp: () => Promise<WarmUpResult>;
  /** Starts the warm-up now and re-warms when the marker disappears (Redis restart) or periodically. */
  startWarmKeeper: (checkMs: number, fullRefreshMs: number) => void;
  stop: () => void;
}

type RedisWithScripts = Redis & {
  llmgwApplyIfGen: (
    genKey: string,
    recKey: string,
    channel: string,
    gen: number,
    json: string,
    ttl: number,
    hash: string,
    publish: '0' | '1',
  ) => Promise<number>;
  llmgwSetWarmIfEpoch: (epochKey: string, warmKey: string, epoch: string, value: string) => Promise<number>;
};

export function createAuthCache(opts: AuthCacheOptions): AuthCache {
  const { keys, logger } = opts;
  const warmKeys = authWarmKeys(keys);
  const redis = opts.redis as RedisWithScripts;
  redis.defineCommand('llmgwApplyIfGen', { numberOfKeys: 3, lua: APPLY_IF_GEN });
  redis.defineCommand('llmgwSetWarmIfEpoch', { numberOfKeys: 2, lua: SET_WARM_IF_EPOCH });
  const inflight = new Map<string, Promise<CachedAuthRecord>>();

  const ttlOf = (record: CachedAuthRecord) =>
    record.found ? (opts.warm ? 0 : opts.recordTtlSeconds) : opts.negativeTtlSeconds;
  const apply = (hash: string, gen: number, record: CachedAuthRecord | null, publish: boolean) =>
    redis.llmgwApplyIfGen(
      keys.authGen(hash),
      keys.authRecord(hash),
      keys.authInvalidations,
      gen,
      record ? JSON.stringify(record) : '',
      record ? ttlOf(record) : 0,
      hash,
      publish ? '1' : '0',
    );

  /** Withdraws the warm marker: gateways fall back to fills until a new warm-up succeeds. */
  const breakWarm = async (reason: string) => {
    logger.warn({ reason }, 'auth cache is no longer complete; gateways fall back to fills');
    await redis.multi().set(warmKeys.warmEpoch, randomBytes(8).toString('hex')).del(warmKeys.warm).exec();
  };

  const bumpGens = async (hashes: string[]): Promise<number[]> => {
    const multi = redis.multi();
    for (const h of hashes) multi.incr(keys.authGen(h)).expire(keys.authGen(h), GEN_TTL_SECONDS);
    const results = (await multi.exec()) ?? [];
    return hashes.map((_, i) => Number(results[i * 2]?.[1] ?? 0));
  };

  const buildAndWrite = async (hash: string): Promise<CachedAuthRecord> => {
    let last: CachedAuthRecord | null = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      const gen = Number((await redis.get(keys.authGen(hash))) ?? 0);
      const [built] = await opts.load([{ hash, gen }]);
      if (built === undefined) throw new Error('record loader returned nothing');
      if (built instanceof Error) throw built;
      opts.metrics?.onFill?.(built.found);
      last = built;
      if ((await apply(hash, gen, built, false)) === 1) return built;
      // A change raced this build; its own write-through is (or will be) in Redis.
      const current = await redis.get(keys.authRecord(hash));
      if (current) return JSON.parse(current) as CachedAuthRecord;
    }
    // Still racing after three builds: answer the newest build, cache nothing.
    return last as CachedAuthRecord;
  };

  const refreshNow = async (hashes: string[]) => {
    if (hashes.length === 0) return;
    const gens = await bumpGens(hashes);
    const built = await opts.load(hashes.map((hash, i) => ({ hash, gen: gens[i] ?? 0 })));
    const failed: string[] = [];
    await Promise.all(
      hashes.map(async (hash, i) => {
        const record = built[i];
        if (record === undefined || record instanceof Error) {
          failed.push(hash);
          return;
        }
        await apply(hash, gens[i] ?? 0, record.found ? record : null, true);
      }),
    );
    if (failed.length) {
      // Fail closed: never leave the previous record in place when the new one could not be built.
      const multi = redis.multi();
      for (const h of failed) multi.del(keys.authRecord(h)).publish(keys.authInvalidations, h);
      await multi.exec();
      const reason = built.find((r): r is Error => r instanceof Error)?.message ?? 'unknown';
      await breakWarm(`write-through failed for ${failed.length} key(s): ${reason}`);
    }
  };

  const removeNow = async (hashes: string[]) => {
    if (hashes.length === 0) return;
    const multi = redis.multi();
    for (const h of hashes) {
      multi
        .incr(keys.authGen(h))
        .expire(keys.authGen(h), GEN_TTL_SECONDS)
        .del(keys.authRecord(h))
        .publish(keys.authInvalidations, h);
    }
    await multi.exec();
  };

  /**
   * A write-through that failed on Redis (or Postgres) is retried every second until it lands: the change
   * is committed in Postgres already, so the caller gets its answer and Redis catches up. The latest
   * operation per hash wins.
   */
  const pending = new Map<string, 'refresh' | 'remove'>();
  let retryTimer: NodeJS.Timeout | null = null;
  const defer = (hashes: string[], op: 'refresh' | 'remove', err: unknown) => {
    logger.warn(
      { err: (err as Error).message, keys: hashes.length, op },
      'auth cache write-through deferred',
    );
    for (const h of hashes) pending.set(h, op);
    if (!retryTimer) {
      retryTimer = setTimeout(() => {
        retryTimer = null;
        const batch = [...pending];
        pending.clear();
        const removes = batch.filter(([, op]) => op === 'remove').map(([h]) => h);
        const refreshes = batch.filter(([, op]) => op === 'refresh').map(([h]) => h);
        void remove(removes).then(() => refresh(refreshes));
      }, 1000).unref();
    }
  };
  const refresh = async (hashes: string[]) => {
    try {
      await refreshNow(hashes);
    } catch (err) {
      defer(hashes, 'refresh', err);
    }
  };
  const remove = async (hashes: string[]) => {
    try {
      await removeNow(hashes);
    } catch (err) {
      defer(hashes, 'remove', err);
    }
  };

  let warming: Promise<WarmUpResult> | null = null;
  const warmUpOnce = async (): Promise<WarmUpResult> => {
    const started = Date.now();
    await redis.set(warmKeys.warmEpoch, randomBytes(8).toString('hex'), 'NX');
    const epoch = await redis.get(warmKeys.warmEpoch);
    let after: string | null = null;
    let count = 0;
    let failed = 0;
    for (;;) {
      const page = await opts.listHashes(after, WARM_PAGE);
      if (page.length === 0) break;
      after = page[page.length - 1] ?? null;
      const gens = (await redis.mget(page.map((h) => keys.authGen(h)))).map((g) => Number(g ?? 0));
      const built = await opts.load(page.map((hash, i) => ({ hash, gen: gens[i] ?? 0 })));
      await Promise.all(
        page.map(async (hash, i) => {
          const record = built[i];
          if (record === undefined || record instanceof Error) {
            failed++;
            return;
          }
          count++;
          // No publish: a warm-up writes the current state; gateways' short local TTL covers the rest.
          await apply(hash, gens[i] ?? 0, record.found ? record : null, false);
        }),
      );
    }
    // Postgres is the source of truth: a record whose key is gone (deleted while this service could not
    // reach Redis, or outside the API) must not outlive it.
    let cursor = '0';
    const pattern = keys.authRecord('*');
    do {
      const [nextCursor, names] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', WARM_PAGE);
      cursor = nextCursor;
      const hashes = names.map((n) => n.slice(pattern.length - 1)).filter((h) => h.length === 64);
      const existing = await opts.existingHashes(hashes);
      const gone = hashes.filter((h) => !existing.has(h));
      // Negative entries ({found: false}) are right as they are and expire by themselves.
      const values = gone.length ? await redis.mget(gone.map((h) => keys.authRecord(h))) : [];
      const isFound = (v: string | null | undefined) => {
        try {
          return v ? (JSON.parse(v) as CachedAuthRecord).found === true : false;
        } catch {
          return true;
        }
      };
      await removeNow(gone.filter((_, i) => isFound(values[i])));
    } while (cursor !== '0');
    let warm = false;
    if (!opts.warm) {
      // Records carry a TTL instead; the marker is never set.
    } else if (failed === 0 && epoch !== null) {
      warm =
        (await redis.llmgwSetWarmIfEpoch(
          warmKeys.warmEpoch,
          warmKeys.warm,
          epoch,
          new Date().toISOString(),
        )) === 1;
    } else {
      warm = (await redis.exists(warmKeys.warm)) === 1;
    }
    logger.info({ keys: count, failed, warm, ms: Date.now() - started }, 'auth cache warm-up done');
    return { keys: count, failed, warm };
  };

  const warmUp = () => {
    if (!warming) warming = warmUpOnce().finally(() => (warming = null));
    return warming;
  };

  const timers: NodeJS.Timeout[] = [];
  const safely = (what: string, fn: () => Promise<unknown>) => () => {
    fn().catch((err: Error) => logger.warn({ err: err.message }, `${what} failed`));
  };

  return {
    fill: (hash) => {
      let pending = inflight.get(hash);
      if (!pending) {
        pending = (async () => {
          const current = await redis.get(keys.authRecord(hash));
          if (current) return JSON.parse(current) as CachedAuthRecord;
          return buildAndWrite(hash);
        })().finally(() => inflight.delete(hash));
        inflight.set(hash, pending);
      }
      return pending;
    },
    refresh,
    remove,
    warmUp,
    startWarmKeeper(checkMs, fullRefreshMs) {
      const warmIfCold = safely('auth cache warm check', async () => {
        if (!opts.warm || (await redis.exists(warmKeys.warm)) === 0) await warmUp();
      });
      warmIfCold();
      if (opts.warm) {
        timers.push(setInterval(warmIfCold, checkMs).unref());
        // Safety net for a lost owner/team invalidation: rebuild every record now and then.
        timers.push(setInterval(safely('auth cache full refresh', warmUp), fullRefreshMs).unref());
      }
    },
    stop() {
      for (const t of timers) clearInterval(t);
      timers.length = 0;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
    },
  };
}
