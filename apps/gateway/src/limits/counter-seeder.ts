import {
  INTERNAL_ROUTES,
  type SpendTotalsBulk,
  spendCounterSeedResultSchema,
  splitMemberId,
} from '@llmgw/contracts';
import { callInternal, InternalCallError, type Logger } from '@llmgw/http';
import { budgetStoreUnavailable, type Scope } from './limiter';

/** The most scopes one seed call carries (the spend service's bulk limit is 1000 per list). */
const MAX_BATCH = 1000;

interface Batch {
  body: Required<SpendTotalsBulk>;
  size: number;
  done: Promise<void>;
}

/**
 * Asks the spend service to seed missing budget counters from Postgres (set only if missing, never with a
 * total read before a budget reset). Seeds asked for in the same tick travel in one bulk call, so a burst
 * of first uses (every active key after a Redis restart) costs one Postgres read and one Redis script per
 * thousand scopes, not one HTTP call each; a scope already on its way is not asked for twice. Fails
 * closed: no counter, no admission.
 */
export function createCounterSeeder(opts: { spendUrl: string; internalSecret: string; logger: Logger }) {
  const inflight = new Map<string, Promise<void>>();
  let open: Batch | null = null;

  const send = async (body: SpendTotalsBulk) => {
    try {
      await callInternal({
        baseUrl: opts.spendUrl,
        path: INTERNAL_ROUTES.spendCounterSeedMany,
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

  /** The batch that goes out at the end of this tick, with room for one more scope. */
  const batch = (): Batch => {
    if (open && open.size < MAX_BATCH) return open;
    const body: Required<SpendTotalsBulk> = { key_hashes: [], user_ids: [], team_ids: [], memberships: [] };
    const created: Batch = {
      body,
      size: 0,
      done: new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        if (open === created) open = null;
        return send(body);
      }),
    };
    open = created;
    return created;
  };

  const enqueue = (s: Scope): Promise<void> => {
    const b = batch();
    b.size++;
    if (s.kind === 'key') b.body.key_hashes.push(s.id);
    else if (s.kind === 'user') b.body.user_ids.push(s.id);
    else if (s.kind === 'team') b.body.team_ids.push(s.id);
    else if (s.kind === 'member') {
      const { teamId, userId } = splitMemberId(s.id);
      if (teamId !== null && userId !== null) b.body.memberships.push({ team_id: teamId, user_id: userId });
    }
    return b.done;
  };

  return async (scopes: Scope[]): Promise<void> => {
    const waits = scopes.map((s) => {
      const id = `${s.kind}\u0000${s.id}`;
      let pending = inflight.get(id);
      if (!pending) {
        pending = enqueue(s);
        inflight.set(id, pending);
        const forget = () => inflight.delete(id);
        pending.then(forget, forget);
      }
      return pending;
    });
    await Promise.all(waits);
  };
}
