import { createServiceApp, type Logger, type Readiness } from '@llmgw/http';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { emailJobsRoutes } from './email-jobs/email-jobs.routes';
import { createEmailJobsService } from './email-jobs/email-jobs.service';
import type { NotifierMetrics } from './metrics';

export interface NotifierAppDeps {
  /** Command connection: readiness ping. */
  redis: Redis;
  /** The `email` queue, for the admin routes. */
  queue: Queue;
  metrics: NotifierMetrics;
  internalSecret: string;
  logger: Logger;
  readiness: Readiness;
  now?: () => number;
}

/**
 * The notifier's HTTP side; its work is the `email` queue (see worker/). Public: health and
 * `/metrics` (on the notifier's own port, not forwarded by the gateway). Behind the gateway's signed
 * principal: `GET /email/failed` and `POST /email/retry`.
 */
export function createApp(deps: NotifierAppDeps) {
  const service = createEmailJobsService({ queue: deps.queue });
  return createServiceApp({
    logger: deps.logger,
    readiness: deps.readiness,
    internalSecret: deps.internalSecret,
    ...(deps.now ? { now: deps.now } : {}),
    checks: {
      cache: async () => {
        await deps.redis.ping();
      },
    },
    publicRoutes: (app) => {
      app.get('/metrics', async (_req, res) => {
        res.setHeader('content-type', deps.metrics.registry.contentType);
        res.send(await deps.metrics.registry.metrics());
      });
    },
    routes: (app) => {
      app.use(emailJobsRoutes(service));
    },
  });
}
