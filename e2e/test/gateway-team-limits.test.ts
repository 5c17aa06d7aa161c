import { call, MASTER_KEY, type Stack, startStack } from '../src/stack';

/**
 * Team, user and team-member scopes on the hot path: the auth record carries the owner, team and
 * membership facts from identity, and the gateway enforces their model lists, rate limits and budgets.
 * Prices (e2e config): input 1e-6, output 2e-6 USD per token; each call below costs 1e-6 + 2 * 2e-6.
 */
const chat = (model = 'gpt-4o') => ({
  model,
  max_tokens: 2,
  messages: [{ role: 'user', content: 'hi' }],
  mock_response: 'a b',
});
const COST = 1e-6 + 2 * 2e-6;

describe('team, user and member limits', () => {
  let stack: Stack;
  const admin = (path: string, body: unknown) =>
    call(`${stack.gatewayUrl}${path}`, { key: MASTER_KEY, body });

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function teamKey(team: Record<string, unknown>, memberBudget?: number) {
    const t = await admin('/team/new', team);
    expect(t.status).toBe(200);
    const teamId = (t.body as { team_id: string }).team_id;
    const u = await admin('/user/new', {
      user_email: `u${Date.now()}${Math.random()}@example.com`,
      user_role: 'internal_user',
      auto_create_key: false,
    });
    expect(u.status).toBe(200);
    const userId = (u.body as { user_id: string }).user_id;
    const m = await admin('/team/member_add', {
      team_id: teamId,
      member: { role: 'user', user_id: userId },
      ...(memberBudget === undefined ? {} : { max_budget_in_team: memberBudget }),
    });
    expect(m.status).toBe(200);
    const k = await admin('/key/generate', { team_id: teamId, user_id: userId });
    expect(k.status).toBe(200);
    return { teamId, userId, key: (k.body as { key: string }).key };
  }

  it('when the team allows only some models, then other models get 401 team_model_access_denied', async () => {
    const { teamId, key } = await teamKey({ team_alias: 'models-team', models: ['gpt-4o'] });
    const ok = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat('gpt-4o') });
    expect(ok.status).toBe(200);
    const denied = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat('gpt-4o-mini') });
    expect(denied.status).toBe(401);
    expect(denied.body).toEqual({
      error: {
        message: `Team not allowed to access model. Team=${teamId}, Model=gpt-4o-mini. Allowed team models = ['gpt-4o']`,
        type: 'team_model_access_denied',
        param: 'model',
        code: '401',
      },
    });
    const models = await call(`${stack.gatewayUrl}/v1/models`, { key });
    expect((models.body as { data: { id: string }[] }).data.map((m) => m.id)).toEqual(['gpt-4o']);
  });

  it('when the team budget is spent, then every key of the team gets the team budget error', async () => {
    const { teamId, key } = await teamKey({ team_alias: 'budget-team', max_budget: 2 * COST });
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat() })).status);
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    const over = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat() });
    expect(over.status).toBe(400);
    expect(over.body).toEqual({
      error: {
        message: expect.stringMatching(
          new RegExp(
            `^Budget has been exceeded! Team=${teamId} Current cost: [0-9.e-]+, Max budget: [0-9.e-]+$`,
          ),
        ),
        type: 'budget_exceeded',
        param: null,
        code: '400',
      },
    });
  });

  it('when the member budget in the team is spent, then that member is refused', async () => {
    const { teamId, userId, key } = await teamKey({ team_alias: 'member-team' }, COST);
    expect((await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat() })).status).toBe(200);
    const over = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat() });
    expect(over.status).toBe(400);
    expect(over.body).toEqual({
      error: {
        message: expect.stringMatching(
          new RegExp(
            `^Budget has been exceeded! Team member=${userId} in Team=${teamId} Current cost: [0-9.e-]+, Max budget: [0-9.e-]+$`,
          ),
        ),
        type: 'budget_exceeded',
        param: null,
        code: '400',
      },
    });
  });

  it('when the team rpm limit is reached, then 429 names the team', async () => {
    const { teamId, key } = await teamKey({ team_alias: 'rpm-team', rpm_limit: 1 });
    expect((await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat() })).status).toBe(200);
    const limited = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat() });
    expect(limited.status).toBe(429);
    expect((limited.body as { error: { message: string } }).error.message).toMatch(
      new RegExp(
        `^Rate limit exceeded for team: ${teamId}\\. Limit type: requests\\. Current limit: 1, Remaining: 0\\.`,
      ),
    );
  });

  it('when a personal key belongs to a user with a model list, then other models get user_model_access_denied', async () => {
    const u = await admin('/user/new', {
      user_email: 'solo@example.com',
      user_role: 'internal_user',
      models: ['gpt-4o'],
      auto_create_key: false,
    });
    const userId = (u.body as { user_id: string }).user_id;
    const k = await admin('/key/generate', { user_id: userId });
    const key = (k.body as { key: string }).key;
    const denied = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat('gpt-4o-mini') });
    expect(denied.status).toBe(401);
    expect(denied.body).toEqual({
      error: {
        message:
          "user not allowed to access model. This user can only access models=['gpt-4o']. Tried to access gpt-4o-mini",
        type: 'user_model_access_denied',
        param: 'model',
        code: '401',
      },
    });
  });
});
