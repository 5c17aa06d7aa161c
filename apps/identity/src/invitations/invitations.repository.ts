import type { Insertable, Kysely, Selectable, Updateable } from '@llmgw/db';
import type { IdentityDB, InvitationsTable } from '../db';

export type InvitationRow = Selectable<InvitationsTable>;

export const invitationsRepository = {
  async insert(db: Kysely<IdentityDB>, row: Insertable<InvitationsTable>): Promise<InvitationRow> {
    return db.insertInto('identity.invitations').values(row).returningAll().executeTakeFirstOrThrow();
  },

  async findById(db: Kysely<IdentityDB>, id: string): Promise<InvitationRow | undefined> {
    return db.selectFrom('identity.invitations').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async update(
    db: Kysely<IdentityDB>,
    id: string,
    set: Updateable<InvitationsTable>,
  ): Promise<InvitationRow | undefined> {
    return db
      .updateTable('identity.invitations')
      .set(set)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  },

  async delete(db: Kysely<IdentityDB>, id: string): Promise<InvitationRow | undefined> {
    return db.deleteFrom('identity.invitations').where('id', '=', id).returningAll().executeTakeFirst();
  },

  /**
   * Consumes a link: one UPDATE that succeeds only while the link is unclaimed, unexpired and belongs
   * to this user, so two concurrent claims can never both win.
   */
  async claim(
    db: Kysely<IdentityDB>,
    id: string,
    userId: string,
    at: Date,
  ): Promise<InvitationRow | undefined> {
    return db
      .updateTable('identity.invitations')
      .set({ is_accepted: true, accepted_at: at, updated_at: at, updated_by: userId })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('is_accepted', '=', false)
      .where('expires_at', '>', at)
      .returningAll()
      .executeTakeFirst();
  },
};
