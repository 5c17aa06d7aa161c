/**
 * Environment parsing shared by every app. Each app composes its own zod schema in `src/env.ts` from the
 * fragments below and calls `parseEnv` once in `main.ts`; a bad or missing variable stops the process
 * with one line naming it.
 */
import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses `env` with `schema`; on failure throws a ConfigError whose message names every bad variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  // An empty `NAME=` (common in .env files and compose) means "not set": defaults apply.
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(set);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    return `${name}: ${issue.message}`;
  });
  throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
}

const isProduction = (env: NodeJS.ProcessEnv) => env.NODE_ENV === 'production';

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** Boolean flags are spelled out; "0"/"1" and "true"/"false" only. */
export const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/llmgw';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** Used only outside production, so that a fresh checkout starts with no setup. */
export const DEV_MASTER_KEY = 'sk-1234';
const DEV_INTERNAL_SECRET = 'dev-internal-secret-not-for-production';

export const databaseEnv = {
  DATABASE_URL: url(['postgres:', 'postgresql:']).default(DEFAULT_DATABASE_URL),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
};

export const redisEnv = {
  REDIS_URL: url(['redis:', 'rediss:']).default(DEFAULT_REDIS_URL),
  /** Every Redis key, channel and BullMQ queue of this deployment starts with it; tests use their own. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be 1-64 chars of A-Z a-z 0-9 : _ -')
    .default('llmgw:'),
};

export const logEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

export const internalEnv = {
  /** HMAC secret for the principal header the gateway signs and services verify. */
  INTERNAL_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
};

export const masterKeyEnv = {
  MASTER_KEY: z.string().min(8, 'must be at least 8 characters').optional(),
  /** LiteLLM's name for the same setting, accepted so existing deployments move over unchanged. */
  LITELLM_MASTER_KEY: z.string().min(8, 'must be at least 8 characters').optional(),
};

/**
 * Resolves secrets that have a development default: outside production a missing value falls back to a
 * well-known dev value; in production it is an error naming the variable.
 */
export function resolveSecrets(env: {
  NODE_ENV?: string;
  MASTER_KEY?: string | undefined;
  LITELLM_MASTER_KEY?: string | undefined;
  INTERNAL_SECRET?: string | undefined;
}): { masterKey: string; internalSecret: string } {
  const prod = isProduction(env as NodeJS.ProcessEnv);
  const masterKey = env.MASTER_KEY ?? env.LITELLM_MASTER_KEY ?? (prod ? undefined : DEV_MASTER_KEY);
  if (!masterKey) throw new ConfigError('invalid environment: MASTER_KEY: required in production');
  if (!masterKey.startsWith('sk-')) {
    throw new ConfigError("invalid environment: MASTER_KEY: must start with 'sk-' (as in LiteLLM)");
  }
  const internalSecret = env.INTERNAL_SECRET ?? (prod ? undefined : DEV_INTERNAL_SECRET);
  if (!internalSecret) throw new ConfigError('invalid environment: INTERNAL_SECRET: required in production');
  if (prod && internalSecret.length < 32) {
    throw new ConfigError(
      'invalid environment: INTERNAL_SECRET: must be at least 32 characters in production',
    );
  }
  return { masterKey, internalSecret };
}

/** For services behind the gateway: they need only the HMAC secret, never the master key. */
export function resolveInternalSecret(env: {
  NODE_ENV?: string;
  INTERNAL_SECRET?: string | undefined;
}): string {
  const prod = isProduction(env as NodeJS.ProcessEnv);
  const internalSecret = env.INTERNAL_SECRET || (prod ? undefined : DEV_INTERNAL_SECRET);
  if (!internalSecret) throw new ConfigError('invalid environment: INTERNAL_SECRET: required in production');
  if (prod && internalSecret.length < 32) {
    throw new ConfigError(
      'invalid environment: INTERNAL_SECRET: must be at least 32 characters in production',
    );
  }
  return internalSecret;
}

export const nodeEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
};

export const serviceUrl = (fallback: string) => url(['http:', 'https:']).default(fallback);

export { z };
