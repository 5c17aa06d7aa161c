import type { CachedAuthRecord } from '@llmgw/contracts';
import type { Kysely } from '@llmgw/db';
import type { KeysDB } from '../db';
import { type IdentityClient, memoizedFacts } from '../identity/identity-client';
import { keysRepository } from '../keys/keys.repository';
import type { RecordLoader } from './auth-cache';
import { buildAuthRecord } from './build-record';

/** Runs `fn` over `items` with at most `limit` in flight, keeping the order of results. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Builds auth records: one Postgres query for the batch's rows, then identity's facts per distinct
 * (user, team) pair. A key without a row is `{found: false}`; a key whose facts could not be fetched is
 * an Error, which the cache never writes.
 */
export function createRecordLoader(deps: {
  db: Kysely<KeysDB>;
  identity: IdentityClient;
  concurrency?: number;
}): RecordLoader {
  return async (entries) => {
    const rows = await keysRepository.findByTokens(
      deps.db,
      entries.map((e) => e.hash),
    );
    const byHash = new Map(rows.map((r) => [r.token, r]));
    const facts = memoizedFacts(deps.identity);
    return mapLimit(
      entries,
      deps.concurrency ?? 16,
      async ({ hash, gen }): Promise<CachedAuthRecord | Error> => {
        const row = byHash.get(hash);
        if (!row) return { found: false, gen };
        try {
          return buildAuthRecord(row, gen, await facts.authFacts(row.user_id, row.team_id));
        } catch (err) {
          return err instanceof Error ? err : new Error(String(err));
        }
      },
    );
  };
}
