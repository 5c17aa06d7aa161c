import type { Kysely } from '@llmgw/db';
import { createServiceApp, type Logger, type Readiness } from '@llmgw/http';
import type { Redis } from 'ioredis';

export interface IdentityAppDeps {
  // biome-ignore lint/suspicious/noExplicitAny: no tables yet; typed when the first migration lands
  db: Kysely<any>;
  pingDb: () => Promise<void>;
  redis: Redis;
  internalSecret: string;
  logger: Logger;
  readiness: Readiness;
}

/** The identity service. Its routes are added resource by resource (one folder each). */
export function createApp(deps: IdentityAppDeps) {
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
    routes: () => {},
  });
}
