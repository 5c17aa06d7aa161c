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
const id = z.string().max(256);
const keyType = z.enum(['llm_api', 'management', 'read_only', 'default']);

/**
 * The fields a key has (LiteLLM's GenerateRequestBase + key-only fields, §1.9), without defaults, so
 * /key/update can tell "absent" (undefined) from "reset" (null).
 */
const keyFields = {
  key_alias: z.string().max(256),
  duration,
  models: stringList,
  aliases: z.record(z.string(), z.string()),
  config: dict,
  permissions: dict,
  spend: money,
  max_budget: money,
  soft_budget: money,
  budget_duration: duration,
  user_id: id,
  team_id: id,
  organization_id: id,
  max_parallel_requests: limit,
  tpm_limit: limit,
  rpm_limit: limit,
  metadata: dict,
  model_max_budget: dict,
  model_rpm_limit: z.record(z.string(), limit),
  model_tpm_limit: z.record(z.string(), limit),
  allowed_cache_controls: stringList,
  allowed_routes: stringList,
  blocked: z.boolean(),
  key_type: keyType,
  auto_rotate: z.boolean(),
  rotation_interval: duration,
};
type KeyFields = typeof keyFields;

const nullishFields = Object.fromEntries(Object.entries(keyFields).map(([k, v]) => [k, v.nullish()])) as {
  [K in keyof KeyFields]: z.ZodOptional<z.ZodNullable<KeyFields[K]>>;
};

/** LiteLLM's GenerateKeyRequest (§1.9). Unknown fields are ignored, as in LiteLLM; bad types are 422. */
export const generateKeyRequestSchema = z.object({
  ...nullishFields,
  key: z.string().min(4).max(256).optional(),
  models: stringList.default([]),
  aliases: keyFields.aliases.default({}),
  config: dict.default({}),
  permissions: dict.default({}),
  spend: money.default(0),
  metadata: dict.default({}),
  model_max_budget: dict.default({}),
  allowed_cache_controls: stringList.default([]),
  allowed_routes: stringList.default([]),
  key_type: keyType.default('default'),
  auto_rotate: z.boolean().default(false),
});
export type GenerateKeyRequest = z.output<typeof generateKeyRequestSchema>;

const tempBudget = {
  temp_budget_increase: money.nullish(),
  temp_budget_expiry: z
    .string()
    .max(64)
    .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO-8601 date or datetime')
    .nullish(),
};

/** LiteLLM's pydantic validator on UpdateKeyRequest, a 422 on the body as FastAPI answers it. */
const bothOrNeither = (
  v: { temp_budget_increase?: number | null; temp_budget_expiry?: string | null },
  ctx: z.RefinementCtx,
) => {
  if ((v.temp_budget_increase == null) !== (v.temp_budget_expiry == null)) {
    ctx.addIssue({
      code: 'custom',
      message: 'Value error, temp_budget_increase and temp_budget_expiry must be set together',
      path: [],
    });
  }
};

/** Fields sent as null ARE applied (they reset the field); absent fields are left alone. */
const changeFields = {
  ...nullishFields,
  duration: z.union([duration, z.literal('-1')]).nullish(),
  ...tempBudget,
};

/** LiteLLM's UpdateKeyRequest: `key` (raw `sk-` or its hash) + any key field. */
export const updateKeyRequestSchema = z
  .object({ key: z.string().min(1).max(256), ...changeFields })
  .superRefine(bothOrNeither);
export type UpdateKeyRequest = z.output<typeof updateKeyRequestSchema>;
export type KeyChangeRequest = Omit<UpdateKeyRequest, 'key'>;

/** LiteLLM's RegenerateKeyRequest: the key in the path or the body, an optional custom new key, changes. */
export const regenerateKeyRequestSchema = z
  .object({
    key: z.string().min(1).max(256).nullish(),
    new_key: z.string().min(4).max(256).nullish(),
    ...changeFields,
  })
  .superRefine(bothOrNeither);
export type RegenerateKeyRequest = z.output<typeof regenerateKeyRequestSchema>;

/** LiteLLM's KeyRequest for /key/delete: `keys` (raw or hashes) or `key_aliases`. */
export const deleteKeyRequestSchema = z
  .object({
    keys: z.array(z.string().max(256)).max(1000).nullish(),
    key_aliases: z.array(z.string().max(256)).max(1000).nullish(),
  })
  .superRefine((v, ctx) => {
    if (!v.keys?.length && !v.key_aliases?.length) {
      ctx.addIssue({
        code: 'custom',
        message: "Value error, At least one of 'keys' or 'key_aliases' must be provided.",
        path: [],
      });
    }
  });
export type DeleteKeyRequest = z.output<typeof deleteKeyRequestSchema>;

export const blockKeyRequestSchema = z.object({ key: z.string().max(256) });

export const keyInfoQuerySchema = z.object({ key: z.string().min(1).max(256).optional() });

/** FastAPI's bool query parsing: true/false, 1/0, yes/no, on/off (case-insensitive). */
const queryBool = z
  .string()
  .transform((v) => v.toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']))
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v))
  .optional()
  .default(false);
const queryText = z.string().min(1).max(256).optional();

/** /key/list query (§1.2). */
export const keyListQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  size: z.coerce.number().int().min(1).max(100).default(10),
  user_id: queryText,
  team_id: queryText,
  organization_id: queryText,
  key_hash: queryText,
  key_alias: queryText,
  return_full_object: queryBool,
  include_team_keys: queryBool,
  include_created_by_keys: queryBool,
  sort_by: z.string().max(64).optional(),
  sort_order: z.string().max(16).default('desc'),
});
export type KeyListQuery = z.output<typeof keyListQuerySchema>;
