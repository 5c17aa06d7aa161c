import { z } from 'zod';
import { roleSchema } from './principal';
import type { RedisKeys } from './redis-keys';

/** Budget and rate-limit facts shared by the owner, the team and the membership parts of a record. */
const limitsShape = {
  maxBudget: z.number().nullable(),
  spend: z.number(),
  tpmLimit: z.number().nullable(),
  rpmLimit: z.number().nullable(),
  maxParallelRequests: z.number().nullable(),
  budgetDuration: z.string().nullable(),
  /** ISO-8601 or null. */
  budgetResetAt: z.string().nullable(),
};

/** The key's user (from identity). Absent when the key has no user_id or the user row does not exist. */
export const authRecordOwnerSchema = z.object({
  userId: z.string(),
  /** The effective role: a stored null or unknown role is already mapped to internal_user. */
  role: roleSchema,
  models: z.array(z.string()),
  ...limitsShape,
});
export type AuthRecordOwner = z.infer<typeof authRecordOwnerSchema>;

/** The key's team (from identity). Absent when the key has no team_id or the team does not exist. */
export const authRecordTeamSchema = z.object({
  teamId: z.string(),
  teamAlias: z.string().nullable(),
  /** A blocked team refuses every key of it (401, wire contract §5). */
  blocked: z.boolean(),
  models: z.array(z.string()),
  modelAliases: z.record(z.string(), z.string()),
  ...limitsShape,
});
export type AuthRecordTeam = z.infer<typeof authRecordTeamSchema>;

/** The owner's membership in the key's team, with its per-member budget and limits. */
export const authRecordMembershipSchema = z.object({
  role: z.enum(['admin', 'user']),
  ...limitsShape,
});
export type AuthRecordMembership = z.infer<typeof authRecordMembershipSchema>;

/**
 * Everything the gateway needs to decide on a request, cached in Redis under `authRecord(hash)` as JSON,
 * so one Redis read decides a request. Built by the keys service from its Postgres row and identity's
 * facts (owner, team, membership). `gen` is the key's invalidation generation at the time the record was
 * read: a write only lands while the generation is unchanged, so a slow fill can never put an older
 * record over a newer one.
 *
 * `owner`, `team` and `membership` are optional only so that records written by an older version stay
 * readable during a rolling deploy; absent means null.
 */
export const authRecordSchema = z.object({
  found: z.literal(true),
  gen: z.number().int(),
  token: z.string(),
  keyName: z.string(),
  keyAlias: z.string().nullable(),
  userId: z.string().nullable(),
  teamId: z.string().nullable(),
  organizationId: z.string().nullable().optional(),
  /**
   * The owner's effective role (= `owner.role`); null when the key has no user or the user row does not
   * exist, which the gateway turns into role "unknown" (wire contract §0.1).
   */
  userRole: roleSchema.nullable(),
  models: z.array(z.string()),
  aliases: z.record(z.string(), z.string()),
  blocked: z.boolean(),
  /** ISO-8601 or null for never. The gateway checks it on every request, so expiry needs no invalidation. */
  expires: z.string().nullable(),
  spend: z.number(),
  maxBudget: z.number().nullable(),
  softBudget: z.number().nullable().optional(),
  budgetDuration: z.string().nullable().optional(),
  budgetResetAt: z.string().nullable().optional(),
  tpmLimit: z.number().int().nullable(),
  rpmLimit: z.number().int().nullable(),
  maxParallelRequests: z.number().int().nullable(),
  allowedRoutes: z.array(z.string()),
  metadata: z.record(z.string(), z.unknown()),
  keyType: z.string().optional(),
  owner: authRecordOwnerSchema.nullable().optional(),
  team: authRecordTeamSchema.nullable().optional(),
  membership: authRecordMembershipSchema.nullable().optional(),
});
export type AuthRecord = z.infer<typeof authRecordSchema>;

/** Negative-cache entry: the key does not exist. */
export const missingAuthRecordSchema = z.object({ found: z.literal(false), gen: z.number().int() });
export type MissingAuthRecord = z.infer<typeof missingAuthRecordSchema>;

export const cachedAuthRecordSchema = z.discriminatedUnion('found', [
  authRecordSchema,
  missingAuthRecordSchema,
]);
export type CachedAuthRecord = z.infer<typeof cachedAuthRecordSchema>;

/**
 * Redis keys of the "complete cache" protocol (ARCHITECTURE §2 step 2), derived from the shared
 * `redisKeys` so every app agrees on them:
 * - `warm`: exists while the keys service has written the record of every key to Redis. While it exists a
 *   Redis miss means "no such key" and the gateway does not ask the keys service at all. A Redis restart
 *   loses it, and the gateways fall back to cache fills until the keys service has re-warmed.
 * - `warmEpoch`: a random token that changes whenever a write-through failed; a warm-up only sets `warm`
 *   if the epoch it started with is unchanged, so a key whose record could not be written never hides
 *   behind the marker.
 */
export function authWarmKeys(keys: RedisKeys) {
  const prefix = keys.authInvalidations.slice(0, -'auth:invalidate'.length);
  return { warm: `${prefix}auth:warm`, warmEpoch: `${prefix}auth:warm:epoch` };
}
