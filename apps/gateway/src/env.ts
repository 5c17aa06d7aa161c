import { internalEnv, logEnv, masterKeyEnv, nodeEnv, port, redisEnv, serviceUrl, z } from '@llmgw/config';

export const gatewayEnvSchema = z.object({
  ...nodeEnv,
  ...redisEnv,
  ...logEnv,
  ...internalEnv,
  ...masterKeyEnv,
  GATEWAY_PORT: port(4000),
  HOST: z.string().default('127.0.0.1'),
  IDENTITY_URL: serviceUrl('http://127.0.0.1:4001'),
  KEYS_URL: serviceUrl('http://127.0.0.1:4002'),
  SPEND_URL: serviceUrl('http://127.0.0.1:4003'),
  NOTIFIER_URL: serviceUrl('http://127.0.0.1:4004'),
  /** LiteLLM-shaped model config (model_list). */
  CONFIG_FILE: z.string().default('config.yaml'),
  /** The built web console served at /ui; unset: apps/ui/dist under the working directory. */
  UI_DIR: z.string().min(1).optional(),
  /** How long an auth record is trusted from process memory; pub/sub drops it sooner on any change. */
  AUTH_LOCAL_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  /** While Redis is unreachable, keys already in memory keep working this long; unknown keys get 503. */
  AUTH_STALE_IF_ERROR_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /** Records kept in memory: about 1 KB of heap each (10 k: ~10 MB; the old default of 200 k: ~220 MB). */
  AUTH_LOCAL_MAX_KEYS: z.coerce.number().int().min(100).max(10_000_000).default(10_000),
  /** Upstream time to first byte and idle time between stream frames. */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(600_000),
  /** Request body limit on /v1 routes (management routes have 1 MB). */
  /** Completion tokens assumed when reserving budget for a request without max_tokens. */
  DEFAULT_MAX_TOKENS: z.coerce.number().int().min(1).max(1_000_000).default(1024),
  MAX_LLM_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(500_000_000)
    .default(20 * 1024 * 1024),
  /**
   * Request-body bytes all /v1 calls may hold at once (a call holds its body until its response is
   * done); past it, 503 with Retry-After. Bounds the heap under a burst of large bodies. Unset: derived
   * from the heap limit (`defaultInflightBodyBytes`).
   */
  MAX_INFLIGHT_BODY_BYTES: z.coerce.number().int().min(1024).max(100_000_000_000).optional(),
});
export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;
