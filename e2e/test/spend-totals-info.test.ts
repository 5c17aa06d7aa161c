import { keyWireRow, sha256 } from '@llmgw/testing';
import pg from 'pg';
import { call, MASTER_KEY, type Stack, startStack } from '../src/stack';

const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
/** Spend is numeric(20,10) in Postgres; sums of float costs agree to far more than 9 digits. */
const close = (v: number) => expect.closeTo(v, 9);

/** The next midnight UTC after `ms` (LiteLLM's standardized `1d` reset). */
const nextMidnight = (ms: number) => {
  const d = new Date(ms);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)).toISOString();
};

describe('spend totals in /key/info, /user/info and /team/info (whole system)', () => {
  let stack: Stack;
  let teamId: string;
  let userId: string;
  let key: string;

  beforeAll(async () => {
    stack = await startStack();
    const team = await call(`${stack.gatewayUrl}/team/new`, {
      key: MASTER_KEY,
      body: { team_alias: 'Totals Team' },
    });
    expect(team.status).toBe(200);
    teamId = (team.body as { team_id: string }).team_id;
    const user = await call(`${stack.gatewayUrl}/user/new`, {
      key: MASTER_KEY,
      body: {
        user_email: 'totals@example.com',
        user_role: 'internal_user',
        teams: [teamId],
        auto_create_key: false,
      },
    });
    expect(user.status).toBe(200);
    userId = (user.body as { user_id: string }).user_id;
    const k = await call(`${stack.gatewayUrl}/key/generate`, {
      key: MASTER_KEY,
      body: { user_id: userId, team_id: teamId, key_alias: 'totals-key' },
    });
    expect(k.status).toBe(200);
    key = (k.body as { key: string }).key;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  test('when a team member’s key makes 2 chat calls, then /key/info, /user/info and /team/info show their summed cost as spend', async () => {
    let sum = 0;
    for (const content of ['first call', 'second, longer call']) {
      const res = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
        key,
        body: { model: 'gpt-4o', max_tokens: 5, messages: [{ role: 'user', content }] },
      });
      expect(res.status).toBe(200);
      sum += Number(res.headers.get('x-litellm-response-cost'));
    }
    expect(sum).toBeGreaterThan(0);

    // The spend worker writes within about a second; the reads show the totals as soon as they exist.
    const started = Date.now();
    let keyInfo = await call(`${stack.gatewayUrl}/key/info?key=${key}`, { key: MASTER_KEY });
    while (Math.abs((keyInfo.body as { info: { spend: number } }).info.spend - sum) > 1e-9) {
      if (Date.now() - started > 5000) break;
      await new Promise((r) => setTimeout(r, 50));
      keyInfo = await call(`${stack.gatewayUrl}/key/info?key=${key}`, { key: MASTER_KEY });
    }
    console.log(`spend totals visible in /key/info ${Date.now() - started} ms after the second call`);

    expect(keyInfo.status).toBe(200);
    expect(keyInfo.headers.get('x-llmgw-spend-stale')).toBeNull();
    // /key/info shows the row without its token.
    const { token: _token, ...info } = keyWireRow({
      key_name: `sk-...${key.slice(-4)}`,
      key_alias: 'totals-key',
      spend: close(sum),
      user_id: userId,
      team_id: teamId,
      created_at: ISO,
      updated_at: ISO,
    });
    expect(keyInfo.body).toEqual({ key, info });

    const userInfo = await call(`${stack.gatewayUrl}/user/info?user_id=${userId}`, { key: MASTER_KEY });
    expect(userInfo.status).toBe(200);
    expect(userInfo.headers.get('x-llmgw-spend-stale')).toBeNull();
    expect(userInfo.body).toEqual({
      user_id: userId,
      user_info: expect.objectContaining({ user_id: userId, teams: [teamId], spend: close(sum) }),
      keys: [
        expect.objectContaining({
          token: sha256(key),
          key_alias: 'totals-key',
          spend: close(sum),
          team_alias: 'Totals Team',
        }),
      ],
      teams: [
        expect.objectContaining({
          team_id: teamId,
          spend: close(sum),
          team_memberships: [
            {
              user_id: userId,
              team_id: teamId,
              spend: close(sum),
              budget_id: null,
              litellm_budget_table: null,
            },
          ],
        }),
      ],
    });

    const teamInfo = await call(`${stack.gatewayUrl}/team/info?team_id=${teamId}`, { key: MASTER_KEY });
    expect(teamInfo.status).toBe(200);
    expect(teamInfo.headers.get('x-llmgw-spend-stale')).toBeNull();
    expect(teamInfo.body).toEqual({
      team_id: teamId,
      team_info: expect.objectContaining({ team_id: teamId, team_alias: 'Totals Team', spend: close(sum) }),
      keys: [expect.objectContaining({ token: sha256(key), spend: close(sum) })],
      // The team's creator (the master key's user) and the member; only the member has spent.
      team_memberships: expect.arrayContaining([
        { user_id: userId, team_id: teamId, spend: close(sum), budget_id: null, litellm_budget_table: null },
        {
          user_id: 'default_user_id',
          team_id: teamId,
          spend: 0,
          budget_id: null,
          litellm_budget_table: null,
        },
      ]),
    });
    expect((teamInfo.body as { team_memberships: unknown[] }).team_memberships).toHaveLength(2);
  });

  test('when a key is generated with budget_duration "1d", then the spend service holds its schedule: next midnight UTC, the same time the key shows', async () => {
    const before = Date.now();
    const res = await call(`${stack.gatewayUrl}/key/generate`, {
      key: MASTER_KEY,
      body: { key_alias: 'daily-budget-key', max_budget: 1, budget_duration: '1d' },
    });
    const after = Date.now();
    expect(res.status).toBe(200);
    const body = res.body as { key: string; budget_duration: string; budget_reset_at: string };
    expect([nextMidnight(before), nextMidnight(after)]).toContain(body.budget_reset_at);

    const db = new pg.Client({ connectionString: stack.database.url });
    await db.connect();
    try {
      const rows = await db.query(
        `select entity_kind, entity_id, spend::float8 as spend, budget_duration, budget_reset_at
           from spend.totals where entity_kind = 'key' and entity_id = $1`,
        [sha256(body.key)],
      );
      expect(rows.rows).toEqual([
        {
          entity_kind: 'key',
          entity_id: sha256(body.key),
          spend: 0,
          budget_duration: '1d',
          budget_reset_at: new Date(body.budget_reset_at),
        },
      ]);
    } finally {
      await db.end();
    }

    const info = await call(`${stack.gatewayUrl}/key/info?key=${body.key}`, { key: MASTER_KEY });
    expect(info.status).toBe(200);
    expect((info.body as { info: Record<string, unknown> }).info).toEqual(
      expect.objectContaining({
        spend: 0,
        budget_duration: '1d',
        budget_reset_at: body.budget_reset_at,
        updated_at: ISO,
      }),
    );
  });
});
