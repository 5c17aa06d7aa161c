import { effectiveRole } from '@llmgw/auth';
import type { IdentityContext } from '../context';
import { type InvitationRow, invitationsRepository } from '../invitations/invitations.repository';
import { onboardingLink } from '../invitations/invitations.service';
import { rawDetail } from '../lib/errors';
import type { NewSession } from '../sessions/session-store';
import { usersRepository } from '../users/users.repository';
import { checkPassword } from '../users/users.service';
import { userToWire, type WireUser } from '../users/users.wire';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The 401s of onboarding (raw `{"detail": {"error": ...}}`, LiteLLM's words where it has them). */
export const onboardingErrors = {
  unknown: () => rawDetail(401, 'Invitation link does not exist in db.'),
  expired: () => rawDetail(401, 'Invitation link has expired.'),
  used: () => rawDetail(401, 'invitation link has already been used'),
  noUser: () => rawDetail(401, 'User does not exist in db.'),
  wrongUser: (given: string, expected: string) =>
    rawDetail(
      401,
      `Invalid invitation link. The user id submitted does not match the user id this link is attached to. Got=${given}, Expected=${expected}`,
    ),
};

/**
 * Onboarding (ARCHITECTURE §3, §7): `get_token` validates a link without consuming it; `claim_token`
 * consumes it exactly once (one conditional UPDATE), sets the password and logs the user in. Links
 * expire exactly 7 days after creation, to the millisecond of the injected clock.
 */
export function createOnboardingService(ctx: IdentityContext) {
  const usable = (row: InvitationRow | undefined, at: Date): InvitationRow => {
    if (!row) throw onboardingErrors.unknown();
    if (row.is_accepted) throw onboardingErrors.used();
    if (new Date(row.expires_at).getTime() <= at.getTime()) throw onboardingErrors.expired();
    return row;
  };
  const find = (id: string) =>
    UUID.test(id) ? invitationsRepository.findById(ctx.db, id) : Promise.resolve(undefined);

  return {
    async getToken(inviteLink: string) {
      const row = usable(await find(inviteLink), ctx.now());
      const user = await usersRepository.findById(ctx.db, row.user_id);
      if (!user) throw onboardingErrors.noUser();
      return {
        login_url: onboardingLink(ctx, row.id),
        // LiteLLM returns a JWT here; our UI needs none: the session starts when the link is claimed.
        token: null,
        user_email: user.user_email,
        user_id: user.user_id,
        expires_at: new Date(row.expires_at).toISOString(),
      };
    },

    async claim(input: { invitation_link: string; user_id: string; password: string }): Promise<{
      user: WireUser;
      session: NewSession;
    }> {
      const row = usable(await find(input.invitation_link), ctx.now());
      if (row.user_id !== input.user_id) throw onboardingErrors.wrongUser(input.user_id, row.user_id);
      checkPassword(input.password);
      const hash = await ctx.passwords.hash(input.password);
      const at = ctx.now();
      const user = await ctx.db.transaction().execute(async (tx) => {
        const claimed = await invitationsRepository.claim(tx, row.id, input.user_id, at);
        if (!claimed) {
          // Lost a race, or the link expired while the password was being hashed: say which.
          usable(await invitationsRepository.findById(tx, row.id), at);
          throw onboardingErrors.used();
        }
        const user = await usersRepository.update(tx, input.user_id, { password_hash: hash, updated_at: at });
        if (!user) throw onboardingErrors.noUser();
        return user;
      });
      const teams = await usersRepository.teamsOf(ctx.db, [user.user_id]);
      const session = await ctx.sessions.create(user.user_id, effectiveRole(user.user_role));
      return { user: userToWire(user, teams.get(user.user_id) ?? []), session };
    },
  };
}
export type OnboardingService = ReturnType<typeof createOnboardingService>;
