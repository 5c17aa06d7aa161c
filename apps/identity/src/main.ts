import { createServer } from 'node:http';
import { parseEnv, resolveSecrets } from '@llmgw/config';
import { redisKeys } from '@llmgw/contracts';
import { createDatabase } from '@llmgw/db';
import { createRedis } from '@llmgw/db/redis';
import { createLogger, exitOnStartupError, serve } from '@llmgw/http';
import { createApp } from './app';
import type { IdentityDB } from './db';
import { createEmailQueue } from './email/email-queue';
import { DEV_PROXY_BASE_URL, identityEnvSchema } from './env';
import { createKeysClient } from './keys-client/keys-client';
import { createPasswordHasher } from './lib/passwords';
import { createAuthOutbox } from './outbox/auth-outbox';
import { createBudgetScheduleOutbox } from './outbox/budget-schedule-outbox';
import { createSpendClient } from './spend/spend-client';

async function main() {
  const env = parseEnv(identityEnvSchema);
  // Identity reads the master key only as the default UI password (LiteLLM's UI_PASSWORD default).
  const { masterKey, internalSecret } = resolveSecrets(env);
  const logger = createLogger({ name: 'identity', level: env.LOG_LEVEL });
  const database = createDatabase<IdentityDB>({
    connectionString: env.DATABASE_URL,
    max: env.DATABASE_POOL_MAX,
    applicationName: 'llmgw-identity',
  });
  const onError = (err: string) => logger.warn({ err }, 'redis error');
  const redis = createRedis({ url: env.REDIS_URL, role: 'command', onError });
  // The queue gets its own connection, also without an offline queue: an enqueue fails fast when Redis is down.
  const queueConnection = createRedis({ url: env.REDIS_URL, role: 'command', onError });
  await Promise.all([redis.connect(), queueConnection.connect()]);
  const now = () => new Date();
  const keys = createKeysClient({ baseUrl: env.KEYS_URL, internalSecret });
  const outbox = createAuthOutbox({ db: database.db, keys, logger, now });
  const spend = createSpendClient({
    baseUrl: env.SPEND_URL,
    internalSecret,
    timeoutMs: env.SPEND_TIMEOUT_MS,
  });
  const budgetSchedules = createBudgetScheduleOutbox({ db: database.db, spend, logger, now });
  const emailQueue = createEmailQueue({
    connection: queueConnection,
    prefix: redisKeys(env.REDIS_PREFIX).bullPrefix,
  });
  const readiness = { accepting: true };
  const app = createApp({
    db: database.db,
    pingDb: database.ping,
    redis,
    redisPrefix: env.REDIS_PREFIX,
    internalSecret,
    logger,
    readiness,
    keys,
    outbox,
    spend,
    budgetSchedules,
    emailQueue,
    passwords: createPasswordHasher(),
    config: {
      proxyBaseUrl: (env.PROXY_BASE_URL ?? DEV_PROXY_BASE_URL).replace(/\/+$/, ''),
      proxyLogoutUrl: env.PROXY_LOGOUT_URL ?? null,
      uiUsername: env.UI_USERNAME,
      uiPassword: env.UI_PASSWORD ?? masterKey,
      orgName: env.ORG_NAME,
      trustProxy: env.TRUST_PROXY,
      loginLimits: {
        perAccount: env.LOGIN_MAX_FAILURES_PER_ACCOUNT,
        perIp: env.LOGIN_MAX_FAILURES_PER_IP,
        windowSeconds: env.LOGIN_WINDOW_SECONDS,
      },
    },
    now,
  });
  outbox.start(env.AUTH_OUTBOX_INTERVAL_MS);
  budgetSchedules.start(env.BUDGET_SCHEDULE_OUTBOX_INTERVAL_MS);
  await serve({
    server: createServer(app),
    port: env.IDENTITY_PORT,
    host: env.HOST,
    logger,
    readiness,
    close: async () => {
      await outbox.stop();
      await budgetSchedules.stop();
      await emailQueue.close();
      await database.close();
      queueConnection.disconnect();
      redis.disconnect();
    },
  });
}

main().catch((err) => exitOnStartupError('identity', err));
