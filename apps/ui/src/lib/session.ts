import { asRole, type Role, type UserInfo } from '../api/endpoints';

/** The signed-in person as the console needs it. */
export interface Me {
  /** null for a proxy admin: LiteLLM's `/user/info` without `user_id` does not name an admin. */
  userId: string | null;
  email: string | null;
  role: Role;
  spend: number | null;
  maxBudget: number | null;
}

/** `/user/info` without params: the caller's own row, or `user_info: null` for a proxy admin. */
export function meFromUserInfo(info: UserInfo): Me {
  const row = info.user_info;
  if (!row) return { userId: info.user_id, email: null, role: 'proxy_admin', spend: null, maxBudget: null };
  return {
    userId: row.user_id,
    email: row.user_email,
    role: asRole(row.user_role),
    spend: row.spend ?? 0,
    maxBudget: row.max_budget ?? null,
  };
}

export const isAdmin = (role: Role) => role === 'proxy_admin' || role === 'proxy_admin_viewer';
/** May change things (create users, teams, retry emails). */
export const isFullAdmin = (role: Role) => role === 'proxy_admin';
/** May create and delete keys (LiteLLM: proxy_admin any, internal_user own; viewers none). */
export const mayManageKeys = (role: Role) => role === 'proxy_admin' || role === 'internal_user';

export function landingPath(role: Role): string {
  return isAdmin(role) ? '/users' : '/keys';
}
