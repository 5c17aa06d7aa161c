import { databaseEnv, internalEnv, logEnv, nodeEnv, port, redisEnv, z } from '@llmgw/config';

export const identityEnvSchema = z.object({
  ...nodeEnv,
  ...databaseEnv,
  ...redisEnv,
  ...logEnv,
  ...internalEnv,
  IDENTITY_PORT: port(4001),
  HOST: z.string().default('127.0.0.1'),
});
export type IdentityEnv = z.infer<typeof identityEnvSchema>;
