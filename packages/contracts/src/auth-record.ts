import { z } from 'zod';
import { roleSchema } from './principal';

/**
 * Everything the gateway needs to decide on a request, cached in Redis under `authRecord(hash)` as JSON.
 * Built by the keys service from Postgres (and identity's facts). `gen` is the key's invalidation
 * generation at the time the record was read: a fill may only write when the generation is unchanged,
 * so a slow fill can never put an older record over a newer one.
 */
export const authRecordSchema = z.object({
  found: z.literal(true),
  gen: z.number().int(),
  token: z.string(),
  keyName: z.string(),
  keyAlias: z.string().nullable(),
  userId: z.string().nullable(),
  teamId: z.string().nullable(),
  /** The owner's role; null when the key has no user or the user row does not exist. */
  userRole: roleSchema.nullable(),
  models: z.array(z.string()),
  aliases: z.record(z.string(), z.string()),
  blocked: z.boolean(),
  /** ISO-8601 or null for never. */
  expires: z.string().nullable(),
  spend: z.number(),
  maxBudget: z.number().nullable(),
  tpmLimit: z.number().int().nullable(),
  rpmLimit: z.number().int().nullable(),
  maxParallelRequests: z.number().int().nullable(),
  allowedRoutes: z.array(z.string()),
  metadata: z.record(z.string(), z.unknown()),
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
