import { createServer } from 'node:http';
import { parseEnv, resolveInternalSecret } from '@llmgw/config';
import { createDatabase } from '@llmgw/db';
import { createRedis } from '@llmgw/db/redis';
import { createLogger, exitOnStartupError, serve } from '@llmgw/http';
import { createApp } from './app';
import { identityEnvSchema } from './env';

async function main() {
  const env = parseEnv(identityEnvSchema);
  const internalSecret = resolveInternalSecret(env);
  const logger = createLogger({ name: 'identity', level: env.LOG_LEVEL });
  const database = createDatabase({
    connectionString: env.DATABASE_URL,
    max: env.DATABASE_POOL_MAX,
    applicationName: 'llmgw-identity',
  });
  const redis = createRedis({
    url: env.REDIS_URL,
    role: 'command',
    onError: (err) => logger.warn({ err }, 'redis error'),
  });
  await redis.connect();
  const readiness = { accepting: true };
  const app = createApp({ db: database.db, pingDb: database.ping, redis, internalSecret, logger, readiness });
  await serve({
    server: createServer(app),
    port: env.IDENTITY_PORT,
    host: env.HOST,
    logger,
    readiness,
    close: async () => {
      await database.close();
      redis.disconnect();
    },
  });
}

main().catch((err) => exitOnStartupError('identity', err));
