import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { getHeapStatistics } from 'node:v8';
import { isLlmRoute } from '@llmgw/auth';
import { redisKeys } from '@llmgw/contracts';
import {
  errorMiddleware,
  healthRouter,
  type Logger,
  logRequest,
  notFoundHandler,
  type Readiness,
  requestIdMiddleware,
  requestIdOf,
  requestLogger,
} from '@llmgw/http';
import express from 'express';
import type { Redis } from 'ioredis';
import { AuthRecords } from './auth/auth-records';
import { createAuthenticator } from './auth/authenticate';
import { createSessionAuthenticator } from './auth/session';
import { createCounterSeeder } from './limits/counter-seeder';
import { Limiter } from './limits/limiter';
import { createLlmHandler } from './llm/llm-handler';
import { BodyBudget, defaultInflightBodyBytes } from './llm/read-body';
import { sendError } from './llm/respond';
import { forwardToServices } from './management/forward';
import { gatewayRoutes } from './management/gateway-routes';
import { defaultUiDir, uiStatic } from './management/ui-static';
import type { Metrics } from './metrics';
import type { Deployment } from './models/model-config';
import { ModelRouter } from './models/model-router';
import type { SpendSink } from './spend/spend-events';

export interface GatewayDeps {
  redis: Redis;
  subscriber: Redis;
  redisPrefix: string;
  masterKey: string;
  internalSecret: string;
  services: { identity: string; keys: string; spend: string; notifier: string };
  deployments: Deployment[];
  logger: Logger;
  readiness: Readiness;
  authLocalTtlMs: number;
  authLocalMaxKeys: number;
  /** How long keys already in memory keep working while Redis is unreachable. */
  authStaleIfErrorMs: number;
  upstreamTimeoutMs: number;
  maxLlmBodyBytes: number;
  /** Request-body bytes held at once across all /v1 calls (default: what the heap limit allows). */
  maxInflightBodyBytes?: number;
  defaultMaxTokens: number;
  /** Where spend events go (the BullMQ `spend` queue in production). */
  spend: SpendSink;
  metrics: Metrics;
  /** The built web console served at /ui; default `apps/ui/dist` under the cwd (the repo root). */
  uiDir?: string;
  now?: () => Date;
}

export interface Gateway {
  /** The request listener: the lean /v1 hot path, everything else through Express. */
  handler: RequestListener;
  /** Subscribes to cache invalidations; call before serving. */
  start: () => Promise<void>;
}

/**
 * The gateway is two handlers behind one port: OpenAI-compatible routes run on plain node:http (the hot
 * path, no Express per-request overhead), management routes and health run through Express, which
 * forwards them to the owning service.
 */
export function createApp(deps: GatewayDeps): Gateway {
  const now = deps.now ?? (() => new Date());
  const records = new AuthRecords({
    redis: deps.redis,
    subscriber: deps.subscriber,
    keys: redisKeys(deps.redisPrefix),
    keysUrl: deps.services.keys,
    internalSecret: deps.internalSecret,
    localTtlMs: deps.authLocalTtlMs,
    maxLocal: deps.authLocalMaxKeys,
    staleIfErrorMs: deps.authStaleIfErrorMs,
    logger: deps.logger,
  });
  const authenticator = createAuthenticator({ masterKey: deps.masterKey, records, now });
  const router = new ModelRouter(deps.deployments);
  const handleLlm = createLlmHandler({
    authenticator,
    router,
    limiter: new Limiter(deps.redis, {
      parallelTtlMs: deps.upstreamTimeoutMs + 5000,
      now: () => now().getTime(),
      seed: createCounterSeeder({
        spendUrl: deps.services.spend,
        internalSecret: deps.internalSecret,
        logger: deps.logger,
      }),
    }),
    spend: deps.spend,
    redisKeys: redisKeys(deps.redisPrefix),
    defaultMaxTokens: deps.defaultMaxTokens,
    logger: deps.logger,
    maxBodyBytes: deps.maxLlmBodyBytes,
    bodyBudget: new BodyBudget(
      deps.maxInflightBodyBytes ??
        defaultInflightBodyBytes(getHeapStatistics().heap_size_limit, deps.maxLlmBodyBytes),
    ),
    upstreamTimeoutMs: deps.upstreamTimeoutMs,
  });

  const management = express();
  management.disable('x-powered-by');
  management.set('trust proxy', 'loopback');
  management.use(requestIdMiddleware, requestLogger(deps.logger));
  management.use(
    healthRouter(
      {
        cache: async () => {
          await deps.redis.ping();
        },
      },
      deps.readiness,
    ),
  );
  management.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', deps.metrics.registry.contentType);
    res.end(await deps.metrics.registry.metrics());
  });
  management.use(gatewayRoutes({ authenticator, router, probeTimeoutMs: 5000 }));
  management.use(uiStatic({ dir: deps.uiDir ?? defaultUiDir() }));
  management.use(
    forwardToServices({
      authenticator,
      services: deps.services,
      internalSecret: deps.internalSecret,
      logger: deps.logger,
      sessions: createSessionAuthenticator({ redis: deps.redis, keys: redisKeys(deps.redisPrefix) }),
    }),
  );
  management.use(notFoundHandler);
  management.use(errorMiddleware(deps.logger));

  const handler: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (!isLlmRoute(path)) {
      management(req, res);
      return;
    }
    const started = process.hrtime.bigint();
    // The handler echoes it in the one header write of its response (no setHeader before it).
    const reqId = requestIdOf(req);
    res.on('finish', () => {
      logRequest(deps.logger, req, res, reqId, started);
      const kind = routeKind(path);
      deps.metrics.llmRequests.labels(kind, String(res.statusCode)).inc();
      deps.metrics.llmDuration.labels(kind).observe(Number(process.hrtime.bigint() - started) / 1e9);
    });
    handleLlm(req, res, path, reqId).catch((err) => sendError(res, err, deps.logger, reqId));
  };

  return { handler, start: () => records.start() };
}

/** A low-cardinality label for an OpenAI route (never the raw path: model names are unbounded). */
function routeKind(path: string): string {
  if (path.endsWith('/chat/completions')) return 'chat';
  if (path.endsWith('/completions')) return 'completion';
  if (path.endsWith('/embeddings')) return 'embedding';
  return 'models';
}
