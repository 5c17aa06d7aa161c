import { PROXY_ADMIN_ID } from '@llmgw/contracts';
import { type Harness, principals, startHarness } from './support/harness';

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const UUID = expect.stringMatching(/^[0-9a-f-]{36}$/);

/** A user row as /user/info and /user/update return it (never a password). */
const userRow = (fields: Record<string, unknown>) => ({
  user_id: UUID,
  user_alias: null,
  team_id: null,
  sso_user_id: null,
  organization_id: null,
  teams: [],
  user_role: null,
  max_budget: null,
  spend: 0,
  user_email: null,
  models: [],
  metadata: {},
  max_parallel_requests: null,
  tpm_limit: null,
  rpm_limit: null,
  budget_duration: null,
  budget_reset_at: null,
  allowed_cache_controls: [],
  model_spend: {},
  model_max_budget: {},
  created_at: ISO,
  updated_at: ISO,
  ...fields,
});

describe('identity /user/*', () => {
  let h: Harness;
  const admin = () => h.as(principals.master());

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('POST /user/new', () => {
    it('when the master key creates a user with a key, then the LiteLLM response comes back and the keys service minted the key for it', async () => {
      const res = await admin().post('/user/new', {
        user_email: 'Alice@Example.com',
        user_role: 'internal_user',
        max_budget: 10,
        models: ['gpt-4o'],
        key_alias: 'alice-key',
        metadata: { dept: 'r&d' },
      });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        key: expect.stringMatching(/^sk-/),
        key_name: expect.stringMatching(/^sk-\.\.\./),
        expires: null,
        user_id: UUID,
        user_email: 'Alice@Example.com',
        user_role: 'internal_user',
        user_alias: null,
        teams: [],
        team_id: null,
        max_budget: 10,
        spend: 0,
        models: ['gpt-4o'],
        tpm_limit: null,
        rpm_limit: null,
        max_parallel_requests: null,
        metadata: { dept: 'r&d' },
        budget_duration: null,
        budget_reset_at: null,
        model_max_budget: {},
        key_alias: 'alice-key',
        duration: null,
        aliases: {},
        budget_id: null,
        created_at: ISO,
        updated_at: ISO,
      });
      const generate = h.keys.callsTo('/key/generate').at(-1);
      expect(generate?.body).toEqual({
        user_id: res.body.user_id,
        models: ['gpt-4o'],
        key_alias: 'alice-key',
      });
      expect(generate?.principal).toEqual(principals.master());
    });

    it('when auto_create_key is false, then no key is minted and "key" is empty', async () => {
      const before = h.keys.callsTo('/key/generate').length;
      const res = await admin().post('/user/new', {
        user_email: 'nokey@example.com',
        auto_create_key: false,
      });

      expect(res.status).toBe(200);
      expect(res.body.key).toBe('');
      expect(h.keys.callsTo('/key/generate')).toHaveLength(before);
    });

    it('when the email exists in another case, then 400 with LiteLLM’s repr message', async () => {
      const res = await admin().post('/user/new', { user_email: 'ALICE@example.COM' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          message: "{'error': 'User with email ALICE@example.COM already exists'}",
          type: 'internal_server_error',
          param: 'None',
          code: '400',
        },
      });
    });

    it('when two requests race for one email, then exactly one user gets it', async () => {
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          admin().post('/user/new', { user_email: 'race@example.com', auto_create_key: false }),
        ),
      );

      expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400]);
      const rows = await h.db
        .selectFrom('identity.users')
        .select('user_id')
        .where('user_email', '=', 'race@example.com')
        .execute();
      expect(rows).toHaveLength(1);
    });

    it('when the user_id exists already, then the user is kept as it is and a new key is minted for it', async () => {
      const first = await admin().post('/user/new', { user_id: 'upsert-me', user_alias: 'first' });
      const second = await admin().post('/user/new', { user_id: 'upsert-me', user_alias: 'second' });

      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      expect(second.body.user_alias).toBe('first');
      expect(second.body.key).not.toBe(first.body.key);
    });

    it.each([
      ['user_role', { user_role: 'admin' }],
      ['max_budget', { max_budget: 'lots' }],
      ['user_email', { user_email: 'not-an-email' }],
      ['budget_duration', { budget_duration: 'forever' }],
      ['teams', { teams: 'team-a' }],
      ['tpm_limit', { tpm_limit: 1.5 }],
    ])('when %s has a bad value, then 422 naming it', async (field, body) => {
      const res = await admin().post('/user/new', body);

      expect(res.status).toBe(422);
      expect(res.body.detail[0].loc).toEqual(['body', field]);
    });

    it('when the keys service fails to mint the key, then 503 and the new user is not left behind', async () => {
      h.keys.failing = true;
      try {
        const res = await admin().post('/user/new', { user_id: 'half-made', user_email: 'half@example.com' });

        expect(res.status).toBe(503);
        expect(res.body).toEqual({
          error: {
            message:
              "the user's key could not be created: the keys service is unavailable; nothing was created. Retry shortly.",
            type: 'service_unavailable',
            param: null,
            code: '503',
          },
        });
      } finally {
        h.keys.failing = false;
      }
      const info = await admin().get('/user/info?user_id=half-made');
      expect(info.status).toBe(404);
    });

    it('when the keys service refuses the key (duplicate alias), then its 400 is passed through and no user is created', async () => {
      h.keys.rejectGenerate = {
        status: 400,
        body: {
          error: {
            message: "Key with alias 'dup' already exists.",
            type: 'bad_request_error',
            param: 'key_alias',
            code: '400',
          },
        },
      };
      const res = await admin().post('/user/new', { user_id: 'dup-alias-user', key_alias: 'dup' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          message: "Key with alias 'dup' already exists.",
          type: 'bad_request_error',
          param: 'key_alias',
          code: '400',
        },
      });
      expect((await admin().get('/user/info?user_id=dup-alias-user')).status).toBe(404);
    });

    it('when a user is created, then an auth invalidation for it reaches the keys service', async () => {
      const res = await admin().post('/user/new', { user_id: 'inv-on-create', auto_create_key: false });

      expect(res.status).toBe(200);
      expect(h.keys.callsTo('/internal/auth-invalidate').map((c) => c.body)).toContainEqual({
        userIds: ['inv-on-create'],
        teamIds: [],
      });
    });
  });

  describe('GET /user/info', () => {
    it('when an admin asks for a user, then the row (without any password field), its keys and teams come back', async () => {
      const created = await admin().post('/user/new', {
        user_email: 'info@example.com',
        user_role: 'internal_user',
      });
      await admin().post('/user/update', { user_id: created.body.user_id, password: 'a-good-password' });

      const res = await admin().get(`/user/info?user_id=${created.body.user_id}`);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        user_id: created.body.user_id,
        user_info: {
          ...userRow({
            user_id: created.body.user_id,
            user_email: 'info@example.com',
            user_role: 'internal_user',
          }),
          organization_memberships: [],
        },
        keys: [
          {
            token: expect.any(String),
            key_name: expect.any(String),
            user_id: created.body.user_id,
            team_id: null,
            key_alias: null,
            models: [],
            team_alias: null,
          },
        ],
        teams: [],
      });
      expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/);
    });

    it('when a user asks for itself without user_id, then it gets its own info', async () => {
      const created = await admin().post('/user/new', { user_id: 'self-info', auto_create_key: false });
      const res = await h.as(principals.user('self-info', 'internal_user')).get('/user/info');

      expect(res.status).toBe(200);
      expect(res.body.user_id).toBe(created.body.user_id);
    });

    it.each(['internal_user', 'internal_user_viewer', 'proxy_admin_viewer'] as const)(
      'when a %s asks for another user, then 403 with LiteLLM’s message',
      async (role) => {
        const res = await h.as(principals.user('me-123456789', role)).get('/user/info?user_id=someone-else');

        expect(res.status).toBe(403);
        expect(res.body).toEqual({
          error: {
            message:
              "key not allowed to access this user's info. user_id=someone-else, key's user_id=me-123456789",
            type: 'auth_error',
            param: 'None',
            code: '403',
          },
        });
      },
    );

    it('when the user does not exist, then 404', async () => {
      const res = await admin().get('/user/info?user_id=ghost');

      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        error: { message: 'User ghost not found', type: 'not_found_error', param: 'user_id', code: '404' },
      });
    });

    it('when the master key asks without user_id, then user_info is null and every team is listed', async () => {
      const res = await admin().get('/user/info');

      expect(res.status).toBe(200);
      expect(res.body.user_id).toBeNull();
      expect(res.body.user_info).toBeNull();
      expect(Array.isArray(res.body.keys)).toBe(true);
      expect(Array.isArray(res.body.teams)).toBe(true);
    });
  });

  describe('POST /user/update', () => {
    it('when an admin updates budget and role, then the row changes, budget_reset_at is set and the user’s keys are invalidated', async () => {
      await admin().post('/user/new', { user_id: 'upd-1', auto_create_key: false });
      const before = h.keys.callsTo('/internal/auth-invalidate').length;

      const res = await admin().post('/user/update', {
        user_id: 'upd-1',
        max_budget: 5,
        user_role: 'internal_user_viewer',
        budget_duration: '30d',
        models: [],
        metadata: null,
      });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        user_id: 'upd-1',
        data: userRow({
          user_id: 'upd-1',
          max_budget: 5,
          user_role: 'internal_user_viewer',
          budget_duration: '30d',
          budget_reset_at: ISO,
        }),
      });
      const calls = h.keys.callsTo('/internal/auth-invalidate').slice(before);
      expect(calls.map((c) => c.body)).toEqual([{ userIds: ['upd-1'], teamIds: [] }]);
    });

    it('when an admin updates an unknown user_id, then the user is created (LiteLLM’s upsert)', async () => {
      const res = await admin().post('/user/update', { user_id: 'made-by-update', user_alias: 'new' });

      expect(res.status).toBe(200);
      expect(res.body.data).toEqual(userRow({ user_id: 'made-by-update', user_alias: 'new' }));
    });

    it('when neither user_id nor user_email is sent, then 422 with LiteLLM’s message', async () => {
      const res = await admin().post('/user/update', { user_alias: 'x' });

      expect(res.status).toBe(422);
      expect(res.body.detail[0].msg).toBe('Either user id or user email must be provided');
    });

    it('when the new password is shorter than 8 characters, then 400 naming password', async () => {
      const res = await admin().post('/user/update', { user_id: 'upd-1', password: 'short' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          message: 'password must be at least 8 characters',
          type: 'bad_request_error',
          param: 'password',
          code: '400',
        },
      });
    });

    it('when a password is set, then it is stored as an argon2id hash with at least OWASP’s parameters and never returned', async () => {
      await admin().post('/user/new', { user_id: 'pw-user', auto_create_key: false });
      const res = await admin().post('/user/update', {
        user_id: 'pw-user',
        password: 'correct horse battery',
      });

      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toMatch(/password|argon2|correct horse/);
      const row = await h.db
        .selectFrom('identity.users')
        .select('password_hash')
        .where('user_id', '=', 'pw-user')
        .executeTakeFirstOrThrow();
      const [, algorithm, version, params] = (row.password_hash ?? '').split('$');
      expect([algorithm, version]).toEqual(['argon2id', 'v=19']);
      const p = Object.fromEntries((params ?? '').split(',').map((kv) => kv.split('=')));
      expect(Number(p.m)).toBeGreaterThanOrEqual(19_456);
      expect(Number(p.t)).toBeGreaterThanOrEqual(2);
      expect(Number(p.p)).toBeGreaterThanOrEqual(1);
    });

    describe('by a non-admin (checked per field)', () => {
      beforeAll(async () => {
        await admin().post('/user/new', {
          user_id: 'plain-user',
          user_email: 'plain@example.com',
          user_role: 'internal_user',
          auto_create_key: false,
        });
        await admin().post('/user/new', {
          user_id: 'victim',
          user_email: 'victim@example.com',
          auto_create_key: false,
        });
      });
      const me = () => h.as(principals.user('plain-user', 'internal_user'));

      it('when it changes its own alias and password, then 200', async () => {
        const res = await me().post('/user/update', {
          user_id: 'plain-user',
          user_alias: 'Plain',
          password: 'a-longer-password',
        });

        expect(res.status).toBe(200);
        expect(res.body.data.user_alias).toBe('Plain');
      });

      it.each([
        ['user_role', { user_role: 'proxy_admin' }],
        ['max_budget', { max_budget: 1000 }],
        ['spend', { spend: 0 }],
        ['models', { models: ['gpt-4o'] }],
        ['tpm_limit', { tpm_limit: 100 }],
        ['rpm_limit', { rpm_limit: 100 }],
        ['max_parallel_requests', { max_parallel_requests: 5 }],
        ['budget_duration', { budget_duration: '1d' }],
        ['teams', { teams: ['t1'] }],
        ['metadata', { metadata: { a: 1 } }],
        ['team_id', { team_id: 't1' }],
        ['soft_budget', { soft_budget: 5 }],
      ])(
        'when it sends %s about itself, then 403 naming the field and nothing changes',
        async (field, extra) => {
          const res = await me().post('/user/update', { user_id: 'plain-user', ...extra });

          expect(res.status).toBe(403);
          expect(res.body).toEqual({
            error: {
              message: `user not allowed to access this route, role= internal_user. Trying to access: /user/update and updating invalid param: ${field}. only user_email, password and user_alias can be updated`,
              type: 'auth_error',
              param: field,
              code: '403',
            },
          });
          const row = await h.db
            .selectFrom('identity.users')
            .select(['user_role', 'max_budget'])
            .where('user_id', '=', 'plain-user')
            .executeTakeFirstOrThrow();
          expect(row).toEqual({ user_role: 'internal_user', max_budget: null });
        },
      );

      it('when it names another user by id, then 403 and the victim is untouched', async () => {
        const res = await me().post('/user/update', { user_id: 'victim', password: 'hijacked-password' });

        expect(res.status).toBe(403);
        expect(res.body.error.param).toBe('user_id');
        const row = await h.db
          .selectFrom('identity.users')
          .select('password_hash')
          .where('user_id', '=', 'victim')
          .executeTakeFirstOrThrow();
        expect(row.password_hash).toBeNull();
      });

      it('when it names another user by email, then 403', async () => {
        const res = await me().post('/user/update', {
          user_email: 'victim@example.com',
          password: 'hijacked-password',
        });

        expect(res.status).toBe(403);
        expect(res.body.error.param).toBe('user_email');
      });

      it('when it takes another user’s email, then 400 duplicate', async () => {
        const res = await me().post('/user/update', {
          user_id: 'plain-user',
          user_email: 'VICTIM@example.com',
        });

        expect(res.status).toBe(400);
        expect(res.body.error.message).toBe("{'error': 'User with email VICTIM@example.com already exists'}");
      });
    });
  });

  describe('POST /user/delete', () => {
    it('when users are deleted, then their keys go first (keys service), then rows, memberships and invitations; the count comes back', async () => {
      await admin().post('/user/new', { user_id: 'del-a' });
      await admin().post('/user/new', { user_id: 'del-b', auto_create_key: false });
      await admin().post('/team/new', {
        team_id: 'del-team',
        members_with_roles: [{ role: 'user', user_id: 'del-a' }],
      });
      await admin().post('/invitation/new', { user_id: 'del-a' });

      const res = await admin().post('/user/delete', { user_ids: ['del-a', 'del-b'] });

      expect(res.status).toBe(200);
      expect(res.body).toBe(2);
      expect(h.keys.callsTo('/internal/keys/delete-by-owner').at(-1)?.body).toEqual({
        userIds: ['del-a', 'del-b'],
        teamIds: [],
      });
      expect(h.keys.keys.filter((k) => k.user_id === 'del-a')).toEqual([]);
      const left = await Promise.all([
        h.db.selectFrom('identity.team_memberships').selectAll().where('user_id', '=', 'del-a').execute(),
        h.db.selectFrom('identity.invitations').selectAll().where('user_id', '=', 'del-a').execute(),
      ]);
      expect(left).toEqual([[], []]);
    });

    it('when one id is unknown, then 404 naming it and nobody is deleted', async () => {
      await admin().post('/user/new', { user_id: 'keep-me', auto_create_key: false });
      const res = await admin().post('/user/delete', { user_ids: ['keep-me', 'nobody'] });

      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        error: {
          message: "{'error': 'User not found, passed user_id=nobody'}",
          type: 'internal_server_error',
          param: 'None',
          code: '404',
        },
      });
      expect((await admin().get('/user/info?user_id=keep-me')).status).toBe(200);
    });

    it('when the keys service is down, then 503 and the user is not deleted', async () => {
      await admin().post('/user/new', { user_id: 'survivor', auto_create_key: false });
      h.keys.failing = true;
      try {
        const res = await admin().post('/user/delete', { user_ids: ['survivor'] });
        expect(res.status).toBe(503);
      } finally {
        h.keys.failing = false;
      }
      expect((await admin().get('/user/info?user_id=survivor')).status).toBe(200);
    });
  });

  describe('GET /user/list', () => {
    it('when filtered by email (contains, any case) and paged, then LiteLLM’s page object with key_count', async () => {
      await admin().post('/user/new', { user_id: 'list-1', user_email: 'list-one@corp.test' });
      await admin().post('/user/new', {
        user_id: 'list-2',
        user_email: 'list-two@corp.test',
        auto_create_key: false,
      });

      const res = await admin().get(
        '/user/list?user_email=CORP.TEST&page_size=1&sort_by=user_id&sort_order=asc',
      );

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        users: [{ ...userRow({ user_id: 'list-1', user_email: 'list-one@corp.test' }), key_count: 1 }],
        total: 2,
        page: 1,
        page_size: 1,
        total_pages: 2,
      });
    });

    it('when page_size is above 100, then 422 naming it', async () => {
      const res = await admin().get('/user/list?page_size=101');

      expect(res.status).toBe(422);
      expect(res.body.detail[0].loc).toEqual(['query', 'page_size']);
    });

    it('when filtered by role and team, then only matching users', async () => {
      await admin().post('/user/new', {
        user_id: 'viewer-in-team',
        user_role: 'internal_user_viewer',
        auto_create_key: false,
      });
      await admin().post('/team/new', {
        team_id: 'list-team',
        members_with_roles: [{ role: 'user', user_id: 'viewer-in-team' }],
      });

      const res = await admin().get('/user/list?role=internal_user_viewer&team=list-team');

      expect(res.status).toBe(200);
      expect(res.body.users.map((u: { user_id: string }) => u.user_id)).toEqual(['viewer-in-team']);
      expect(res.body.users[0].teams).toEqual(['list-team']);
    });
  });

  describe('GET /user/available_roles', () => {
    it('when any user asks, then the four roles with LiteLLM’s UI labels', async () => {
      const res = await h.as(principals.user('anyone', 'internal_user_viewer')).get('/user/available_roles');

      expect(res.status).toBe(200);
      expect(
        Object.fromEntries(
          Object.entries(res.body).map(([k, v]) => [k, (v as { ui_label: string }).ui_label]),
        ),
      ).toEqual({
        proxy_admin: 'Admin (All Permissions)',
        proxy_admin_viewer: 'Admin (View Only)',
        internal_user: 'Internal User (Create/Delete/View)',
        internal_user_viewer: 'Internal User (View Only)',
      });
    });
  });

  it('when the master key creates a team, then a default_user_id proxy_admin row exists for it (LiteLLM’s upsert)', async () => {
    expect((await admin().post('/team/new', { team_alias: 'by-master' })).status).toBe(200);
    const row = await h.db
      .selectFrom('identity.users')
      .select(['user_id', 'user_role'])
      .where('user_id', '=', PROXY_ADMIN_ID)
      .executeTakeFirst();
    expect(row).toEqual({ user_id: PROXY_ADMIN_ID, user_role: 'proxy_admin' });
  });
});
