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
  /**
   * spend: the spend totals (the truth for the `spend` of /key/info, /user/info, /team/info) of a key,
   * a user, a team and the user's membership in the team: GET with `spendTotalsQuerySchema`, or of many
   * at once: POST with `spendTotalsBulkSchema`.
   */
  spendTotals: '/internal/spend-totals',
  /**
   * spend: seeds the gateway's missing Redis budget counters of a key/user/team/membership from the
   * Postgres totals (set only if missing, never with a value read before a budget reset) and answers the
   * counters. The gateway calls it when its reserve script finds a budgeted scope without a counter.
   */
  spendCounterSeed: '/internal/spend-totals/seed',
  /**
   * spend: the same for many scopes at once (POST with `spendTotalsBulkSchema`): one Postgres read and one
   * Redis script for a burst of first uses, e.g. every active key after a Redis restart.
   */
  spendCounterSeedMany: '/internal/spend-totals/seed-many',
  /** spend: an owner's `budget_duration` was set or cleared (keys, identity); spend resets on schedule. */
  budgetSchedule: '/internal/budget-schedule',
  /**
   * spend: a key is regenerated (same row, new hash): its total, schedule and budget counter are copied
   * to the new hash, so a new hash does not mean a fresh budget. Called by keys before it switches.
   */
  spendCopyKey: '/internal/spend-totals/copy-key',
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
      /** Routes a plain member may call for the team's keys (LiteLLM default: /key/info, /key/health). */
      team_member_permissions: z.array(z.string()).optional(),
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

/** The kinds of spend totals; the same scopes as the gateway's Redis budget counters. */
export const spendEntityKindSchema = z.enum(['key', 'user', 'team', 'member']);
export type SpendEntityKind = z.infer<typeof spendEntityKindSchema>;

/**
 * Query of GET `spendTotals` and body of `spendCounterSeed`: any of the three; the membership is the
 * user's in the team, when both are given.
 */
export const spendTotalsQuerySchema = z.object({
  key_hash: z.string().min(1).max(256).optional(),
  user_id: z.string().min(1).max(256).optional(),
  team_id: z.string().min(1).max(256).optional(),
});
export type SpendTotalsQuery = z.infer<typeof spendTotalsQuerySchema>;

/** One entity's totals; an entity without any spend yet has spend 0. Dates are ISO-8601 or null. */
export const entityTotalsSchema = z.object({
  spend: z.number(),
  budget_duration: z.string().nullable(),
  budget_reset_at: z.string().nullable(),
});
export type EntityTotals = z.infer<typeof entityTotalsSchema>;

/** Answer of GET `spendTotals`: null for the parts not asked for. */
export const spendTotalsSchema = z.object({
  key: entityTotalsSchema.nullable(),
  user: entityTotalsSchema.nullable(),
  team: entityTotalsSchema.nullable(),
  membership: entityTotalsSchema.nullable(),
});
export type SpendTotals = z.infer<typeof spendTotalsSchema>;

/** Body of POST `spendTotals` (at most 1,000 ids per list). */
export const spendTotalsBulkSchema = z.object({
  key_hashes: z.array(z.string().min(1).max(256)).max(1000).default([]),
  user_ids: z.array(z.string().min(1).max(256)).max(1000).default([]),
  team_ids: z.array(z.string().min(1).max(256)).max(1000).default([]),
  memberships: z
    .array(z.object({ team_id: z.string().min(1).max(256), user_id: z.string().min(1).max(256) }))
    .max(1000)
    .default([]),
});
export type SpendTotalsBulk = z.infer<typeof spendTotalsBulkSchema>;

/** Answer of POST `spendTotals`: every id asked for, by id. */
export const spendTotalsBulkResultSchema = z.object({
  keys: z.record(z.string(), entityTotalsSchema),
  users: z.record(z.string(), entityTotalsSchema),
  teams: z.record(z.string(), entityTotalsSchema),
  memberships: z.array(entityTotalsSchema.extend({ team_id: z.string(), user_id: z.string() })),
});
export type SpendTotalsBulkResult = z.infer<typeof spendTotalsBulkResultSchema>;

/**
 * Answer of `spendCounterSeed`: the counter of each scope asked for after seeding, in integer nano-USD
 * (spend including in-flight reservations); `seeded` says whether this call created it.
 */
export const spendCounterSeedResultSchema = z.object({
  counters: z.array(
    z.object({
      kind: spendEntityKindSchema,
      id: z.string(),
      spend_nano: z.number().int(),
      seeded: z.boolean(),
    }),
  ),
});
export type SpendCounterSeedResult = z.infer<typeof spendCounterSeedResultSchema>;

/**
 * Body of `budgetSchedule`: the owner (keys for keys; identity for users, teams and memberships) tells
 * spend an entity's `budget_duration` whenever it is set, changed or cleared (null). `id` is the key
 * hash, user id, team id, or `<team id>:<user id>` for a membership. `budget_reset_at` is the owner's
 * own computation of the first reset, so both show the same time; without it spend computes LiteLLM's
 * standardized next reset. The same duration again keeps the current schedule.
 */
export const budgetScheduleSchema = z.object({
  kind: spendEntityKindSchema,
  id: z.string().min(1).max(512),
  budget_duration: z.string().max(32).nullable(),
  budget_reset_at: z.iso.datetime({ offset: true }).nullable().optional(),
});
export type BudgetSchedule = z.infer<typeof budgetScheduleSchema>;

/** Answer of `budgetSchedule`: the schedule now in force. */
export const budgetScheduleResultSchema = z.object({
  kind: spendEntityKindSchema,
  id: z.string(),
  budget_duration: z.string().nullable(),
  budget_reset_at: z.string().nullable(),
});
export type BudgetScheduleResult = z.infer<typeof budgetScheduleResultSchema>;

/** Body of `spendCopyKey`. */
export const spendCopyKeySchema = z.object({
  from_key_hash: z.string().regex(/^[0-9a-f]{64}$/),
  to_key_hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type SpendCopyKey = z.infer<typeof spendCopyKeySchema>;
