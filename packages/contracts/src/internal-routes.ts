/** Service-to-service routes that are not part of the public API (never forwarded by the gateway). */
export const INTERNAL_ROUTES = {
  /** keys: build the auth record of a key hash from Postgres, write it to Redis and return it. */
  authRecord: (hash: string) => `/internal/auth-record/${hash}`,
} as const;

export const INTERNAL_PREFIX = '/internal/';
