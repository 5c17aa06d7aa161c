/** The two log levels the runner uses (a pino logger fits). */
export interface OutboxLogger {
  warn: (obj: object, msg: string) => void;
  error: (obj: object, msg: string) => void;
}

/** A row of an outbox table: what is owed, and how often delivering it failed. */
export interface OutboxRow {
  id: number;
  attempts: number;
}

/** The SQL of one outbox table. */
export interface OutboxTable<R extends OutboxRow> {
  /** Rows whose next attempt has come, oldest first. */
  due: (now: Date, limit: number) => Promise<R[]>;
  byIds: (ids: number[]) => Promise<R[]>;
  remove: (id: number) => Promise<void>;
  postpone: (id: number, attempts: number, error: string, nextAttemptAt: Date) => Promise<void>;
}

/**
 * True for an answer that refuses the row itself: a 4xx other than 408 (timeout) and 429 (rate limit),
 * which are about the moment, not the row. Such a delivery should throw PermanentDeliveryError.
 */
export function isRefusal(status: number | null): boolean {
  return status !== null && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** The receiver refused the row itself (a 4xx): retrying cannot help, so it is logged and dropped. */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

/**
 * Delivery of a transactional outbox: rows are written in the same transaction as the change they
 * announce, delivered right after commit (`deliver`), and what failed is retried by a pump with
 * exponential backoff (`pump`, every `start(intervalMs)`), oldest first, stopping at the first failure so
 * that a receiver that is down is not hammered and order is kept.
 */
export interface OutboxRunner {
  /** After commit: delivers these rows now; failures are logged and left for the pump. */
  deliver: (ids: number[]) => Promise<void>;
  /** Delivers every due row, oldest first, stopping at the first failure; returns how many went out. */
  pump: () => Promise<number>;
  /** Runs `pump` every `intervalMs` until `stop`. */
  start: (intervalMs: number) => void;
  stop: () => Promise<void>;
}

const MAX_BACKOFF_MS = 60_000;

export function createOutboxRunner<R extends OutboxRow>(deps: {
  table: OutboxTable<R>;
  /** Delivers one row; throws to retry it later (PermanentDeliveryError: never). */
  send: (row: R) => Promise<void>;
  logger: OutboxLogger;
  now: () => Date;
  /** Log line of a failed delivery ("... not delivered to ...; will retry"). */
  failureMessage: string;
}): OutboxRunner {
  const { table, send, logger, now } = deps;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;

  const deliverRow = async (row: R): Promise<boolean> => {
    try {
      await send(row);
      await table.remove(row.id);
      return true;
    } catch (err) {
      const message = (err as Error).message;
      if (err instanceof PermanentDeliveryError) {
        logger.error({ outboxId: row.id, err: message }, `${deps.failureMessage}; refused, not retried`);
        await table.remove(row.id).catch(() => {});
        return true;
      }
      const attempts = row.attempts + 1;
      const delay = Math.min(1000 * 2 ** Math.min(attempts, 16), MAX_BACKOFF_MS);
      logger.warn({ outboxId: row.id, attempts, err: message }, `${deps.failureMessage}; will retry`);
      await table
        .postpone(row.id, attempts, message.slice(0, 500), new Date(now().getTime() + delay))
        .catch(() => {});
      return false;
    }
  };

  const pump = async () => {
    const due = await table.due(now(), 100);
    let delivered = 0;
    for (const row of due) {
      if (!(await deliverRow(row))) break;
      delivered++;
    }
    return delivered;
  };

  return {
    async deliver(ids) {
      if (ids.length === 0) return;
      try {
        for (const row of await table.byIds(ids)) await deliverRow(row);
      } catch (err) {
        logger.warn({ err: (err as Error).message }, `${deps.failureMessage}; the pump will retry`);
      }
    },
    pump,
    start(intervalMs) {
      timer = setInterval(() => {
        if (running) return;
        running = pump()
          .catch((err) => logger.warn({ err: (err as Error).message }, 'outbox pump failed'))
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

/**
 * Runs tasks one at a time per key, in the order they were queued: a delivery that reads the current state
 * of an entity must not overtake the previous delivery of the same entity. A failed task does not stop
 * the next one.
 */
export function oneAtATimePerKey(): (key: string, task: () => Promise<void>) => Promise<void> {
  const chains = new Map<string, Promise<void>>();
  return (key, task) => {
    const next = (chains.get(key) ?? Promise.resolve()).catch(() => {}).then(task);
    chains.set(key, next);
    void next
      .catch(() => {})
      .finally(() => {
        if (chains.get(key) === next) chains.delete(key);
      });
    return next;
  };
}
