import { ProxyError } from '@llmgw/http';
import { rawDetail, wrappedDetail } from '../lib/errors';
import { pyRepr } from '../lib/py-repr';
import type { MemberRow } from './teams.repository';

/** Python's repr of LiteLLM's Member objects, as they appear in its messages. */
const membersRepr = (members: MemberRow[]) =>
  `[${members
    .map(
      (m) =>
        `Member(user_id=${pyRepr(m.user_id)}, user_email=${pyRepr(m.user_email)}, role=${pyRepr(m.role)})`,
    )
    .join(', ')}]`;

/** Every error of the team routes, worded and shaped as in LiteLLM (wire contract §1.3). */
export const teamErrors = {
  exists: (teamId: string) =>
    wrappedDetail(400, { error: `Team id = ${teamId} already exists. Please use a different team id.` }),
  notFound: (teamId: string) => rawDetail(404, `Team not found, passed team_id=${teamId}`),
  memberAddTeamNotFound: (teamId: string) => rawDetail(404, `Team not found for team_id=${teamId}`),
  memberTeamNotFound: (teamId: string) => rawDetail(400, `Team id=${teamId} does not exist in db`),
  notTeamAdmin: (route: string, teamId: string) =>
    rawDetail(403, `Call not allowed. User not proxy admin OR team admin. route=${route}, team_id=${teamId}`),
  userOrEmailRequired: () => rawDetail(400, 'Either user_id or user_email needs to be passed in'),
  notInTeam: () => rawDetail(400, 'User not found in team'),
  ownMembership: () =>
    rawDetail(
      403,
      'Team admins cannot change their own role, budget or limits in the team. Ask a proxy admin.',
    ),
  alreadyInTeam: (member: { user_id: string; user_email: string | null }, existing: MemberRow[]) =>
    new ProxyError({
      status: 400,
      message: `User already in team. Member: user_id=${member.user_id}, user_email=${member.user_email ?? 'None'}. Existing members=${membersRepr(existing)}`,
      type: 'team_member_already_in_team',
      param: 'member',
    }),
  allAlreadyInTeam: (existing: MemberRow[]) =>
    new ProxyError({
      status: 400,
      message: `All users are already in team. Existing members=${membersRepr(existing)}`,
      type: 'team_member_already_in_team',
      param: 'member',
    }),
  infoMissingId: () =>
    new ProxyError({
      status: 422,
      message: pyRepr({ message: 'Malformed request. No team id passed in.' }),
      type: 'auth_error',
      param: 'None',
    }),
  infoNotFound: (teamId: string) =>
    new ProxyError({
      status: 404,
      message: pyRepr({ message: `Team not found, passed team id: ${teamId}.` }),
      type: 'auth_error',
      param: 'None',
    }),
  infoForbidden: (userId: string | null, teamId: string) =>
    new ProxyError({
      status: 403,
      message: pyRepr({ error: `User=${userId ?? 'None'} not authorized to access this team=${teamId}` }),
      type: 'auth_error',
      param: 'None',
    }),
  listForbidden: (role: string) =>
    rawDetail(401, `Only admin users can query all teams/other teams. Your user role=${role}`),
  listUserNotFound: (userId: string) => rawDetail(404, `User not found, passed user_id=${userId}`),
  concurrentUser: (email: string) =>
    new ProxyError({
      status: 409,
      message: `a user with email ${email} was created by another request at the same time; nothing was changed, retry`,
      type: 'conflict_error',
      param: 'user_email',
    }),
};
