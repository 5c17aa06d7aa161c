import { PROXY_ADMIN_ID } from '@llmgw/contracts';
import { type Harness, principals, startHarness } from './support/harness';

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const UUID = expect.stringMatching(/^[0-9a-f-]{36}$/);

const teamRow = (fields: Record<string, unknown>) => ({
  team_id: expect.any(String),
  team_alias: null,
  organization_id: null,
  admins: [],
  members: [],
  members_with_roles: [],
  team_member_permissions: [],
  metadata: {},
  tpm_limit: null,
  rpm_limit: null,
  max_budget: null,
  budget_duration: null,
  budget_reset_at: null,
  models: [],
  blocked: false,
  spend: 0,
  max_parallel_requests: null,
  model_aliases: {},
  model_id: null,
  model_spend: {},
  model_max_budget: {},
  team_member_budget: null,
  team_member_rpm_limit: null,
  team_member_tpm_limit: null,
  team_member_key_duration: null,
  created_at: ISO,
  updated_at: ISO,
  ...fields,
});

describe('identity /team/*', () => {
  let h: Harness;
  const admin = () => h.as(principals.master());

  beforeAll(async () => {
    h = await startHarness();
    await admin().post('/user/new', {
      user_id: 'lead',
      user_email: 'lead@example.com',
      user_role: 'internal_user',
      auto_create_key: false,
    });
    await admin().post('/user/new', {
      user_id: 'dev',
      user_email: 'dev@example.com',
      user_role: 'internal_user',
      auto_create_key: false,
    });
    await admin().post('/user/new', {
      user_id: 'outsider',
      user_role: 'internal_user',
      auto_create_key: false,
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('POST /team/new', () => {
    it('when created with members, then members_with_roles lists them plus the caller as admin, and unknown members become users', async () => {
      const res = await admin().post('/team/new', {
        team_id: 'core',
        team_alias: 'Core',
        max_budget: 100,
        budget_duration: '30d',
        models: ['gpt-4o'],
        model_aliases: { fast: 'gpt-4o-mini' },
        tags: ['prod'],
        members_with_roles: [
          { role: 'admin', user_id: 'lead' },
          { role: 'user', user_id: 'dev' },
          { role: 'user', user_email: 'Newbie@Example.com' },
          { role: 'user', user_id: 'brand-new-id' },
        ],
      });

      expect(res.status).toBe(200);
      expect(res.body).toEqual(
        teamRow({
          team_id: 'core',
          team_alias: 'Core',
          max_budget: 100,
          budget_duration: '30d',
          budget_reset_at: ISO,
          models: ['gpt-4o'],
          model_aliases: { fast: 'gpt-4o-mini' },
          metadata: { tags: ['prod'] },
          members_with_roles: [
            { role: 'admin', user_id: 'lead', user_email: 'lead@example.com' },
            { role: 'user', user_id: 'dev', user_email: 'dev@example.com' },
            { role: 'user', user_id: UUID, user_email: 'Newbie@Example.com' },
            { role: 'user', user_id: 'brand-new-id', user_email: null },
            { role: 'admin', user_id: PROXY_ADMIN_ID, user_email: null },
          ],
        }),
      );
      const newbie = await admin().get(`/user/info?user_id=${res.body.members_with_roles[2].user_id}`);
      expect(newbie.body.user_info.user_role).toBe('internal_user');
      expect(newbie.body.user_info.teams).toEqual(['core']);
      expect(h.keys.callsTo('/internal/auth-invalidate').at(-1)?.body).toEqual({
        userIds: ['lead', 'dev', res.body.members_with_roles[2].user_id, 'brand-new-id', PROXY_ADMIN_ID],
        teamIds: ['core'],
      });
    });

    it('when the team id exists, then 400 with LiteLLM’s message', async () => {
      const res = await admin().post('/team/new', { team_id: 'core' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          message: "{'error': 'Team id = core already exists. Please use a different team id.'}",
          type: 'internal_server_error',
          param: 'None',
          code: '400',
        },
      });
    });

    it('when no team_id is given, then a uuid is minted', async () => {
      const res = await admin().post('/team/new', { team_alias: 'Anon' });

      expect(res.status).toBe(200);
      expect(res.body.team_id).toEqual(UUID);
    });
  });

  describe('member routes', () => {
    const lead = () => h.as(principals.user('lead', 'internal_user'));

    it('when a team admin adds a member by an unknown email with a budget, then the user is created and the budget is stored', async () => {
      const res = await lead().post('/team/member_add', {
        team_id: 'core',
        member: { role: 'user', user_email: 'hire@example.com' },
        max_budget_in_team: 7.5,
      });

      expect(res.status).toBe(200);
      const hire = res.body.updated_users[0];
      expect(hire).toEqual(
        expect.objectContaining({
          user_email: 'hire@example.com',
          user_role: 'internal_user',
          teams: ['core'],
        }),
      );
      expect(res.body.updated_team_memberships).toEqual([
        {
          user_id: hire.user_id,
          team_id: 'core',
          spend: 0,
          budget_id: UUID,
          litellm_budget_table: {
            budget_id: UUID,
            max_budget: 7.5,
            soft_budget: null,
            max_parallel_requests: null,
            tpm_limit: null,
            rpm_limit: null,
            model_max_budget: null,
            budget_duration: null,
            budget_reset_at: null,
          },
        },
      ]);
      expect(res.body.members_with_roles).toContainEqual({
        role: 'user',
        user_id: hire.user_id,
        user_email: 'hire@example.com',
      });
    });

    it('when the member is in the team already, then 400 team_member_already_in_team', async () => {
      const res = await admin().post('/team/member_add', {
        team_id: 'core',
        member: { role: 'user', user_id: 'dev' },
      });

      expect(res.status).toBe(400);
      expect(res.body.error.type).toBe('team_member_already_in_team');
      expect(res.body.error.message).toMatch(
        /^User already in team\. Member: user_id=dev, user_email=None\. Existing members=\[Member\(user_id='lead'/,
      );
      expect(res.body.error.param).toBe('member');
    });

    it('when the team does not exist, then raw 404', async () => {
      const res = await admin().post('/team/member_add', {
        team_id: 'nope',
        member: { role: 'user', user_id: 'dev' },
      });

      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: { error: 'Team not found for team_id=nope' } });
    });

    it.each([
      ['a plain member', 'dev'],
      ['an outsider', 'outsider'],
    ])('when %s adds a member, then raw 403 and nothing changes', async (_label, userId) => {
      const res = await h
        .as(principals.user(userId, 'internal_user'))
        .post('/team/member_add', { team_id: 'core', member: { role: 'admin', user_id: 'outsider' } });

      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        detail: {
          error: 'Call not allowed. User not proxy admin OR team admin. route=/team/member_add, team_id=core',
        },
      });
    });

    it('when a team admin of another team manages this one, then 403', async () => {
      await admin().post('/team/new', {
        team_id: 'other',
        members_with_roles: [{ role: 'admin', user_id: 'outsider' }],
      });
      const res = await h
        .as(principals.user('outsider', 'internal_user'))
        .post('/team/member_delete', { team_id: 'core', user_id: 'dev' });

      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        detail: {
          error:
            'Call not allowed. User not proxy admin OR team admin. route=/team/member_delete, team_id=core',
        },
      });
    });

    it('when a proxy_admin_viewer adds a member, then the route layer answers 403', async () => {
      const res = await h
        .as(principals.user('viewer', 'proxy_admin_viewer'))
        .post('/team/member_add', { team_id: 'core', member: { role: 'user', user_id: 'x' } });

      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        error: {
          message:
            'user not allowed to access this route, role= proxy_admin_viewer. Trying to access: /team/member_add',
          type: 'auth_error',
          param: 'None',
          code: '403',
        },
      });
    });

    it('when a team admin sets a member’s budget and limits, then they are stored and visible in that user’s /user/info', async () => {
      const res = await lead().post('/team/member_update', {
        team_id: 'core',
        user_email: 'DEV@example.com',
        max_budget_in_team: 12.5,
        tpm_limit: 1000,
        rpm_limit: 10,
        budget_duration: '1d',
      });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        team_id: 'core',
        user_id: 'dev',
        user_email: 'dev@example.com',
        role: 'user',
        max_budget_in_team: 12.5,
        tpm_limit: 1000,
        rpm_limit: 10,
        budget_duration: '1d',
      });
      const info = await h.as(principals.user('dev', 'internal_user')).get('/user/info');
      expect(info.status).toBe(200);
      expect(info.body.teams).toHaveLength(1);
      expect(info.body.teams[0].team_memberships).toEqual([
        {
          user_id: 'dev',
          team_id: 'core',
          spend: 0,
          budget_id: UUID,
          litellm_budget_table: {
            budget_id: UUID,
            max_budget: 12.5,
            soft_budget: null,
            max_parallel_requests: null,
            tpm_limit: 1000,
            rpm_limit: 10,
            model_max_budget: null,
            budget_duration: '1d',
            budget_reset_at: ISO,
          },
        },
      ]);
      expect(h.keys.callsTo('/internal/auth-invalidate').at(-1)?.body).toEqual({
        userIds: ['dev'],
        teamIds: [],
      });
    });

    it('when a team admin changes its own budget, then 403', async () => {
      const res = await lead().post('/team/member_update', {
        team_id: 'core',
        user_id: 'lead',
        max_budget_in_team: 1e6,
      });

      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        detail: {
          error: 'Team admins cannot change their own role, budget or limits in the team. Ask a proxy admin.',
        },
      });
    });

    it('when a team admin removes a member, then the membership is gone', async () => {
      await admin().post('/team/member_add', {
        team_id: 'core',
        member: { role: 'user', user_id: 'outsider' },
      });
      const res = await lead().post('/team/member_delete', { team_id: 'core', user_id: 'outsider' });

      expect(res.status).toBe(200);
      expect(res.body.members_with_roles.map((m: { user_id: string }) => m.user_id)).not.toContain(
        'outsider',
      );
    });

    it('when the user is not in the team, then raw 400 "User not found in team"', async () => {
      const res = await admin().post('/team/member_delete', { team_id: 'core', user_id: 'outsider' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({ detail: { error: 'User not found in team' } });
    });

    it('when member_delete names no one, then raw 400', async () => {
      const res = await admin().post('/team/member_delete', { team_id: 'core' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({ detail: { error: 'Either user_id or user_email needs to be passed in' } });
    });
  });

  describe('GET /team/info and /team/list', () => {
    it('when a member reads its team, then the team, its keys and every membership come back', async () => {
      const res = await h.as(principals.user('dev', 'internal_user')).get('/team/info?team_id=core');

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        team_id: 'core',
        team_info: expect.objectContaining({ team_id: 'core', team_member_budget_table: null }),
        keys: [],
        team_memberships: expect.arrayContaining([
          expect.objectContaining({ user_id: 'dev', team_id: 'core' }),
        ]),
      });
    });

    it('when a key of the team reads it, then 200 even without a membership', async () => {
      const res = await h.as(principals.user('ghost', 'unknown', 'core')).get('/team/info?team_id=core');

      expect(res.status).toBe(200);
    });

    it('when a non-member reads it, then 403 with LiteLLM’s message', async () => {
      const res = await h.as(principals.user('outsider', 'internal_user')).get('/team/info?team_id=core');

      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        error: {
          message: "{'error': 'User=outsider not authorized to access this team=core'}",
          type: 'auth_error',
          param: 'None',
          code: '403',
        },
      });
    });

    it('when the team does not exist, then 404; without team_id, 422', async () => {
      const missing = await admin().get('/team/info?team_id=nope');
      const noId = await admin().get('/team/info');

      expect(missing.status).toBe(404);
      expect(missing.body.error.message).toBe("{'message': 'Team not found, passed team id: nope.'}");
      expect(noId.status).toBe(422);
      expect(noId.body.error.message).toBe("{'message': 'Malformed request. No team id passed in.'}");
    });

    it('when a user lists its own teams, then only those, with only its own membership', async () => {
      const res = await h.as(principals.user('dev', 'internal_user')).get('/team/list?user_id=dev');

      expect(res.status).toBe(200);
      expect(res.body.map((t: { team_id: string }) => t.team_id)).toEqual(['core']);
      expect(res.body[0].team_memberships.map((m: { user_id: string }) => m.user_id)).toEqual(['dev']);
      expect(res.body[0].keys).toEqual([]);
    });

    it('when a user lists all teams, then raw 401 naming its role', async () => {
      const res = await h.as(principals.user('dev', 'internal_user')).get('/team/list');

      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        detail: { error: 'Only admin users can query all teams/other teams. Your user role=internal_user' },
      });
    });

    it('when an admin viewer lists teams, then every team', async () => {
      const res = await h.as(principals.user('v', 'proxy_admin_viewer')).get('/team/list');

      expect(res.status).toBe(200);
      expect(res.body.map((t: { team_id: string }) => t.team_id)).toEqual(
        expect.arrayContaining(['core', 'other']),
      );
    });
  });

  describe('POST /team/update, /team/block, /team/unblock', () => {
    it('when max_budget is sent as null, then it is reset; the team’s keys are invalidated', async () => {
      const res = await admin().post('/team/update', { team_id: 'core', max_budget: null, tpm_limit: 5000 });

      expect(res.status).toBe(200);
      expect(res.body.team_id).toBe('core');
      expect(res.body.data).toEqual(
        expect.objectContaining({
          max_budget: null,
          tpm_limit: 5000,
          team_alias: 'Core',
          models: ['gpt-4o'],
        }),
      );
      expect(h.keys.callsTo('/internal/auth-invalidate').at(-1)?.body).toEqual({
        userIds: [],
        teamIds: ['core'],
      });
    });

    it('when the team does not exist, then raw 404', async () => {
      const res = await admin().post('/team/update', { team_id: 'nope', max_budget: 1 });

      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: { error: 'Team not found, passed team_id=nope' } });
    });

    it('when blocked and unblocked, then the row says so and the auth facts follow', async () => {
      const blocked = await admin().post('/team/block', { team_id: 'core' });
      const facts = await admin().get('/internal/auth-facts?team_id=core');
      const unblocked = await admin().post('/team/unblock', { team_id: 'core' });

      expect(blocked.status).toBe(200);
      expect(blocked.body.blocked).toBe(true);
      expect(facts.body.team.blocked).toBe(true);
      expect(unblocked.body.blocked).toBe(false);
    });

    it('when an internal user blocks a team, then the route layer answers 401 with the masked user id', async () => {
      const res = await h
        .as(principals.user('lead-user-1234', 'internal_user'))
        .post('/team/block', { team_id: 'core' });

      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: {
          message:
            'Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=/team/block. Your role=internal_user. Your user_id=lead-u******34',
          type: 'auth_error',
          param: 'None',
          code: '401',
        },
      });
    });
  });

  describe('POST /team/delete', () => {
    it('when a team is deleted, then its keys are deleted by the keys service first and its memberships go with it', async () => {
      await admin().post('/team/new', {
        team_id: 'doomed',
        members_with_roles: [{ role: 'user', user_id: 'dev' }],
      });
      h.keys.keys.push({
        token: 'f'.repeat(64),
        key_name: 'sk-...dddd',
        user_id: 'dev',
        team_id: 'doomed',
        key_alias: null,
        models: [],
      });

      const res = await admin().post('/team/delete', { team_ids: ['doomed'] });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ deleted_teams: ['doomed'] });
      expect(h.keys.callsTo('/internal/keys/delete-by-owner').at(-1)?.body).toEqual({
        userIds: [],
        teamIds: ['doomed'],
      });
      expect(h.keys.keys.filter((k) => k.team_id === 'doomed')).toEqual([]);
      const memberships = await h.db
        .selectFrom('identity.team_memberships')
        .selectAll()
        .where('team_id', '=', 'doomed')
        .execute();
      expect(memberships).toEqual([]);
      const dev = await admin().get('/user/info?user_id=dev');
      expect(dev.body.user_info.teams).toEqual(['core']);
    });

    it('when one id is unknown, then raw 404 and nothing is deleted', async () => {
      const res = await admin().post('/team/delete', { team_ids: ['core', 'nope'] });

      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: { error: 'Team not found, passed team_id=nope' } });
      expect((await admin().get('/team/info?team_id=core')).status).toBe(200);
    });
  });
});
