import { maskUserId } from '@llmgw/auth';
import type { Principal } from '@llmgw/contracts';
import { keyErrors } from './keys.errors';

/** Key routes that change keys (the route layer of wire contract §2 treats them alike). */
export type KeyWriteRoute =
  | '/key/generate'
  | '/key/update'
  | '/key/delete'
  | '/key/regenerate'
  | '/key/{key}/regenerate';

/** What a plain team member may do with the team's keys unless the team says otherwise (LiteLLM default). */
export const DEFAULT_TEAM_MEMBER_PERMISSIONS = ['/key/info', '/key/health'];

const routeDenied = (principal: Principal, route: string) =>
  keyErrors.routeDenied(
    `Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=${route}. Your role=${principal.role}. Your user_id=${maskUserId(principal.userId)}`,
  );

/**
 * The route layer for key writes (wire contract §2): PA and IU pass (the handler decides on the key);
 * PAV is read-only (403); IUV and keys without a user row (role "unknown") get LiteLLM's 401 route-deny.
 */
export function assertMayWrite(principal: Principal, route: KeyWriteRoute): void {
  switch (principal.role) {
    case 'proxy_admin':
    case 'internal_user':
      return;
    case 'proxy_admin_viewer':
      throw keyErrors.viewerDenied(principal.role, route);
    default:
      throw routeDenied(principal, route);
  }
}

/** /key/block and /key/unblock are admin-only (ARCHITECTURE §5); others keep the matrix' statuses. */
export function assertMayBlock(principal: Principal, route: '/key/block' | '/key/unblock'): void {
  switch (principal.role) {
    case 'proxy_admin':
      return;
    case 'proxy_admin_viewer':
      throw keyErrors.viewerDenied(principal.role, route);
    case 'internal_user':
      throw keyErrors.adminOnly(route, principal.role);
    default:
      throw routeDenied(principal, route);
  }
}

/**
 * Who may generate which personal key: PA any; IU only for itself (or with no user_id); the rest is the
 * route layer's answer. Team keys are checked by `assertMayUseTeam` on top.
 */
export function assertMayGenerate(
  principal: Principal,
  input: { user_id?: string | null | undefined },
): void {
  assertMayWrite(principal, '/key/generate');
  if (principal.role === 'internal_user' && input.user_id && input.user_id !== principal.userId) {
    throw keyErrors.onlyOwnKeys(input.user_id, principal.userId);
  }
}

/**
 * A key is the caller's own when its user_id is the caller, or when it has no user_id and the caller
 * created it (LiteLLM creates an internal user's key with user_id null when none is given; unlike
 * LiteLLM, such a key is not open to every other internal user).
 */
export function ownsKey(
  principal: Principal,
  row: { user_id: string | null; created_by: string | null },
): boolean {
  if (principal.userId === null) return false;
  return row.user_id === null ? row.created_by === principal.userId : row.user_id === principal.userId;
}

/** The caller's standing in a team, from identity's facts. */
export interface TeamStanding {
  teamId: string;
  exists: boolean;
  role: 'admin' | 'user' | null;
  /** Routes a plain member may call on the team's keys. */
  memberPermissions: string[];
}

const sameRoute = (permission: string, route: string) =>
  permission === route ||
  (route === '/key/{key}/regenerate' && permission === '/key/regenerate') ||
  (permission.endsWith('/*') && route.startsWith(permission.slice(0, -1)));

/**
 * LiteLLM's team member check: a team admin may; a plain member may only if the team's member
 * permissions include the route (else 401 team_member_permission_error); a non-member returns false so
 * the caller can apply its own rule (usually ownership).
 */
export function teamMemberMay(standing: TeamStanding, route: string): boolean {
  if (standing.role === null) return false;
  if (standing.role === 'admin') return true;
  if (standing.memberPermissions.some((p) => sameRoute(p, route))) return true;
  throw keyErrors.teamMemberPermission(route, standing.memberPermissions, standing.teamId);
}
