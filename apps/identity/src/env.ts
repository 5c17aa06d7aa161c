import {
  databaseEnv,
  internalEnv,
  logEnv,
  masterKeyEnv,
  nodeEnv,
  port,
  redisEnv,
  serviceUrl,
  z,
} from '@llmgw/config';

/** `NAME=` in a .env file means "unset" for optional values. */
const emptyAsUnset = (v: unknown) => (v === '' ? undefined : v);
const httpUrl = z.string().refine((v) => {
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}, 'must be a URL starting with http:// or https://');

export const identityEnvSchema = z
  .object({
    ...nodeEnv,
    ...databaseEnv,
    ...redisEnv,
    ...logEnv,
    ...internalEnv,
    // The default UI password is the master key, as in LiteLLM.
    ...masterKeyEnv,
    IDENTITY_PORT: port(4001),
    HOST: z.string().default('127.0.0.1'),
    /** The keys service: auth invalidations, cascade deletes, auto-created keys. */
    KEYS_URL: serviceUrl('http://127.0.0.1:4002'),
    /** The spend service: spend totals of users, teams and memberships, and budget reset schedules. */
    SPEND_URL: serviceUrl('http://127.0.0.1:4003'),
    /** How long a call to spend may take; a read then answers the stored spend (x-llmgw-spend-stale: 1). */
    SPEND_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
    /** Public address of the gateway: invitation links and login redirects. Required in production. */
    PROXY_BASE_URL: z.preprocess(emptyAsUnset, httpUrl.optional()),
    /** Where logout sends the browser; unset: /ui/login. */
    PROXY_LOGOUT_URL: z.preprocess(emptyAsUnset, z.string().min(1).max(2048).optional()),
    UI_USERNAME: z.preprocess(emptyAsUnset, z.string().min(1).max(256).default('admin')),
    /** Unset: the master key (LiteLLM's default). */
    UI_PASSWORD: z.preprocess(emptyAsUnset, z.string().min(8, 'must be at least 8 characters').optional()),
    /** Organization name in invitation emails. */
    ORG_NAME: z.string().min(1).max(200).default('LLM Gateway'),
    /** Addresses allowed to set X-Forwarded-For (the gateway's); per-IP login limits depend on it. */
    TRUST_PROXY: z.string().min(1).default('loopback'),
    /** Login throttling: failures per account / per IP within the window before 429. */
    LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).max(1000).default(10),
    LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).max(100_000).default(100),
    LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
    /** How often undelivered auth invalidations are retried. */
    AUTH_OUTBOX_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(2000),
    /** How often undelivered budget schedules are retried (to the spend service). */
    BUDGET_SCHEDULE_OUTBOX_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(2000),
  })
  .refine((env) => env.NODE_ENV !== 'production' || env.PROXY_BASE_URL !== undefined, {
    path: ['PROXY_BASE_URL'],
    message: 'required in production (invitation links and login redirects use it)',
  });
export type IdentityEnv = z.infer<typeof identityEnvSchema>;

/** Development default of PROXY_BASE_URL (.env.example documents the same). */
export const DEV_PROXY_BASE_URL = 'http://localhost:4000';
