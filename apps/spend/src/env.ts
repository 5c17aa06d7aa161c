import { databaseEnv, internalEnv, logEnv, nodeEnv, port, redisEnv, z } from '@llmgw/config';

export const spendEnvSchema = z.object({
  ...nodeEnv,
  ...databaseEnv,
  ...redisEnv,
  ...logEnv,
  ...internalEnv,
  SPEND_PORT: port(4003),
  HOST: z.string().default('127.0.0.1'),
});
export type SpendEnv = z.infer<typeof spendEnvSchema>;
