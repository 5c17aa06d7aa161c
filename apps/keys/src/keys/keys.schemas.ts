import { isValidDuration } from '@llmgw/contracts';
import { z } from 'zod';

const duration = z
  .string()
  .max(32)
  .refine(isValidDuration, 'must be a duration like 30s, 5m, 24h, 7d, 2w or 1mo');
const money = z.number().finite().min(0);
const limit = z.number().int().min(0);
const stringList = z.array(z.string().max(256)).max(1000);
const dict = z
  .record(z.string(), z.unknown())
  .refine((v) => JSON.stringify(v).length <= 65_536, 'must be under 64 KB');

/** LiteLLM's GenerateKeyRequest (§1.9). Unknown fields are ignored, as in LiteLLM; bad types are 422. */
export const generateKeyRequestSchema = z.object({
  key: z.string().min(4).max(256).optional(),
  key_alias: z.string().max(256).nullish(),
  duration: duration.nullish(),
  models: stringList.default([]),
  aliases: z.record(z.string(), z.string()).default({}),
  config: dict.default({}),
  permissions: dict.default({}),
  spend: money.default(0),
  max_budget: money.nullish(),
  soft_budget: money.nullish(),
  budget_duration: duration.nullish(),
  user_id: z.string().max(256).nullish(),
  team_id: z.string().max(256).nullish(),
  organization_id: z.string().max(256).nullish(),
  max_parallel_requests: limit.nullish(),
  tpm_limit: limit.nullish(),
  rpm_limit: limit.nullish(),
  metadata: dict.default({}),
  model_max_budget: dict.default({}),
  model_rpm_limit: z.record(z.string(), limit).nullish(),
  model_tpm_limit: z.record(z.string(), limit).nullish(),
  allowed_cache_controls: stringList.default([]),
  allowed_routes: stringList.default([]),
  blocked: z.boolean().nullish(),
  key_type: z.enum(['llm_api', 'management', 'read_only', 'default']).default('default'),
  auto_rotate: z.boolean().default(false),
  rotation_interval: duration.nullish(),
});
export type GenerateKeyRequest = z.output<typeof generateKeyRequestSchema>;
