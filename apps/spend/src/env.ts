import { databaseEnv, flag, internalEnv, logEnv, nodeEnv, port, redisEnv, z } from '@llmgw/config';

export const spendEnvSchema = z.object({
  ...nodeEnv,
  ...databaseEnv,
  ...redisEnv,
  ...logEnv,
  ...internalEnv,
  SPEND_PORT: port(4003),
  HOST: z.string().default('127.0.0.1'),
  /** Run the `spend` queue worker in this process (off: an HTTP-only replica). */
  SPEND_WORKER: flag(true),
  /**
   * Spend jobs one process runs at once. Events that arrive while a transaction runs are written
   * together in the next one (group commit), so this also bounds the events per transaction.
   */
  SPEND_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(32),
  /** A job whose worker died (no lock renewal) runs again after this long. */
  SPEND_LOCK_DURATION_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** While Postgres is unreachable, jobs wait this long between tries (without using their attempts). */
  SPEND_OUTAGE_DELAY_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  /** How often the budget-reset job runs (one run per period, however many replicas). */
  BUDGET_RESET_INTERVAL_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
});
export type SpendEnv = z.infer<typeof spendEnvSchema>;
