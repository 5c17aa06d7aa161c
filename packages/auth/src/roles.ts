import { type Principal, ROLES, type Role } from '@llmgw/contracts';

/** LiteLLM treats a null or unknown role string on a user row as internal_user. */
export function effectiveRole(stored: string | null | undefined): Role {
  return (ROLES as readonly string[]).includes(stored ?? '') ? (stored as Role) : 'internal_user';
}

export const isProxyAdmin = (p: Pick<Principal, 'role'>) => p.role === 'proxy_admin';
export const isAdminRole = (p: Pick<Principal, 'role'>) =>
  p.role === 'proxy_admin' || p.role === 'proxy_admin_viewer';

/**
 * LiteLLM's masking of user ids in route-deny messages: first 6 chars + '*' x (len - 8) + last 2;
 * ids of 4 chars or fewer become '***'.
 */
export function maskUserId(id: string | null): string {
  if (id === null) return 'None';
  if (id.length <= 4) return '***';
  if (id.length <= 8) return `${id.slice(0, 2)}${'*'.repeat(Math.max(id.length - 4, 1))}${id.slice(-2)}`;
  return `${id.slice(0, 6)}${'*'.repeat(id.length - 8)}${id.slice(-2)}`;
}
