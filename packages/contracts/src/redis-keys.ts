/**
 * Every Redis key and pub/sub channel the system uses, in one place. All start with the deployment's
 * prefix (REDIS_PREFIX), so tests and several deployments can share one Redis without touching each other.
 * Pub/sub channels are not scoped by Redis db index, which is why isolation is by prefix and not by db.
 */
export function redisKeys(prefix: string) {
  return {
    /** JSON CachedAuthRecord of a key, by sha256 hex. */
    authRecord: (hash: string) => `${prefix}auth:rec:${hash}`,
    /** Invalidation generation of a key; bumped on every change that affects a decision. */
    authGen: (hash: string) => `${prefix}auth:gen:${hash}`,
    /** Channel on which changed key hashes are published ("*" = drop everything). */
    authInvalidations: `${prefix}auth:invalidate`,
    /** BullMQ prefix (BullMQ appends its own `:queue:...`). */
    bullPrefix: `${prefix}bull`,
    /** UI sessions, by sha256 hex of the session id (never the raw id). */
    session: (id: string) => `${prefix}sess:${id}`,
    /** Set of the session id hashes of one user, so a role change or delete can end them all. */
    userSessions: (userId: string) => `${prefix}sess:user:${userId}`,
    /** Failed-login counter of one account (sha256 hex of the lower-cased username). */
    loginFailuresAccount: (accountHash: string) => `${prefix}login:fail:acct:${accountHash}`,
    /** Failed-login counter of one client IP. */
    loginFailuresIp: (ip: string) => `${prefix}login:fail:ip:${ip}`,
    /**
     * Base key of one limit scope of the gateway's limiter; the scripts derive `<base>:rpm`, `:tpm:<w>`,
     * `:par` and `:spend` (spend so far, integer nano-USD, including in-flight reservations).
     */
    limitScope: (scope: LimitScopeKind, id: string) => `${prefix}lim:${scope}:${id}`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;

/**
 * key = key hash; user = user id; team = team id; member = `<team id>:<user id>`; mpk = `<key hash>:<model>`;
 * deployment = the model deployment's id (config.yaml `rpm`/`tpm`, shared by every caller).
 */
export type LimitScopeKind = 'key' | 'user' | 'team' | 'member' | 'mpk' | 'deployment';

/** The id of a user's membership in a team, `<team id>:<user id>`: its limit scope and spend entity. */
export const memberId = (teamId: string, userId: string) => `${teamId}:${userId}`;

/** Splits a member id at its first ':' (team ids are UUIDs or admin-chosen ids without ':'). */
export function splitMemberId(id: string): { teamId: string | null; userId: string | null } {
  const at = id.indexOf(':');
  return at < 0 ? { teamId: null, userId: null } : { teamId: id.slice(0, at), userId: id.slice(at + 1) };
}
