/**
 * The role matrix (wire contract §2 with ARCHITECTURE §5's stricter rows), table-driven over HTTP through
 * the gateway: every identity route, called by a key of each of the four roles, a key without a user row,
 * a team admin (an internal_user with role admin in the team) and no credentials. Each cell asserts the
 * status and the body: LiteLLM's exact denial bodies, or the shape of the success.
 */
import { call, MASTER_KEY, type Stack, startStack } from '../src/stack';

type Caller = 'PA' | 'PAV' | 'IU' | 'IUV' | 'NOUSER' | 'TEAMADMIN' | 'NONE';
const CALLERS: Caller[] = ['PA', 'PAV', 'IU', 'IUV', 'NOUSER', 'TEAMADMIN', 'NONE'];

const USER_IDS: Record<Exclude<Caller, 'NONE'>, string> = {
  PA: 'matrix-proxy-admin',
  PAV: 'matrix-admin-viewer',
  IU: 'matrix-internal-user',
  IUV: 'matrix-internal-viewer',
  NOUSER: 'matrix-ghost-owner',
  TEAMADMIN: 'matrix-team-admin',
};
const ROLE_OF: Record<Exclude<Caller, 'NONE'>, string> = {
  PA: 'proxy_admin',
  PAV: 'proxy_admin_viewer',
  IU: 'internal_user',
  IUV: 'internal_user_viewer',
  NOUSER: 'unknown',
  TEAMADMIN: 'internal_user',
};
const TEAM = 'matrix-team';
const VICTIM = 'matrix-victim';

/** LiteLLM's masking: first 6 + '*' x (len - 8) + last 2. */
const mask = (id: string) => `${id.slice(0, 6)}${'*'.repeat(id.length - 8)}${id.slice(-2)}`;
const envelope = (status: number, message: string, type = 'auth_error', param: string | null = 'None') => ({
  error: { message, type, param, code: String(status) },
});

/** What one cell expects: a status and the body (exact, or a matcher). */
type Expect = [number, unknown];
const routeDeny = (caller: Caller, route: string): Expect => [
  401,
  envelope(
    401,
    `Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=${route}. Your role=${ROLE_OF[caller as Exclude<Caller, 'NONE'>]}. Your user_id=${mask(USER_IDS[caller as Exclude<Caller, 'NONE'>])}`,
  ),
];
const viewerDeny = (route: string): Expect => [
  403,
  envelope(
    403,
    `user not allowed to access this route, role= proxy_admin_viewer. Trying to access: ${route}`,
  ),
];
const noKey: Expect = [401, envelope(401, 'Authentication Error, No api key passed in.')];
const notTeamAdmin = (route: string): Expect => [
  403,
  {
    detail: {
      error: `Call not allowed. User not proxy admin OR team admin. route=${route}, team_id=${TEAM}`,
    },
  },
];

let n = 0;
const fresh = (tag: string) => `matrix-${tag}-${++n}`;

interface Row {
  method: 'GET' | 'POST';
  route: string;
  /** Builds the request (creating what it needs as the master key), fresh for every caller. */
  request: (
    stack: Stack,
    caller: Caller,
  ) => Promise<{ path: string; body?: unknown; form?: Record<string, string> }>;
  expect: Record<Caller, Expect>;
}

/** A row where only proxy admins pass: PAV 403, everyone else LiteLLM's route denial. */
function adminOnly(method: Row['method'], route: string, request: Row['request'], ok: Expect): Row {
  return {
    method,
    route,
    request,
    expect: {
      PA: ok,
      PAV: viewerDeny(route),
      IU: routeDeny('IU', route),
      IUV: routeDeny('IUV', route),
      NOUSER: routeDeny('NOUSER', route),
      TEAMADMIN: routeDeny('TEAMADMIN', route),
      NONE: noKey,
    },
  };
}
const everyone = (ok: Expect, none: Expect = noKey): Record<Caller, Expect> => ({
  PA: ok,
  PAV: ok,
  IU: ok,
  IUV: ok,
  NOUSER: ok,
  TEAMADMIN: ok,
  NONE: none,
});

const asMaster = (stack: Stack, path: string, body?: unknown) =>
  call(`${stack.gatewayUrl}${path}`, { key: MASTER_KEY, body });
const newUser = async (stack: Stack, extra: Record<string, unknown> = {}) => {
  const id = fresh('user');
  await asMaster(stack, '/user/new', {
    user_id: id,
    user_email: `${id}@example.com`,
    auto_create_key: false,
    ...extra,
  });
  return id;
};
const newInvitation = async (stack: Stack) =>
  (await asMaster(stack, '/invitation/new', { user_id: await newUser(stack) })).body as {
    id: string;
    user_id: string;
  };
const newTeam = async (stack: Stack) => {
  const id = fresh('team');
  await asMaster(stack, '/team/new', { team_id: id });
  return id;
};
const anyOf = (shape: Record<string, unknown>) => expect.objectContaining(shape);

const ROWS: Row[] = [
  adminOnly(
    'POST',
    '/user/new',
    async () => {
      const id = fresh('new');
      return {
        path: '/user/new',
        body: { user_id: id, user_email: `${id}@example.com`, auto_create_key: false },
      };
    },
    [200, anyOf({ key: '', user_role: null })],
  ),
  {
    method: 'GET',
    route: '/user/info',
    request: async () => ({ path: '/user/info' }),
    expect: {
      ...everyone([200, anyOf({ user_info: anyOf({ organization_memberships: [] }) })]),
      PA: [200, anyOf({ user_id: null, user_info: null })],
      NOUSER: [404, envelope(404, `User ${USER_IDS.NOUSER} not found`, 'not_found_error', 'user_id')],
    },
  },
  {
    method: 'GET',
    route: '/user/info?user_id=<other>',
    request: async () => ({ path: `/user/info?user_id=${VICTIM}` }),
    expect: Object.fromEntries(
      CALLERS.map((c): [Caller, Expect] => {
        if (c === 'PA') return [c, [200, anyOf({ user_id: VICTIM })]];
        if (c === 'NONE') return [c, noKey];
        return [
          c,
          [
            403,
            envelope(
              403,
              `key not allowed to access this user's info. user_id=${VICTIM}, key's user_id=${USER_IDS[c]}`,
            ),
          ],
        ];
      }),
    ) as Record<Caller, Expect>,
  },
  {
    method: 'POST',
    route: '/user/update (own alias)',
    request: async (_s, caller) => ({
      path: '/user/update',
      body: { user_id: caller === 'NONE' ? VICTIM : USER_IDS[caller], user_alias: 'renamed' },
    }),
    expect: {
      ...everyone([200, anyOf({ data: anyOf({ user_alias: 'renamed' }) })]),
      NOUSER: routeDeny('NOUSER', '/user/update'),
    },
  },
  {
    method: 'POST',
    route: '/user/update (another user’s budget)',
    request: async () => ({ path: '/user/update', body: { user_id: VICTIM, max_budget: 1 } }),
    expect: Object.fromEntries(
      CALLERS.map((c): [Caller, Expect] => {
        if (c === 'PA') return [c, [200, anyOf({ user_id: VICTIM, data: anyOf({ max_budget: 1 }) })]];
        if (c === 'NONE') return [c, noKey];
        if (c === 'NOUSER') return [c, routeDeny(c, '/user/update')];
        return [
          c,
          [
            403,
            envelope(
              403,
              `user not allowed to access this route, role= ${ROLE_OF[c]}. Trying to access: /user/update and updating invalid param: max_budget. only user_email, password and user_alias can be updated`,
              'auth_error',
              'max_budget',
            ),
          ],
        ];
      }),
    ) as Record<Caller, Expect>,
  },
  adminOnly(
    'POST',
    '/user/delete',
    async (stack) => ({ path: '/user/delete', body: { user_ids: [await newUser(stack)] } }),
    [200, 1],
  ),
  {
    method: 'GET',
    route: '/user/list',
    request: async () => ({ path: '/user/list?page_size=1' }),
    expect: {
      ...adminOnly('GET', '/user/list', async () => ({ path: '' }), [200, anyOf({ page: 1, page_size: 1 })])
        .expect,
      PAV: [200, anyOf({ page: 1, page_size: 1 })],
    },
  },
  {
    method: 'GET',
    route: '/user/available_roles',
    request: async () => ({ path: '/user/available_roles' }),
    expect: everyone([200, anyOf({ proxy_admin: anyOf({ ui_label: 'Admin (All Permissions)' }) })]),
  },
  adminOnly('POST', '/team/new', async () => ({ path: '/team/new', body: { team_alias: fresh('alias') } }), [
    200,
    anyOf({ members_with_roles: [anyOf({ role: 'admin', user_id: USER_IDS.PA })] }),
  ]),
  adminOnly(
    'POST',
    '/team/update',
    async (stack) => ({ path: '/team/update', body: { team_id: await newTeam(stack), max_budget: 5 } }),
    [200, anyOf({ data: anyOf({ max_budget: 5 }) })],
  ),
  adminOnly(
    'POST',
    '/team/delete',
    async (stack) => {
      const id = await newTeam(stack);
      return { path: '/team/delete', body: { team_ids: [id] } };
    },
    [200, { deleted_teams: [expect.any(String)] }],
  ),
  adminOnly(
    'POST',
    '/team/block',
    async (stack) => ({ path: '/team/block', body: { team_id: await newTeam(stack) } }),
    [200, anyOf({ blocked: true })],
  ),
  adminOnly(
    'POST',
    '/team/unblock',
    async (stack) => ({ path: '/team/unblock', body: { team_id: await newTeam(stack) } }),
    [200, anyOf({ blocked: false })],
  ),
  {
    method: 'GET',
    route: '/team/info',
    request: async () => ({ path: `/team/info?team_id=${TEAM}` }),
    expect: {
      ...everyone([200, anyOf({ team_id: TEAM, team_info: anyOf({ team_id: TEAM }) })]),
      IUV: [
        403,
        envelope(403, `{'error': 'User=${USER_IDS.IUV} not authorized to access this team=${TEAM}'}`),
      ],
      NOUSER: [
        403,
        envelope(403, `{'error': 'User=${USER_IDS.NOUSER} not authorized to access this team=${TEAM}'}`),
      ],
    },
  },
  {
    method: 'GET',
    route: '/team/list',
    request: async () => ({ path: '/team/list' }),
    expect: Object.fromEntries(
      CALLERS.map((c): [Caller, Expect] => {
        if (c === 'PA' || c === 'PAV') return [c, [200, expect.arrayContaining([anyOf({ team_id: TEAM })])]];
        if (c === 'NONE') return [c, noKey];
        return [
          c,
          [
            401,
            {
              detail: {
                error: `Only admin users can query all teams/other teams. Your user role=${ROLE_OF[c]}`,
              },
            },
          ],
        ];
      }),
    ) as Record<Caller, Expect>,
  },
  {
    method: 'GET',
    route: '/team/list?user_id=<self>',
    request: async (_s, caller) => ({
      path: `/team/list?user_id=${caller === 'NONE' ? VICTIM : USER_IDS[caller]}`,
    }),
    expect: {
      ...everyone([200, expect.any(Array)]),
      NOUSER: [404, { detail: { error: `User not found, passed user_id=${USER_IDS.NOUSER}` } }],
    },
  },
  ...(['/team/member_add', '/team/member_update', '/team/member_delete'] as const).map(
    (route): Row => ({
      method: 'POST',
      route,
      request: async (stack) => {
        if (route === '/team/member_add') {
          return { path: route, body: { team_id: TEAM, member: { role: 'user', user_id: fresh('member') } } };
        }
        const member = await newUser(stack);
        await asMaster(stack, '/team/member_add', {
          team_id: TEAM,
          member: { role: 'user', user_id: member },
        });
        return {
          path: route,
          body:
            route === '/team/member_update'
              ? { team_id: TEAM, user_id: member, max_budget_in_team: 2 }
              : { team_id: TEAM, user_id: member },
        };
      },
      expect: {
        PA: [200, anyOf({ team_id: TEAM })],
        PAV: viewerDeny(route),
        IU: notTeamAdmin(route),
        IUV: notTeamAdmin(route),
        NOUSER: notTeamAdmin(route),
        TEAMADMIN: [200, anyOf({ team_id: TEAM })],
        NONE: noKey,
      },
    }),
  ),
  adminOnly(
    'POST',
    '/invitation/new',
    async (stack) => ({ path: '/invitation/new', body: { user_id: await newUser(stack) } }),
    [200, anyOf({ is_accepted: false, created_by: USER_IDS.PA })],
  ),
  adminOnly(
    'GET',
    '/invitation/info',
    async (stack) => ({ path: `/invitation/info?invitation_id=${(await newInvitation(stack)).id}` }),
    [200, anyOf({ is_accepted: false })],
  ),
  adminOnly(
    'POST',
    '/invitation/update',
    async (stack) => ({
      path: '/invitation/update',
      body: { invitation_id: (await newInvitation(stack)).id, is_accepted: true },
    }),
    [200, anyOf({ is_accepted: true })],
  ),
  adminOnly(
    'POST',
    '/invitation/delete',
    async (stack) => ({
      path: '/invitation/delete',
      body: { invitation_id: (await newInvitation(stack)).id },
    }),
    [200, anyOf({ id: expect.any(String) })],
  ),
  {
    method: 'GET',
    route: '/onboarding/get_token',
    request: async (stack) => ({
      path: `/onboarding/get_token?invite_link=${(await newInvitation(stack)).id}`,
    }),
    expect: everyone([200, anyOf({ token: null })], [200, anyOf({ token: null })]),
  },
  {
    method: 'POST',
    route: '/onboarding/claim_token',
    request: async (stack) => {
      const inv = await newInvitation(stack);
      return {
        path: '/onboarding/claim_token',
        body: { invitation_link: inv.id, user_id: inv.user_id, password: 'matrix-password' },
      };
    },
    expect: everyone([200, anyOf({ user_role: null })], [200, anyOf({ user_role: null })]),
  },
  {
    method: 'POST',
    route: '/v2/login',
    request: async () => ({ path: '/v2/login', body: { username: 'admin', password: MASTER_KEY } }),
    expect: everyone(
      [200, { redirect_url: expect.stringMatching(/\/ui\/\?login=success$/) }],
      [200, { redirect_url: expect.any(String) }],
    ),
  },
  {
    method: 'POST',
    route: '/logout',
    request: async () => ({ path: '/logout', body: {} }),
    expect: everyone([200, { redirect_url: '/ui/login' }], [200, { redirect_url: '/ui/login' }]),
  },
  {
    method: 'GET',
    route: '/sso/get/ui_settings',
    request: async () => ({ path: '/sso/get/ui_settings' }),
    expect: everyone([200, anyOf({ SSO_ENABLED: false, PROXY_LOGOUT_URL: null })]),
  },
];

describe('identity role matrix through the gateway', () => {
  let stack: Stack;
  const keys = {} as Record<Caller, string | undefined>;

  beforeAll(async () => {
    stack = await startStack();
    for (const caller of ['PA', 'PAV', 'IU', 'IUV', 'TEAMADMIN'] as const) {
      const res = await asMaster(stack, '/user/new', {
        user_id: USER_IDS[caller],
        user_role: ROLE_OF[caller],
      });
      expect(res.status).toBe(200);
      keys[caller] = (res.body as { key: string }).key;
    }
    // A key whose user_id has no user row (role "unknown" at the route layer).
    const ghost = await asMaster(stack, '/key/generate', { user_id: USER_IDS.NOUSER });
    expect(ghost.status).toBe(200);
    keys.NOUSER = (ghost.body as { key: string }).key;
    await asMaster(stack, '/user/new', { user_id: VICTIM, auto_create_key: false });
    const team = await asMaster(stack, '/team/new', {
      team_id: TEAM,
      members_with_roles: [
        { role: 'admin', user_id: USER_IDS.TEAMADMIN },
        { role: 'user', user_id: USER_IDS.IU },
      ],
    });
    expect(team.status).toBe(200);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  describe.each(ROWS.map((r) => [`${r.method} ${r.route}`, r] as const))('%s', (_name, row) => {
    test.each(CALLERS)('when called by %s, then the matrix cell holds', async (caller) => {
      const req = await row.request(stack, caller);
      const res = await call(`${stack.gatewayUrl}${req.path}`, {
        method: row.method,
        key: keys[caller],
        body: row.method === 'POST' ? (req.body ?? {}) : undefined,
      });
      const [status, body] = row.expect[caller];

      expect({ status: res.status, body: res.body }).toEqual({ status, body });
    });
  });
});
