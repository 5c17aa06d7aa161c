import {
  INTERNAL_ROUTES,
  type OwnerSelector,
  PRINCIPAL_HEADER,
  type Principal,
  SYSTEM_PRINCIPAL,
} from '@llmgw/contracts';
import { signPrincipal } from '@llmgw/http';

/** The keys service could not do what identity asked (unreachable, timed out, or an error status). */
export class KeysServiceError extends Error {
  constructor(
    message: string,
    /** The status the keys service answered, when it answered. */
    readonly status: number | null = null,
    /** Its body, when it answered with JSON (passed through for 4xx validation errors). */
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = 'KeysServiceError';
  }
}

/**
 * What identity needs from the keys service (ARCHITECTURE §2: services talk over HTTP, never through
 * each other's tables). One small interface, so tests can point identity at a fake keys server.
 */
export interface KeysClient {
  /** Rebuild the auth records of every key of these users/teams (after an authorization change). */
  invalidate: (selector: OwnerSelector) => Promise<void>;
  /** Delete every key of these users/teams (cascade of /user/delete and /team/delete). */
  deleteByOwner: (selector: OwnerSelector) => Promise<void>;
  /** `/key/generate` as the given caller (auto_create_key of /user/new). */
  generateKey: (principal: Principal, body: Record<string, unknown>) => Promise<Record<string, unknown>>;
  /** Full key rows of a user or team (for /user/info and /team/info), or null when unavailable. */
  listKeys: (filter: { user_id?: string; team_id?: string }) => Promise<Record<string, unknown>[] | null>;
  /** How many keys a user has (`key_count` of /user/list), or null when unavailable. */
  countKeys: (filter: { user_id?: string; team_id?: string }) => Promise<number | null>;
}

export { SYSTEM_PRINCIPAL };

export function createKeysClient(opts: {
  baseUrl: string;
  internalSecret: string;
  timeoutMs?: number;
}): KeysClient {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const call = async (
    method: 'GET' | 'POST',
    path: string,
    principal: Principal,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> => {
    let res: Response;
    try {
      res = await fetch(`${opts.baseUrl}${path}`, {
        method,
        headers: {
          [PRINCIPAL_HEADER]: signPrincipal(principal, opts.internalSecret),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new KeysServiceError(`keys service unreachable: ${(err as Error).message}`);
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, json };
  };
  const expectOk = async (path: string, body: unknown) => {
    const { status, json } = await call('POST', path, SYSTEM_PRINCIPAL, body);
    if (status < 200 || status >= 300) {
      throw new KeysServiceError(`keys service answered ${status} to ${path}`, status, json);
    }
  };

  return {
    invalidate: (selector) => expectOk(INTERNAL_ROUTES.authInvalidate, selector),
    deleteByOwner: (selector) => expectOk(INTERNAL_ROUTES.keysDeleteByOwner, selector),
    async generateKey(principal, body) {
      const { status, json } = await call('POST', '/key/generate', principal, body);
      if (status !== 200 || typeof json !== 'object' || json === null) {
        throw new KeysServiceError(`keys service answered ${status} to /key/generate`, status, json);
      }
      return json as Record<string, unknown>;
    },
    async countKeys(filter) {
      const query = new URLSearchParams({ size: '1', ...filter });
      try {
        const { status, json } = await call('GET', `/key/list?${query}`, SYSTEM_PRINCIPAL);
        const total = (json as { total_count?: unknown } | null)?.total_count;
        return status === 200 && typeof total === 'number' ? total : null;
      } catch {
        return null;
      }
    },
    async listKeys(filter) {
      const query = new URLSearchParams({ return_full_object: 'true', size: '100', ...filter });
      try {
        const { status, json } = await call('GET', `/key/list?${query}`, SYSTEM_PRINCIPAL);
        const keys = (json as { keys?: unknown } | null)?.keys;
        if (status !== 200 || !Array.isArray(keys)) return null;
        return keys.filter((k): k is Record<string, unknown> => typeof k === 'object' && k !== null);
      } catch {
        return null;
      }
    },
  };
}
