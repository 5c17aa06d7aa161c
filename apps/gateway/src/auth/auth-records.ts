import {
  authWarmKeys,
  type CachedAuthRecord,
  cachedAuthRecordSchema,
  INTERNAL_ROUTES,
  type RedisKeys,
} from '@llmgw/contracts';
import { callInternal, InternalCallError, type Logger, serviceUnavailable } from '@llmgw/http';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

export interface AuthRecordsOptions {
  redis: Pick<Redis, 'mget'>;
  /** A second connection in subscriber mode for invalidations. */
  subscriber: Pick<Redis, 'on' | 'subscribe'>;
  keys: RedisKeys;
  keysUrl: string;
  internalSecret: string;
  /** How long a record is trusted from process memory; pub/sub drops it sooner on any change. */
  localTtlMs: number;
  maxLocal: number;
  /**
   * While Redis is unreachable, a record already in process memory is still served until it is this old
   * (measured from when Redis last confirmed it); unknown keys get 503 (fail closed).
   */
  staleIfErrorMs?: number;
  logger: Logger;
  now?: () => number;
  /** Cache fills go to the keys service over HTTP; tests may replace it. */
  fetch?: typeof fetch;
}

/** The default of AUTH_STALE_IF_ERROR_MS. */
export const DEFAULT_STALE_IF_ERROR_MS = 30_000;

interface LocalEntry {
  record: CachedAuthRecord;
  /** When Redis (or the keys service) last confirmed this record. */
  at: number;
}

/** A key the keys service does not know, while Redis is complete (the warm marker exists). */
const MISSING: CachedAuthRecord = { found: false, gen: -1 };

/**
 * Auth records by key hash, with one Redis round trip in the common case:
 * process LRU (short TTL, dropped per hash by pub/sub and entirely on reconnect) -> Redis (the record and
 * the warm marker in one MGET) -> on a miss, "no such key" when the keys service keeps Redis complete
 * (warm marker), otherwise the keys service builds the record from Postgres and writes it to Redis.
 * Concurrent misses for one hash share one load. A load that overlapped an invalidation is answered but
 * not kept, so a record read just before a change never outlives it in memory.
 */
export class AuthRecords {
  private readonly local: LRUCache<string, LocalEntry>;
  private readonly inflight = new Map<string, Promise<CachedAuthRecord>>();
  private readonly warmKey: string;
  private readonly staleMs: number;
  private readonly now: () => number;
  /** Bumped by every invalidation message and reconnect. */
  private invalidations = 0;

  constructor(private readonly opts: AuthRecordsOptions) {
    this.staleMs = opts.staleIfErrorMs ?? DEFAULT_STALE_IF_ERROR_MS;
    this.now = opts.now ?? Date.now;
    // Entries are kept as long as they may be served stale; freshness is checked on every read.
    this.local = new LRUCache({ max: opts.maxLocal });
    this.warmKey = authWarmKeys(opts.keys).warm;
  }

  /** Subscribes to invalidations. A reconnect may have lost messages, so it drops everything. */
  async start(): Promise<void> {
    const { subscriber, keys, logger } = this.opts;
    subscriber.on('message', (_channel: string, hash: string) => {
      this.invalidations++;
      if (hash === '*') this.local.clear();
      else this.local.delete(hash);
    });
    subscriber.on('ready', () => {
      this.invalidations++;
      this.local.clear();
    });
    await subscriber.subscribe(keys.authInvalidations);
    logger.debug('subscribed to auth invalidations');
  }

  async get(hash: string): Promise<CachedAuthRecord> {
    const hit = this.local.get(hash);
    if (hit && this.now() - hit.at < this.opts.localTtlMs) return hit.record;
    let pending = this.inflight.get(hash);
    if (!pending) {
      pending = this.load(hash).finally(() => this.inflight.delete(hash));
      this.inflight.set(hash, pending);
    }
    return pending;
  }

  private async load(hash: string): Promise<CachedAuthRecord> {
    const seen = this.invalidations;
    let json: string | null | undefined;
    let warm: string | null | undefined;
    try {
      [json, warm] = await this.opts.redis.mget(this.opts.keys.authRecord(hash), this.warmKey);
    } catch (err) {
      const stale = this.local.peek(hash);
      if (stale && this.now() - stale.at < this.staleMs) return stale.record;
      this.opts.logger.warn({ err: (err as Error).message }, 'redis unavailable for auth lookup');
      throw serviceUnavailable('Authentication backend (Redis) is unavailable. Retry shortly.');
    }
    // Records are written by the keys service only; parsing them again would cost the hot path.
    const record = json ? (JSON.parse(json) as CachedAuthRecord) : warm ? MISSING : await this.fill(hash);
    if (this.invalidations === seen) this.local.set(hash, { record, at: this.now() });
    else this.local.delete(hash);
    return record;
  }

  private async fill(hash: string): Promise<CachedAuthRecord> {
    try {
      return await callInternal({
        baseUrl: this.opts.keysUrl,
        path: INTERNAL_ROUTES.authRecord(hash),
        internalSecret: this.opts.internalSecret,
        timeoutMs: 5000,
        schema: cachedAuthRecordSchema,
        ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}),
      });
    } catch (err) {
      const status = err instanceof InternalCallError ? err.status : null;
      this.opts.logger.warn(
        { status, err: (err as Error).message },
        status === null ? 'keys service unreachable for cache fill' : 'keys service failed a cache fill',
      );
      throw serviceUnavailable('Authentication backend (keys service) is unavailable. Retry shortly.');
    }
  }

  /** For tests and the invalidation handler. */
  drop(hash: string): void {
    this.local.delete(hash);
  }
}
