import { request } from './client';

/** The gateway's public API as the console uses it (LiteLLM wire contract; ARCHITECTURE §3, §7). */

export type Role = 'proxy_admin' | 'proxy_admin_viewer' | 'internal_user' | 'internal_user_viewer';

export const ROLE_LABELS: Record<Role, string> = {
  proxy_admin: 'Admin',
  proxy_admin_viewer: 'Admin (view only)',
  internal_user: 'User',
  internal_user_viewer: 'User (view only)',
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  proxy_admin: 'Everything: users, teams, keys, spend, emails.',
  proxy_admin_viewer: 'Sees users, teams and spend; changes nothing.',
  internal_user: 'Creates and deletes their own keys, sees their own spend.',
  internal_user_viewer: 'Sees their own keys and spend only.',
};

export const ROLES = Object.keys(ROLE_LABELS) as Role[];

/** LiteLLM's proxy admin user id: the master key and the UI_USERNAME login act as this user. */
export const PROXY_ADMIN_ID = 'default_user_id';

/** LiteLLM treats a null or unknown role as internal_user. */
export function asRole(value: unknown): Role {
  return typeof value === 'string' && value in ROLE_LABELS ? (value as Role) : 'internal_user';
}

export interface UserRow {
  user_id: string;
  user_email: string | null;
  user_alias: string | null;
  user_role: string | null;
  spend: number;
  max_budget: number | null;
  budget_duration: string | null;
  teams: string[];
  models: string[];
  created_at: string | null;
  key_count?: number | null;
}

export interface KeyRow {
  token: string;
  key_name: string | null;
  key_alias: string | null;
  spend: number;
  max_budget: number | null;
  expires: string | null;
  models: string[];
  user_id: string | null;
  team_id: string | null;
  blocked: boolean | null;
  created_at: string | null;
  created_by: string | null;
}

export interface TeamRow {
  team_id: string;
  team_alias: string | null;
  spend: number;
  max_budget: number | null;
  models: string[];
  blocked: boolean;
  members_with_roles: { role: string; user_id: string | null; user_email: string | null }[];
  created_at?: string | null;
}

export interface UserInfo {
  user_id: string | null;
  user_info: UserRow | null;
  keys: KeyRow[];
  teams: TeamRow[];
}

export interface GeneratedKey extends KeyRow {
  /** The raw key: in this one response only. */
  key: string;
}

export interface SpendLog {
  request_id: string;
  call_type: string | null;
  api_key: string | null;
  spend: number;
  total_tokens: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  startTime: string | null;
  model: string | null;
  user: string | null;
  status?: string | null;
  metadata?: { user_api_key_alias?: string | null; status?: string | null } | null;
}

/** One day of `/spend/logs?summarize=true`; each key's spend is a top-level field named by its hash. */
export type DaySpend = {
  startTime: string;
  spend: number;
  users: Record<string, number>;
  models: Record<string, number>;
} & Record<string, unknown>;

export interface FailedEmail {
  job_id: string;
  template: string | null;
  to: string | null;
  failed_reason: string | null;
  attempts_made: number;
  created_at: string;
  failed_at: string | null;
}

export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  totalPages: number;
}

export const api = {
  // Session
  login: (username: string, password: string) =>
    request<{ redirect_url: string }>('/v2/login', { body: { username, password }, quiet401: true }),
  logout: () => request<{ redirect_url: string }>('/logout', { method: 'POST', quiet401: true }),
  /** Who am I: own row; a proxy admin without `user_id` gets `user_info: null` (LiteLLM). */
  whoAmI: () => request<UserInfo>('/user/info', { quiet401: true }),

  // Onboarding
  invitation: (id: string) =>
    request<{ user_email: string | null; user_id?: string; expires_at?: string }>('/onboarding/get_token', {
      query: { invite_link: id },
      quiet401: true,
    }),
  claimInvitation: (invitationId: string, userId: string, password: string) =>
    request<UserRow>('/onboarding/claim_token', {
      body: { invitation_link: invitationId, user_id: userId, password },
      quiet401: true,
    }),

  // Keys
  listKeys: async (page: number, size = 50): Promise<Paged<KeyRow>> => {
    const r = await request<{
      keys: KeyRow[];
      total_count: number;
      current_page: number;
      total_pages: number;
    }>('/key/list', {
      query: { return_full_object: true, page, size, sort_by: 'created_at', sort_order: 'desc' },
    });
    return { items: r.keys, total: r.total_count, page: r.current_page, totalPages: r.total_pages };
  },
  generateKey: (body: {
    key_alias?: string;
    user_id?: string;
    models?: string[];
    max_budget?: number;
    duration?: string;
  }) => request<GeneratedKey>('/key/generate', { body }),
  deleteKey: (token: string) =>
    request<{ deleted_keys: string[] }>('/key/delete', { body: { keys: [token] } }),

  // Spend
  spendLogs: (limit = 50) => request<SpendLog[]>('/spend/logs', { query: { limit, summarize: false } }),
  /** Per-day totals (spend, per model, per key hash), scoped to the caller for non-admins. */
  dailySpend: (startDate: string, endDate: string) =>
    request<DaySpend[]>('/spend/logs', {
      query: { start_date: startDate, end_date: endDate, summarize: true },
    }),

  // Users (admins)
  listUsers: async (page: number, email: string, pageSize = 25): Promise<Paged<UserRow>> => {
    const r = await request<{ users: UserRow[]; total: number; page: number; total_pages: number }>(
      '/user/list',
      { query: { page, page_size: pageSize, user_email: email || undefined } },
    );
    return { items: r.users, total: r.total, page: r.page, totalPages: r.total_pages };
  },
  /** Emails of the given users (for owner columns); unknown ids are simply absent. */
  userEmails: async (userIds: string[]): Promise<Map<string, string | null>> => {
    const r = await request<{ users: UserRow[] }>('/user/list', {
      query: { user_ids: userIds.join(','), page_size: 100 },
    });
    return new Map(r.users.map((u) => [u.user_id, u.user_email]));
  },
  createUser: (body: { user_email: string; user_role: Role; send_invite_email: boolean }) =>
    // The invitee creates their own keys, so no key is minted for them here.
    request<{ user_id: string; user_email: string | null }>('/user/new', {
      body: { ...body, auto_create_key: false },
    }),
  deleteUser: (userId: string) => request<number>('/user/delete', { body: { user_ids: [userId] } }),
  newInvitation: (userId: string) =>
    request<{ id: string; expires_at: string }>('/invitation/new', { body: { user_id: userId } }),

  // Teams
  listTeams: () => request<TeamRow[]>('/team/list'),
  createTeam: (body: { team_alias: string; max_budget?: number }) => request<TeamRow>('/team/new', { body }),

  // Emails (admins)
  failedEmails: async (page: number): Promise<Paged<FailedEmail>> => {
    const r = await request<{ jobs: FailedEmail[]; total: number; page: number; total_pages: number }>(
      '/email/failed',
      { query: { page, page_size: 25 } },
    );
    return { items: r.jobs, total: r.total, page: r.page, totalPages: r.total_pages };
  },
  retryEmail: (jobId: string, to?: string) =>
    request<{ job_id: string; to: string; status: string }>('/email/retry', {
      body: to ? { job_id: jobId, to } : { job_id: jobId },
    }),
};
