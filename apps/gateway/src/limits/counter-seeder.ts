import { INTERNAL_ROUTES, spendCounterSeedResultSchema } from '@llmgw/contracts';
import { callInternal, InternalCallError, type Logger } from '@llmgw/http';
import { budgetStoreUnavailable, type Scope } from './limiter';

/**
 * Asks the spend service to seed missing budget counters from Postgres (set only if missing, never with a
 * total read before a budget reset). One request per set of scopes is in flight at a time, so a burst on
 * a key whose counters Redis lost costs one seed. Fails closed: no counter, no admission.
 */
export function createCounterSeeder(opts: { spendUrl: string; internalSecret: string; logger: Logger }) {
  const inflight = new Map<string, Promise<void>>();

  const seed = async (body: { key_hash?: string; user_id?: string; team_id?: string }) => {
    try {
      await callInternal({
        baseUrl: opts.spendUrl,
        path: INTERNAL_ROUTES.spendCounterSeed,
        internalSecret: opts.internalSecret,
        timeoutMs: 5000,
        body,
        schema: spendCounterSeedResultSchema,
      });
    } catch (err) {
      const status = err instanceof InternalCallError ? err.status : null;
      opts.logger.warn(
        { status, err: (err as Error).message },
        status === null
          ? 'spend service unreachable for a counter seed'
          : 'spend service refused a counter seed',
      );
      throw budgetStoreUnavailable();
    }
  };

  return (scopes: Scope[]): Promise<void> => {
    const body: { key_hash?: string; user_id?: string; team_id?: string } = {};
    for (const s of scopes) {
      if (s.kind === 'key') body.key_hash = s.id;
      else if (s.kind === 'user') body.user_id = s.id;
      else if (s.kind === 'team') body.team_id = s.id;
      else if (s.kind === 'member') {
        const [team, ...user] = s.id.split(':');
        body.team_id = team;
        body.user_id = user.join(':');
      }
    }
    const id = JSON.stringify(body);
    let pending = inflight.get(id);
    if (!pending) {
      pending = seed(body).finally(() => inflight.delete(id));
      inflight.set(id, pending);
    }
    return pending;
  };
}
