import { createServer } from 'node:http';
import { parseEnv, resolveInternalSecret } from '@llmgw/config';
import { createDatabase } from '@llmgw/db';
import { createRedis } from '@llmgw/db/redis';
import { createLogger, exitOnStartupError, serve } from '@llmgw/http';
import { createApp } from './app';
import type { KeysDB } from './db';
import { keysEnvSchema } from './env';
import { createIdentityClient } from './identity/identity-client';
import { createSpendClient } from './spend/spend-client';

async function main() {
  const env = parseEnv(keysEnvSchema);
  const internalSecret = resolveInternalSecret(env);
  const logger = createLogger({ name: 'keys', level: env.LOG_LEVEL });
  const database = createDatabase<KeysDB>({
    connectionString: env.DATABASE_URL,
    max: env.DATABASE_POOL_MAX,
    applicationName: 'llmgw-keys',
  });
  const redis = createRedis({
    url: env.REDIS_URL,
    role: 'command',
    onError: (err) => logger.warn({ err }, 'redis error'),
  });
  await redis.connect();
  const readiness = { accepting: true };
  const { app, authCache, schedules } = createApp({
    db: database.db,
    pingDb: database.ping,
    redis,
    redisPrefix: env.REDIS_PREFIX,
    internalSecret,
    identity: createIdentityClient({
      baseUrl: env.IDENTITY_URL,
      internalSecret,
      timeoutMs: env.IDENTITY_TIMEOUT_MS,
    }),
    spend: createSpendClient({
      baseUrl: env.SPEND_URL,
      internalSecret,
      timeoutMs: env.SPEND_TIMEOUT_MS,
    }),
    logger,
    readiness,
    negativeCacheSeconds: env.NEGATIVE_CACHE_SECONDS,
    authRecordTtlSeconds: env.AUTH_RECORD_TTL_SECONDS,
    authWarm: env.AUTH_WARM,
  });
  // Fill Redis with every key's record now, and again whenever the warm marker disappears.
  authCache.startWarmKeeper(env.AUTH_WARM_CHECK_MS, env.AUTH_RECORD_TTL_SECONDS * 1000);
  // Schedules a crash or an outage left undelivered go out from the table.
  schedules.start(env.BUDGET_SCHEDULE_OUTBOX_INTERVAL_MS);
  await serve({
    server: createServer(app),
    port: env.KEYS_PORT,
    host: env.HOST,
    logger,
    readiness,
    close: async () => {
      authCache.stop();
      await schedules.stop();
      await database.close();
      redis.disconnect();
    },
  });
}

main().catch((err) => exitOnStartupError('keys', err));
