/**
 * Keys across processes: two gateway replicas on different ports share one Redis; keys changes reach
 * both within the invalidation window. Identity is a fake HTTP server of this test (the edge of the
 * keys service) so the test controls the user/team facts and plays identity's notifications.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SpawnedApp } from '@llmgw/testing';
import { Redis } from 'ioredis';
import { call, MASTER_KEY, type Stack, startStack } from '../src/stack';

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Signs a principal as services expect it (identity calling keys' internal routes). */
function signPrincipal(secret: string): string {
  const principal = {
    kind: 'master',
    userId: 'default_user_id',
    role: 'proxy_admin',
    keyHash: null,
    teamId: null,
    sessionId: null,
  };
  const payload = `${Buffer.from(JSON.stringify(principal)).toString('base64url')}.${Date.now()}`;
  return `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
}

const limits = {
  max_budget: null,
  spend: 0,
  tpm_limit: null,
  rpm_limit: null,
  max_parallel_requests: null,
  budget_duration: null,
  budget_reset_at: null,
};

/** The identity facts the keys service asks for, from maps this test changes. */
class FakeIdentity {
  users = new Map<string, string>();
  blockedTeams = new Set<string>();
  teams = new Set<string>();
  private server: Server | null = null;
  url = '';

  async start() {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/internal/auth-facts') {
        res.writeHead(404).end();
        return;
      }
      const userId = url.searchParams.get('user_id');
      const teamId = url.searchParams.get('team_id');
      const role = userId ? this.users.get(userId) : undefined;
      const user = userId && role ? { user_id: userId, user_role: role, models: [], ...limits } : null;
      const team =
        teamId && this.teams.has(teamId)
          ? {
              team_id: teamId,
              team_alias: null,
              blocked: this.blockedTeams.has(teamId),
              models: [],
              model_aliases: {},
              ...limits,
            }
          : null;
      const membership = user && team ? { role: 'user', ...limits } : null;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ user, team, membership }));
    });
    this.server = server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  stop() {
    return new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

describe('keys: changes reach every gateway replica', () => {
  let stack: Stack;
  let identity: FakeIdentity;
  let second: SpawnedApp;
  let gateways: string[];
  const latencies: string[] = [];

  beforeAll(async () => {
    identity = await new FakeIdentity().start();
    stack = await startStack({ IDENTITY_URL: identity.url });
    second = await stack.startGateway();
    gateways = [stack.gatewayUrl, second.baseUrl];
  });
  afterAll(async () => {
    console.log(
      `invalidation latency (change acknowledged -> refused by both gateways):\n${latencies.join('\n')}`,
    );
    await stack?.stop();
    await identity?.stop();
  });

  const generate = async (body: Record<string, unknown> = {}) => {
    const res = await call(`${stack.gatewayUrl}/key/generate`, { key: MASTER_KEY, body });
    expect(res.status).toBe(200);
    return (res.body as { key: string }).key;
  };

  /** Uses the key on both gateways, so each holds its record in memory before the change. */
  const useOnBoth = async (key: string) => {
    for (const url of gateways) {
      const res = await call(`${url}/v1/models`, { key });
      expect(res.status).toBe(200);
    }
  };

  /** Polls both gateways until each refuses the key; returns their answers and the time it took. */
  const refusedByBoth = async (label: string, key: string, changedAt: number) => {
    const answers = await Promise.all(
      gateways.map(async (url) => {
        for (;;) {
          const res = await call(`${url}/v1/models`, { key });
          if (res.status !== 200) return { status: res.status, body: res.body, ms: Date.now() - changedAt };
          if (Date.now() - changedAt > 10_000) throw new Error(`${url} still accepts the key after 10 s`);
          await sleep(5);
        }
      }),
    );
    latencies.push(`  ${label}: ${answers.map((a, i) => `gateway ${i + 1} ${a.ms} ms`).join(', ')}`);
    return answers.map(({ status, body }) => ({ status, body }));
  };

  const unknownKeyBody = (key: string) => ({
    error: {
      message: `Authentication Error, Invalid proxy server token passed. Received API Key = sk-...${key.slice(-4)}, Key Hash (Token) =${sha256(key)}. Unable to find token in cache or \`LiteLLM_VerificationTokenTable\``,
      type: 'token_not_found_in_db',
      param: 'key',
      code: '401',
    },
  });

  test('when a key used on both gateways is deleted through one of them, then both refuse it as unknown', async () => {
    const key = await generate();
    await useOnBoth(key);

    const del = await call(`${stack.gatewayUrl}/key/delete`, { key: MASTER_KEY, body: { keys: [key] } });
    const changedAt = Date.now();
    expect(del.status).toBe(200);

    expect(await refusedByBoth('key deleted', key, changedAt)).toEqual([
      { status: 401, body: unknownKeyBody(key) },
      { status: 401, body: unknownKeyBody(key) },
    ]);
  });

  test('when a key used on both gateways is blocked through the other one, then both refuse it as blocked', async () => {
    const key = await generate();
    await useOnBoth(key);

    const block = await call(`${second.baseUrl}/key/block`, { key: MASTER_KEY, body: { key } });
    const changedAt = Date.now();
    expect(block.status).toBe(200);

    const blocked = {
      status: 401,
      body: {
        error: {
          message: "Authentication Error, Key is blocked. Update via `/key/unblock` if you're admin.",
          type: 'auth_error',
          param: 'None',
          code: '401',
        },
      },
    };
    expect(await refusedByBoth('key blocked', key, changedAt)).toEqual([blocked, blocked]);
  });

  test('when the key’s team is blocked and identity notifies keys, then both gateways refuse it', async () => {
    const team = `team-${randomBytes(4).toString('hex')}`;
    identity.teams.add(team);
    const key = await generate({ team_id: team });
    await useOnBoth(key);

    identity.blockedTeams.add(team);
    const notify = await call(`${stack.apps.keys.baseUrl}/internal/auth-invalidate`, {
      headers: { 'x-llmgw-principal': signPrincipal(stack.env.INTERNAL_SECRET ?? '') },
      body: { teamIds: [team] },
    });
    const changedAt = Date.now();
    expect(notify).toMatchObject({ status: 200, body: { invalidated: 1 } });

    const teamBlocked = {
      status: 401,
      body: {
        error: {
          message: `Authentication Error, Team=${team} is blocked. Update via \`/team/unblock\` if your admin.`,
          type: 'auth_error',
          param: 'None',
          code: '401',
        },
      },
    };
    expect(await refusedByBoth('team blocked', key, changedAt)).toEqual([teamBlocked, teamBlocked]);
  });

  test('when the key’s user is deleted and identity cascades to keys, then both gateways refuse it', async () => {
    const user = `user-${randomBytes(4).toString('hex')}`;
    identity.users.set(user, 'internal_user');
    const key = await generate({ user_id: user });
    await useOnBoth(key);

    identity.users.delete(user);
    const cascade = await call(`${stack.apps.keys.baseUrl}/internal/keys/delete-by-owner`, {
      headers: { 'x-llmgw-principal': signPrincipal(stack.env.INTERNAL_SECRET ?? '') },
      body: { userIds: [user] },
    });
    const changedAt = Date.now();
    expect(cascade).toMatchObject({ status: 200, body: { deleted_keys: [sha256(key)] } });

    expect(await refusedByBoth('user deleted', key, changedAt)).toEqual([
      { status: 401, body: unknownKeyBody(key) },
      { status: 401, body: unknownKeyBody(key) },
    ]);
  });

  test('when a key is regenerated, then the old key is refused by both at once and the new one works on both', async () => {
    const old = await generate();
    await useOnBoth(old);

    const regen = await call(`${stack.gatewayUrl}/key/${old}/regenerate`, { key: MASTER_KEY, body: {} });
    const changedAt = Date.now();
    expect(regen.status).toBe(200);

    expect(await refusedByBoth('key regenerated (old key)', old, changedAt)).toEqual([
      { status: 401, body: unknownKeyBody(old) },
      { status: 401, body: unknownKeyBody(old) },
    ]);
    await useOnBoth((regen.body as { key: string }).key);
  });

  describe('error bodies through the gateway', () => {
    test('when a key has expired, then 400 expired_key on both gateways', async () => {
      const key = await generate({ duration: '1s' });
      let res = await call(`${stack.gatewayUrl}/v1/models`, { key });
      while (res.status === 200) {
        await sleep(100);
        res = await call(`${stack.gatewayUrl}/v1/models`, { key });
      }
      const other = await call(`${second.baseUrl}/v1/models`, { key });

      for (const r of [res, other]) {
        expect(r.status).toBe(400);
        expect(r.body).toEqual({
          error: {
            message: expect.stringMatching(
              /^Authentication Error - Expired Key\. Key Expiry time \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00 and current time \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00$/,
            ),
            type: 'expired_key',
            param: sha256(key),
            code: '400',
          },
        });
      }
    });

    test('when the key does not start with sk-, then 401 with the key masked', async () => {
      const res = await call(`${second.baseUrl}/v1/models`, { key: 'not-a-virtual-key-1234' });

      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: {
          message:
            "Authentication Error, LiteLLM Virtual Key expected. Received=not...1234, expected to start with 'sk-'.",
          type: 'auth_error',
          param: 'None',
          code: '401',
        },
      });
    });

    test('when 10,000 requests carry random unknown sk- keys, then the keys service runs no Postgres query for them (warm cache)', async () => {
      const redis = new Redis(stack.redisUrl);
      try {
        // The keys service marks Redis complete once its warm-up is done.
        for (let i = 0; i < 200 && !(await redis.exists(`${stack.redisPrefix}auth:warm`)); i++)
          await sleep(50);
        expect(await redis.exists(`${stack.redisPrefix}auth:warm`)).toBe(1);
      } finally {
        redis.disconnect();
      }
      const metrics = async () => {
        const text = (await call(`${stack.apps.keys.baseUrl}/metrics`)).text;
        const num = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 'NaN');
        return {
          queries: num('llmgw_keys_db_queries_total'),
          fills: num('llmgw_keys_auth_fills_total\\{result="missing"\\}'),
        };
      };
      const before = await metrics();
      const started = Date.now();
      const statuses = new Map<number, number>();
      let next = 0;
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          while (next < 10_000) {
            const i = next++;
            const key = `sk-${randomBytes(16).toString('base64url')}`;
            const res = await fetch(`${gateways[i % 2]}/v1/models`, {
              headers: { authorization: `Bearer ${key}` },
            });
            await res.arrayBuffer();
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          }
        }),
      );
      const after = await metrics();
      console.log(
        `10000 random unknown keys over 2 gateways in ${Date.now() - started} ms: keys service ran ${after.queries - before.queries} Postgres queries and ${after.fills - before.fills} fills`,
      );

      expect(Object.fromEntries(statuses)).toEqual({ 401: 10_000 });
      expect(after.queries - before.queries).toBe(0);
      expect(after.fills - before.fills).toBe(0);
    });
  });
});
