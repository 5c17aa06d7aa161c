import { errorBody, keyWireRow, sha256 } from '@llmgw/testing';
import { type KeysHarness, MASTER, startKeys } from './keys-harness';

let clock = new Date('2031-01-01T00:00:00.000Z');
const iu1 = { role: 'internal_user' as const, userId: 'user-one-0001' };
const iu2 = { role: 'internal_user' as const, userId: 'user-two-0002' };

describe('POST /key/update', () => {
  let h: KeysHarness;

  const generate = async (
    body: Record<string, unknown> = {},
    as: Parameters<KeysHarness['as']>[0] = MASTER,
  ) => {
    const res = await h.http.post('/key/generate').set(h.as(as)).send(body);
    expect(res.status).toBe(200);
    return res.body.key as string;
  };

  beforeAll(async () => {
    h = await startKeys({ now: () => clock });
    h.identity.addUser('user-one-0001', 'internal_user');
    h.identity.addUser('user-two-0002', 'internal_user');
    h.identity.addTeam('team-u');
    h.identity.addMember('user-one-0001', 'team-u', 'admin');
    h.identity.addMember('user-two-0002', 'team-u', 'user');
  });
  afterAll(async () => {
    await h?.close();
  });

  test('when an admin sends fields, then they are applied, nulls reset, metadata is replaced, and the answer is the key as sent plus the row', async () => {
    clock = new Date('2031-01-01T00:00:00.000Z');
    const raw = await generate({
      max_budget: 5,
      rpm_limit: 10,
      tpm_limit: 100,
      metadata: { a: 1, model_rpm_limit: { 'gpt-4o': 1 } },
      key_alias: 'upd-1',
    });
    clock = new Date('2031-01-02T12:00:00.000Z');

    const res = await h.http
      .post('/key/update')
      .set(h.as(MASTER))
      .send({
        key: raw,
        max_budget: null,
        rpm_limit: null,
        tpm_limit: null,
        metadata: { b: 2 },
        models: ['gpt-4o-mini'],
        duration: '30m',
        key_alias: 'upd-1-renamed',
      });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      key: raw,
      ...keyWireRow({
        token: sha256(raw),
        key_name: `sk-...${raw.slice(-4)}`,
        key_alias: 'upd-1-renamed',
        metadata: { b: 2 },
        models: ['gpt-4o-mini'],
        expires: '2031-01-02T12:30:00.000Z',
        created_at: '2031-01-01T00:00:00.000Z',
        updated_at: '2031-01-02T12:00:00.000Z',
      }),
    });
    expect(await h.cached(sha256(raw))).toMatchObject({
      found: true,
      gen: 2,
      maxBudget: null,
      rpmLimit: null,
      models: ['gpt-4o-mini'],
      expires: '2031-01-02T12:30:00.000Z',
    });
  });

  test('when the key is given as its hash, then it is found and the answer echoes the hash', async () => {
    const raw = await generate();
    const res = await h.http
      .post('/key/update')
      .set(h.as(MASTER))
      .send({ key: sha256(raw), blocked: true });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ key: sha256(raw), token: sha256(raw), blocked: true });
  });

  test('when duration is null or "-1", then the key never expires', async () => {
    const raw = await generate({ duration: '1h' });
    const a = await h.http.post('/key/update').set(h.as(MASTER)).send({ key: raw, duration: null });
    const raw2 = await generate({ duration: '1h' });
    const b = await h.http.post('/key/update').set(h.as(MASTER)).send({ key: raw2, duration: '-1' });

    expect([a.status, a.body.expires, b.status, b.body.expires]).toEqual([200, null, 200, null]);
  });

  test('when per-model limits and a temporary budget are sent, then they live in metadata; null removes them', async () => {
    const raw = await generate({ metadata: { keep: true } });
    const set = await h.http
      .post('/key/update')
      .set(h.as(MASTER))
      .send({
        key: raw,
        model_tpm_limit: { 'gpt-4o': 9 },
        temp_budget_increase: 2.5,
        temp_budget_expiry: '2031-02-01T00:00:00Z',
      });
    const unset = await h.http
      .post('/key/update')
      .set(h.as(MASTER))
      .send({ key: raw, model_tpm_limit: null, temp_budget_increase: null, temp_budget_expiry: null });

    expect(set.status).toBe(200);
    expect(set.body.metadata).toEqual({
      keep: true,
      model_tpm_limit: { 'gpt-4o': 9 },
      temp_budget_increase: 2.5,
      temp_budget_expiry: '2031-02-01T00:00:00.000Z',
    });
    expect(unset.status).toBe(200);
    expect(unset.body.metadata).toEqual({ keep: true });
  });

  test('when only temp_budget_increase is sent, then 422 as LiteLLM’s validator answers', async () => {
    const raw = await generate();
    const res = await h.http
      .post('/key/update')
      .set(h.as(MASTER))
      .send({ key: raw, temp_budget_increase: 1 });

    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      detail: [
        {
          type: 'custom',
          loc: ['body'],
          msg: 'Value error, temp_budget_increase and temp_budget_expiry must be set together',
        },
      ],
    });
  });

  test('when key is missing, then 422 naming it', async () => {
    const res = await h.http.post('/key/update').set(h.as(MASTER)).send({ max_budget: 1 });

    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      detail: [{ type: 'invalid_type', loc: ['body', 'key'], msg: expect.stringContaining('key') }],
    });
  });

  test('when the alias belongs to another key, then 400', async () => {
    await generate({ key_alias: 'upd-taken' });
    const raw = await generate();
    const res = await h.http.post('/key/update').set(h.as(MASTER)).send({ key: raw, key_alias: 'upd-taken' });

    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      errorBody(
        400,
        "Key with alias 'upd-taken' already exists. Unique key aliases across all keys are required.",
        'bad_request_error',
        'key_alias',
      ),
    );
  });

  test('when the key does not exist, then 401 with LiteLLM’s message naming the hash, never the raw key', async () => {
    const raw = 'sk-does-not-exist-000001';
    const res = await h.http.post('/key/update').set(h.as(MASTER)).send({ key: raw, max_budget: 1 });

    expect(res.status).toBe(401);
    expect(res.body).toEqual(
      errorBody(
        401,
        `Authentication Error: invalid user key - user key does not exist in db. User Key=${sha256(raw)}`,
        'auth_error',
      ),
    );
  });

  describe('as an internal user', () => {
    test('when it updates its own key, then it is applied', async () => {
      const raw = await generate({ user_id: iu1.userId }, iu1);
      const res = await h.http.post('/key/update').set(h.as(iu1)).send({ key: raw, max_budget: 3 });

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ key: raw, max_budget: 3, updated_by: iu1.userId });
    });

    test('when it updates a key it created without a user_id, then it is its own', async () => {
      const raw = await generate({}, iu1);
      const res = await h.http.post('/key/update').set(h.as(iu1)).send({ key: raw, max_budget: 4 });

      expect(res.status).toBe(200);
    });

    test('when it updates another user’s key, then 403', async () => {
      const raw = await generate({ user_id: iu2.userId });
      const res = await h.http.post('/key/update').set(h.as(iu1)).send({ key: raw, max_budget: 3 });

      expect(res.status).toBe(403);
      expect(res.body).toEqual(
        errorBody(403, "{'error': 'You are not authorized to update this key'}", 'auth_error'),
      );
    });

    test('when it updates an ownerless key an admin created, then 403 (LiteLLM would allow it)', async () => {
      const raw = await generate();
      const res = await h.http.post('/key/update').set(h.as(iu1)).send({ key: raw, max_budget: 3 });

      expect(res.status).toBe(403);
    });

    test('when it gives its key to another user, then 403', async () => {
      const raw = await generate({ user_id: iu1.userId }, iu1);
      const res = await h.http.post('/key/update').set(h.as(iu1)).send({ key: raw, user_id: iu2.userId });

      expect(res.status).toBe(403);
      expect(res.body).toEqual(
        errorBody(
          403,
          `User=${iu1.userId} is not allowed to update key=${sha256(raw)} to belong to user=${iu2.userId}`,
          'auth_error',
        ),
      );
    });

    test('when it is the team admin, then it may update the team’s keys', async () => {
      const raw = await generate({ team_id: 'team-u', user_id: iu2.userId });
      const res = await h.http.post('/key/update').set(h.as(iu1)).send({ key: raw, rpm_limit: 7 });

      expect(res.status).toBe(200);
      expect(res.body.rpm_limit).toBe(7);
    });

    test('when it is a plain member, then 401 team_member_permission_error, even on its own team key', async () => {
      const raw = await generate({ team_id: 'team-u', user_id: iu2.userId });
      const res = await h.http.post('/key/update').set(h.as(iu2)).send({ key: raw, rpm_limit: 7 });

      expect(res.status).toBe(401);
      expect(res.body).toEqual(
        errorBody(
          401,
          "Team member does not have permissions for endpoint: /key/update. You only have access to the following endpoints: ['/key/info', '/key/health'] for team team-u. To create keys for this team, please ask your proxy admin to check the team member permission settings and update the settings to allow team member users to create keys.",
          'team_member_permission_error',
          '/key/update',
        ),
      );
    });

    test('when it moves its key into a team it does not belong to, then 400', async () => {
      h.identity.addTeam('team-closed');
      const raw = await generate({ user_id: iu1.userId }, iu1);
      const res = await h.http.post('/key/update').set(h.as(iu1)).send({ key: raw, team_id: 'team-closed' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        errorBody(400, `User=${iu1.userId} not assigned to team=team-closed`, 'internal_server_error'),
      );
    });
  });

  describe('as other roles', () => {
    test.each([
      [
        'proxy_admin_viewer',
        403,
        errorBody(
          403,
          'user not allowed to access this route, role= proxy_admin_viewer. Trying to access: /key/update',
          'auth_error',
        ),
      ],
      [
        'internal_user_viewer',
        401,
        errorBody(
          401,
          'Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=/key/update. Your role=internal_user_viewer. Your user_id=viewer****01',
          'auth_error',
        ),
      ],
      [
        'unknown',
        401,
        errorBody(
          401,
          'Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=/key/update. Your role=unknown. Your user_id=viewer****01',
          'auth_error',
        ),
      ],
    ] as const)('when a %s updates, then %i', async (role, status, body) => {
      const raw = await generate();
      const res = await h.http
        .post('/key/update')
        .set(h.as({ role, userId: 'viewer-xx-01' }))
        .send({ key: raw, max_budget: 1 });

      expect(res.status).toBe(status);
      expect(res.body).toEqual(body);
    });
  });
});
