import { type Insertable, type Kysely, type Selectable, sql, type Updateable } from '@llmgw/db';
import type { IdentityDB, UsersTable } from '../db';

/** A user row as the service sees it: everything but the password hash. */
export type UserRow = Omit<Selectable<UsersTable>, 'password_hash'>;
export type NewUserRow = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;

/**
 * Every column except `password_hash`: the hash is read only by `findCredentials`, so no query that
 * feeds a response can ever carry it.
 */
export const USER_COLUMNS = [
  'user_id',
  'user_alias',
  'team_id',
  'sso_user_id',
  'organization_id',
  'user_role',
  'max_budget',
  'spend',
  'user_email',
  'models',
  'metadata',
  'max_parallel_requests',
  'tpm_limit',
  'rpm_limit',
  'budget_duration',
  'budget_reset_at',
  'allowed_cache_controls',
  'model_spend',
  'model_max_budget',
  'created_at',
  'updated_at',
] as const;

const UNIQUE_VIOLATION = '23505';

/** The email is taken by another user (case-insensitively). */
export class EmailTakenError extends Error {}

function rethrowUnique(err: unknown): never {
  const e = err as { code?: string; constraint?: string };
  if (e.code === UNIQUE_VIOLATION && e.constraint === 'users_email_lower_key') throw new EmailTakenError();
  throw err;
}

export type UserSortColumn =
  | 'user_id'
  | 'user_email'
  | 'user_alias'
  | 'user_role'
  | 'spend'
  | 'max_budget'
  | 'created_at'
  | 'updated_at';

export interface UserListFilter {
  role?: string;
  /** Exact ids; a single id is a "contains" match, as in LiteLLM. */
  userIds?: string[];
  ssoUserIds?: string[];
  /** Case-insensitive "contains". */
  emailContains?: string;
  teamId?: string;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export const usersRepository = {
  async findById(db: Kysely<IdentityDB>, userId: string): Promise<UserRow | undefined> {
    return db
      .selectFrom('identity.users')
      .select(USER_COLUMNS)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  },

  async findByIds(db: Kysely<IdentityDB>, userIds: string[]): Promise<UserRow[]> {
    if (userIds.length === 0) return [];
    return db.selectFrom('identity.users').select(USER_COLUMNS).where('user_id', 'in', userIds).execute();
  },

  /** Emails are compared case-insensitively everywhere. */
  async findByEmail(db: Kysely<IdentityDB>, email: string): Promise<UserRow | undefined> {
    return db
      .selectFrom('identity.users')
      .select(USER_COLUMNS)
      .where(sql<string>`lower(user_email)`, '=', email.toLowerCase())
      .executeTakeFirst();
  },

  /** Login only: the one query that reads the password hash. */
  async findCredentials(
    db: Kysely<IdentityDB>,
    email: string,
  ): Promise<{ user_id: string; user_role: string | null; password_hash: string | null } | undefined> {
    return db
      .selectFrom('identity.users')
      .select(['user_id', 'user_role', 'password_hash'])
      .where(sql<string>`lower(user_email)`, '=', email.toLowerCase())
      .executeTakeFirst();
  },

  /** Inserts a user unless the id exists; returns the new row, or undefined when it existed. */
  async insertIfAbsent(db: Kysely<IdentityDB>, row: NewUserRow): Promise<UserRow | undefined> {
    try {
      return await db
        .insertInto('identity.users')
        .values(row)
        .onConflict((oc) => oc.column('user_id').doNothing())
        .returning(USER_COLUMNS)
        .executeTakeFirst();
    } catch (err) {
      rethrowUnique(err);
    }
  },

  /** Makes sure a user row exists (e.g. `default_user_id` of the master key, a member added by id). */
  async ensure(db: Kysely<IdentityDB>, userId: string, role: string, at: Date): Promise<void> {
    await db
      .insertInto('identity.users')
      .values({
        user_id: userId,
        user_role: role,
        models: '[]',
        metadata: '{}',
        allowed_cache_controls: '[]',
        model_spend: '{}',
        model_max_budget: '{}',
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) => oc.column('user_id').doNothing())
      .execute();
  },

  async update(db: Kysely<IdentityDB>, userId: string, set: UserUpdate): Promise<UserRow | undefined> {
    try {
      return await db
        .updateTable('identity.users')
        .set(set)
        .where('user_id', '=', userId)
        .returning(USER_COLUMNS)
        .executeTakeFirst();
    } catch (err) {
      rethrowUnique(err);
    }
  },

  async deleteByIds(db: Kysely<IdentityDB>, userIds: string[]): Promise<number> {
    const res = await db.deleteFrom('identity.users').where('user_id', 'in', userIds).executeTakeFirst();
    return Number(res.numDeletedRows);
  },

  /** The team ids of each user, oldest membership first (LiteLLM's `teams` column, derived). */
  async teamsOf(db: Kysely<IdentityDB>, userIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(userIds.map((id) => [id, []]));
    if (userIds.length === 0) return out;
    const rows = await db
      .selectFrom('identity.team_memberships')
      .select(['user_id', 'team_id'])
      .where('user_id', 'in', userIds)
      .orderBy('seq')
      .execute();
    for (const r of rows) out.get(r.user_id)?.push(r.team_id);
    return out;
  },

  async list(
    db: Kysely<IdentityDB>,
    filter: UserListFilter,
    page: { offset: number; limit: number; sortBy: UserSortColumn; sortOrder: 'asc' | 'desc' },
  ): Promise<{ rows: UserRow[]; total: number }> {
    let q = db.selectFrom('identity.users');
    if (filter.role) q = q.where('user_role', '=', filter.role);
    if (filter.userIds?.length === 1) {
      q = q.where('user_id', 'like', `%${likeEscape(filter.userIds[0] ?? '')}%`);
    } else if (filter.userIds?.length) {
      q = q.where('user_id', 'in', filter.userIds);
    }
    if (filter.ssoUserIds?.length) q = q.where('sso_user_id', 'in', filter.ssoUserIds);
    if (filter.emailContains) {
      q = q.where(
        sql<string>`lower(user_email)`,
        'like',
        `%${likeEscape(filter.emailContains.toLowerCase())}%`,
      );
    }
    if (filter.teamId) {
      const teamId = filter.teamId;
      q = q.where('user_id', 'in', (eb) =>
        eb.selectFrom('identity.team_memberships').select('user_id').where('team_id', '=', teamId),
      );
    }
    const [rows, count] = await Promise.all([
      q
        .select(USER_COLUMNS)
        .orderBy(page.sortBy, page.sortOrder)
        .orderBy('user_id')
        .offset(page.offset)
        .limit(page.limit)
        .execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },
};
