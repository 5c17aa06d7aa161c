import type { CachedAuthRecord } from '@llmgw/contracts';
import { redisKeys } from '@llmgw/contracts';
import type { Kysely } from '@llmgw/db';
import { createServiceApp, type Logger, type Readiness } from '@llmgw/http';
import type { Redis } from 'ioredis';
import { createAuthCache } from './auth-record/auth-cache';
import { authRecordRoutes } from './auth-record/auth-record.routes';
import { buildAuthRecord } from './auth-record/build-record';
import type { KeysDB } from './db';
import { keysRepository } from './keys/keys.repository';
import { keysRoutes } from './keys/keys.routes';
import { createKeysService } from './keys/keys.service';

export interface KeysAppDeps {
  db: Kysely<KeysDB>;
  pingDb: () => Promise<void>;
  redis: Redis;
  redisPrefix: string;
  internalSecret: string;
  logger: Logger;
  readiness: Readiness;
  negativeCacheSeconds: number;
  authRecordTtlSeconds: number;
  now?: () => Date;
}

export function createApp(deps: KeysAppDeps) {
  const now = deps.now ?? (() => new Date());
  const authCache = createAuthCache({
    redis: deps.redis,
    keys: redisKeys(deps.redisPrefix),
    recordTtlSeconds: deps.authRecordTtlSeconds,
    negativeTtlSeconds: deps.negativeCacheSeconds,
    load: async (hash, gen): Promise<CachedAuthRecord> => {
      const row = await keysRepository.findByToken(deps.db, hash);
      return row ? buildAuthRecord(row, gen) : { found: false, gen };
    },
  });
  const service = createKeysService({ db: deps.db, authCache, now });

  return createServiceApp({
    logger: deps.logger,
    readiness: deps.readiness,
    internalSecret: deps.internalSecret,
    checks: {
      db: deps.pingDb,
      cache: async () => {
        await deps.redis.ping();
      },
    },
    routes: (app) => {
      app.use(authRecordRoutes(authCache));
      app.use(keysRoutes(service));
    },
  });
}
