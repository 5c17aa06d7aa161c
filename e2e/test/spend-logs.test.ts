import { createHash } from 'node:crypto';
import { call, MASTER_KEY, type Stack, sseData, startStack } from '../src/stack';

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Polls /spend/logs?request_id= until the row is there; answers it and how long it took. */
async function waitForLog(stack: Stack, requestId: string, key = MASTER_KEY) {
  const started = Date.now();
  for (;;) {
    const res = await call(`${stack.gatewayUrl}/spend/logs?request_id=${encodeURIComponent(requestId)}`, {
      key,
    });
    expect(res.status).toBe(200);
    const rows = res.body as Array<Record<string, unknown>>;
    if (rows.length > 0) return { rows, ms: Date.now() - started };
    if (Date.now() - started > 20_000) throw new Error(`no spend log for ${requestId} after 20 s`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('spend logs of calls through the gateway', () => {
  let stack: Stack;
  let key: string;
  let userId: string;
  let teamId: string;
  const chat = {
    model: 'gpt-4o',
    max_tokens: 4,
    messages: [{ role: 'user', content: 'hi' }],
    mock_response: 'a b c d',
  };

  /** An internal user in the team, with a team key generated for it by the master key. */
  async function teamUser(email: string) {
    const user = await call(`${stack.gatewayUrl}/user/new`, {
      key: MASTER_KEY,
      body: { user_email: email, user_role: 'internal_user', teams: [teamId], auto_create_key: false },
    });
    expect(user.status).toBe(200);
    const id = (user.body as { user_id: string }).user_id;
    const k = await call(`${stack.gatewayUrl}/key/generate`, {
      key: MASTER_KEY,
      body: { user_id: id, team_id: teamId, key_alias: `spend-e2e-${email}` },
    });
    expect(k.status).toBe(200);
    return { userId: id, key: (k.body as { key: string }).key };
  }

  beforeAll(async () => {
    stack = await startStack();
    const team = await call(`${stack.gatewayUrl}/team/new`, {
      key: MASTER_KEY,
      body: { team_alias: 'Spend Team' },
    });
    expect(team.status).toBe(200);
    teamId = (team.body as { team_id: string }).team_id;
    ({ userId, key } = await teamUser('alice@example.com'));
  });
  afterAll(async () => {
    await stack?.stop();
  });

  test('when a chat call succeeds, then /spend/logs?request_id=<completion id> shows it with tokens, cost, key hash, user, model and timings', async () => {
    const before = Date.now();
    const res = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat });
    expect(res.status).toBe(200);
    const body = res.body as { id: string; usage: { prompt_tokens: number; completion_tokens: number } };
    const { rows, ms } = await waitForLog(stack, body.id);
    console.log(`JSON call visible in /spend/logs ${ms} ms after the response`);

    expect(rows).toEqual([
      {
        request_id: body.id,
        call_type: 'acompletion',
        api_key: sha256(key),
        spend: Number(res.headers.get('x-litellm-response-cost')),
        total_tokens: body.usage.prompt_tokens + body.usage.completion_tokens,
        prompt_tokens: body.usage.prompt_tokens,
        completion_tokens: body.usage.completion_tokens,
        startTime: expect.stringMatching(ISO),
        endTime: expect.stringMatching(ISO),
        completionStartTime: null,
        model: 'gpt-4o',
        // Filled once the gateway sends the optional event fields (model id, provider, aliases).
        model_id: rows[0]?.model_id === null ? null : res.headers.get('x-litellm-model-id'),
        model_group: 'gpt-4o',
        custom_llm_provider: rows[0]?.custom_llm_provider === null ? null : 'openai',
        api_base: `http://127.0.0.1:${stack.ports['mock-llm']}/v1`,
        user: userId,
        end_user: null,
        team_id: teamId,
        organization_id: null,
        metadata: expect.objectContaining({
          user_api_key: sha256(key),
          user_api_key_user_id: userId,
          user_api_key_team_id: teamId,
        }),
        cache_hit: 'False',
        cache_key: '',
        request_tags: [],
        requester_ip_address: null,
        session_id: null,
        status: 'success',
        messages: {},
        response: {},
        proxy_server_request: {},
      },
    ]);
    const row = rows[0] as { startTime: string; endTime: string; spend: number };
    expect(row.spend).toBeGreaterThan(0);
    expect(Date.parse(row.startTime)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(row.endTime)).toBeGreaterThanOrEqual(Date.parse(row.startTime));
  });

  test('when the same call is streamed, then it is charged like the JSON call and its first-token time is logged', async () => {
    const json = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat });
    const jsonId = (json.body as { id: string }).id;
    const streamed = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
      key,
      body: { ...chat, stream: true },
    });
    expect(streamed.status).toBe(200);
    const frames = sseData(streamed.text);
    expect(frames.at(-1)).toBe('[DONE]');
    const streamId = (JSON.parse(frames[0] as string) as { id: string }).id;
    const { rows: s, ms } = await waitForLog(stack, streamId);
    console.log(`streamed call visible in /spend/logs ${ms} ms after the response`);
    const { rows: j } = await waitForLog(stack, jsonId);
    const pick = (r: Record<string, unknown>) => ({
      spend: r.spend,
      prompt_tokens: r.prompt_tokens,
      completion_tokens: r.completion_tokens,
      total_tokens: r.total_tokens,
      api_key: r.api_key,
      user: r.user,
      model: r.model,
      call_type: r.call_type,
    });
    expect(pick(s[0] as Record<string, unknown>)).toEqual(pick(j[0] as Record<string, unknown>));
    const row = s[0] as { startTime: string; completionStartTime: string; endTime: string };
    expect(row.completionStartTime).toMatch(ISO);
    expect(Date.parse(row.completionStartTime)).toBeGreaterThanOrEqual(Date.parse(row.startTime));
    expect(Date.parse(row.endTime)).toBeGreaterThanOrEqual(Date.parse(row.completionStartTime));
  });

  test('when the key asks for its own logs by api_key, then it gets every call it made', async () => {
    const res = await call(`${stack.gatewayUrl}/spend/logs?api_key=${key}`, { key: MASTER_KEY });
    expect(res.status).toBe(200);
    const rows = res.body as Array<{ api_key: string }>;
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(new Set(rows.map((r) => r.api_key))).toEqual(new Set([sha256(key)]));
  });

  test('when an internal user calls every spend route about another user of its team, then it only ever sees its own spend', async () => {
    const bob = await teamUser('bob@example.com');
    const bobCall = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
      key: bob.key,
      body: { ...chat, user: 'bobs-customer' },
    });
    const bobRequestId = (bobCall.body as { id: string }).id;
    await waitForLog(stack, bobRequestId);

    const asAlice = (path: string, body?: unknown) => call(`${stack.gatewayUrl}${path}`, { key, body });
    const markers = [sha256(bob.key), bob.userId, bobRequestId, 'bobs-customer'];
    const probes: Array<[string, unknown?]> = [
      ['/spend/logs'],
      [`/spend/logs?user_id=${bob.userId}`],
      [`/spend/logs?api_key=${bob.key}`],
      [`/spend/logs?api_key=${sha256(bob.key)}`],
      [`/spend/logs?request_id=${bobRequestId}`],
      ['/spend/logs?start_date=2026-01-01&end_date=2030-12-31'],
      [`/spend/logs?start_date=2026-01-01&end_date=2030-12-31&summarize=false&user_id=${bob.userId}`],
      ['/global/spend/keys'],
      ['/global/spend/models'],
      ['/global/spend/end_users', {}],
      ['/global/spend/end_users', { api_key: bob.key }],
    ];
    for (const [path, body] of probes) {
      const res = await asAlice(path, body);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect({ path, leaked: markers.filter((m) => res.text.includes(m)) }).toEqual({ path, leaked: [] });
    }
    const own = await asAlice(`/spend/logs?request_id=${bobRequestId}`);
    expect(own.body).toEqual([]);
    for (const path of ['/global/spend', '/global/spend/logs', '/global/spend/teams']) {
      const res = await asAlice(path);
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
    }
    const reset = await asAlice('/global/spend/reset', {});
    expect(reset.status).toBe(401);
    expect(reset.body).toEqual({
      error: {
        message:
          'Authentication Error, Tried to access route=/global/spend/reset, which is only for MASTER KEY',
        type: 'auth_error',
        param: 'None',
        code: '401',
      },
    });
  });
});
