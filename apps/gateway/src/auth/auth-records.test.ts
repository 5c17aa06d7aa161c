import { EventEmitter } from 'node:events';
import { type AuthRecord, type CachedAuthRecord, redisKeys } from '@llmgw/contracts';
import { createLogger, isProxyError } from '@llmgw/http';
import { AuthRecords } from './auth-records';

const keys = redisKeys('t:');
const HASH = 'a'.repeat(64);
const logger = createLogger({ name: 'test', level: 'silent' });

function record(over: Partial<AuthRecord> = {}): AuthRecord {
  return {
    found: true,
    gen: 1,
    token: HASH,
    keyName: 'sk-...abcd',
    keyAlias: null,
    userId: null,
    teamId: null,
    userRole: null,
    models: [],
    aliases: {},
    blocked: false,
    expires: null,
    spend: 0,
    maxBudget: null,
    tpmLimit: null,
    rpmLimit: null,
    maxParallelRequests: null,
    allowedRoutes: [],
    metadata: {},
    ...over,
  };
}

/** Redis as the gateway sees it: a map, a switch to make it fail, and a count of round trips. */
class FakeRedis {
  data = new Map<string, string>();
  down = false;
  calls = 0;
  /** Runs inside the next mget, before it answers (to interleave an invalidation). */
  during: (() => void) | null = null;
  async mget(...names: string[]): Promise<(string | null)[]> {
    this.calls++;
    if (this.down) throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
    const out = names.map((n) => this.data.get(n) ?? null);
    const during = this.during;
    this.during = null;
    during?.();
    return out;
  }
}

class FakeSubscriber extends EventEmitter {
  async subscribe() {
    return 1;
  }
}

function setup(opts: { localTtlMs?: number; staleIfErrorMs?: number; fill?: () => Promise<Response> } = {}) {
  let now = 1_000_000;
  const redis = new FakeRedis();
  const subscriber = new FakeSubscriber();
  const fills: string[] = [];
  const records = new AuthRecords({
    redis: redis as never,
    subscriber: subscriber as never,
    keys,
    keysUrl: 'http://keys.invalid',
    internalSecret: 'x'.repeat(32),
    localTtlMs: opts.localTtlMs ?? 2000,
    maxLocal: 100,
    staleIfErrorMs: opts.staleIfErrorMs ?? 30_000,
    logger,
    now: () => now,
    fetch: (async (url: string) => {
      fills.push(String(url));
      return opts.fill ? opts.fill() : new Response(JSON.stringify({ found: false, gen: 0 }));
    }) as typeof fetch,
  });
  return {
    records,
    redis,
    subscriber,
    fills,
    advance: (ms: number) => {
      now += ms;
    },
    put: (r: CachedAuthRecord) => redis.data.set(keys.authRecord(HASH), JSON.stringify(r)),
    warm: () => redis.data.set('t:auth:warm', '2031-01-01T00:00:00.000Z'),
  };
}

async function rejection(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (isProxyError(err)) return { status: err.status, body: err.toBody() };
    throw err;
  }
  throw new Error('expected a rejection');
}

const redisDown = {
  status: 503,
  body: {
    error: {
      message: 'Authentication backend (Redis) is unavailable. Retry shortly.',
      type: 'service_unavailable',
      param: null,
      code: '503',
    },
  },
};

describe('AuthRecords', () => {
  test('when the record is in Redis, then one round trip reads it and the next reads come from memory', async () => {
    const s = setup();
    s.put(record());

    expect(await s.records.get(HASH)).toEqual(record());
    expect(await s.records.get(HASH)).toEqual(record());
    expect(s.redis.calls).toBe(1);
    expect(s.fills).toEqual([]);
  });

  test('when the local TTL has passed, then Redis is asked again', async () => {
    const s = setup({ localTtlMs: 2000 });
    s.put(record());
    await s.records.get(HASH);
    s.advance(2001);
    s.put(record({ gen: 2, blocked: true }));

    expect(await s.records.get(HASH)).toEqual(record({ gen: 2, blocked: true }));
    expect(s.redis.calls).toBe(2);
  });

  test('when Redis misses and the warm marker is set, then the key is unknown without asking the keys service', async () => {
    const s = setup();
    s.warm();

    expect(await s.records.get(HASH)).toEqual({ found: false, gen: -1 });
    expect(s.fills).toEqual([]);
  });

  test('when Redis misses and there is no warm marker, then the keys service fills the record', async () => {
    const s = setup({ fill: async () => new Response(JSON.stringify(record({ gen: 7 }))) });

    expect(await s.records.get(HASH)).toEqual(record({ gen: 7 }));
    expect(s.fills).toEqual([`http://keys.invalid/internal/auth-record/${HASH}`]);
  });

  test('when concurrent requests miss together, then they share one load', async () => {
    const s = setup();
    s.put(record());

    await Promise.all([s.records.get(HASH), s.records.get(HASH), s.records.get(HASH)]);

    expect(s.redis.calls).toBe(1);
  });

  test('when the keys service cannot fill, then 503 (fail closed)', async () => {
    const s = setup({ fill: async () => new Response('{}', { status: 503 }) });

    expect(await rejection(s.records.get(HASH))).toEqual({
      status: 503,
      body: {
        error: {
          message: 'Authentication backend (keys service) is unavailable. Retry shortly.',
          type: 'service_unavailable',
          param: null,
          code: '503',
        },
      },
    });
  });

  test('when an invalidation message names the hash, then the next read goes to Redis', async () => {
    const s = setup();
    s.put(record());
    await s.records.start();
    await s.records.get(HASH);
    s.put(record({ gen: 2, blocked: true }));
    s.subscriber.emit('message', keys.authInvalidations, HASH);

    expect(await s.records.get(HASH)).toEqual(record({ gen: 2, blocked: true }));
  });

  test('when the subscriber reconnects, then everything in memory is dropped', async () => {
    const s = setup();
    s.put(record());
    await s.records.start();
    await s.records.get(HASH);
    s.put(record({ gen: 3 }));
    s.subscriber.emit('ready');

    expect(await s.records.get(HASH)).toEqual(record({ gen: 3 }));
  });

  test('when an invalidation arrives while a load is in flight, then the loaded record is answered but not kept', async () => {
    const s = setup();
    s.put(record());
    await s.records.start();
    s.redis.during = () => s.subscriber.emit('message', keys.authInvalidations, HASH);
    await s.records.get(HASH);
    s.put(record({ gen: 2, blocked: true }));

    expect(await s.records.get(HASH)).toEqual(record({ gen: 2, blocked: true }));
    expect(s.redis.calls).toBe(2);
  });

  describe('when Redis is down', () => {
    test('then a key Redis confirmed within AUTH_STALE_IF_ERROR_MS is still served', async () => {
      const s = setup({ localTtlMs: 2000, staleIfErrorMs: 30_000 });
      s.put(record());
      await s.records.get(HASH);
      s.redis.down = true;
      s.advance(29_000);

      expect(await s.records.get(HASH)).toEqual(record());
    });

    test('then past AUTH_STALE_IF_ERROR_MS the same key gets 503', async () => {
      const s = setup({ localTtlMs: 2000, staleIfErrorMs: 30_000 });
      s.put(record());
      await s.records.get(HASH);
      s.redis.down = true;
      s.advance(30_001);

      expect(await rejection(s.records.get(HASH))).toEqual(redisDown);
    });

    test('then a key never seen gets 503, not a guess', async () => {
      const s = setup();
      s.redis.down = true;

      expect(await rejection(s.records.get(HASH))).toEqual(redisDown);
      expect(s.fills).toEqual([]);
    });
  });
});
