import type { Kysely } from '@llmgw/db';
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
export interface AuthOutbox {
  /** Records an invalidation in the caller's transaction; returns the row id to deliver after commit. */
  add: (tx: Kysely<IdentityDB>, invalidation: Invalidation) => Promise<number>;
  /** After commit: delivers these rows now; failures are logged and left for the pump. */
  deliver: (ids: number[]) => Promise<void>;
  /** Delivers every due row, oldest first, stopping at the first failure; returns how many went out. */
  pump: () => Promise<number>;
  /** Runs `pump` every `intervalMs` until `stop`. */
  start: (intervalMs: number) => void;
  stop: () => Promise<void>;
}

const MAX_BACKOFF_MS = 60_000;

export function createAuthOutbox(deps: {
  db: Kysely<IdentityDB>;
  keys: KeysClient;
  logger: Logger;
  now: () => Date;
}): AuthOutbox {
  const { db, keys, logger, now } = deps;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;

  const deliverRow = async (row: {
    id: number;
    user_ids: string[];
    team_ids: string[];
    attempts: number;
  }) => {
    try {
      await keys.invalidate({ userIds: row.user_ids, teamIds: row.team_ids });
      await db.deleteFrom('identity.auth_outbox').where('id', '=', row.id).execute();
      return true;
    } catch (err) {
      const attempts = row.attempts + 1;
      const delay = Math.min(1000 * 2 ** Math.min(attempts, 16), MAX_BACKOFF_MS);
      logger.warn(
        { outboxId: row.id, attempts, err: (err as Error).message },
        'auth invalidation not delivered to the keys service; will retry',
      );
      await db
        .updateTable('identity.auth_outbox')
        .set({
          attempts,
          last_error: (err as Error).message.slice(0, 500),
          next_attempt_at: new Date(now().getTime() + delay),
        })
        .where('id', '=', row.id)
        .execute()
        .catch(() => {});
      return false;
    }
  };

  const select = () =>
    db.selectFrom('identity.auth_outbox').select(['id', 'user_ids', 'team_ids', 'attempts']).orderBy('id');

  const pump = async () => {
    const due = await select().where('next_attempt_at', '<=', now()).limit(100).execute();
    let delivered = 0;
    for (const row of due) {
      if (!(await deliverRow(row))) break;
      delivered++;
    }
    return delivered;
  };

  return {
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
    async deliver(ids) {
      if (ids.length === 0) return;
      try {
        const rows = await select().where('id', 'in', ids).execute();
        for (const row of rows) await deliverRow(row);
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'auth outbox delivery failed; the pump will retry');
      }
    },
    pump,
    start(intervalMs) {
      timer = setInterval(() => {
        if (running) return;
        running = pump()
          .catch((err) => logger.warn({ err: (err as Error).message }, 'auth outbox pump failed'))
          .finally(() => {
            running = null;
          });
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
