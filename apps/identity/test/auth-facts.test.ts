import { type Harness, principals, startHarness } from './support/harness';

describe('identity internal routes and auth invalidations', () => {
  let h: Harness;
  const admin = () => h.as(principals.master());

  beforeAll(async () => {
    h = await startHarness();
    await admin().post('/user/new', {
      user_id: 'facts-user',
      user_role: 'internal_user',
      models: ['gpt-4o'],
      max_budget: 3,
      tpm_limit: 100,
      budget_duration: '1d',
      auto_create_key: false,
    });
    await admin().post('/team/new', {
      team_id: 'facts-team',
      team_alias: 'Facts',
      models: ['gpt-4o-mini'],
      model_aliases: { small: 'gpt-4o-mini' },
      team_member_permissions: ['/key/info'],
      rpm_limit: 60,
      members_with_roles: [{ role: 'user', user_id: 'facts-user' }],
    });
    await admin().post('/team/member_update', {
      team_id: 'facts-team',
      user_id: 'facts-user',
      max_budget_in_team: 2,
      rpm_limit: 5,
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('GET /internal/auth-facts', () => {
    it('when the keys service asks about a user and its team, then the facts of both and of the membership', async () => {
      const res = await admin().get('/internal/auth-facts?user_id=facts-user&team_id=facts-team');

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        user: {
          user_id: 'facts-user',
          user_role: 'internal_user',
          models: ['gpt-4o'],
          max_budget: 3,
          spend: 0,
          tpm_limit: 100,
          rpm_limit: null,
          max_parallel_requests: null,
          budget_duration: '1d',
          budget_reset_at: expect.any(String),
        },
        team: {
          team_id: 'facts-team',
          team_alias: 'Facts',
          blocked: false,
          models: ['gpt-4o-mini'],
          model_aliases: { small: 'gpt-4o-mini' },
          team_member_permissions: ['/key/info'],
          max_budget: null,
          spend: 0,
          tpm_limit: null,
          rpm_limit: 60,
          max_parallel_requests: null,
          budget_duration: null,
          budget_reset_at: null,
        },
        membership: {
          role: 'user',
          max_budget: 2,
          spend: 0,
          tpm_limit: null,
          rpm_limit: 5,
          max_parallel_requests: null,
          budget_duration: null,
          budget_reset_at: null,
        },
      });
    });

    it('when the user or team does not exist, then that part is null', async () => {
      const res = await admin().get('/internal/auth-facts?user_id=ghost&team_id=facts-team');

      expect(res.status).toBe(200);
      expect(res.body.user).toBeNull();
      expect(res.body.membership).toBeNull();
      expect(res.body.team.team_id).toBe('facts-team');
    });

    it('when a non-admin principal asks, then 401 (only the system may read facts)', async () => {
      const res = await h
        .as(principals.user('facts-user', 'internal_user'))
        .get('/internal/auth-facts?user_id=facts-user');

      expect(res.status).toBe(401);
    });

    it('when no signed principal is sent, then 401 from the principal check', async () => {
      const res = await h.anonymous().get('/internal/auth-facts?user_id=facts-user');

      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: {
          message: 'Authentication Error, missing internal principal. Call this service through the gateway.',
          type: 'auth_error',
          param: 'None',
          code: '401',
        },
      });
    });
  });

  describe('the invalidation outbox', () => {
    it('when the keys service is down during a change, then the change succeeds, the invalidation waits in the outbox and is delivered once it is back', async () => {
      h.keys.failing = true;
      let res: Awaited<ReturnType<ReturnType<typeof admin>['post']>>;
      try {
        res = await admin().post('/user/update', { user_id: 'facts-user', max_budget: 4 });
      } finally {
        h.keys.failing = false;
      }

      expect(res.status).toBe(200);
      const pending = await h.db
        .selectFrom('identity.auth_outbox')
        .select(['user_ids', 'team_ids', 'attempts'])
        .execute();
      expect(pending).toEqual([{ user_ids: ['facts-user'], team_ids: [], attempts: 1 }]);

      // The pump retries rows whose backoff has passed: move the service clock past it.
      h.clock.set(Date.now() + 5 * 60_000);
      try {
        expect(await h.outbox.pump()).toBe(1);
      } finally {
        h.clock.release();
      }
      expect(await h.db.selectFrom('identity.auth_outbox').selectAll().execute()).toEqual([]);
      expect(h.keys.callsTo('/internal/auth-invalidate').at(-1)?.body).toEqual({
        userIds: ['facts-user'],
        teamIds: [],
      });
    });

    it('when nothing is due, then the pump delivers nothing', async () => {
      expect(await h.outbox.pump()).toBe(0);
    });
  });
});
