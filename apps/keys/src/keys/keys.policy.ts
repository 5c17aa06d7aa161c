import { maskUserId } from '@llmgw/auth';
import type { Principal } from '@llmgw/contracts';
import { keyErrors } from './keys.errors';

/**
 * Who may generate which key (wire contract §2): PA any; IU only for itself (or with no user_id);
 * PAV 403; IUV and keys without a user 401.
 */
export function assertMayGenerate(
  principal: Principal,
  input: { user_id?: string | null | undefined },
): void {
  switch (principal.role) {
    case 'proxy_admin':
      return;
    case 'proxy_admin_viewer':
      throw keyErrors.viewerDenied(principal.role, '/key/generate');
    case 'internal_user':
      if (input.user_id && input.user_id !== principal.userId) {
        throw keyErrors.onlyOwnKeys(input.user_id, principal.userId);
      }
      return;
    default:
      throw keyErrors.routeDenied(
        `Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=/key/generate. Your role=${principal.role}. Your user_id=${maskUserId(principal.userId)}`,
      );
  }
}
