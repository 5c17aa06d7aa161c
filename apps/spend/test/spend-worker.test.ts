import { TcpFaultProxy } from '@llmgw/testing';
import { sql } from 'kysely';
import request from 'supertest';
import { type SpendHarness, spendEvent, startSpend } from './spend-harness';

async function totalsOf(h: SpendHarness) {
  const rows = await h.db
    .selectFrom('spend.totals')
    .select(['entity_kind', 'entity_id', 'team_id', 'user_id', 'spend'])
    .orderBy('entity_kind')
    .orderBy('entity_id')
    .execute();
  return rows;
}

async function logCount(h: SpendHarness, callIds: string[]) {
  const row = await h.db
    .selectFrom('spend.spend_logs')
    .select(sql<number>`count(*)`.as('n'))
    .where('call_id', 'in', callIds)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('spend worker: exactly-once accounting', () => {
  let h: SpendHarness;
  beforeAll(async () => {
    h = await startSpend();
    h.startWorker();
  });
  afterAll(async () => {
    await h?.close();
  });

  test('when an event is processed, then one log row is written and its cost is added to the key, user, team and membership totals', async () => {
    const keyHash = 'b'.repeat(64);
    const e = spendEvent({
      keyHash,
      userId: 'u-alpha',
      teamId: 't-alpha',
      cost: 0.25,
      endUser: 'customer-9',
    });
    await h.enqueue([e]);
    await h.waitForJobs([e.callId]);

    const row = await h.db
      .selectFrom('spend.spend_logs')
      .selectAll()
      .where('call_id', '=', e.callId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      call_id: e.callId,
      request_id: e.requestId,
      call_type: 'acompletion',
      api_key: keyHash,
      spend: 0.25,
      total_tokens: 30,
      prompt_tokens: 10,
      completion_tokens: 20,
      startTime: new Date(e.startTime),
      endTime: new Date(e.endTime),
      completionStartTime: new Date(e.completionStartTime as string),
      model: 'gpt-4o',
      model_id: null,
      model_group: 'gpt-4o',
      custom_llm_provider: null,
      api_base: e.apiBase,
      user: 'u-alpha',
      end_user: 'customer-9',
      team_id: 't-alpha',
      organization_id: null,
      metadata: {
        user_api_key: keyHash,
        user_api_key_alias: null,
        user_api_key_name: null,
        user_api_key_team_id: 't-alpha',
        user_api_key_org_id: null,
        user_api_key_user_id: 'u-alpha',
        user_api_key_team_alias: null,
        user_api_key_end_user_id: 'customer-9',
        status: 'success',
      },
      cache_hit: 'False',
      cache_key: '',
      request_tags: [],
      requester_ip_address: null,
      session_id: null,
      status: 'success',
      created_at: expect.any(Date),
    });
    const totals = (await totalsOf(h)).filter((t) =>
      [keyHash, 'u-alpha', 't-alpha', 't-alpha:u-alpha'].includes(t.entity_id),
    );
    expect(totals).toEqual([
      { entity_kind: 'key', entity_id: keyHash, team_id: null, user_id: null, spend: 0.25 },
      {
        entity_kind: 'member',
        entity_id: 't-alpha:u-alpha',
        team_id: 't-alpha',
        user_id: 'u-alpha',
        spend: 0.25,
      },
      { entity_kind: 'team', entity_id: 't-alpha', team_id: null, user_id: null, spend: 0.25 },
      { entity_kind: 'user', entity_id: 'u-alpha', team_id: null, user_id: null, spend: 0.25 },
    ]);
  });

  test('when the same event is delivered again under other job ids (after completion and concurrently), then nothing changes', async () => {
    const keyHash = 'c'.repeat(64);
    const e = spendEvent({ keyHash, userId: 'u-dup', teamId: null, cost: 1.5 });
    await h.enqueue([e]);
    await h.waitForJobs([e.callId]);
    await Promise.all([
      h.enqueue([e], { jobIdSuffix: '-again-1' }),
      h.enqueue([e], { jobIdSuffix: '-again-2' }),
      h.enqueue([e], { jobIdSuffix: '-again-3' }),
    ]);
    await h.waitForJobs([`${e.callId}-again-1`, `${e.callId}-again-2`, `${e.callId}-again-3`]);

    expect(await logCount(h, [e.callId])).toBe(1);
    const totals = (await totalsOf(h)).filter((t) => [keyHash, 'u-dup'].includes(t.entity_id));
    expect(totals).toEqual([
      { entity_kind: 'key', entity_id: keyHash, team_id: null, user_id: null, spend: 1.5 },
      { entity_kind: 'user', entity_id: 'u-dup', team_id: null, user_id: null, spend: 1.5 },
    ]);
    const job = await h.queue.getJob(`${e.callId}-again-2`);
    expect(job?.returnvalue).toEqual({ kind: 'spend', outcome: 'duplicate' });
  });

  test('when 200 events of one team arrive at once, then the team total is their exact sum', async () => {
    const events = Array.from({ length: 200 }, (_, i) =>
      spendEvent({
        keyHash: 'd'.repeat(64),
        userId: `u-many-${i % 7}`,
        teamId: 't-many',
        cost: 0.0000123 * (i + 1),
      }),
    );
    await h.enqueue(events);
    await h.waitForJobs(events.map((e) => e.callId));

    const team = (await totalsOf(h)).find((t) => t.entity_id === 't-many');
    const expected = events.reduce((s, e) => s + e.cost, 0);
    expect(team?.spend).toBeCloseTo(expected, 9);
    const { sum } = await h.db
      .selectFrom('spend.spend_logs')
      .select(sql<number>`sum(spend)`.as('sum'))
      .where('team_id', '=', 't-many')
      .executeTakeFirstOrThrow();
    expect(team?.spend).toBe(sum);
  });

  test('when an upstream repeats a completion id, then the second call is still logged (under its call id) and charged', async () => {
    const first = spendEvent({
      requestId: 'chatcmpl-repeated',
      keyHash: 'e'.repeat(64),
      userId: null,
      teamId: null,
    });
    const second = spendEvent({
      requestId: 'chatcmpl-repeated',
      keyHash: 'e'.repeat(64),
      userId: null,
      teamId: null,
    });
    await h.enqueue([first]);
    await h.waitForJobs([first.callId]);
    await h.enqueue([second]);
    await h.waitForJobs([second.callId]);

    const rows = await h.db
      .selectFrom('spend.spend_logs')
      .select(['call_id', 'request_id'])
      .where('call_id', 'in', [first.callId, second.callId])
      .orderBy('request_id')
      .execute();
    expect(rows).toEqual(
      [
        { call_id: first.callId, request_id: 'chatcmpl-repeated' },
        { call_id: second.callId, request_id: second.callId },
      ].sort((a, b) => (a.request_id < b.request_id ? -1 : 1)),
    );
    const key = (await totalsOf(h)).find((t) => t.entity_id === 'e'.repeat(64));
    expect(key?.spend).toBeCloseTo(first.cost + second.cost, 12);
  });
});

describe('spend worker: failures', () => {
  let h: SpendHarness;
  const failOnce = new Set<string>();
  beforeAll(async () => {
    h = await startSpend();
    h.startWorker({
      wrap: (p) => async (job) => {
        const callId = (job.data as { callId?: string }).callId ?? '';
        if (failOnce.delete(callId)) throw new Error('simulated failure');
        return p(job);
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('when a payload is invalid, then the job fails at once (no retries) with the reason, and admins can list it', async () => {
    await h.queue.add('spend', { callId: 'poison-1', cost: 'a lot' }, { jobId: 'poison-1', attempts: 5 });
    await h.waitForJobs(['poison-1'], 'failed');

    const res = await request(h.app).get('/spend/failed').set(h.master());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      jobs: [
        {
          job_id: 'poison-1',
          name: 'spend',
          failed_reason:
            'invalid spend event: bad or missing requestId, keyHash, userId, teamId, model, modelGroup, apiBase, callType, promptTokens, completionTokens, cost, startTime, endTime, completionStartTime, status, endUser',
          attempts_made: 1,
          created_at: expect.any(String),
          failed_at: expect.any(String),
          data: { callId: 'poison-1', cost: 'a lot' },
        },
      ],
      total: 1,
      page: 1,
      page_size: 25,
      total_pages: 1,
    });
  });

  test('when an event has an unparseable time, then it fails at once naming the field', async () => {
    const e = spendEvent({ endTime: 'yesterday' });
    await h.enqueue([e], { attempts: 5 });
    await h.waitForJobs([e.callId], 'failed');
    const job = await h.queue.getJob(e.callId);
    expect(job?.failedReason).toBe('invalid spend event: bad endTime');
    expect(job?.attemptsMade).toBe(1);
  });

  test('when a non-admin asks for failed spend jobs, then the route layer refuses it', async () => {
    const iu = await request(h.app)
      .get('/spend/failed')
      .set(h.as('internal_user', { userId: 'someone-1234' }));
    expect(iu.status).toBe(401);
    expect(iu.body).toEqual({
      error: {
        message:
          'Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=/spend/failed. Your role=internal_user. Your user_id=someon****34',
        type: 'auth_error',
        param: 'None',
        code: '401',
      },
    });
    const pav = await request(h.app).get('/spend/failed').set(h.as('proxy_admin_viewer'));
    expect(pav.status).toBe(403);
    expect(pav.body).toEqual({
      error: {
        message:
          'user not allowed to access this route, role= proxy_admin_viewer. Trying to access: /spend/failed',
        type: 'auth_error',
        param: 'None',
        code: '403',
      },
    });
  });

  test('when a valid job used up its attempts, then an admin retry runs it again and it is recorded once', async () => {
    const e = spendEvent({ keyHash: 'f'.repeat(64), userId: 'u-retry', teamId: null, cost: 2 });
    failOnce.add(e.callId);
    await h.enqueue([e], { attempts: 1 });
    await h.waitForJobs([e.callId], 'failed');

    const res = await request(h.app).post('/spend/retry').set(h.master()).send({ job_id: e.callId });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ job_id: e.callId, status: 'queued' });
    await h.waitForJobs([e.callId]);
    expect(await logCount(h, [e.callId])).toBe(1);
  });

  test('when a retry names an invalid or unknown job, then it is refused', async () => {
    const poison = await request(h.app).post('/spend/retry').set(h.master()).send({ job_id: 'poison-1' });
    expect(poison.status).toBe(400);
    expect(poison.body).toEqual({
      error: {
        message: expect.stringMatching(
          /^spend job poison-1 cannot be retried: invalid spend event: bad or missing /,
        ),
        type: 'bad_request_error',
        param: 'job_id',
        code: '400',
      },
    });
    const unknown = await request(h.app).post('/spend/retry').set(h.master()).send({ job_id: 'nope' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      error: { message: 'spend job nope not found', type: 'not_found_error', param: 'job_id', code: '404' },
    });
    const bad = await request(h.app).post('/spend/retry').set(h.master()).send({ job_id: 7 });
    expect(bad.status).toBe(422);
  });

  test('when a job fails once, then it is retried with backoff and recorded', async () => {
    const e = spendEvent({ keyHash: '1'.repeat(64), userId: null, teamId: null });
    failOnce.add(e.callId);
    await h.enqueue([e], { attempts: 3 });
    await h.waitForJobs([e.callId]);
    const job = await h.queue.getJob(e.callId);
    expect(job?.attemptsMade).toBe(2);
    expect(await logCount(h, [e.callId])).toBe(1);
  });
});

describe('spend worker: Postgres outage', () => {
  let h: SpendHarness;
  let proxy: TcpFaultProxy;
  beforeAll(async () => {
    proxy = await new TcpFaultProxy(5432).start();
    h = await startSpend({
      databaseUrl: (url) => {
        const u = new URL(url);
        u.port = String(proxy.port);
        return u.toString();
      },
    });
    h.startWorker();
  });
  afterAll(async () => {
    await h?.close();
    await proxy?.stop();
  });

  test('when Postgres is unreachable, then spend jobs wait without using their attempts and are recorded once it is back', async () => {
    proxy.cut();
    const e = spendEvent({ keyHash: '2'.repeat(64), userId: null, teamId: null, cost: 3 });
    await h.enqueue([e], { attempts: 2 });
    await new Promise((r) => setTimeout(r, 1500));
    const waiting = await h.queue.getJob(e.callId);
    expect(['delayed', 'waiting', 'active']).toContain(await waiting?.getState());
    expect(waiting?.attemptsMade).toBe(0);

    proxy.restore();
    await h.waitForJobs([e.callId]);
    expect(await logCount(h, [e.callId])).toBe(1);
    expect(h.logs().some((l) => l.msg === 'postgres unreachable; spend jobs wait')).toBe(true);
  });

  test('when Postgres is unreachable, then spend reads answer 503 with a clear message', async () => {
    proxy.cut();
    try {
      const res = await request(h.app).get('/spend/logs').set(h.master());
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        error: {
          message: 'the spend database is unavailable, retry shortly',
          type: 'service_unavailable',
          param: null,
          code: '503',
        },
      });
    } finally {
      proxy.restore();
    }
    const after = await request(h.app).get('/spend/logs').set(h.master());
    expect(after.status).toBe(200);
  });
});
