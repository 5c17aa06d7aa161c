import { createHash } from 'node:crypto';
import type { SpendEvent } from '@llmgw/contracts';
import request from 'supertest';
import { type SpendHarness, spendEvent, startSpend } from './spend-harness';

const sha = (v: string) => createHash('sha256').update(v).digest('hex');
const ALICE_KEY = 'sk-alice-key-0000000000000';
const BOB_KEY = 'sk-bob-key-00000000000000';
const KA = sha(ALICE_KEY);
const KB = sha(BOB_KEY);

const alice = (over: Partial<SpendEvent>) =>
  spendEvent({
    keyHash: KA,
    userId: 'alice',
    teamId: 'team-one',
    teamAlias: 'Team One',
    keyAlias: 'alice-key',
    keyName: 'sk-...0000',
    ...over,
  });
const bob = (over: Partial<SpendEvent>) =>
  spendEvent({ keyHash: KB, userId: 'bob', teamId: 'team-two', keyAlias: 'bob-key', ...over });

const A1 = alice({ startTime: '2030-01-15T09:00:00.000Z', endTime: '2030-01-15T09:00:01.000Z', cost: 0.1 });
const A2 = alice({
  startTime: '2030-01-15T10:00:00.000Z',
  endTime: '2030-01-15T10:00:01.000Z',
  model: 'gpt-4o-mini',
  modelGroup: 'gpt-4o-mini',
  cost: 0.2,
  endUser: 'cust-a',
});
const A3 = alice({
  startTime: '2030-01-17T08:00:00.000Z',
  endTime: '2030-01-17T08:00:02.000Z',
  cost: 0.3,
  endUser: 'cust-a',
});
const A0 = alice({ startTime: '2029-11-01T08:00:00.000Z', endTime: '2029-11-01T08:00:01.000Z', cost: 5 });
const B1 = bob({
  startTime: '2030-01-15T11:00:00.000Z',
  endTime: '2030-01-15T11:00:01.000Z',
  cost: 0.4,
  endUser: 'cust-b',
});
const B2 = bob({ startTime: '2030-01-16T11:00:00.000Z', endTime: '2030-01-16T11:00:01.000Z', cost: 0.5 });
const M1 = spendEvent({
  keyHash: 'master_key',
  userId: 'default_user_id',
  teamId: null,
  startTime: '2030-01-18T00:30:00.000Z',
  endTime: '2030-01-18T00:30:01.000Z',
  model: 'gpt-4o-mini',
  modelGroup: 'gpt-4o-mini',
  cost: 0.6,
});
const ALL = [A1, A2, A3, A0, B1, B2, M1];

/** The wire row of an event as GET /spend/logs returns it. */
function wire(e: SpendEvent) {
  return {
    request_id: e.requestId,
    call_type: 'acompletion',
    api_key: e.keyHash,
    spend: e.cost,
    total_tokens: 30,
    prompt_tokens: 10,
    completion_tokens: 20,
    startTime: e.startTime,
    endTime: e.endTime,
    completionStartTime: e.completionStartTime,
    model: e.model,
    model_id: null,
    model_group: e.modelGroup,
    custom_llm_provider: null,
    api_base: e.apiBase,
    user: e.userId,
    end_user: e.endUser,
    team_id: e.teamId,
    organization_id: null,
    metadata: {
      user_api_key: e.keyHash,
      user_api_key_alias: e.keyAlias ?? null,
      user_api_key_name: e.keyName ?? null,
      user_api_key_team_id: e.teamId,
      user_api_key_org_id: null,
      user_api_key_user_id: e.userId,
      user_api_key_team_alias: e.teamAlias ?? null,
      user_api_key_end_user_id: e.endUser,
      status: 'success',
    },
    cache_hit: 'False',
    cache_key: '',
    request_tags: [],
    requester_ip_address: null,
    session_id: null,
    status: 'success',
    messages: {},
    response: {},
    proxy_server_request: {},
  };
}

describe('spend reads (wire contract §1.6)', () => {
  let h: SpendHarness;
  let iuAlice: Record<string, string>;
  let iuvAlice: Record<string, string>;
  beforeAll(async () => {
    h = await startSpend({ now: new Date('2030-01-20T12:00:00.000Z') });
    for (const e of ALL) await h.services.events.record(e);
    iuAlice = h.as('internal_user', { userId: 'alice', keyHash: KA, teamId: 'team-one' });
    iuvAlice = h.as('internal_user_viewer', { userId: 'alice', keyHash: KA });
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('GET /spend/logs', () => {
    test('when an admin asks by request_id, then the one row comes back with every field', async () => {
      const res = await request(h.app).get('/spend/logs').query({ request_id: A2.requestId }).set(h.master());
      expect(res.status).toBe(200);
      expect(res.body).toEqual([wire(A2)]);
    });

    test('when the request id is unknown, then the answer is an empty list', async () => {
      const res = await request(h.app)
        .get('/spend/logs')
        .query({ request_id: 'chatcmpl-nope' })
        .set(h.master());
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    });

    test('when api_key is a raw sk- key, then it is hashed and that key’s rows come back newest first', async () => {
      const res = await request(h.app).get('/spend/logs').query({ api_key: ALICE_KEY }).set(h.master());
      expect(res.status).toBe(200);
      expect(res.body).toEqual([wire(A3), wire(A2), wire(A1), wire(A0)]);
    });

    test('when api_key is the hash, then the same rows come back', async () => {
      const res = await request(h.app).get('/spend/logs').query({ api_key: KB }).set(h.master());
      expect(res.body).toEqual([wire(B2), wire(B1)]);
    });

    test('when an admin filters by user_id, then that user’s rows come back', async () => {
      const res = await request(h.app).get('/spend/logs').query({ user_id: 'bob' }).set(h.master());
      expect(res.body).toEqual([wire(B2), wire(B1)]);
    });

    test('when an admin gives no filter, then every row comes back, newest first', async () => {
      const res = await request(h.app)
        .get('/spend/logs')
        .set(h.as('proxy_admin', { userId: 'admin-1' }));
      expect(res.status).toBe(200);
      expect(res.body).toEqual([M1, A3, B2, B1, A2, A1, A0].map(wire));
    });

    test('when both dates are given, then spend is summarized per day (end date included) with empty days as zeros', async () => {
      const res = await request(h.app)
        .get('/spend/logs')
        .query({ start_date: '2030-01-14', end_date: '2030-01-18' })
        .set(h.master());
      expect(res.status).toBe(200);
      expect(res.body).toEqual([
        { startTime: '2030-01-14', spend: 0, users: {}, models: {} },
        {
          startTime: '2030-01-15',
          spend: 0.7,
          users: { alice: 0.3, bob: 0.4 },
          models: { 'gpt-4o': 0.5, 'gpt-4o-mini': 0.2 },
          [KA]: 0.3,
          [KB]: 0.4,
        },
        { startTime: '2030-01-16', spend: 0.5, users: { bob: 0.5 }, models: { 'gpt-4o': 0.5 }, [KB]: 0.5 },
        { startTime: '2030-01-17', spend: 0.3, users: { alice: 0.3 }, models: { 'gpt-4o': 0.3 }, [KA]: 0.3 },
        {
          startTime: '2030-01-18',
          spend: 0.6,
          users: { default_user_id: 0.6 },
          models: { 'gpt-4o-mini': 0.6 },
          master_key: 0.6,
        },
      ]);
    });

    test('when both dates are given with summarize=false, then the rows of the range come back', async () => {
      const res = await request(h.app)
        .get('/spend/logs')
        .query({ start_date: '2030-01-16', end_date: '2030-01-17', summarize: 'false' })
        .set(h.master());
      expect(res.body).toEqual([wire(A3), wire(B2)]);
    });

    test('when a date is not YYYY-MM-DD or does not exist, then it is a 422 naming the field', async () => {
      const res = await request(h.app)
        .get('/spend/logs')
        .query({ start_date: '2030-02-30', end_date: 'yesterday' })
        .set(h.master());
      expect(res.status).toBe(422);
      expect(res.body).toEqual({
        detail: [
          {
            type: 'custom',
            loc: ['query', 'start_date'],
            msg: 'start_date: must be a real date as YYYY-MM-DD',
          },
          {
            type: 'invalid_format',
            loc: ['query', 'end_date'],
            msg: 'end_date: must be a date as YYYY-MM-DD',
          },
        ],
      });
    });

    test('when a filter is sent twice, then it is a 422, not a 500', async () => {
      const res = await request(h.app).get('/spend/logs?user_id=a&user_id=b').set(h.master());
      expect(res.status).toBe(422);
      expect(res.body.detail[0].loc).toEqual(['query', 'user_id']);
    });

    test('when a proxy_admin_viewer asks, then it gets LiteLLM’s 403', async () => {
      const res = await request(h.app).get('/spend/logs').set(h.as('proxy_admin_viewer'));
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        error: {
          message:
            'user not allowed to access this route, role= proxy_admin_viewer. Trying to access: /spend/logs',
          type: 'auth_error',
          param: 'None',
          code: '403',
        },
      });
    });

    test('when a key without a user row asks, then it gets LiteLLM’s 401', async () => {
      const res = await request(h.app)
        .get('/spend/logs')
        .set(h.as('unknown', { userId: null }));
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: {
          message:
            'Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=/spend/logs. Your role=unknown. Your user_id=None',
          type: 'auth_error',
          param: 'None',
          code: '401',
        },
      });
    });

    test('when an internal user asks without filters, then only its own rows come back', async () => {
      const res = await request(h.app).get('/spend/logs').set(iuAlice);
      expect(res.status).toBe(200);
      expect(res.body).toEqual([wire(A3), wire(A2), wire(A1), wire(A0)]);
    });
  });

  describe('GET /global/spend*', () => {
    test('when an admin asks for /global/spend, then it is the spend of the last 30 days and a max_budget of 0', async () => {
      const res = await request(h.app).get('/global/spend').set(h.as('proxy_admin_viewer'));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ spend: 2.1, max_budget: 0 });
    });

    test('when an internal_user_viewer asks for /global/spend, then it is its own spend of the last 30 days', async () => {
      const res = await request(h.app).get('/global/spend').set(iuvAlice);
      expect(res.body).toEqual({ spend: 0.6, max_budget: 0 });
    });

    test('when an internal user asks for /global/spend, then the route layer answers 401 (as LiteLLM)', async () => {
      const res = await request(h.app).get('/global/spend').set(iuAlice);
      expect(res.status).toBe(401);
      expect(res.body.error.type).toBe('auth_error');
    });

    test('when an admin asks for /global/spend/logs, then it is spend per day of the last 30 days', async () => {
      const res = await request(h.app).get('/global/spend/logs').set(h.master());
      expect(res.status).toBe(200);
      expect(res.body).toEqual([
        { date: '2030-01-15', spend: 0.7 },
        { date: '2030-01-16', spend: 0.5 },
        { date: '2030-01-17', spend: 0.3 },
        { date: '2030-01-18', spend: 0.6 },
      ]);
      const one = await request(h.app).get('/global/spend/logs').query({ api_key: BOB_KEY }).set(h.master());
      expect(one.body).toEqual([
        { date: '2030-01-15', spend: 0.4, api_key: KB },
        { date: '2030-01-16', spend: 0.5, api_key: KB },
      ]);
    });

    test('when an admin asks for /global/spend/keys, then keys come by spend with alias and name, limited on request', async () => {
      const res = await request(h.app).get('/global/spend/keys').set(h.master());
      expect(res.status).toBe(200);
      expect(res.body).toEqual([
        { api_key: KB, total_spend: 0.9, key_alias: 'bob-key', key_name: null },
        // Ties by key hash.
        { api_key: KA, total_spend: 0.6, key_alias: 'alice-key', key_name: 'sk-...0000' },
        { api_key: 'master_key', total_spend: 0.6, key_alias: null, key_name: null },
      ]);
      const top = await request(h.app).get('/global/spend/keys').query({ limit: 1 }).set(h.master());
      expect(top.body).toEqual([{ api_key: KB, total_spend: 0.9, key_alias: 'bob-key', key_name: null }]);
    });

    test('when the keys limit is not a positive integer, then it is a 422', async () => {
      for (const limit of ['0', '-1', 'abc', '1.5']) {
        const res = await request(h.app).get('/global/spend/keys').query({ limit }).set(h.master());
        expect(res.status).toBe(422);
        expect(res.body.detail[0].loc).toEqual(['query', 'limit']);
      }
    });

    test('when an admin asks for /global/spend/teams, then it gets daily spend per team alias and team totals', async () => {
      const res = await request(h.app).get('/global/spend/teams').set(h.master());
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        daily_spend: [
          { date: '2030-01-15', 'Team One': 0.3, 'team-two': 0.4 },
          { date: '2030-01-16', 'team-two': 0.5 },
          { date: '2030-01-17', 'Team One': 0.3 },
          { date: '2030-01-18', Unassigned: 0.6 },
        ],
        teams: ['Team One', 'team-two', 'Unassigned'],
        total_spend_per_team: [
          { team_id: 'team-two', total_spend: 0.9 },
          { team_id: 'Team One', total_spend: 0.6 },
          { team_id: 'Unassigned', total_spend: 0.6 },
        ],
      });
    });

    test('when an admin asks for /global/spend/models, then models come by spend with their tokens', async () => {
      const res = await request(h.app).get('/global/spend/models').set(h.master());
      expect(res.status).toBe(200);
      expect(res.body).toEqual([
        { model: 'gpt-4o', total_spend: 1.3, total_tokens: 120 },
        { model: 'gpt-4o-mini', total_spend: 0.8, total_tokens: 60 },
      ]);
    });

    test('when an admin asks for end users, then the top end users come with counts and spend, filterable by key and time', async () => {
      const all = await request(h.app).post('/global/spend/end_users').set(h.master()).send({});
      expect(all.status).toBe(200);
      expect(all.body).toEqual([
        { end_user: 'cust-a', total_count: 2, total_spend: 0.5 },
        { end_user: 'cust-b', total_count: 1, total_spend: 0.4 },
      ]);
      const ofBob = await request(h.app)
        .post('/global/spend/end_users')
        .set(h.master())
        .send({ api_key: BOB_KEY });
      expect(ofBob.body).toEqual([{ end_user: 'cust-b', total_count: 1, total_spend: 0.4 }]);
      const window = await request(h.app)
        .post('/global/spend/end_users')
        .set(h.master())
        .send({ startTime: '2030-01-16', endTime: '2030-01-18T00:00:00Z' });
      expect(window.body).toEqual([{ end_user: 'cust-a', total_count: 1, total_spend: 0.3 }]);
    });

    test('when an end-users time is not a datetime, then it is a 422 naming it', async () => {
      const res = await request(h.app)
        .post('/global/spend/end_users')
        .set(h.master())
        .send({ startTime: 'soon' });
      expect(res.status).toBe(422);
      expect(res.body.detail[0].loc).toEqual(['body', 'startTime']);
    });
  });

  describe('non-admin scoping: an internal user never reads another user’s spend', () => {
    const bobMarkers = [
      KB,
      'bob',
      B1.requestId,
      B2.requestId,
      'cust-b',
      'team-two',
      'master_key',
      'default_user_id',
    ];
    const probes: Array<[string, string, Record<string, string>?, unknown?]> = [
      ['GET', '/spend/logs'],
      ['GET', '/spend/logs', { user_id: 'bob' }],
      ['GET', '/spend/logs', { api_key: BOB_KEY }],
      ['GET', '/spend/logs', { api_key: KB }],
      ['GET', '/spend/logs', { request_id: B1.requestId }],
      ['GET', '/spend/logs', { start_date: '2030-01-01', end_date: '2030-01-31' }],
      ['GET', '/spend/logs', { start_date: '2030-01-01', end_date: '2030-01-31', summarize: 'false' }],
      [
        'GET',
        '/spend/logs',
        { start_date: '2030-01-01', end_date: '2030-01-31', user_id: 'bob', api_key: KB },
      ],
      ['GET', '/global/spend'],
      ['GET', '/global/spend/logs'],
      ['GET', '/global/spend/logs', { api_key: KB }],
      ['GET', '/global/spend/keys'],
      ['GET', '/global/spend/keys', { limit: '100' }],
      ['GET', '/global/spend/teams'],
      ['GET', '/global/spend/models'],
      ['POST', '/global/spend/end_users', {}, {}],
      ['POST', '/global/spend/end_users', {}, { api_key: BOB_KEY }],
      [
        'POST',
        '/global/spend/end_users',
        {},
        { api_key: KB, startTime: '2020-01-01', endTime: '2040-01-01' },
      ],
    ];

    for (const role of ['internal_user', 'internal_user_viewer'] as const) {
      test(`when an ${role} calls every spend route with every filter pointing at another user, then no answer contains that user's data`, async () => {
        const headers = h.as(role, { userId: 'alice', keyHash: KA, teamId: 'team-one' });
        let answered = 0;
        for (const [method, path, query, body] of probes) {
          const req =
            method === 'GET'
              ? request(h.app)
                  .get(path)
                  .query(query ?? {})
              : request(h.app)
                  .post(path)
                  .send(body as object);
          const res = await req.set(headers);
          // The route layer may refuse a role (LiteLLM's matrix); what it answers must be its own data.
          expect([200, 401]).toContain(res.status);
          if (res.status === 200) answered += 1;
          const text = JSON.stringify(res.body);
          for (const marker of bobMarkers) {
            expect({ path, query, body, leaked: text.includes(marker) ? marker : null }).toEqual({
              path,
              query,
              body,
              leaked: null,
            });
          }
        }
        expect(answered).toBeGreaterThanOrEqual(role === 'internal_user' ? 11 : 18);
      });
    }

    test('when an internal user asks for its own summary, then only its own spend is counted', async () => {
      const res = await request(h.app)
        .get('/spend/logs')
        .query({ start_date: '2030-01-15', end_date: '2030-01-16' })
        .set(iuAlice);
      expect(res.body).toEqual([
        {
          startTime: '2030-01-15',
          spend: 0.3,
          users: { alice: 0.3 },
          models: { 'gpt-4o': 0.1, 'gpt-4o-mini': 0.2 },
          [KA]: 0.3,
        },
        { startTime: '2030-01-16', spend: 0, users: {}, models: {} },
      ]);
    });

    test('when an internal user asks for keys, models and end users, then the answers are its own', async () => {
      const keys = await request(h.app).get('/global/spend/keys').set(iuAlice);
      expect(keys.body).toEqual([
        { api_key: KA, total_spend: 0.6, key_alias: 'alice-key', key_name: 'sk-...0000' },
      ]);
      const models = await request(h.app).get('/global/spend/models').set(iuAlice);
      expect(models.body).toEqual([
        { model: 'gpt-4o', total_spend: 0.4, total_tokens: 60 },
        { model: 'gpt-4o-mini', total_spend: 0.2, total_tokens: 30 },
      ]);
      const endUsers = await request(h.app).post('/global/spend/end_users').set(iuAlice).send({});
      expect(endUsers.body).toEqual([{ end_user: 'cust-a', total_count: 2, total_spend: 0.5 }]);
    });

    test('when a non-admin principal has no user id, then it sees nothing at all', async () => {
      const res = await request(h.app)
        .get('/spend/logs')
        .set(h.as('internal_user', { userId: null }));
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    });
  });
});
