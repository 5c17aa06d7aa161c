import { logEnv, nodeEnv, port, redisEnv, z } from '@llmgw/config';

export const notifierEnvSchema = z.object({
  ...nodeEnv,
  ...redisEnv,
  ...logEnv,
  NOTIFIER_PORT: port(4004),
  HOST: z.string().default('127.0.0.1'),
  SMTP_URL: z.string().optional(),
  EMAIL_FROM: z.string().default('LLM Gateway <no-reply@localhost>'),
  MAIL_OUTBOX_DIR: z.string().default('.mail-outbox'),
});
export type NotifierEnv = z.infer<typeof notifierEnvSchema>;
