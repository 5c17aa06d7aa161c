import type { Insertable, Kysely, Selectable, Updateable } from '@llmgw/db';
import type { IdentityDB, TeamMembershipsTable, TeamsTable } from '../db';

export type TeamRow = Selectable<TeamsTable>;
export type MembershipRow = Selectable<TeamMembershipsTable>;
/** A membership with the member's email, for `members_with_roles`. */
export type MemberRow = MembershipRow & { user_email: string | null };
type NewTeamRow = Insertable<TeamsTable>;
export type TeamUpdate = Updateable<TeamsTable>;
export type MembershipUpdate = Updateable<TeamMembershipsTable>;

export const teamsRepository = {
  async findById(db: Kysely<IdentityDB>, teamId: string): Promise<TeamRow | undefined> {
    return db.selectFrom('identity.teams').selectAll().where('team_id', '=', teamId).executeTakeFirst();
  },

  async findByIds(db: Kysely<IdentityDB>, teamIds: string[]): Promise<TeamRow[]> {
    if (teamIds.length === 0) return [];
    return db.selectFrom('identity.teams').selectAll().where('team_id', 'in', teamIds).execute();
  },

  /** Inserts a team unless the id exists; returns undefined when it existed. */
  async insertIfAbsent(db: Kysely<IdentityDB>, row: NewTeamRow): Promise<TeamRow | undefined> {
    return db
      .insertInto('identity.teams')
      .values(row)
      .onConflict((oc) => oc.column('team_id').doNothing())
      .returningAll()
      .executeTakeFirst();
  },

  async update(db: Kysely<IdentityDB>, teamId: string, set: TeamUpdate): Promise<TeamRow | undefined> {
    return db
      .updateTable('identity.teams')
      .set(set)
      .where('team_id', '=', teamId)
      .returningAll()
      .executeTakeFirst();
  },

  async deleteByIds(db: Kysely<IdentityDB>, teamIds: string[]): Promise<number> {
    const res = await db.deleteFrom('identity.teams').where('team_id', 'in', teamIds).executeTakeFirst();
    return Number(res.numDeletedRows);
  },

  /** Teams sorted by alias (LiteLLM's /team/list order), optionally only some ids or one organization. */
  async list(
    db: Kysely<IdentityDB>,
    filter: { teamIds?: string[]; organizationId?: string },
  ): Promise<TeamRow[]> {
    let q = db.selectFrom('identity.teams').selectAll();
    if (filter.teamIds) {
      if (filter.teamIds.length === 0) return [];
      q = q.where('team_id', 'in', filter.teamIds);
    }
    if (filter.organizationId) q = q.where('organization_id', '=', filter.organizationId);
    return q
      .orderBy('team_alias', (ob) => ob.asc().nullsLast())
      .orderBy('team_id')
      .execute();
  },

  /** Members of these teams with their emails, oldest first. */
  async members(db: Kysely<IdentityDB>, teamIds: string[]): Promise<MemberRow[]> {
    if (teamIds.length === 0) return [];
    return db
      .selectFrom('identity.team_memberships as m')
      .innerJoin('identity.users as u', 'u.user_id', 'm.user_id')
      .selectAll('m')
      .select('u.user_email')
      .where('m.team_id', 'in', teamIds)
      .orderBy('m.seq')
      .execute();
  },

  async membership(
    db: Kysely<IdentityDB>,
    teamId: string,
    userId: string,
  ): Promise<MembershipRow | undefined> {
    return db
      .selectFrom('identity.team_memberships')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  },

  /** Memberships of one user in these teams (all of them when `teamIds` is undefined). */
  async membershipsOfUser(
    db: Kysely<IdentityDB>,
    userId: string,
    teamIds?: string[],
  ): Promise<MembershipRow[]> {
    let q = db.selectFrom('identity.team_memberships').selectAll().where('user_id', '=', userId);
    if (teamIds) {
      if (teamIds.length === 0) return [];
      q = q.where('team_id', 'in', teamIds);
    }
    return q.orderBy('seq').execute();
  },

  /** Memberships of these users or in these teams that have a budget schedule (budget_duration). */
  async scheduledMemberships(
    db: Kysely<IdentityDB>,
    owners: { userIds?: string[]; teamIds?: string[] },
  ): Promise<{ team_id: string; user_id: string }[]> {
    const userIds = owners.userIds ?? [];
    const teamIds = owners.teamIds ?? [];
    if (userIds.length === 0 && teamIds.length === 0) return [];
    return db
      .selectFrom('identity.team_memberships')
      .select(['team_id', 'user_id'])
      .where('budget_duration', 'is not', null)
      .where((eb) =>
        eb.or([
          ...(userIds.length ? [eb('user_id', 'in', userIds)] : []),
          ...(teamIds.length ? [eb('team_id', 'in', teamIds)] : []),
        ]),
      )
      .orderBy('seq')
      .execute();
  },

  /** Adds a member unless it is one already; returns undefined when it was. */
  async addMember(
    db: Kysely<IdentityDB>,
    row: Insertable<TeamMembershipsTable>,
  ): Promise<MembershipRow | undefined> {
    return db
      .insertInto('identity.team_memberships')
      .values(row)
      .onConflict((oc) => oc.columns(['user_id', 'team_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
  },

  async removeMember(db: Kysely<IdentityDB>, teamId: string, userId: string): Promise<boolean> {
    const res = await db
      .deleteFrom('identity.team_memberships')
      .where('team_id', '=', teamId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  },

  async updateMember(
    db: Kysely<IdentityDB>,
    teamId: string,
    userId: string,
    set: MembershipUpdate,
  ): Promise<MembershipRow | undefined> {
    return db
      .updateTable('identity.team_memberships')
      .set(set)
      .where('team_id', '=', teamId)
      .where('user_id', '=', userId)
      .returningAll()
      .executeTakeFirst();
  },
};
