import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { jsonBody } from './body';
import { errorMiddleware, notFoundHandler } from './error-middleware';
import { type HealthCheck, healthRouter, type Readiness } from './health';
import { requestLogger } from './logger';
import { requirePrincipal } from './principal-signing';
import { requestIdMiddleware } from './request-id';

export interface ServiceAppOptions {
  logger: Logger;
  readiness: Readiness;
  checks: Record<string, HealthCheck>;
  internalSecret: string;
  /** Routes reachable without a principal (login, onboarding), mounted before the principal check. */
  publicRoutes?: (app: Express) => void;
  /** Routes that require the gateway's signed principal. */
  routes: (app: Express) => void;
  now?: () => number;
  /**
   * Which hops may set X-Forwarded-For (Express `trust proxy`): the gateway's address. Default loopback;
   * in containers the gateway is another host, so set it (e.g. the compose network) or every client looks
   * like the gateway.
   */
  trustProxy?: string;
}

/**
 * The Express app every service shares, in one order: request id -> request log -> health -> public
 * routes -> signed-principal check -> JSON body (1 MB) -> routes -> 404 -> the one error middleware.
 */
export function createServiceApp(opts: ServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', opts.trustProxy ?? 'loopback');
  app.use(requestIdMiddleware, requestLogger(opts.logger));
  app.use(healthRouter(opts.checks, opts.readiness));
  if (opts.publicRoutes) {
    app.use(jsonBody());
    opts.publicRoutes(app);
  }
  app.use(requirePrincipal(opts.internalSecret, opts.now), jsonBody());
  opts.routes(app);
  app.use(notFoundHandler);
  app.use(errorMiddleware(opts.logger));
  return app;
}
