import { randomUUID } from 'node:crypto';
import { PROXY_ADMIN_ID, type Principal } from '@llmgw/contracts';
import type { Kysely } from '@llmgw/db';
import type { IdentityContext } from '../context';
import type { IdentityDB } from '../db';
import { rawDetail, unavailable } from '../lib/errors';
import { iso } from '../lib/wire';
import { usersRepository } from '../users/users.repository';
import { type InvitationRow, invitationsRepository } from './invitations.repository';

/** Invitation links are valid for exactly 7 days from creation (compared to the millisecond). */
export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

/** LiteLLM's InvitationModel. */
export function invitationToWire(row: InvitationRow) {
  return {
    id: row.id,
    user_id: row.user_id,
    is_accepted: row.is_accepted,
    accepted_at: iso(row.accepted_at),
    expires_at: iso(row.expires_at),
    created_at: iso(row.created_at),
    created_by: row.created_by,
    updated_at: iso(row.updated_at),
    updated_by: row.updated_by,
  };
}
export type WireInvitation = ReturnType<typeof invitationToWire>;

export const onboardingLink = (ctx: IdentityContext, invitationId: string) =>
  `${ctx.config.proxyBaseUrl}/ui/onboarding?id=${encodeURIComponent(invitationId)}`;

const notFound = () => rawDetail(400, 'Invitation id does not exist in the database.');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The user id recorded as `created_by`/`updated_by` (a foreign key to users, as in LiteLLM): the master
 * key's `default_user_id` row is created on first use; an id without a row is recorded as null.
 */
async function actorId(db: Kysely<IdentityDB>, principal: Principal, at: Date): Promise<string | null> {
  if (!principal.userId) return null;
  if (principal.userId === PROXY_ADMIN_ID) {
    await usersRepository.ensure(db, PROXY_ADMIN_ID, 'proxy_admin', at);
    return PROXY_ADMIN_ID;
  }
  return (await usersRepository.findById(db, principal.userId)) ? principal.userId : null;
}

export function createInvitationsService(ctx: IdentityContext) {
  const findOrFail = async (id: string) => {
    const row = UUID.test(id) ? await invitationsRepository.findById(ctx.db, id) : undefined;
    if (!row) throw notFound();
    return row;
  };

  return {
    /**
     * Creates an invitation (expires in exactly 7 days) and queues its email when the user has an address.
     * The row is committed first; if the queue (Redis) is down the invitation still exists and the caller
     * gets 503 naming it and its link, so an admin can share the link by hand or retry.
     */
    async create(principal: Principal, userId: string): Promise<WireInvitation> {
      const at = ctx.now();
      const { row, user, inviter } = await ctx.db.transaction().execute(async (tx) => {
        const user = await usersRepository.findById(tx, userId);
        if (!user) {
          throw rawDetail(
            400,
            "User id does not exist in 'LiteLLM_UserTable'. Fix this by creating user via `/user/new`.",
          );
        }
        const createdBy = await actorId(tx, principal, at);
        const inviter = createdBy ? await usersRepository.findById(tx, createdBy) : undefined;
        const row = await invitationsRepository.insert(tx, {
          id: randomUUID(),
          user_id: userId,
          is_accepted: false,
          accepted_at: null,
          expires_at: new Date(at.getTime() + INVITATION_TTL_MS),
          created_at: at,
          created_by: createdBy,
          updated_at: at,
          updated_by: createdBy,
        });
        return { row, user, inviter };
      });
      if (user.user_email) {
        const link = onboardingLink(ctx, row.id);
        try {
          await ctx.emailQueue.enqueue(
            {
              template: 'invitation',
              to: user.user_email,
              link,
              invitedBy: inviter?.user_email ?? inviter?.user_alias ?? null,
              orgName: ctx.config.orgName,
              expiresAt: new Date(row.expires_at).toISOString(),
            },
            row.id,
          );
        } catch (err) {
          ctx.logger.error(
            { invitationId: row.id, err: (err as Error).message },
            'invitation email could not be queued',
          );
          throw unavailable(
            `invitation ${row.id} was created, but its email could not be queued (the queue is unavailable). Share the link ${link} yourself, or delete the invitation and create it again later.`,
          );
        }
      }
      return invitationToWire(row);
    },

    async info(id: string): Promise<WireInvitation> {
      return invitationToWire(await findOrFail(id));
    },

    /** LiteLLM lets an admin mark an invitation accepted (or not) by hand. */
    async update(principal: Principal, id: string, isAccepted: boolean): Promise<WireInvitation> {
      await findOrFail(id);
      const at = ctx.now();
      const row = await ctx.db.transaction().execute(async (tx) => {
        const updatedBy = await actorId(tx, principal, at);
        return invitationsRepository.update(tx, id, {
          is_accepted: isAccepted,
          accepted_at: isAccepted ? at : null,
          updated_at: at,
          updated_by: updatedBy,
        });
      });
      if (!row) throw notFound();
      return invitationToWire(row);
    },

    async delete(id: string): Promise<WireInvitation> {
      const row = UUID.test(id) ? await invitationsRepository.delete(ctx.db, id) : undefined;
      if (!row) throw notFound();
      return invitationToWire(row);
    },
  };
}
export type InvitationsService = ReturnType<typeof createInvitationsService>;
