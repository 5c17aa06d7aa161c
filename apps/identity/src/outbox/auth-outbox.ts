import type { Kysely } from '@llmgw/db';
import { createOutboxRunner, type OutboxRunner } from '@llmgw/db/outbox';
import type { Logger } from '@llmgw/http';
import type { IdentityDB } from '../db';
import type { KeysClient } from '../keys-client/keys-client';

export interface Invalidation {
  userIds: string[];
  teamIds: string[];
}

/**
 * Auth invalidations owed to the keys service, as a transactional outbox. A change that affects
 * authorization (role, models, budget, limits, block, delete, membership) adds a row in the same
 * transaction; after commit the row is delivered at once (so the change is effective before the
 * response), and if the keys service is down the row stays and a pump retries it with backoff. Nothing
 * is lost to a crash or an outage, and the route does not fail because of one: the change itself is
 * committed, only its propagation is late (bounded by the keys service's record TTL meanwhile).
 */
export interface AuthOutbox extends OutboxRunner {
  /** Records an invalidation in the caller's transaction; returns the row id to deliver after commit. */
  add: (tx: Kysely<IdentityDB>, invalidation: Invalidation) => Promise<number>;
}

export function createAuthOutbox(deps: {
  db: Kysely<IdentityDB>;
  keys: KeysClient;
  logger: Logger;
  now: () => Date;
}): AuthOutbox {
  const { db, keys, now } = deps;
  const select = () =>
    db.selectFrom('identity.auth_outbox').select(['id', 'user_ids', 'team_ids', 'attempts']).orderBy('id');

  const runner = createOutboxRunner({
    table: {
      due: (at, limit) => select().where('next_attempt_at', '<=', at).limit(limit).execute(),
      byIds: (ids) => select().where('id', 'in', ids).execute(),
      remove: async (id) => {
        await db.deleteFrom('identity.auth_outbox').where('id', '=', id).execute();
      },
      postpone: async (id, attempts, error, nextAttemptAt) => {
        await db
          .updateTable('identity.auth_outbox')
          .set({ attempts, last_error: error, next_attempt_at: nextAttemptAt })
          .where('id', '=', id)
          .execute();
      },
    },
    send: (row) => keys.invalidate({ userIds: row.user_ids, teamIds: row.team_ids }),
    logger: deps.logger,
    now,
    failureMessage: 'auth invalidation not delivered to the keys service',
  });

  return {
    ...runner,
    async add(tx, { userIds, teamIds }) {
      const row = await tx
        .insertInto('identity.auth_outbox')
        .values({
          user_ids: JSON.stringify([...new Set(userIds)]),
          team_ids: JSON.stringify([...new Set(teamIds)]),
          next_attempt_at: now(),
          created_at: now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
  };
}
