import { sql } from '@llmgw/db';
import { errorBody, generatedKey, sha256 } from '@llmgw/testing';
import { type KeysHarness, MASTER, SK_RE, startKeys } from './keys-harness';

const NOW = new Date('2031-03-04T05:06:07.089Z');
const routeDeny = (role: string, maskedId: string) =>
  errorBody(
    401,
    `Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=/key/generate. Your role=${role}. Your user_id=${maskedId}`,
    'auth_error',
  );

describe('POST /key/generate', () => {
  let h: KeysHarness;
  const iu = { role: 'internal_user' as const, userId: 'iu-user-0001' };

  beforeAll(async () => {
    h = await startKeys({ now: () => NOW });
    h.identity.addUser('iu-user-0001', 'internal_user');
    h.identity.addUser('iu-user-0002', 'internal_user');
    h.identity.addTeam('team-a', { team_alias: 'Team A' });
    h.identity.addMember('iu-user-0001', 'team-a', 'admin');
    h.identity.addMember('iu-user-0002', 'team-a', 'user');
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('as the master key (proxy admin)', () => {
    test('when it asks for a key with options, then the LiteLLM response comes back, only the hash is stored and the record is in Redis', async () => {
      const res = await h.http
        .post('/key/generate')
        .set(h.as(MASTER))
        .send({
          key_alias: 'gen-full',
          duration: '2h',
          models: ['gpt-4o'],
          aliases: { smart: 'gpt-4o' },
          max_budget: 10,
          soft_budget: 5,
          budget_duration: '1d',
          tpm_limit: 1000,
          rpm_limit: 10,
          max_parallel_requests: 2,
          metadata: { app: 'x' },
          model_rpm_limit: { 'gpt-4o': 5 },
          model_tpm_limit: { 'gpt-4o': 500 },
          key_type: 'llm_api',
          unknown_field: 'ignored',
        });

      expect(res.status).toBe(200);
      const raw = res.body.key as string;
      expect(raw).toMatch(SK_RE);
      expect(res.body).toEqual(
        generatedKey(raw, {
          key_alias: 'gen-full',
          expires: '2031-03-04T07:06:07.089Z',
          models: ['gpt-4o'],
          aliases: { smart: 'gpt-4o' },
          max_budget: 10,
          soft_budget: 5,
          budget_duration: '1d',
          budget_reset_at: '2031-03-05T00:00:00.000Z',
          tpm_limit: 1000,
          rpm_limit: 10,
          max_parallel_requests: 2,
          metadata: { app: 'x', model_rpm_limit: { 'gpt-4o': 5 }, model_tpm_limit: { 'gpt-4o': 500 } },
          key_type: 'llm_api',
          allowed_routes: ['llm_api_routes'],
          created_at: NOW.toISOString(),
          updated_at: NOW.toISOString(),
        }),
      );
      const { rows } = await sql<
        Record<string, unknown>
      >`select * from keys.verification_tokens where key_alias = 'gen-full'`.execute(h.db);
      expect(rows.map((r) => r.token)).toEqual([sha256(raw)]);
      expect(JSON.stringify(rows)).not.toContain(raw);
      expect(await h.cached(sha256(raw))).toMatchObject({
        found: true,
        token: sha256(raw),
        keyAlias: 'gen-full',
        expires: '2031-03-04T07:06:07.089Z',
        owner: null,
        team: null,
        membership: null,
      });
    });

    test('when it sends a custom sk- key, then that key is used', async () => {
      const res = await h.http.post('/key/generate').set(h.as(MASTER)).send({ key: 'sk-my-custom-key-0001' });

      expect(res.status).toBe(200);
      expect(res.body).toEqual(generatedKey('sk-my-custom-key-0001'));
    });

    test('when the custom key does not start with sk-, then 400', async () => {
      const res = await h.http.post('/key/generate').set(h.as(MASTER)).send({ key: 'abc-not-a-key' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        errorBody(
          400,
          "Invalid key format. LiteLLM Virtual Key must start with 'sk-'. Received: abc...",
          'bad_request_error',
          'key',
        ),
      );
    });

    test('when the custom key already exists, then 400', async () => {
      await h.http.post('/key/generate').set(h.as(MASTER)).send({ key: 'sk-duplicate-key-0001' });
      const res = await h.http.post('/key/generate').set(h.as(MASTER)).send({ key: 'sk-duplicate-key-0001' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual(errorBody(400, 'this key already exists', 'bad_request_error', 'key'));
    });

    test('when the alias is taken, then 400 with LiteLLM’s message', async () => {
      await h.http.post('/key/generate').set(h.as(MASTER)).send({ key_alias: 'taken' });
      const res = await h.http.post('/key/generate').set(h.as(MASTER)).send({ key_alias: 'taken' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        errorBody(
          400,
          "Key with alias 'taken' already exists. Unique key aliases across all keys are required.",
          'bad_request_error',
          'key_alias',
        ),
      );
    });

    test('when a field has a bad type or value, then 422 naming it', async () => {
      const res = await h.http
        .post('/key/generate')
        .set(h.as(MASTER))
        .send({ max_budget: 'lots', duration: '10y' });

      expect(res.status).toBe(422);
      expect(res.body).toEqual({
        detail: [
          { type: 'custom', loc: ['body', 'duration'], msg: expect.stringContaining('duration') },
          { type: 'invalid_type', loc: ['body', 'max_budget'], msg: expect.stringContaining('max_budget') },
        ],
      });
    });

    test('when it generates a key for a user and team, then the record carries the owner, team and membership facts', async () => {
      const res = await h.http
        .post('/key/generate')
        .set(h.as(MASTER))
        .send({ user_id: 'iu-user-0002', team_id: 'team-a' });

      expect(res.status).toBe(200);
      expect(await h.cached(sha256(res.body.key))).toMatchObject({
        found: true,
        userId: 'iu-user-0002',
        teamId: 'team-a',
        userRole: 'internal_user',
        owner: { userId: 'iu-user-0002', role: 'internal_user', models: [] },
        team: { teamId: 'team-a', teamAlias: 'Team A', blocked: false },
        membership: { role: 'user' },
      });
    });

    test('when the team does not exist, then an admin may still assign it (as LiteLLM does)', async () => {
      const res = await h.http.post('/key/generate').set(h.as(MASTER)).send({ team_id: 'no-such-team' });

      expect(res.status).toBe(200);
      expect(res.body).toEqual(generatedKey(res.body.key, { team_id: 'no-such-team' }));
    });

    test('when the assigned user is not a member of the team, then 400 naming both', async () => {
      const res = await h.http
        .post('/key/generate')
        .set(h.as(MASTER))
        .send({ team_id: 'team-a', user_id: 'outsider' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        errorBody(400, 'User=outsider not assigned to team=team-a', 'internal_server_error'),
      );
    });
  });

  describe('as an internal user', () => {
    test('when it generates for itself, then the key is its own', async () => {
      const res = await h.http.post('/key/generate').set(h.as(iu)).send({ user_id: 'iu-user-0001' });

      expect(res.status).toBe(200);
      expect(res.body).toEqual(
        generatedKey(res.body.key, {
          user_id: 'iu-user-0001',
          created_by: 'iu-user-0001',
          updated_by: 'iu-user-0001',
        }),
      );
    });

    test('when it omits user_id, then the key has user_id null and the caller as creator (LiteLLM)', async () => {
      const res = await h.http.post('/key/generate').set(h.as(iu)).send({});

      expect(res.status).toBe(200);
      expect(res.body).toEqual(
        generatedKey(res.body.key, { created_by: 'iu-user-0001', updated_by: 'iu-user-0001' }),
      );
    });

    test('when it generates for another user, then 403', async () => {
      const res = await h.http.post('/key/generate').set(h.as(iu)).send({ user_id: 'iu-user-0002' });

      expect(res.status).toBe(403);
      expect(res.body).toEqual(
        errorBody(
          403,
          'User can only create keys for themselves. Got user_id=iu-user-0002, Your ID=iu-user-0001',
          'auth_error',
          'user_id',
        ),
      );
    });

    test('when it is the team’s admin, then it may create a team key', async () => {
      const res = await h.http.post('/key/generate').set(h.as(iu)).send({ team_id: 'team-a' });

      expect(res.status).toBe(200);
      expect(res.body).toEqual(
        generatedKey(res.body.key, {
          team_id: 'team-a',
          created_by: 'iu-user-0001',
          updated_by: 'iu-user-0001',
        }),
      );
    });

    test('when it is a plain member, then 401 team_member_permission_error', async () => {
      const res = await h.http
        .post('/key/generate')
        .set(h.as({ role: 'internal_user', userId: 'iu-user-0002' }))
        .send({ team_id: 'team-a' });

      expect(res.status).toBe(401);
      expect(res.body).toEqual(
        errorBody(
          401,
          "Team member does not have permissions for endpoint: /key/generate. You only have access to the following endpoints: ['/key/info', '/key/health'] for team team-a. To create keys for this team, please ask your proxy admin to check the team member permission settings and update the settings to allow team member users to create keys.",
          'team_member_permission_error',
          '/key/generate',
        ),
      );
    });

    test('when the team lets members create keys, then a plain member may', async () => {
      h.identity.addTeam('team-open', { team_member_permissions: ['/key/generate', '/key/info'] });
      h.identity.addMember('iu-user-0002', 'team-open', 'user');
      const res = await h.http
        .post('/key/generate')
        .set(h.as({ role: 'internal_user', userId: 'iu-user-0002' }))
        .send({ team_id: 'team-open' });

      expect(res.status).toBe(200);
      expect(res.body.team_id).toBe('team-open');
    });

    test('when it is not a member of the team, then 400 not assigned', async () => {
      h.identity.addTeam('team-b');
      const res = await h.http.post('/key/generate').set(h.as(iu)).send({ team_id: 'team-b' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        errorBody(400, 'User=iu-user-0001 not assigned to team=team-b', 'internal_server_error'),
      );
    });

    test('when the team does not exist, then 400 (unlike an admin)', async () => {
      const res = await h.http.post('/key/generate').set(h.as(iu)).send({ team_id: 'ghost-team' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        errorBody(
          400,
          'Team not found for team_id=ghost-team. Non-admin users cannot create keys for non-existent teams.',
          'internal_server_error',
        ),
      );
    });

    test('when identity is unreachable for a team key, then 503 and nothing is created', async () => {
      h.identity.down = true;
      try {
        const res = await h.http
          .post('/key/generate')
          .set(h.as(iu))
          .send({ team_id: 'team-a', key_alias: 'not-made' });

        expect(res.status).toBe(503);
        expect(res.body).toEqual(
          errorBody(503, 'the identity service is unavailable, retry shortly', 'service_unavailable', null),
        );
        const { rows } =
          await sql`select 1 from keys.verification_tokens where key_alias = 'not-made'`.execute(h.db);
        expect(rows).toEqual([]);
      } finally {
        h.identity.down = false;
      }
    });
  });

  describe('as other roles', () => {
    test('when a proxy_admin_viewer generates, then 403', async () => {
      const res = await h.http
        .post('/key/generate')
        .set(h.as({ role: 'proxy_admin_viewer', userId: 'viewer-01' }))
        .send({});

      expect(res.status).toBe(403);
      expect(res.body).toEqual(
        errorBody(
          403,
          'user not allowed to access this route, role= proxy_admin_viewer. Trying to access: /key/generate',
          'auth_error',
        ),
      );
    });

    test('when an internal_user_viewer generates, then 401 route-deny', async () => {
      const res = await h.http
        .post('/key/generate')
        .set(h.as({ role: 'internal_user_viewer', userId: 'abcdef1234yz' }))
        .send({});

      expect(res.status).toBe(401);
      expect(res.body).toEqual(routeDeny('internal_user_viewer', 'abcdef****yz'));
    });

    test('when a key without a user row generates, then 401 route-deny with role unknown', async () => {
      const res = await h.http
        .post('/key/generate')
        .set(h.as({ role: 'unknown', userId: null }))
        .send({});

      expect(res.status).toBe(401);
      expect(res.body).toEqual(routeDeny('unknown', 'None'));
    });

    test('when the principal is missing, then 401', async () => {
      const res = await h.http.post('/key/generate').send({});

      expect(res.status).toBe(401);
      expect(res.body).toEqual(
        errorBody(
          401,
          'Authentication Error, missing internal principal. Call this service through the gateway.',
          'auth_error',
        ),
      );
    });
  });
});
