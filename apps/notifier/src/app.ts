import {
  errorMiddleware,
  healthRouter,
  type Logger,
  notFoundHandler,
  type Readiness,
  requestIdMiddleware,
} from '@llmgw/http';
import express from 'express';
import type { Redis } from 'ioredis';

export interface NotifierAppDeps {
  redis: Redis;
  logger: Logger;
  readiness: Readiness;
}

/** The notifier serves only health (and later metrics); its work is the `email` queue. */
export function createApp(deps: NotifierAppDeps) {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestIdMiddleware);
  app.use(
    healthRouter(
      {
        cache: async () => {
          await deps.redis.ping();
        },
      },
      deps.readiness,
    ),
  );
  app.use(notFoundHandler);
  app.use(errorMiddleware(deps.logger));
  return app;
}
