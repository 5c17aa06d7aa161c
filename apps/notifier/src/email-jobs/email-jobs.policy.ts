import type { Principal } from '@llmgw/contracts';
import { emailJobErrors } from './email-jobs.errors';

/** Failed emails name their recipients: proxy_admin and proxy_admin_viewer may read them. */
export function assertMayReadFailed(principal: Principal, route: string): void {
  if (principal.role !== 'proxy_admin' && principal.role !== 'proxy_admin_viewer') {
    throw emailJobErrors.forbidden(principal.role, route);
  }
}

/** Retrying sends mail (possibly to a new address): proxy_admin only. */
export function assertMayRetry(principal: Principal, route: string): void {
  if (principal.role !== 'proxy_admin') throw emailJobErrors.forbidden(principal.role, route);
}
