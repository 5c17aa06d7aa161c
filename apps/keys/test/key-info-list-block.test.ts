import { errorBody, keyWireRow, sha256 } from '@llmgw/testing';
import { type KeysHarness, MASTER, startKeys } from './keys-harness';

const iu1 = { role: 'internal_user' as const, userId: 'user-one-0001' };
const iu2 = { role: 'internal_user' as const, userId: 'user-two-0002' };
const iuv = { role: 'internal_user_viewer' as const, userId: 'viewer-user-03' };
const pav = { role: 'proxy_admin_viewer' as const, userId: 'admin-viewer-04' };

describe('key info, list, block, unblock and health', () => {
  let h: KeysHarness;
  let iu1Key: string;
  let iu2Key: string;
  let teamKey: string;
  let adminKey: string;
  const generate = async (
    body: Record<string, unknown> = {},
    as: Parameters<KeysHarness['as']>[0] = MASTER,
  ) => {
    const res = await h.http.post('/key/generate').set(h.as(as)).send(body);
    expect(res.status).toBe(200);
    return res.body.key as string;
  };

  beforeAll(async () => {
    h = await startKeys();
    for (const u of [iu1, iu2, iuv, pav]) h.identity.addUser(u.userId, u.role);
    h.identity.addTeam('team-i');
    h.identity.addMember(iu1.userId, 'team-i', 'user');
    iu1Key = await generate({ user_id: iu1.userId, key_alias: 'iu1-key' });
    iu2Key = await generate({ user_id: iu2.userId, key_alias: 'iu2-key' });
    teamKey = await generate({ team_id: 'team-i', key_alias: 'team-key' });
    adminKey = await generate({ key_alias: 'admin-key' });
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('GET /key/info', () => {
    test('when an admin asks about a key, then the answer is the key as given and the row without its hash', async () => {
      const res = await h.http.get('/key/info').query({ key: iu1Key }).set(h.as(MASTER));
      const { token: _t, ...info } = keyWireRow({
        key_name: `sk-...${iu1Key.slice(-4)}`,
        key_alias: 'iu1-key',
        user_id: iu1.userId,
      });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ key: iu1Key, info });
    });

    test('when the key is omitted, then the calling key is described and `key` is its hash', async () => {
      const res = await h.http
        .get('/key/info')
        .set(h.as({ role: 'unknown', userId: null, keyHash: sha256(adminKey) }));

      const { token: _t, ...info } = keyWireRow({
        key_name: `sk-...${adminKey.slice(-4)}`,
        key_alias: 'admin-key',
      });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ key: sha256(adminKey), info });
    });

    test.each([
      ['a proxy_admin_viewer about any key', pav, () => iu2Key],
      ['an internal user about its own key', iu1, () => iu1Key],
      ['an internal user about a key of its team', iu1, () => teamKey],
      ['an internal_user_viewer about its own key (by hash)', iuv, () => sha256(iu1Key)],
    ])('when %s asks, then 200', async (_label, who, key) => {
      const caller = who === iuv ? { ...iuv, userId: iu1.userId } : who;
      const res = await h.http.get('/key/info').query({ key: key() }).set(h.as(caller));

      expect(res.status).toBe(200);
    });

    test('when an internal user asks about another user’s key, then 403 naming its role', async () => {
      const res = await h.http.get('/key/info').query({ key: iu2Key }).set(h.as(iu1));

      expect(res.status).toBe(403);
      expect(res.body).toEqual(
        errorBody(
          403,
          "You are not allowed to access this key's info. Your role=internal_user",
          'internal_server_error',
        ),
      );
    });

    test('when a key without a user row asks about another key, then 403 (it may only see itself)', async () => {
      const res = await h.http
        .get('/key/info')
        .query({ key: iu2Key })
        .set(h.as({ role: 'unknown', userId: null, keyHash: sha256(adminKey) }));

      expect(res.status).toBe(403);
      expect(res.body).toEqual(
        errorBody(
          403,
          "You are not allowed to access this key's info. Your role=unknown",
          'internal_server_error',
        ),
      );
    });

    test('when the key does not exist, then 404 not_found_error', async () => {
      const res = await h.http.get('/key/info').query({ key: 'sk-nope-nope-nope-nope00' }).set(h.as(MASTER));

      expect(res.status).toBe(404);
      expect(res.body).toEqual(errorBody(404, 'Key not found in database', 'not_found_error', 'key'));
    });
  });

  describe('GET /key/list', () => {
    test('when an admin lists, then every key hash is listed newest first with the totals', async () => {
      const res = await h.http.get('/key/list').set(h.as(MASTER));

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        keys: [sha256(adminKey), sha256(teamKey), sha256(iu2Key), sha256(iu1Key)],
        total_count: 4,
        current_page: 1,
        total_pages: 1,
      });
    });

    test('when paginating and sorting by alias, then the page holds the right keys', async () => {
      const res = await h.http
        .get('/key/list')
        .query({ size: 2, page: 2, sort_by: 'key_alias', sort_order: 'asc' })
        .set(h.as(pav));

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        keys: [sha256(iu2Key), sha256(teamKey)],
        total_count: 4,
        current_page: 2,
        total_pages: 2,
      });
    });

    test('when filtering by team with full objects, then the rows come back', async () => {
      const res = await h.http
        .get('/key/list')
        .query({ team_id: 'team-i', return_full_object: 'true' })
        .set(h.as(MASTER));

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        keys: [
          keyWireRow({
            token: sha256(teamKey),
            key_name: `sk-...${teamKey.slice(-4)}`,
            key_alias: 'team-key',
            team_id: 'team-i',
          }),
        ],
        total_count: 1,
        current_page: 1,
        total_pages: 1,
      });
    });

    test('when an internal user lists, then only its own keys', async () => {
      const res = await h.http.get('/key/list').set(h.as(iu1));

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ keys: [sha256(iu1Key)], total_count: 1, current_page: 1, total_pages: 1 });
    });

    test.each([
      [
        'another user’s keys',
        { user_id: iu1.userId },
        errorBody(403, "You are not authorized to check another user's keys", 'bad_request_error', 'user_id'),
      ],
      [
        'a team it is not in',
        { team_id: 'team-x' },
        errorBody(403, "You are not authorized to check this team's keys", 'bad_request_error', 'team_id'),
      ],
      [
        'an organization',
        { organization_id: 'org-1' },
        errorBody(
          403,
          "You are not authorized to check this organization's keys",
          'bad_request_error',
          'organization_id',
        ),
      ],
    ])('when an internal user asks for %s, then 403', async (_label, query, body) => {
      const res = await h.http.get('/key/list').query(query).set(h.as(iu2));

      expect(res.status).toBe(403);
      expect(res.body).toEqual(body);
    });

    test('when a key without a user asks, then 403', async () => {
      const res = await h.http.get('/key/list').set(h.as({ role: 'unknown', userId: null }));

      expect(res.status).toBe(403);
      expect(res.body).toEqual(
        errorBody(
          403,
          "You are not authorized to access this endpoint. No 'user_id' is associated with your API key.",
          'bad_request_error',
          'user_id',
        ),
      );
    });

    test('when sort_by is not a column, then 400', async () => {
      const res = await h.http.get('/key/list').query({ sort_by: 'password' }).set(h.as(MASTER));

      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        errorBody(
          400,
          "{'error': 'Invalid sort column. Must be one of: spend, max_budget, created_at, updated_at, token, key_alias'}",
          'internal_server_error',
        ),
      );
    });

    test('when sort_order is neither asc nor desc, then 400', async () => {
      const res = await h.http
        .get('/key/list')
        .query({ sort_by: 'spend', sort_order: 'up' })
        .set(h.as(MASTER));

      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        errorBody(400, `{'error': "Invalid sort order. Must be 'asc' or 'desc'"}`, 'internal_server_error'),
      );
    });

    test('when size is over 100, then 422 naming it', async () => {
      const res = await h.http.get('/key/list').query({ size: 101 }).set(h.as(MASTER));

      expect(res.status).toBe(422);
      expect(res.body).toEqual({
        detail: [{ type: 'too_big', loc: ['query', 'size'], msg: expect.stringContaining('size') }],
      });
    });
  });

  describe('POST /key/block and /key/unblock (admin only)', () => {
    test('when an admin blocks and unblocks, then the full row comes back and the record follows', async () => {
      const raw = await generate({ key_alias: 'to-block' });
      const blocked = await h.http.post('/key/block').set(h.as(MASTER)).send({ key: raw });

      expect(blocked.status).toBe(200);
      expect(blocked.body).toEqual(
        keyWireRow({
          token: sha256(raw),
          key_name: `sk-...${raw.slice(-4)}`,
          key_alias: 'to-block',
          blocked: true,
        }),
      );
      expect(await h.cached(sha256(raw))).toMatchObject({ found: true, blocked: true });

      const unblocked = await h.http
        .post('/key/unblock')
        .set(h.as(MASTER))
        .send({ key: sha256(raw) });
      expect(unblocked.status).toBe(200);
      expect(unblocked.body.blocked).toBe(false);
      expect(await h.cached(sha256(raw))).toMatchObject({ found: true, blocked: false });
    });

    test('when the key is neither sk- nor a 64-hex hash, then 400', async () => {
      const res = await h.http.post('/key/block').set(h.as(MASTER)).send({ key: 'garbage' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual(errorBody(400, 'Invalid key format.', 'bad_request_error', 'key'));
    });

    test('when the key does not exist, then 404', async () => {
      const res = await h.http.post('/key/block').set(h.as(MASTER)).send({ key: 'sk-unknown-blocked-wxyz' });

      expect(res.status).toBe(404);
      expect(res.body).toEqual(errorBody(404, 'Key sk-...wxyz not found', 'bad_request_error', 'key'));
    });

    test.each([
      [
        'internal_user',
        iu1,
        errorBody(
          403,
          'Authentication Error, Only proxy admin can block or unblock keys. Route=/key/block. Your role=internal_user',
          'auth_error',
        ),
      ],
      [
        'proxy_admin_viewer',
        pav,
        errorBody(
          403,
          'user not allowed to access this route, role= proxy_admin_viewer. Trying to access: /key/block',
          'auth_error',
        ),
      ],
      [
        'internal_user_viewer',
        iuv,
        errorBody(
          401,
          'Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=/key/block. Your role=internal_user_viewer. Your user_id=viewer******03',
          'auth_error',
        ),
      ],
    ])('when a %s blocks, even its own key, then it is refused', async (_label, who, body) => {
      const res = await h.http.post('/key/block').set(h.as(who)).send({ key: iu1Key });

      expect(res.status).toBe(Number(body.error.code));
      expect(res.body).toEqual(body);
    });
  });

  describe('POST /key/health', () => {
    test.each([
      ['the master key', MASTER],
      ['a key without a user row', { role: 'unknown' as const, keyHash: sha256('sk-x') }],
      ['an internal_user_viewer', iuv],
    ])('when %s asks, then healthy', async (_label, who) => {
      const res = await h.http.post('/key/health').set(h.as(who));

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ key: 'healthy', logging_callbacks: null });
    });
  });
});
