import { flag, logEnv, port, z } from '@llmgw/config';
import type { MockConfig } from './app';
import { DEFAULT_KNOBS, LIMITS } from './knobs';

export const DEFAULT_MODELS = 'gpt-4o,gpt-4o-mini,gpt-3.5-turbo,text-embedding-3-small';

const count = (max: number, min = 0) => z.coerce.number().int().min(min).max(max);

/** The mock's environment. The MOCK_* knobs are defaults that x-mock-* request headers override. */
export const mockEnvSchema = z.object({
  MOCK_LLM_PORT: port(4010),
  HOST: z.string().min(1).default('127.0.0.1'),
  MOCK_MODELS: z
    .string()
    .default(DEFAULT_MODELS)
    .transform((v) =>
      v
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== ''),
    )
    .refine((ids) => ids.length > 0, 'must list at least one model id'),
  /** Unset or empty: no auth. */
  MOCK_API_KEY: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  MOCK_LATENCY_MS: count(LIMITS.latencyMs).default(DEFAULT_KNOBS.latencyMs),
  MOCK_CHUNKS: count(LIMITS.chunks, LIMITS.chunksMin).default(DEFAULT_KNOBS.chunks),
  MOCK_CHUNK_DELAY_MS: count(LIMITS.chunkDelayMs).default(DEFAULT_KNOBS.chunkDelayMs),
  /** Alone it fails every generation request with this status; with MOCK_ERROR_RATE, that share of them. */
  MOCK_ERROR_STATUS: z.coerce.number().int().min(400).max(599).optional(),
  MOCK_ERROR_RATE: z.coerce.number().min(0).max(1).optional(),
  MOCK_FAIL_AFTER_CHUNKS: count(LIMITS.failAfterChunks).optional(),
  MOCK_NO_USAGE: flag(false),
  ...logEnv,
});

export type MockEnv = z.output<typeof mockEnvSchema>;

export function configFromEnv(env: MockEnv): MockConfig {
  return {
    models: env.MOCK_MODELS,
    apiKey: env.MOCK_API_KEY,
    defaults: {
      latencyMs: env.MOCK_LATENCY_MS,
      chunks: env.MOCK_CHUNKS,
      chunkDelayMs: env.MOCK_CHUNK_DELAY_MS,
      errorStatus: env.MOCK_ERROR_STATUS ?? DEFAULT_KNOBS.errorStatus,
      errorRate: env.MOCK_ERROR_RATE ?? (env.MOCK_ERROR_STATUS === undefined ? 0 : 1),
      failAfterChunks: env.MOCK_FAIL_AFTER_CHUNKS ?? -1,
      noUsage: env.MOCK_NO_USAGE,
    },
  };
}
