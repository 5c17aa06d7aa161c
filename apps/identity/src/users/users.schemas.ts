import { roleSchema } from '@llmgw/contracts';
import { z } from 'zod';
import {
  alias,
  aliasMap,
  dict,
  duration,
  email,
  id,
  limit,
  money,
  stringList,
  teamRole,
} from '../lib/schemas';

/** A team of /user/new: an id, or LiteLLM's object form with a per-member budget and role. */
const newUserTeam = z.union([
  id,
  z.object({ team_id: id, max_budget_in_team: money.nullish(), user_role: teamRole.default('user') }),
]);

/** LiteLLM's NewUserRequest (§1.9). Unknown fields are ignored; bad types and values are 422. */
export const newUserRequestSchema = z.object({
  user_id: id.nullish(),
  user_email: email.nullish(),
  user_alias: alias.nullish(),
  user_role: roleSchema.nullish(),
  teams: z.array(newUserTeam).max(100).nullish(),
  team_id: id.nullish(),
  auto_create_key: z.boolean().default(true),
  send_invite_email: z.boolean().nullish(),
  sso_user_id: alias.nullish(),
  organization_id: id.nullish(),
  max_budget: money.nullish(),
  budget_duration: duration.nullish(),
  models: stringList.nullish(),
  tpm_limit: limit.nullish(),
  rpm_limit: limit.nullish(),
  max_parallel_requests: limit.nullish(),
  metadata: dict.nullish(),
  spend: money.nullish(),
  model_max_budget: dict.nullish(),
  allowed_cache_controls: stringList.nullish(),
  // Fields of the auto-created key.
  key_alias: alias.nullish(),
  duration: duration.nullish(),
  aliases: aliasMap.nullish(),
});
export type NewUserRequest = z.output<typeof newUserRequestSchema>;

/** LiteLLM's UpdateUserRequest: `user_id` or `user_email` identifies the user. */
export const updateUserRequestSchema = z
  .object({
    user_id: id.nullish(),
    user_email: email.nullish(),
    // Length is checked by the service (400 naming `password`), so that the message is specific.
    password: z.string().nullish(),
    user_alias: alias.nullish(),
    user_role: roleSchema.nullish(),
    max_budget: money.nullish(),
    budget_duration: duration.nullish(),
    models: stringList.nullish(),
    tpm_limit: limit.nullish(),
    rpm_limit: limit.nullish(),
    max_parallel_requests: limit.nullish(),
    metadata: dict.nullish(),
    spend: money.nullish(),
    teams: z.array(id).max(100).nullish(),
    team_id: id.nullish(),
    sso_user_id: alias.nullish(),
    organization_id: id.nullish(),
    model_max_budget: dict.nullish(),
    allowed_cache_controls: stringList.nullish(),
    soft_budget: money.nullish(),
  })
  .refine((v) => Boolean(v.user_id || v.user_email), {
    message: 'Either user id or user email must be provided',
  });
export type UpdateUserRequest = z.output<typeof updateUserRequestSchema>;

/** What a non-admin may send to /user/update about itself; every other field is admin-only. */
export const SELF_EDITABLE_FIELDS = ['user_id', 'user_email', 'password', 'user_alias'] as const;

export const deleteUsersRequestSchema = z.object({ user_ids: z.array(id).min(1).max(1000) });

export const userInfoQuerySchema = z.object({ user_id: id.optional() });

export const USER_SORT_COLUMNS = [
  'user_id',
  'user_email',
  'user_alias',
  'user_role',
  'spend',
  'max_budget',
  'created_at',
  'updated_at',
] as const;

const commaList = z
  .string()
  .max(10_000)
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

export const userListQuerySchema = z.object({
  role: roleSchema.optional(),
  user_ids: commaList.optional(),
  sso_user_ids: commaList.optional(),
  user_email: z.string().max(254).optional(),
  team: id.optional(),
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(25),
  sort_by: z.enum(USER_SORT_COLUMNS).optional(),
  sort_order: z.enum(['asc', 'desc']).default('desc'),
});
export type UserListQuery = z.output<typeof userListQuerySchema>;
