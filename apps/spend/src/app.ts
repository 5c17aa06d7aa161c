import { createServiceApp, type Logger, type Readiness } from '@llmgw/http';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { outageTo503 } from './outage.middleware';
import type { SpendServices } from './services';
import { spendJobsRoutes } from './spend-jobs/spend-jobs.routes';
import { createSpendJobsService } from './spend-jobs/spend-jobs.service';
import { spendLogsRoutes } from './spend-logs/spend-logs.routes';
import { totalsRoutes } from './totals/totals.routes';

export interface SpendAppDeps {
  services: SpendServices;
  /** The `spend` queue, for the admin's view of failed jobs. */
  queue: Queue;
  pingDb: () => Promise<void>;
  redis: Redis;
  internalSecret: string;
  logger: Logger;
  readiness: Readiness;
  /** Clock of the principal check (tests). */
  nowMs?: () => number;
}

/** The spend service: spend reads (§1.6), failed spend jobs, and the internal totals routes. */
export function createApp(deps: SpendAppDeps) {
  const { services } = deps;
  return createServiceApp({
    logger: deps.logger,
    readiness: deps.readiness,
    internalSecret: deps.internalSecret,
    ...(deps.nowMs ? { now: deps.nowMs } : {}),
    checks: {
      db: deps.pingDb,
      cache: async () => {
        await deps.redis.ping();
      },
    },
    routes: (app) => {
      app.use(spendLogsRoutes(services.reads));
      app.use(totalsRoutes(services.totals, services.resets));
      app.use(spendJobsRoutes(createSpendJobsService({ queue: deps.queue })));
      app.use(outageTo503);
    },
  });
}
