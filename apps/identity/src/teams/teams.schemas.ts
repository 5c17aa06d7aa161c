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

/** LiteLLM's Member: `role` plus a user id or an email (a new user is created for an unknown one). */
export const memberSchema = z
  .object({ role: teamRole.default('user'), user_id: id.nullish(), user_email: email.nullish() })
  .refine((m) => Boolean(m.user_id || m.user_email), { message: 'Either user_id or user_email is required' });
export type MemberInput = z.output<typeof memberSchema>;

const teamFields = {
  team_alias: alias.nullish(),
  organization_id: id.nullish(),
  team_member_permissions: stringList.nullish(),
  metadata: dict.nullish(),
  tpm_limit: limit.nullish(),
  rpm_limit: limit.nullish(),
  max_parallel_requests: limit.nullish(),
  max_budget: money.nullish(),
  budget_duration: duration.nullish(),
  models: stringList.nullish(),
  blocked: z.boolean().nullish(),
  tags: stringList.nullish(),
  model_aliases: aliasMap.nullish(),
  model_max_budget: dict.nullish(),
  team_member_budget: money.nullish(),
  team_member_rpm_limit: limit.nullish(),
  team_member_tpm_limit: limit.nullish(),
  team_member_key_duration: duration.nullish(),
};

/** LiteLLM's NewTeamRequest (§1.9). */
export const newTeamRequestSchema = z.object({
  team_id: id.nullish(),
  members_with_roles: z.array(memberSchema).max(1000).nullish(),
  ...teamFields,
});
export type NewTeamRequest = z.output<typeof newTeamRequestSchema>;

/** LiteLLM's UpdateTeamRequest: every field sent is applied, `null` included (it resets the field). */
export const updateTeamRequestSchema = z.object({ team_id: id, ...teamFields });
export type UpdateTeamRequest = z.output<typeof updateTeamRequestSchema>;

export const deleteTeamsRequestSchema = z.object({ team_ids: z.array(id).min(1).max(1000) });
export const teamIdRequestSchema = z.object({ team_id: id });
export const teamInfoQuerySchema = z.object({ team_id: id.optional() });
export const teamListQuerySchema = z.object({ user_id: id.optional(), organization_id: id.optional() });

export const memberAddRequestSchema = z.object({
  team_id: id,
  member: z.union([memberSchema, z.array(memberSchema).min(1).max(100)]),
  max_budget_in_team: money.nullish(),
});
export type MemberAddRequest = z.output<typeof memberAddRequestSchema>;

export const memberDeleteRequestSchema = z.object({
  team_id: id,
  user_id: id.nullish(),
  user_email: email.nullish(),
});
export type MemberDeleteRequest = z.output<typeof memberDeleteRequestSchema>;

/** Per-member role, budget and limits (`null` clears a budget or limit). */
export const memberUpdateRequestSchema = z.object({
  team_id: id,
  user_id: id.nullish(),
  user_email: email.nullish(),
  role: teamRole.nullish(),
  max_budget_in_team: money.nullish(),
  tpm_limit: limit.nullish(),
  rpm_limit: limit.nullish(),
  budget_duration: duration.nullish(),
});
export type MemberUpdateRequest = z.output<typeof memberUpdateRequestSchema>;
