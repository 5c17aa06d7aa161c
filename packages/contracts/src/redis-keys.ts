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
    /** UI sessions. */
    session: (id: string) => `${prefix}sess:${id}`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
