import type { UserInfo, UserRow } from '../api/endpoints';
import { isAdmin, isFullAdmin, landingPath, mayManageKeys, meFromUserInfo } from './session';

const row = (over: Partial<UserRow> = {}): UserRow => ({
  user_id: 'u-1',
  user_email: 'ada@example.com',
  user_alias: null,
  user_role: 'internal_user',
  spend: 1.5,
  max_budget: 10,
  budget_duration: null,
  teams: [],
  models: [],
  created_at: '2026-01-01T00:00:00.000Z',
  ...over,
});
const info = (user_info: UserRow | null, user_id: string | null = user_info?.user_id ?? null): UserInfo => ({
  user_id,
  user_info,
  keys: [],
  teams: [],
});

describe('meFromUserInfo', () => {
  test('when /user/info names the caller, then its id, email, role and spend are used', () => {
    expect(meFromUserInfo(info(row()))).toEqual({
      userId: 'u-1',
      email: 'ada@example.com',
      role: 'internal_user',
      spend: 1.5,
      maxBudget: 10,
    });
  });

  test('when user_info is null (a proxy admin without user_id), then the caller is a proxy admin', () => {
    expect(meFromUserInfo(info(null))).toEqual({
      userId: null,
      email: null,
      role: 'proxy_admin',
      spend: null,
      maxBudget: null,
    });
  });

  test('when the stored role is null or unknown, then it is internal_user (LiteLLM)', () => {
    expect(meFromUserInfo(info(row({ user_role: null }))).role).toBe('internal_user');
    expect(meFromUserInfo(info(row({ user_role: 'superuser' }))).role).toBe('internal_user');
  });
});

describe('role rules', () => {
  test('when the role is given, then admin pages, admin actions and key management follow the matrix', () => {
    const roles = ['proxy_admin', 'proxy_admin_viewer', 'internal_user', 'internal_user_viewer'] as const;
    expect(roles.map((r) => [isAdmin(r), isFullAdmin(r), mayManageKeys(r), landingPath(r)])).toEqual([
      [true, true, true, '/users'],
      [true, false, false, '/users'],
      [false, false, true, '/keys'],
      [false, false, false, '/keys'],
    ]);
  });
});
