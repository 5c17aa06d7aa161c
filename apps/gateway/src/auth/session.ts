import type { IncomingHttpHeaders } from 'node:http';
import {
  type Principal,
  parseCookieHeader,
  type RedisKeys,
  SESSION_COOKIE,
  SESSION_ID_PATTERN,
  sessionIdHash,
  sessionRecordSchema,
} from '@llmgw/contracts';
import { authError, serviceUnavailable } from '@llmgw/http';
import type { Redis } from 'ioredis';

/** A caller authenticated by the UI session cookie. */
export interface SessionCaller {
  principal: Principal;
  /** The session's CSRF token, which state-changing requests must echo in `x-csrf-token`. */
  csrfToken: string;
}

export interface SessionAuthenticator {
  /**
   * The session named by the request's cookie: null when there is no session cookie; 401 when it names
   * no live session (expired, logged out, forged); 503 when Redis cannot be asked.
   */
  authenticate: (headers: IncomingHttpHeaders) => Promise<SessionCaller | null>;
}

/**
 * UI sessions (ARCHITECTURE §7): identity writes them at login, the gateway reads them here. Redis keys
 * are derived from sha256(session id), so the principal passed on carries the hash, never the cookie.
 */
export function createSessionAuthenticator(deps: { redis: Redis; keys: RedisKeys }): SessionAuthenticator {
  return {
    async authenticate(headers) {
      const header = headers.cookie;
      if (!header) return null;
      const id = parseCookieHeader(header)[SESSION_COOKIE];
      if (id === undefined) return null;
      const expired = () => authError('UI session expired or invalid. Log in again at /login.');
      if (!SESSION_ID_PATTERN.test(id)) throw expired();
      const hash = sessionIdHash(id);
      let json: string | null;
      try {
        json = await deps.redis.get(deps.keys.session(hash));
      } catch {
        throw serviceUnavailable('Session store (Redis) is unavailable. Retry shortly.');
      }
      if (!json) throw expired();
      let record: unknown;
      try {
        record = JSON.parse(json);
      } catch {
        throw expired();
      }
      const parsed = sessionRecordSchema.safeParse(record);
      if (!parsed.success) throw expired();
      return {
        principal: {
          kind: 'session',
          userId: parsed.data.userId,
          role: parsed.data.role,
          keyHash: null,
          teamId: null,
          sessionId: hash,
        },
        csrfToken: parsed.data.csrfToken,
      };
    },
  };
}
