import { databaseEnv, internalEnv, logEnv, nodeEnv, port, redisEnv, z } from '@llmgw/config';

export const keysEnvSchema = z.object({
  ...nodeEnv,
  ...databaseEnv,
  ...redisEnv,
  ...logEnv,
  ...internalEnv,
  KEYS_PORT: port(4002),
  HOST: z.string().default('127.0.0.1'),
  /** How long "no such key" is remembered in Redis, so floods of random keys do not reach Postgres. */
  NEGATIVE_CACHE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** Safety net: a cached auth record is rebuilt at least this often even if an invalidation was lost. */
  AUTH_RECORD_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(3600),
});
export type KeysEnv = z.infer<typeof keysEnvSchema>;
