import type { Principal } from '@llmgw/contracts';
import { type CallerRole, checkRouteAccess, ROUTE_PERMISSIONS, routePermission } from './route-access';

const caller = (
  role: CallerRole,
  userId: string | null = 'abcdef1234yz',
  kind: Principal['kind'] = 'key',
) => ({
  kind,
  role,
  userId,
});

const ROLES: CallerRole[] = [
  'proxy_admin',
  'proxy_admin_viewer',
  'internal_user',
  'internal_user_viewer',
  'unknown',
];
const ok = { allowed: true };
const routeDeny = (route: string, role: CallerRole) => ({
  allowed: false,
  status: 401,
  body: {
    error: {
      message: `Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=${route}. Your role=${role}. Your user_id=abcdef****yz`,
      type: 'auth_error',
      param: 'None',
      code: '401',
    },
  },
});
const viewerDeny = (route: string) => ({
  allowed: false,
  status: 403,
  body: {
    error: {
      message: `user not allowed to access this route, role= proxy_admin_viewer. Trying to access: ${route}`,
      type: 'auth_error',
      param: 'None',
      code: '403',
    },
  },
});

/** Expected route-layer answer per role: [PA, PAV, IU, IUV, key without user]; 'Y' = allowed, 'N' = denied. */
const MATRIX: Array<[string, string, string]> = [
  ['POST', '/user/new', 'YNNNN'],
  ['GET', '/user/info', 'YYYYY'],
  ['POST', '/user/update', 'YYYYN'],
  ['POST', '/user/delete', 'YNNNN'],
  ['GET', '/user/list', 'YYNNN'],
  ['GET', '/user/available_roles', 'YYYYY'],
  ['POST', '/team/new', 'YNNNN'],
  ['POST', '/team/update', 'YNNNN'],
  ['POST', '/team/delete', 'YNNNN'],
  ['POST', '/team/block', 'YNNNN'],
  ['POST', '/team/unblock', 'YNNNN'],
  ['GET', '/team/info', 'YYYYY'],
  ['GET', '/team/list', 'YYYYY'],
  ['POST', '/team/member_add', 'YNYYY'],
  ['POST', '/team/member_delete', 'YNYYY'],
  ['POST', '/team/member_update', 'YNYYY'],
  ['POST', '/invitation/new', 'YNNNN'],
  ['GET', '/invitation/info', 'YNNNN'],
  ['POST', '/invitation/update', 'YNNNN'],
  ['POST', '/invitation/delete', 'YNNNN'],
  ['GET', '/sso/get/ui_settings', 'YYYYY'],
  ['POST', '/key/generate', 'YNYNN'],
  ['POST', '/key/update', 'YNYNN'],
  ['POST', '/key/delete', 'YNYNN'],
  ['POST', '/key/sk-abc/regenerate', 'YNYNN'],
  ['GET', '/key/info', 'YYYYY'],
  ['GET', '/key/list', 'YYYYY'],
  ['POST', '/key/block', 'YNNNN'],
  ['POST', '/key/unblock', 'YNNNN'],
  ['GET', '/spend/logs', 'YNYYN'],
  ['GET', '/global/spend', 'YYNYN'],
  ['GET', '/global/spend/keys', 'YYYYN'],
  ['GET', '/internal/auth-facts', 'YNNNN'],
  ['GET', '/some/unknown/route', 'YNNNN'],
];

describe('checkRouteAccess', () => {
  describe.each(MATRIX)('%s %s', (method, path, row) => {
    test.each(ROLES.map((role, i) => [role, row[i] === 'Y'] as const))(
      'when the caller is %s, then allowed=%s',
      (role, allowed) => {
        const decision = checkRouteAccess(caller(role), method, path);
        if (allowed) expect(decision).toEqual(expect.objectContaining(ok));
        else if (role === 'proxy_admin_viewer') expect(decision).toEqual(viewerDeny(path));
        else expect(decision).toEqual(routeDeny(path, role));
      },
    );
  });

  test.each([
    '/login',
    '/v2/login',
    '/logout',
    '/onboarding/get_token',
    '/onboarding/claim_token',
    '/health/readiness',
  ])('when the route %s is public, then every caller (even one without a role) passes', (path) => {
    for (const role of ROLES) expect(checkRouteAccess(caller(role), 'POST', path).allowed).toBe(true);
  });

  test.each(['/v1/chat/completions', '/chat/completions', '/v1/models', '/embeddings'])(
    'when the route %s is an LLM route, then every role passes (budgets and models are checked elsewhere)',
    (path) => {
      for (const role of ROLES) expect(checkRouteAccess(caller(role), 'POST', path).allowed).toBe(true);
    },
  );

  test('when /global/spend/reset is called by the master key, then allowed; by a proxy_admin user or session, then 401', () => {
    expect(
      checkRouteAccess(caller('proxy_admin', 'default_user_id', 'master'), 'POST', '/global/spend/reset'),
    ).toEqual(expect.objectContaining(ok));
    for (const kind of ['key', 'session'] as const) {
      expect(checkRouteAccess(caller('proxy_admin', 'admin-1', kind), 'POST', '/global/spend/reset')).toEqual(
        {
          allowed: false,
          status: 401,
          body: {
            error: {
              message:
                'Authentication Error, Tried to access route=/global/spend/reset, which is only for MASTER KEY',
              type: 'auth_error',
              param: 'None',
              code: '401',
            },
          },
        },
      );
    }
  });

  test('when the caller has no user id, then the denial prints it as None', () => {
    const decision = checkRouteAccess(caller('unknown', null), 'POST', '/user/new');

    expect(decision.allowed).toBe(false);
    if (!decision.allowed)
      expect(decision.body.error.message).toMatch(/Your role=unknown\. Your user_id=None$/);
  });
});

describe('routePermission', () => {
  test('when a route has a rule for another method, then that rule still decides (authorization is by path)', () => {
    expect(routePermission('GET', '/user/new')?.path).toBe('/user/new');
  });

  test('when a path has {param} segments, then a concrete path matches it and a nested one does not', () => {
    expect(routePermission('POST', '/key/sk-123/regenerate')?.path).toBe('/key/{key}/regenerate');
    expect(routePermission('POST', '/key/a/b/regenerate')).toBeNull();
  });

  test('when listing the table, then every route appears once per method', () => {
    const ids = ROUTE_PERMISSIONS.map((r) => `${r.method} ${r.path}`);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
