import { z } from 'zod';
import { roleSchema } from './principal';

/**
 * Service-to-service routes (never forwarded by the gateway: it refuses any path under /internal/).
 * Callers sign a principal like the gateway does (a system principal for background work).
 */
export const INTERNAL_ROUTES = {
  /** keys: build the auth record of a key hash from Postgres, write it to Redis and return it. */
  authRecord: (hash: string) => `/internal/auth-record/${hash}`,
  /** keys: owner/team facts changed; rebuild the records of every key of these users/teams. */
  authInvalidate: '/internal/auth-invalidate',
  /** keys: delete every key of these users/teams (cascade of /user/delete and /team/delete). */
  keysDeleteByOwner: '/internal/keys/delete-by-owner',
  /** identity: the facts about a key's owner and team that go into its auth record. */
  authFacts: '/internal/auth-facts',
} as const;

export const INTERNAL_PREFIX = '/internal/';

/** Body of `authInvalidate` and `keysDeleteByOwner`. */
export const ownerSelectorSchema = z.object({
  userIds: z.array(z.string()).default([]),
  teamIds: z.array(z.string()).default([]),
});
export type OwnerSelector = z.infer<typeof ownerSelectorSchema>;

/** Query of `authFacts`. */
export const authFactsQuerySchema = z.object({
  user_id: z.string().optional(),
  team_id: z.string().optional(),
});

const limitsSchema = {
  max_budget: z.number().nullable(),
  spend: z.number(),
  tpm_limit: z.number().nullable(),
  rpm_limit: z.number().nullable(),
  max_parallel_requests: z.number().nullable(),
  budget_duration: z.string().nullable(),
  budget_reset_at: z.string().nullable(),
};

/** Answer of `authFacts`: null parts do not exist (a key whose user row is missing has role "unknown"). */
export const authFactsSchema = z.object({
  user: z
    .object({
      user_id: z.string(),
      /** Stored role; null or unknown strings are treated as internal_user. */
      user_role: roleSchema.nullable(),
      models: z.array(z.string()),
      ...limitsSchema,
    })
    .nullable(),
  team: z
    .object({
      team_id: z.string(),
      team_alias: z.string().nullable(),
      blocked: z.boolean(),
      models: z.array(z.string()),
      model_aliases: z.record(z.string(), z.string()),
      ...limitsSchema,
    })
    .nullable(),
  /** The user's membership in the key's team, with its per-member budget and limits. */
  membership: z
    .object({
      role: z.enum(['admin', 'user']),
      ...limitsSchema,
    })
    .nullable(),
});
export type AuthFacts = z.infer<typeof authFactsSchema>;
