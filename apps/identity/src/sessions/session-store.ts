import { randomBytes } from 'node:crypto';
import {
  type RedisKeys,
  type Role,
  SESSION_ID_PATTERN,
  SESSION_TTL_SECONDS,
  type SessionRecord,
  sessionIdHash,
  sessionRecordSchema,
} from '@llmgw/contracts';
import type { Redis } from 'ioredis';

export interface NewSession {
  /** The raw id, for the cookie only: Redis keeps sha256(id). */
  id: string;
  csrfToken: string;
  record: SessionRecord;
}

/**
 * UI sessions in Redis (the gateway reads the same records): `session(sha256(id))` -> JSON record with
 * a 24 h TTL, plus a per-user set of session hashes so that a role change, a password change or a
 * deleted user ends every session of that user at once.
 */
export interface SessionStore {
  create: (userId: string, role: Role) => Promise<NewSession>;
  get: (id: string) => Promise<SessionRecord | null>;
  destroy: (id: string) => Promise<void>;
  destroyAllForUser: (userId: string) => Promise<void>;
}

export function createSessionStore(deps: {
  redis: Redis;
  keys: RedisKeys;
  now: () => Date;
  ttlSeconds?: number;
}): SessionStore {
  const { redis, keys, now } = deps;
  const ttl = deps.ttlSeconds ?? SESSION_TTL_SECONDS;
  return {
    async create(userId, role) {
      const id = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(32).toString('base64url');
      const record: SessionRecord = { userId, role, csrfToken, createdAt: now().toISOString() };
      const hash = sessionIdHash(id);
      await redis
        .multi()
        .set(keys.session(hash), JSON.stringify(record), 'EX', ttl)
        .sadd(keys.userSessions(userId), hash)
        .expire(keys.userSessions(userId), ttl)
        .exec();
      return { id, csrfToken, record };
    },
    async get(id) {
      if (!SESSION_ID_PATTERN.test(id)) return null;
      const json = await redis.get(keys.session(sessionIdHash(id)));
      if (!json) return null;
      const parsed = sessionRecordSchema.safeParse(JSON.parse(json));
      return parsed.success ? parsed.data : null;
    },
    async destroy(id) {
      if (!SESSION_ID_PATTERN.test(id)) return;
      const hash = sessionIdHash(id);
      const json = await redis.get(keys.session(hash));
      const multi = redis.multi().del(keys.session(hash));
      if (json) {
        const parsed = sessionRecordSchema.safeParse(JSON.parse(json));
        if (parsed.success) multi.srem(keys.userSessions(parsed.data.userId), hash);
      }
      await multi.exec();
    },
    async destroyAllForUser(userId) {
      const hashes = await redis.smembers(keys.userSessions(userId));
      await redis
        .multi()
        .del(...hashes.map((h) => keys.session(h)), keys.userSessions(userId))
        .exec();
    },
  };
}
