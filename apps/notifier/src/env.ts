import { internalEnv, logEnv, nodeEnv, port, redisEnv, z } from '@llmgw/config';

/** `NAME=` in a .env file means "unset" for the optional URL, as the comment in .env.example promises. */
const emptyAsUnset = (v: unknown) => (v === '' ? undefined : v);

const smtpUrl = z.preprocess(
  emptyAsUnset,
  z
    .string()
    .refine((value) => {
      try {
        return ['smtp:', 'smtps:'].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, 'must be a URL starting with smtp:// or smtps://')
    .optional(),
);

const ms = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const notifierEnvSchema = z
  .object({
    ...nodeEnv,
    ...redisEnv,
    ...logEnv,
    ...internalEnv,
    NOTIFIER_PORT: port(4004),
    HOST: z.string().default('127.0.0.1'),
    /** Unset: every message is written as an .eml file to MAIL_OUTBOX_DIR and its link is logged. */
    SMTP_URL: smtpUrl,
    EMAIL_FROM: z.string().min(3).default('LLM Gateway <no-reply@localhost>'),
    MAIL_OUTBOX_DIR: z.string().min(1).default('.mail-outbox'),
    /** Delivery attempts per email before it ends failed (transient SMTP errors only; 5xx stops at once). */
    EMAIL_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
    /** First retry delay; each retry doubles it, up to EMAIL_BACKOFF_MAX_MS. */
    EMAIL_BACKOFF_MS: ms(10, 3_600_000).default(5_000),
    EMAIL_BACKOFF_MAX_MS: ms(10, 86_400_000).default(900_000),
    /** Emails sent at the same time by one notifier. */
    EMAIL_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
    /** Connection, greeting and socket timeout of one SMTP delivery. */
    SMTP_TIMEOUT_MS: ms(100, 600_000).default(30_000),
  })
  .refine((env) => env.EMAIL_BACKOFF_MAX_MS >= env.EMAIL_BACKOFF_MS, {
    path: ['EMAIL_BACKOFF_MAX_MS'],
    message: 'must be at least EMAIL_BACKOFF_MS',
  });
export type NotifierEnv = z.infer<typeof notifierEnvSchema>;
