import { createServer } from 'node:http';
import { getHeapStatistics } from 'node:v8';
import { parseEnv, resolveSecrets } from '@llmgw/config';
import { redisKeys } from '@llmgw/contracts';
import { createRedis } from '@llmgw/db/redis';
import { createLogger, exitOnStartupError, serve } from '@llmgw/http';
import { createApp } from './app';
import { gatewayEnvSchema } from './env';
import { bodyLimitExceedsHeap } from './llm/read-body';
import { countCommands, createMetrics } from './metrics';
import { loadModelConfig } from './models/model-config';
import { createSpendQueue } from './spend/spend-events';

async function main() {
  const env = parseEnv(gatewayEnvSchema);
  const { masterKey, internalSecret } = resolveSecrets(env);
  const logger = createLogger({ name: 'gateway', level: env.LOG_LEVEL });
  const deployments = loadModelConfig(env.CONFIG_FILE);
  const heapLimit = getHeapStatistics().heap_size_limit;
  if (env.MAX_INFLIGHT_BODY_BYTES !== undefined && env.MAX_INFLIGHT_BODY_BYTES < env.MAX_LLM_BODY_BYTES) {
    logger.warn(
      { maxInflightBodyBytes: env.MAX_INFLIGHT_BODY_BYTES, maxLlmBodyBytes: env.MAX_LLM_BODY_BYTES },
      'MAX_INFLIGHT_BODY_BYTES is below MAX_LLM_BODY_BYTES: the largest bodies will always get 503',
    );
  }
  if (bodyLimitExceedsHeap(heapLimit, env.MAX_LLM_BODY_BYTES)) {
    logger.warn(
      { heapLimitMb: Math.round(heapLimit / 2 ** 20), maxLlmBodyBytes: env.MAX_LLM_BODY_BYTES },
      'MAX_LLM_BODY_BYTES is too large for the heap limit (--max-old-space-size): one largest body may exhaust it',
    );
  }
  const onError = (err: string) => logger.warn({ err }, 'redis error');
  const redis = createRedis({ url: env.REDIS_URL, role: 'command', onError });
  const subscriber = createRedis({ url: env.REDIS_URL, role: 'subscriber', onError });
  const queueConnection = createRedis({ url: env.REDIS_URL, role: 'worker', onError });
  const metrics = createMetrics();
  countCommands(redis, metrics, 'command');
  countCommands(queueConnection, metrics, 'queue');
  await Promise.all([redis.connect(), subscriber.connect(), queueConnection.connect()]);
  const spend = createSpendQueue({
    connection: queueConnection,
    prefix: redisKeys(env.REDIS_PREFIX).bullPrefix,
    logger,
  });
  const readiness = { accepting: true };
  const gateway = createApp({
    redis,
    subscriber,
    redisPrefix: env.REDIS_PREFIX,
    masterKey,
    internalSecret,
    services: {
      identity: env.IDENTITY_URL,
      keys: env.KEYS_URL,
      spend: env.SPEND_URL,
      notifier: env.NOTIFIER_URL,
    },
    deployments,
    logger,
    readiness,
    authLocalTtlMs: env.AUTH_LOCAL_TTL_MS,
    authLocalMaxKeys: env.AUTH_LOCAL_MAX_KEYS,
    authStaleIfErrorMs: env.AUTH_STALE_IF_ERROR_MS,
    upstreamTimeoutMs: env.UPSTREAM_TIMEOUT_MS,
    maxLlmBodyBytes: env.MAX_LLM_BODY_BYTES,
    maxInflightBodyBytes: env.MAX_INFLIGHT_BODY_BYTES,
    defaultMaxTokens: env.DEFAULT_MAX_TOKENS,
    spend,
    metrics,
    uiDir: env.UI_DIR,
  });
  await gateway.start();
  logger.info({ models: deployments.map((d) => d.modelName) }, 'model config loaded');
  const server = createServer(gateway.handler);
  server.keepAliveTimeout = 65_000;
  await serve({
    server,
    port: env.GATEWAY_PORT,
    host: env.HOST,
    logger,
    readiness,
    close: async () => {
      await spend.close();
      queueConnection.disconnect();
      redis.disconnect();
      subscriber.disconnect();
    },
  });
}

main().catch((err) => exitOnStartupError('gateway', err));
