import { redisKeys } from '@llmgw/contracts';
import type { Kysely } from '@llmgw/db';
import { createServiceApp, type Logger, type Readiness } from '@llmgw/http';
import type { Redis } from 'ioredis';
import { type AuthCache, createAuthCache } from './auth-record/auth-cache';
import { authRecordRoutes } from './auth-record/auth-record.routes';
import { createRecordLoader } from './auth-record/record-loader';
import type { KeysDB } from './db';
import type { IdentityClient } from './identity/identity-client';
import { keysRepository } from './keys/keys.repository';
import { keysRoutes } from './keys/keys.routes';
import { createKeysService } from './keys/keys.service';
import { KeysMetrics, QueryCounter } from './metrics';
import { type BudgetScheduleOutbox, createBudgetScheduleOutbox } from './spend/budget-schedule-outbox';
import type { SpendClient } from './spend/spend-client';

export interface KeysAppDeps {
  db: Kysely<KeysDB>;
  pingDb: () => Promise<void>;
  redis: Redis;
  redisPrefix: string;
  internalSecret: string;
  identity: IdentityClient;
  /** Spend totals (the `spend` keys show) and budget reset schedules. */
  spend: SpendClient;
  logger: Logger;
  readiness: Readiness;
  negativeCacheSeconds: number;
  authRecordTtlSeconds: number;
  /** Keep Redis complete and maintain the warm marker (see AuthCache). */
  authWarm: boolean;
  metrics?: KeysMetrics;
  now?: () => Date;
}

export interface KeysApp {
  app: ReturnType<typeof createServiceApp>;
  authCache: AuthCache;
  metrics: KeysMetrics;
  /** Budget schedules owed to spend: the caller starts the pump and stops it at shutdown. */
  schedules: BudgetScheduleOutbox;
}

export function createApp(deps: KeysAppDeps): KeysApp {
  const now = deps.now ?? (() => new Date());
  const metrics = deps.metrics ?? new KeysMetrics();
  const db = deps.db.withPlugin(new QueryCounter(() => metrics.dbQueries++));
  const authCache = createAuthCache({
    redis: deps.redis,
    keys: redisKeys(deps.redisPrefix),
    load: createRecordLoader({ db, identity: deps.identity }),
    listHashes: (after, limit) => keysRepository.tokensAfter(db, after, limit),
    existingHashes: (hashes) => keysRepository.existingTokens(db, hashes),
    warm: deps.authWarm,
    recordTtlSeconds: deps.authRecordTtlSeconds,
    negativeTtlSeconds: deps.negativeCacheSeconds,
    logger: deps.logger,
    metrics: {
      onFill: (found) => {
        if (found) metrics.fillsFound++;
        else metrics.fillsMissing++;
      },
    },
  });
  // Its polling runs on the uncounted handle: `dbQueries` counts what requests and cache fills cost.
  const schedules = createBudgetScheduleOutbox({ db: deps.db, spend: deps.spend, logger: deps.logger, now });
  const service = createKeysService({
    db,
    authCache,
    identity: deps.identity,
    spend: deps.spend,
    schedules,
    logger: deps.logger,
    now,
  });

  const app = createServiceApp({
    logger: deps.logger,
    readiness: deps.readiness,
    internalSecret: deps.internalSecret,
    checks: {
      db: deps.pingDb,
      cache: async () => {
        await deps.redis.ping();
      },
    },
    publicRoutes: (a) => {
      a.use(metrics.router());
    },
    routes: (a) => {
      a.use(authRecordRoutes(authCache, service));
      a.use(keysRoutes(service));
    },
  });
  return { app, authCache, metrics, schedules };
}
