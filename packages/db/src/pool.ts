import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

/**
 * How Postgres types map to JS, decided once here for every service:
 * - int8 (counts, versions) -> number: our counts stay far below 2^53.
 * - numeric (money) -> number: spend and budgets are USD floats in LiteLLM's API; columns are
 *   numeric(20,10) so sums in SQL are exact and only the final value becomes a float.
 * - timestamptz -> Date (pg default); always stored in UTC.
 */
const types = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) {
      return (value: string) => (value === null ? null : Number(value));
    }
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

export interface DbOptions {
  connectionString: string;
  max?: number;
  applicationName: string;
  /** Fail a query instead of hanging when Postgres is gone. */
  statementTimeoutMs?: number;
}

export interface Database<DB> {
  db: Kysely<DB>;
  pool: pg.Pool;
  ping: () => Promise<void>;
  close: () => Promise<void>;
}

/**
 * The only place a pg pool is created. Row types keep Postgres' snake_case names: LiteLLM's wire format
 * is its table rows, so rows map to responses with no renaming layer.
 */
export function createDatabase<DB>(opts: DbOptions): Database<DB> {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 10,
    application_name: opts.applicationName,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    statement_timeout: opts.statementTimeoutMs ?? 15_000,
    types,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    ping: async () => {
      await pool.query('select 1');
    },
    close: () => db.destroy(),
  };
}
