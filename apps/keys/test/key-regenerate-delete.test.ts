import { errorBody, generatedKey, sha256 } from '@llmgw/testing';
import { type KeysHarness, MASTER, SK_RE, startKeys } from './keys-harness';

const NOW = new Date('2031-05-05T05:05:05.000Z');
const iu1 = { role: 'internal_user' as const, userId: 'user-one-0001' };
const iu2 = { role: 'internal_user' as const, userId: 'user-two-0002' };

describe('key regenerate and delete', () => {
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
    h = await startKeys({ now: () => NOW });
    h.identity.addUser(iu1.userId, 'internal_user');
    h.identity.addUser(iu2.userId, 'internal_user');
    h.identity.addTeam('team-r');
    h.identity.addMember(iu1.userId, 'team-r', 'admin');
    h.identity.addMember(iu2.userId, 'team-r', 'user');
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('POST /key/regenerate and /key/{key}/regenerate (free, not premium)', () => {
    test('when an admin regenerates by path, then the same row gets a new key and hash; the old record is gone, the new one is in Redis', async () => {
      const old = await generate({ key_alias: 'regen-1', max_budget: 2 });
      const res = await h.http.post(`/key/${old}/regenerate`).set(h.as(MASTER)).send({ max_budget: 3 });

      expect(res.status).toBe(200);
      const raw = res.body.key as string;
      expect(raw).toMatch(SK_RE);
      expect(raw).not.toBe(old);
      expect(res.body).toEqual(
        generatedKey(raw, {
          key_alias: 'regen-1',
          max_budget: 3,
          created_at: NOW.toISOString(),
          updated_at: NOW.toISOString(),
        }),
      );
      expect(await h.cached(sha256(old))).toBeNull();
      expect(await h.cached(sha256(raw))).toMatchObject({ found: true, keyAlias: 'regen-1', maxBudget: 3 });
      const info = await h.http.get('/key/info').query({ key: old }).set(h.as(MASTER));
      expect(info.status).toBe(404);
    });

    test('when the key is in the body and a custom new_key is given, then that key is used', async () => {
      const old = await generate();
      const res = await h.http
        .post('/key/regenerate')
        .set(h.as(MASTER))
        .send({ key: sha256(old), new_key: 'sk-custom-regenerated-01' });

      expect(res.status).toBe(200);
      expect(res.body).toEqual(generatedKey('sk-custom-regenerated-01'));
    });

    test('when new_key does not start with sk-, then 400', async () => {
      const old = await generate();
      const res = await h.http
        .post('/key/regenerate')
        .set(h.as(MASTER))
        .send({ key: old, new_key: 'plain-key' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        errorBody(
          400,
          `{'error': "New key must start with 'sk-'. This is to distinguish a key hash (used by litellm for logging / internal logic) from the actual key."}`,
          'internal_server_error',
        ),
      );
    });

    test('when no key is given, then 400', async () => {
      const res = await h.http.post('/key/regenerate').set(h.as(MASTER)).send({});

      expect(res.status).toBe(400);
      expect(res.body).toEqual(errorBody(400, "{'error': 'No key passed in.'}", 'internal_server_error'));
    });

    test('when the key does not exist, then 404 showing only its last 4 chars', async () => {
      const res = await h.http.post('/key/sk-unknown-key-000abcd/regenerate').set(h.as(MASTER)).send({});

      expect(res.status).toBe(404);
      expect(res.body).toEqual(
        errorBody(404, "{'error': 'Key sk-...abcd not found.'}", 'internal_server_error'),
      );
    });

    test('when an internal user regenerates its own key, then it works', async () => {
      const old = await generate({ user_id: iu1.userId }, iu1);
      const res = await h.http.post(`/key/${old}/regenerate`).set(h.as(iu1)).send({});

      expect(res.status).toBe(200);
      expect(res.body.user_id).toBe(iu1.userId);
    });

    test('when an internal user regenerates another user’s key, then 403', async () => {
      const old = await generate({ user_id: iu2.userId });
      const res = await h.http.post(`/key/${old}/regenerate`).set(h.as(iu1)).send({});

      expect(res.status).toBe(403);
      expect(res.body).toEqual(
        errorBody(403, "{'error': 'You are not authorized to regenerate this key'}", 'internal_server_error'),
      );
    });

    test('when a plain team member regenerates a team key, then 401 team_member_permission_error', async () => {
      const old = await generate({ team_id: 'team-r', user_id: iu2.userId });
      const res = await h.http.post(`/key/${old}/regenerate`).set(h.as(iu2)).send({});

      expect(res.status).toBe(401);
      expect(res.body).toEqual(
        errorBody(
          401,
          "Team member does not have permissions for endpoint: /key/{key}/regenerate. You only have access to the following endpoints: ['/key/info', '/key/health'] for team team-r. To create keys for this team, please ask your proxy admin to check the team member permission settings and update the settings to allow team member users to create keys.",
          'team_member_permission_error',
          '/key/{key}/regenerate',
        ),
      );
    });

    test('when the team admin regenerates a team key, then it works', async () => {
      const old = await generate({ team_id: 'team-r', user_id: iu2.userId });
      const res = await h.http.post('/key/regenerate').set(h.as(iu1)).send({ key: old });

      expect(res.status).toBe(200);
    });

    test.each([
      [
        'proxy_admin_viewer',
        errorBody(
          403,
          'user not allowed to access this route, role= proxy_admin_viewer. Trying to access: /key/{key}/regenerate',
          'auth_error',
        ),
      ],
      [
        'internal_user_viewer',
        errorBody(
          401,
          'Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=/key/{key}/regenerate. Your role=internal_user_viewer. Your user_id=someon**01',
          'auth_error',
        ),
      ],
      [
        'unknown',
        errorBody(
          401,
          'Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=/key/{key}/regenerate. Your role=unknown. Your user_id=someon**01',
          'auth_error',
        ),
      ],
    ] as const)(
      'when a %s regenerates, then it is refused and the key never shows in the message',
      async (role, body) => {
        const old = await generate();
        const res = await h.http
          .post(`/key/${old}/regenerate`)
          .set(h.as({ role, userId: 'someone-01' }))
          .send({});

        expect(res.status).toBe(Number(body.error.code));
        expect(res.body).toEqual(body);
      },
    );
  });

  describe('POST /key/delete', () => {
    test('when an admin deletes by raw key and hash, then the answer lists them as sent and the records are gone', async () => {
      const a = await generate();
      const b = await generate();
      const res = await h.http
        .post('/key/delete')
        .set(h.as(MASTER))
        .send({ keys: [a, sha256(b)] });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ deleted_keys: [a, sha256(b)] });
      expect([await h.cached(sha256(a)), await h.cached(sha256(b))]).toEqual([null, null]);
      const gone = await h.http.get('/key/info').query({ key: a }).set(h.as(MASTER));
      expect(gone.status).toBe(404);
    });

    test('when deleting by alias, then the aliased keys are deleted', async () => {
      const a = await generate({ key_alias: 'del-alias-1' });
      const res = await h.http
        .post('/key/delete')
        .set(h.as(MASTER))
        .send({ key_aliases: ['del-alias-1'] });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ deleted_keys: ['del-alias-1'] });
      expect(await h.cached(sha256(a))).toBeNull();
    });

    test('when no key matches, then 404', async () => {
      const res = await h.http
        .post('/key/delete')
        .set(h.as(MASTER))
        .send({ keys: ['sk-nothing-here-000000'] });

      expect(res.status).toBe(404);
      expect(res.body).toEqual(errorBody(404, "{'error': 'No keys found'}", 'internal_server_error'));
    });

    test('when neither keys nor key_aliases is given, then 422', async () => {
      const res = await h.http.post('/key/delete').set(h.as(MASTER)).send({ keys: [] });

      expect(res.status).toBe(422);
      expect(res.body).toEqual({
        detail: [
          {
            type: 'custom',
            loc: ['body'],
            msg: "Value error, At least one of 'keys' or 'key_aliases' must be provided.",
          },
        ],
      });
    });

    test('when an internal user deletes its own key, then it is deleted', async () => {
      const a = await generate({ user_id: iu1.userId }, iu1);
      const res = await h.http
        .post('/key/delete')
        .set(h.as(iu1))
        .send({ keys: [a] });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ deleted_keys: [a] });
    });

    test('when an internal user deletes another user’s key, then 403 and nothing is deleted', async () => {
      const mine = await generate({ user_id: iu1.userId }, iu1);
      const theirs = await generate({ user_id: iu2.userId });
      const res = await h.http
        .post('/key/delete')
        .set(h.as(iu1))
        .send({ keys: [mine, theirs] });

      expect(res.status).toBe(403);
      expect(res.body).toEqual(
        errorBody(403, "{'error': 'You are not authorized to delete this key'}", 'internal_server_error'),
      );
      expect((await h.cached(sha256(mine)))?.found).toBe(true);
    });

    test('when the team admin deletes a member’s team key, then it is deleted', async () => {
      const a = await generate({ team_id: 'team-r', user_id: iu2.userId });
      const res = await h.http
        .post('/key/delete')
        .set(h.as(iu1))
        .send({ keys: [a] });

      expect(res.status).toBe(200);
    });

    test.each([
      [
        'proxy_admin_viewer',
        errorBody(
          403,
          'user not allowed to access this route, role= proxy_admin_viewer. Trying to access: /key/delete',
          'auth_error',
        ),
      ],
      [
        'internal_user_viewer',
        errorBody(
          401,
          'Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=/key/delete. Your role=internal_user_viewer. Your user_id=someon**01',
          'auth_error',
        ),
      ],
    ] as const)('when a %s deletes, then it is refused', async (role, body) => {
      const a = await generate();
      const res = await h.http
        .post('/key/delete')
        .set(h.as({ role, userId: 'someone-01' }))
        .send({ keys: [a] });

      expect(res.status).toBe(Number(body.error.code));
      expect(res.body).toEqual(body);
    });
  });
});
