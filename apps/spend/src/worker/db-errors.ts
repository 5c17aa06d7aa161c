/**
 * Postgres errors that retrying cannot fix (class 22 data exception, 23 integrity violation): the job
 * fails at once with the reason.
 */
export function isPermanentDbError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^(22|23)[0-9A-Z]{3}$/.test(code);
}

const OUTAGE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Postgres cannot be reached (connection refused or lost, server shutting down, pool timeout). Such
 * failures say nothing about the job, so they must not use up its attempts: "spend jobs wait in the
 * queue" while Postgres is down (ARCHITECTURE §2).
 */
export function isDatabaseOutage(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  return (
    OUTAGE_CODES.has(code) ||
    /^(08|57P)/.test(code) ||
    /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error/i.test(
      message,
    )
  );
}

/** Redis cannot be reached by a command connection (no offline queue: commands fail at once). */
export function isRedisOutage(err: unknown): boolean {
  const e = err as { name?: unknown; message?: unknown } | null;
  const name = typeof e?.name === 'string' ? e.name : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  return (
    name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|Stream isn't writeable|enableOfflineQueue|Reached the max retries per request/i.test(
      message,
    )
  );
}
