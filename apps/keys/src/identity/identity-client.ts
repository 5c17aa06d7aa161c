import {
  type AuthFacts,
  authFactsSchema,
  INTERNAL_ROUTES,
  PRINCIPAL_HEADER,
  SYSTEM_PRINCIPAL,
} from '@llmgw/contracts';
import { signPrincipal } from '@llmgw/http';

/** Identity's facts about a key's owner and team (including the team's member permissions). */
const keyFactsSchema = authFactsSchema;
export type KeyFacts = AuthFacts;

/** Identity could not answer: nothing may be decided (or cached) without its facts. */
export class IdentityUnavailableError extends Error {
  constructor(reason: string) {
    super(`identity service unavailable: ${reason}`);
    this.name = 'IdentityUnavailableError';
  }
}

export interface IdentityClient {
  /**
   * Facts about a key's user and team (and the user's membership in it). Parts that do not exist are
   * null. Throws IdentityUnavailableError when identity is unreachable or answers with an error.
   */
  authFacts: (userId: string | null, teamId: string | null) => Promise<KeyFacts>;
}

export const NO_FACTS: KeyFacts = { user: null, team: null, membership: null };

export function createIdentityClient(opts: {
  baseUrl: string;
  internalSecret: string;
  timeoutMs: number;
}): IdentityClient {
  return {
    async authFacts(userId, teamId) {
      if (userId === null && teamId === null) return NO_FACTS;
      const query = new URLSearchParams();
      if (userId !== null) query.set('user_id', userId);
      if (teamId !== null) query.set('team_id', teamId);
      let res: Response;
      try {
        res = await fetch(`${opts.baseUrl}${INTERNAL_ROUTES.authFacts}?${query}`, {
          headers: { [PRINCIPAL_HEADER]: signPrincipal(SYSTEM_PRINCIPAL, opts.internalSecret) },
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
      } catch (err) {
        throw new IdentityUnavailableError((err as Error).message);
      }
      if (!res.ok) throw new IdentityUnavailableError(`auth-facts answered ${res.status}`);
      const parsed = keyFactsSchema.safeParse(await res.json().catch(() => null));
      if (!parsed.success) throw new IdentityUnavailableError('auth-facts answered an invalid body');
      return parsed.data;
    },
  };
}

/** Remembers facts per (user, team) for the length of one batch (a warm-up or an invalidation). */
export function memoizedFacts(client: IdentityClient): IdentityClient {
  const memo = new Map<string, Promise<KeyFacts>>();
  return {
    authFacts(userId, teamId) {
      const id = JSON.stringify([userId, teamId]);
      let hit = memo.get(id);
      if (!hit) {
        hit = client.authFacts(userId, teamId);
        memo.set(id, hit);
      }
      return hit;
    },
  };
}

export type { AuthFacts };
