import { ProxyError } from '@llmgw/http';
import type { ErrorRequestHandler } from 'express';
import { isDatabaseOutage, isRedisOutage } from './worker/db-errors';

/**
 * Postgres or Redis being unreachable is not the client's fault and not a bug: 503 with a clear message
 * (ARCHITECTURE §2, "Postgres down: management routes answer 503"), instead of the generic 500.
 */
export const outageTo503: ErrorRequestHandler = (err, _req, _res, next) => {
  if (isDatabaseOutage(err)) {
    next(
      new ProxyError({
        status: 503,
        message: 'the spend database is unavailable, retry shortly',
        type: 'service_unavailable',
        param: null,
        cause: err,
      }),
    );
    return;
  }
  if (isRedisOutage(err)) {
    next(
      new ProxyError({
        status: 503,
        message: 'redis is unavailable, retry shortly',
        type: 'service_unavailable',
        param: null,
        cause: err,
      }),
    );
    return;
  }
  next(err);
};
