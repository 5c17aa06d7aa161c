import { type Insertable, type Kysely, type Selectable, sql, type Updateable } from '@llmgw/db';
import type { KeysDB, VerificationTokensTable } from '../db';

export type KeyRow = Selectable<VerificationTokensTable>;
export type NewKeyRow = Insertable<VerificationTokensTable>;
export type KeyChanges = Updateable<VerificationTokensTable>;

const UNIQUE_VIOLATION = '23505';
const TABLE = 'keys.verification_tokens' as const;
/** LiteLLM's UI session keys live in this team; key lists never show them. */
export const UI_SESSION_TEAM_ID = 'litellm-dashboard';

export class AliasTakenError extends Error {}
export class TokenTakenError extends Error {}

/** Unique violations become typed errors: aliases and tokens are unique in Postgres, race-free. */
function mapUniqueViolation(err: unknown): never {
  const e = err as { code?: string; constraint?: string };
  if (e.code === UNIQUE_VIOLATION) {
    if (e.constraint === 'verification_tokens_key_alias_key') throw new AliasTakenError();
    throw new TokenTakenError();
  }
  throw err;
}

export const LIST_SORT_COLUMNS = [
  'spend',
  'max_budget',
  'created_at',
  'updated_at',
  'token',
  'key_alias',
] as const;
export type ListSortColumn = (typeof LIST_SORT_COLUMNS)[number];

export interface KeyListFilter {
  userId?: string | undefined;
  teamId?: string | undefined;
  organizationId?: string | undefined;
  keyAlias?: string | undefined;
  keyHash?: string | undefined;
  /** Also keys created by `userId` (LiteLLM's include_created_by_keys). */
  includeCreatedBy?: boolean;
  sortBy?: ListSortColumn | undefined;
  sortOrder: 'asc' | 'desc';
  offset: number;
  limit: number;
}

/** The keys /key/list shows: its filters applied, UI session keys excluded. */
function listed(db: Kysely<KeysDB>, f: KeyListFilter) {
  let q = db
    .selectFrom(TABLE)
    .where((eb) => eb.or([eb('team_id', 'is', null), eb('team_id', '!=', UI_SESSION_TEAM_ID)]));
  const own = [
    ...(f.userId !== undefined ? [['user_id', f.userId] as const] : []),
    ...(f.teamId !== undefined ? [['team_id', f.teamId] as const] : []),
    ...(f.organizationId !== undefined ? [['organization_id', f.organizationId] as const] : []),
    ...(f.keyAlias !== undefined ? [['key_alias', f.keyAlias] as const] : []),
    ...(f.keyHash !== undefined ? [['token', f.keyHash] as const] : []),
  ];
  if (own.length || (f.includeCreatedBy && f.userId !== undefined)) {
    q = q.where((eb) => {
      const branches = [];
      if (own.length) branches.push(eb.and(own.map(([col, value]) => eb(col, '=', value))));
      if (f.includeCreatedBy && f.userId !== undefined) branches.push(eb('created_by', '=', f.userId));
      return eb.or(branches);
    });
  }
  return q;
}

export const keysRepository = {
  async insert(db: Kysely<KeysDB>, row: NewKeyRow): Promise<KeyRow> {
    try {
      return await db.insertInto(TABLE).values(row).returningAll().executeTakeFirstOrThrow();
    } catch (err) {
      mapUniqueViolation(err);
    }
  },

  async findByToken(db: Kysely<KeysDB>, token: string): Promise<KeyRow | undefined> {
    return db.selectFrom(TABLE).selectAll().where('token', '=', token).executeTakeFirst();
  },

  /** One query for a batch of hashes (cache fills and warm-up). */
  async findByTokens(db: Kysely<KeysDB>, tokens: string[]): Promise<KeyRow[]> {
    if (tokens.length === 0) return [];
    return db.selectFrom(TABLE).selectAll().where('token', 'in', tokens).execute();
  },

  /** Which of these hashes are keys (the warm-up's sweep of records whose key is gone). */
  async existingTokens(db: Kysely<KeysDB>, tokens: string[]): Promise<Set<string>> {
    if (tokens.length === 0) return new Set();
    const rows = await db.selectFrom(TABLE).select('token').where('token', 'in', tokens).execute();
    return new Set(rows.map((r) => r.token));
  },

  async findByAliases(db: Kysely<KeysDB>, aliases: string[]): Promise<KeyRow[]> {
    if (aliases.length === 0) return [];
    return db.selectFrom(TABLE).selectAll().where('key_alias', 'in', aliases).execute();
  },

  /** Hashes of every key, in pages ordered by hash (warm-up). */
  async tokensAfter(db: Kysely<KeysDB>, after: string | null, limit: number): Promise<string[]> {
    let q = db.selectFrom(TABLE).select('token').orderBy('token').limit(limit);
    if (after !== null) q = q.where('token', '>', after);
    return (await q.execute()).map((r) => r.token);
  },

  /** Hashes of every key owned by these users or belonging to these teams. */
  async tokensOfOwners(db: Kysely<KeysDB>, userIds: string[], teamIds: string[]): Promise<string[]> {
    if (userIds.length === 0 && teamIds.length === 0) return [];
    const rows = await db
      .selectFrom(TABLE)
      .select('token')
      .where((eb) =>
        eb.or([
          ...(userIds.length ? [eb('user_id', 'in', userIds)] : []),
          ...(teamIds.length ? [eb('team_id', 'in', teamIds)] : []),
        ]),
      )
      .execute();
    return rows.map((r) => r.token);
  },

  /** Updates one key; returns the new row, or undefined when it does not exist. */
  async update(db: Kysely<KeysDB>, token: string, changes: KeyChanges): Promise<KeyRow | undefined> {
    try {
      return await db
        .updateTable(TABLE)
        .set(changes)
        .where('token', '=', token)
        .returningAll()
        .executeTakeFirst();
    } catch (err) {
      mapUniqueViolation(err);
    }
  },

  async deleteByTokens(db: Kysely<KeysDB>, tokens: string[]): Promise<string[]> {
    if (tokens.length === 0) return [];
    const rows = await db.deleteFrom(TABLE).where('token', 'in', tokens).returning('token').execute();
    return rows.map((r) => r.token);
  },

  /** Deletes every key of these users/teams; answers their hashes and budget durations. */
  async deleteByOwners(
    db: Kysely<KeysDB>,
    userIds: string[],
    teamIds: string[],
  ): Promise<{ token: string; budget_duration: string | null }[]> {
    if (userIds.length === 0 && teamIds.length === 0) return [];
    const rows = await db
      .deleteFrom(TABLE)
      .where((eb) =>
        eb.or([
          ...(userIds.length ? [eb('user_id', 'in', userIds)] : []),
          ...(teamIds.length ? [eb('team_id', 'in', teamIds)] : []),
        ]),
      )
      .returning(['token', 'budget_duration'])
      .execute();
    return rows;
  },

  /** A page of keys plus the total, with LiteLLM's /key/list filters (UI session keys excluded). */
  async list(db: Kysely<KeysDB>, f: KeyListFilter): Promise<{ rows: KeyRow[]; total: number }> {
    const q = listed(db, f);
    const [rows, count] = await Promise.all([
      (f.sortBy ? q.orderBy(f.sortBy, f.sortOrder) : q.orderBy('created_at', 'desc').orderBy('token', 'desc'))
        .selectAll()
        .offset(f.offset)
        .limit(f.limit)
        .execute(),
      q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: count.n };
  },

  /**
   * Every key the /key/list filters match (newest first), hash and creation time only, at most `limit`:
   * for sorting by spend, which lives in the spend service, not in this table.
   */
  async listAll(
    db: Kysely<KeysDB>,
    f: KeyListFilter,
    limit: number,
  ): Promise<{ token: string; created_at: Date }[]> {
    return listed(db, f)
      .select(['token', 'created_at'])
      .orderBy('created_at', 'desc')
      .orderBy('token', 'desc')
      .limit(limit)
      .execute();
  },
};
