import {
  databaseEnv,
  flag,
  internalEnv,
  logEnv,
  nodeEnv,
  port,
  redisEnv,
  serviceUrl,
  z,
} from '@llmgw/config';

export const keysEnvSchema = z.object({
  ...nodeEnv,
  ...databaseEnv,
  ...redisEnv,
  ...logEnv,
  ...internalEnv,
  KEYS_PORT: port(4002),
  HOST: z.string().default('127.0.0.1'),
  /** Identity, asked for the owner/team/membership facts that go into an auth record. */
  IDENTITY_URL: serviceUrl('http://127.0.0.1:4001'),
  /** How long a call to identity may take before the fill fails closed (503). */
  IDENTITY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
  /** Spend, which owns spend totals: the `spend` of /key/info and /key/list, and budget reset schedules. */
  SPEND_URL: serviceUrl('http://127.0.0.1:4003'),
  /** How long a call to spend may take; a read then answers the stored spend (x-llmgw-spend-stale: 1). */
  SPEND_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  /** How long "no such key" is remembered in Redis, so floods of random keys do not reach Postgres. */
  NEGATIVE_CACHE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /**
   * Safety net: every auth record is rebuilt from Postgres and identity at least this often, even if an
   * invalidation was lost (a full re-warm when AUTH_WARM is on, a record TTL when it is off).
   */
  AUTH_RECORD_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(3600),
  /**
   * Keep Redis complete: write every record at start and on every change, and set the "warm" marker so
   * that gateways treat a Redis miss as "no such key" without asking this service.
   */
  AUTH_WARM: flag(true),
  /** How often the warm marker is checked (it disappears when Redis restarts). */
  AUTH_WARM_CHECK_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  /** How often undelivered key budget schedules are retried (to the spend service). */
  BUDGET_SCHEDULE_OUTBOX_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(2000),
});
export type KeysEnv = z.infer<typeof keysEnvSchema>;
