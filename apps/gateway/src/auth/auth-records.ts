import {
  type CachedAuthRecord,
  cachedAuthRecordSchema,
  INTERNAL_ROUTES,
  PRINCIPAL_HEADER,
  PROXY_ADMIN_ID,
  type Principal,
  type RedisKeys,
} from '@llmgw/contracts';
import { type Logger, serviceUnavailable, signPrincipal } from '@llmgw/http';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

export interface AuthRecordsOptions {
  redis: Redis;
  /** A second connection in subscriber mode for invalidations. */
  subscriber: Redis;
  keys: RedisKeys;
  keysUrl: string;
  internalSecret: string;
  localTtlMs: number;
  maxLocal: number;
  logger: Logger;
}

/** The principal the gateway uses for its own calls to services (cache fills). */
const SYSTEM_PRINCIPAL: Principal = {
  kind: 'master',
  userId: PROXY_ADMIN_ID,
  role: 'proxy_admin',
  keyHash: null,
  teamId: null,
  sessionId: null,
};

/**
 * Auth records by key hash: process LRU (short TTL, dropped by pub/sub on any change) -> Redis ->
 * the keys service, which builds the record from Postgres and writes it to Redis. Concurrent misses
 * for one hash share one fill.
 */
export class AuthRecords {
  private readonly local: LRUCache<string, CachedAuthRecord>;
  private readonly inflight = new Map<string, Promise<CachedAuthRecord>>();

  constructor(private readonly opts: AuthRecordsOptions) {
    this.local = new LRUCache({ max: opts.maxLocal, ttl: opts.localTtlMs || 1, ttlAutopurge: false });
  }

  /** Subscribes to invalidations. A reconnect may have lost messages, so it drops everything. */
  async start(): Promise<void> {
    const { subscriber, keys, logger } = this.opts;
    subscriber.on('message', (_channel: string, hash: string) => {
      if (hash === '*') this.local.clear();
      else this.local.delete(hash);
    });
    subscriber.on('ready', () => this.local.clear());
    await subscriber.subscribe(keys.authInvalidations);
    logger.debug('subscribed to auth invalidations');
  }

  async get(hash: string): Promise<CachedAuthRecord> {
    const hit = this.local.get(hash);
    if (hit) return hit;
    let pending = this.inflight.get(hash);
    if (!pending) {
      pending = this.load(hash).finally(() => this.inflight.delete(hash));
      this.inflight.set(hash, pending);
    }
    return pending;
  }

  private async load(hash: string): Promise<CachedAuthRecord> {
    let json: string | null;
    try {
      json = await this.opts.redis.get(this.opts.keys.authRecord(hash));
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message }, 'redis unavailable for auth lookup');
      throw serviceUnavailable('Authentication backend (Redis) is unavailable. Retry shortly.');
    }
    const record = json ? (JSON.parse(json) as CachedAuthRecord) : await this.fill(hash);
    this.local.set(hash, record);
    return record;
  }

  private async fill(hash: string): Promise<CachedAuthRecord> {
    const url = `${this.opts.keysUrl}${INTERNAL_ROUTES.authRecord(hash)}`;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { [PRINCIPAL_HEADER]: signPrincipal(SYSTEM_PRINCIPAL, this.opts.internalSecret) },
        signal: AbortSignal.timeout(5000),
      });
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message }, 'keys service unreachable for cache fill');
      throw serviceUnavailable('Authentication backend (keys service) is unavailable. Retry shortly.');
    }
    if (!res.ok) {
      this.opts.logger.warn({ status: res.status }, 'keys service failed a cache fill');
      throw serviceUnavailable('Authentication backend (keys service) is unavailable. Retry shortly.');
    }
    return cachedAuthRecordSchema.parse(await res.json());
  }

  /** For tests and the invalidation handler. */
  drop(hash: string): void {
    this.local.delete(hash);
  }
}
