import { randomBytes } from 'node:crypto';
import { authWarmKeys, type CachedAuthRecord, INTERNAL_ROUTES } from '@llmgw/contracts';
import { createRedis, type Redis } from '@llmgw/db/redis';
import { errorBody, sha256, waitFor } from '@llmgw/testing';
import type { IdentityClient } from '../src/identity/identity-client';
import { type KeysHarness, MASTER, REDIS_URL, startKeys } from './keys-harness';

const randomKey = () => `sk-${randomBytes(16).toString('base64url')}`;

/** Collects the hashes published on the invalidation channel. */
async function listen(h: KeysHarness): Promise<{ messages: string[]; stop: () => void }> {
  const sub: Redis = createRedis({ url: REDIS_URL, role: 'subscriber', onError: () => {} });
  await sub.connect();
  const messages: string[] = [];
  sub.on('message', (_c: string, m: string) => messages.push(m));
  await sub.subscribe(h.keys.authInvalidations);
  return { messages, stop: () => sub.disconnect() };
}

describe('auth records: fills, negative cache, write-through, invalidation', () => {
  let h: KeysHarness;
  /** Arm to hold the next identity call until released (a slow cache fill). */
  let hold: { armed: boolean; reached: () => void; release: Promise<void> } | null = null;
  const holdingIdentity = (client: IdentityClient): IdentityClient => ({
    async authFacts(userId, teamId) {
      const h0 = hold;
      if (h0?.armed) {
        h0.armed = false;
        h0.reached();
        await h0.release;
      }
      return client.authFacts(userId, teamId);
    },
  });
  const generate = async (body: Record<string, unknown> = {}) => {
    const res = await h.http.post('/key/generate').set(h.as(MASTER)).send(body);
    expect(res.status).toBe(200);
    return res.body.key as string;
  };
  const fill = (hash: string) => h.http.get(INTERNAL_ROUTES.authRecord(hash)).set(h.as(MASTER));
  /** Fills over keep-alive fetch, for floods. */
  const fastFill = async (hash: string) => {
    const res = await fetch(`${h.url}${INTERNAL_ROUTES.authRecord(hash)}`, { headers: h.as(MASTER) });
    await res.arrayBuffer();
    return res.status;
  };

  beforeAll(async () => {
    h = await startKeys({ negativeCacheSeconds: 30, identity: holdingIdentity });
    h.identity.addUser('owner-1', 'proxy_admin_viewer', { models: ['gpt-4o'], max_budget: 9, spend: 1 });
    h.identity.addTeam('team-c', { team_alias: 'C', models: ['gpt-4o'], model_aliases: { m: 'gpt-4o' } });
    h.identity.addMember('owner-1', 'team-c', 'admin', { max_budget: 3 });
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('GET /internal/auth-record/:hash (cache fill)', () => {
    test('when the key exists, then the full record is built with identity’s facts and written to Redis', async () => {
      const raw = await generate({ user_id: 'owner-1', team_id: 'team-c', models: ['gpt-4o'], rpm_limit: 5 });
      await h.redis.del(h.keys.authRecord(sha256(raw)));

      const res = await fill(sha256(raw));

      expect(res.status).toBe(200);
      const expected: CachedAuthRecord = {
        found: true,
        gen: 1,
        token: sha256(raw),
        keyName: `sk-...${raw.slice(-4)}`,
        keyAlias: null,
        userId: 'owner-1',
        teamId: 'team-c',
        organizationId: null,
        userRole: 'proxy_admin_viewer',
        models: ['gpt-4o'],
        aliases: {},
        blocked: false,
        expires: null,
        spend: 0,
        maxBudget: null,
        softBudget: null,
        budgetDuration: null,
        budgetResetAt: null,
        tpmLimit: null,
        rpmLimit: 5,
        maxParallelRequests: null,
        allowedRoutes: [],
        metadata: {},
        keyType: 'default',
        owner: {
          userId: 'owner-1',
          role: 'proxy_admin_viewer',
          models: ['gpt-4o'],
          maxBudget: 9,
          spend: 1,
          tpmLimit: null,
          rpmLimit: null,
          maxParallelRequests: null,
          budgetDuration: null,
          budgetResetAt: null,
        },
        team: {
          teamId: 'team-c',
          teamAlias: 'C',
          blocked: false,
          models: ['gpt-4o'],
          modelAliases: { m: 'gpt-4o' },
          maxBudget: null,
          spend: 0,
          tpmLimit: null,
          rpmLimit: null,
          maxParallelRequests: null,
          budgetDuration: null,
          budgetResetAt: null,
        },
        membership: {
          role: 'admin',
          maxBudget: 3,
          spend: 0,
          tpmLimit: null,
          rpmLimit: null,
          maxParallelRequests: null,
          budgetDuration: null,
          budgetResetAt: null,
        },
      };
      expect(res.body).toEqual(expected);
      expect(await h.cached(sha256(raw))).toEqual(expected);
      // Not warm: a positive record still expires as a safety net.
      expect(await h.redis.ttl(h.keys.authRecord(sha256(raw)))).toBeGreaterThan(3000);
    });

    test('when the key’s user has no row, then the record has no owner and role null (the gateway’s "unknown")', async () => {
      const raw = await generate({ user_id: 'ghost-user' });
      const res = await fill(sha256(raw));

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ found: true, userId: 'ghost-user', userRole: null, owner: null });
    });

    test('when the key does not exist, then {found: false} is cached for NEGATIVE_CACHE_SECONDS', async () => {
      const hash = sha256(randomKey());
      const res = await fill(hash);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ found: false, gen: 0 });
      expect(await h.cached(hash)).toEqual({ found: false, gen: 0 });
      const ttl = await h.redis.ttl(h.keys.authRecord(hash));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30);
    });

    test('when the hash is not 64 hex chars, then 400', async () => {
      const res = await fill('abc');

      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        errorBody(400, 'hash must be 64 lowercase hex characters', 'bad_request_error', 'hash'),
      );
    });

    test('when identity is down, then 503 and nothing is cached (fail closed)', async () => {
      const raw = await generate({ user_id: 'owner-1' });
      await h.redis.del(h.keys.authRecord(sha256(raw)));
      h.identity.down = true;
      try {
        const res = await fill(sha256(raw));

        expect(res.status).toBe(503);
        expect(res.body).toEqual(
          errorBody(503, 'the identity service is unavailable, retry shortly', 'service_unavailable', null),
        );
        expect(await h.cached(sha256(raw))).toBeNull();
      } finally {
        h.identity.down = false;
      }
    });

    test('when 10,000 fill requests come for 200 random unknown keys, then Postgres sees at most one query per distinct key', async () => {
      const hashes = Array.from({ length: 200 }, () => sha256(randomKey()));
      const before = h.metrics.dbQueries;
      const started = Date.now();
      const statuses: number[] = [];
      for (let round = 0; round < 50; round++) {
        // 200 concurrent requests per round, every distinct key once per round: 50 x 200 = 10,000.
        statuses.push(...(await Promise.all(hashes.map(fastFill))));
      }
      const queries = h.metrics.dbQueries - before;
      console.log(
        `negative cache: 10000 fills of 200 unknown keys -> ${queries} Postgres queries in ${Date.now() - started} ms`,
      );

      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect(queries).toBeLessThanOrEqual(200);
    });
  });

  describe('the race between a slow fill and a change', () => {
    test('when a fill read the old row and writes after an update, then the update’s record stays and the fill answers it', async () => {
      const raw = await generate({ user_id: 'owner-1', max_budget: 1 });
      const hash = sha256(raw);
      await h.redis.del(h.keys.authRecord(hash));
      let reached!: () => void;
      let release!: () => void;
      const atIdentity = new Promise<void>((r) => {
        reached = r;
      });
      hold = { armed: true, reached, release: new Promise<void>((r) => (release = r)) };

      // The fill reads generation 1 and the row with max_budget 1, then waits on identity.
      const slowFill = fill(hash).then((r) => r);
      await atIdentity;
      const update = await h.http.post('/key/update').set(h.as(MASTER)).send({ key: raw, max_budget: 2 });
      expect(update.status).toBe(200);
      expect(await h.cached(hash)).toMatchObject({ gen: 2, maxBudget: 2 });
      release();
      const late = await slowFill;

      expect(late.status).toBe(200);
      expect(late.body).toMatchObject({ found: true, gen: 2, maxBudget: 2 });
      expect(await h.cached(hash)).toMatchObject({ gen: 2, maxBudget: 2 });
    });

    test('when a fill read the row and writes after the key was deleted, then no record comes back to life', async () => {
      const raw = await generate({ user_id: 'owner-1' });
      const hash = sha256(raw);
      await h.redis.del(h.keys.authRecord(hash));
      let reached!: () => void;
      let release!: () => void;
      const atIdentity = new Promise<void>((r) => {
        reached = r;
      });
      hold = { armed: true, reached, release: new Promise<void>((r) => (release = r)) };

      const slowFill = fill(hash).then((r) => r);
      await atIdentity;
      const del = await h.http
        .post('/key/delete')
        .set(h.as(MASTER))
        .send({ keys: [raw] });
      expect(del.status).toBe(200);
      release();
      const late = await slowFill;

      expect(late.status).toBe(200);
      expect(late.body).toEqual({ found: false, gen: 2 });
      expect(await h.cached(hash)).toEqual({ found: false, gen: 2 });
    });
  });

  describe('write-through and invalidation messages', () => {
    test('when a key is updated, blocked or deleted, then its hash is published each time', async () => {
      const raw = await generate();
      const bus = await listen(h);
      try {
        await h.http.post('/key/update').set(h.as(MASTER)).send({ key: raw, max_budget: 1 });
        await h.http.post('/key/block').set(h.as(MASTER)).send({ key: raw });
        await h.http
          .post('/key/delete')
          .set(h.as(MASTER))
          .send({ keys: [raw] });
        await waitFor(() => bus.messages.length >= 3, 2000);

        expect(bus.messages).toEqual([sha256(raw), sha256(raw), sha256(raw)]);
      } finally {
        bus.stop();
      }
    });

    test('when identity reports a team change, then every key of the team is rebuilt with the new facts and published', async () => {
      h.identity.addTeam('team-inv', { blocked: false });
      const a = await generate({ team_id: 'team-inv' });
      const b = await generate({ team_id: 'team-inv' });
      const other = await generate();
      h.identity.addTeam('team-inv', { blocked: true });
      const bus = await listen(h);
      try {
        const res = await h.http
          .post(INTERNAL_ROUTES.authInvalidate)
          .set(h.as(MASTER))
          .send({ teamIds: ['team-inv'] });

        expect(res.status).toBe(200);
        expect(res.body).toEqual({ invalidated: 2 });
        expect(await h.cached(sha256(a))).toMatchObject({ team: { teamId: 'team-inv', blocked: true } });
        expect(await h.cached(sha256(b))).toMatchObject({ team: { teamId: 'team-inv', blocked: true } });
        expect(await h.cached(sha256(other))).toMatchObject({ team: null });
        await waitFor(() => bus.messages.length >= 2, 2000);
        expect(bus.messages.sort()).toEqual([sha256(a), sha256(b)].sort());
      } finally {
        bus.stop();
      }
    });

    test('when identity reports a user’s role change, then the user’s keys carry the new role', async () => {
      h.identity.addUser('role-user', 'internal_user');
      const a = await generate({ user_id: 'role-user' });
      h.identity.addUser('role-user', 'proxy_admin');
      const res = await h.http
        .post(INTERNAL_ROUTES.authInvalidate)
        .set(h.as(MASTER))
        .send({ userIds: ['role-user'] });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ invalidated: 1 });
      expect(await h.cached(sha256(a))).toMatchObject({
        userRole: 'proxy_admin',
        owner: { role: 'proxy_admin' },
      });
    });

    test('when identity deletes a user and a team, then their keys are deleted and published', async () => {
      h.identity.addTeam('team-gone');
      const userKey = await generate({ user_id: 'gone-user' });
      const teamKey = await generate({ team_id: 'team-gone' });
      const kept = await generate({ user_id: 'kept-user' });
      const bus = await listen(h);
      try {
        const res = await h.http
          .post(INTERNAL_ROUTES.keysDeleteByOwner)
          .set(h.as(MASTER))
          .send({ userIds: ['gone-user'], teamIds: ['team-gone'] });

        expect(res.status).toBe(200);
        expect(res.body.deleted_keys.sort()).toEqual([sha256(userKey), sha256(teamKey)].sort());
        expect(await h.cached(sha256(userKey))).toBeNull();
        expect(await h.cached(sha256(teamKey))).toBeNull();
        expect((await h.cached(sha256(kept)))?.found).toBe(true);
        await waitFor(() => bus.messages.length >= 2, 2000);
        expect(bus.messages.sort()).toEqual([sha256(userKey), sha256(teamKey)].sort());
      } finally {
        bus.stop();
      }
    });

    test('when the internal routes are called without a signed principal, then 401', async () => {
      const res = await h.http.post(INTERNAL_ROUTES.authInvalidate).send({ userIds: ['x'] });

      expect(res.status).toBe(401);
      expect(res.body).toEqual(
        errorBody(
          401,
          'Authentication Error, missing internal principal. Call this service through the gateway.',
          'auth_error',
        ),
      );
    });

    test('when the body has a bad type, then 422 naming the field', async () => {
      const res = await h.http
        .post(INTERNAL_ROUTES.keysDeleteByOwner)
        .set(h.as(MASTER))
        .send({ userIds: 'x' });

      expect(res.status).toBe(422);
      expect(res.body).toEqual({
        detail: [{ type: 'invalid_type', loc: ['body', 'userIds'], msg: expect.stringContaining('userIds') }],
      });
    });
  });
});

describe('a complete (warm) cache', () => {
  let h: KeysHarness;
  const generate = async (body: Record<string, unknown> = {}) => {
    const res = await h.http.post('/key/generate').set(h.as(MASTER)).send(body);
    expect(res.status).toBe(200);
    return res.body.key as string;
  };

  beforeAll(async () => {
    h = await startKeys({ warm: true });
    h.identity.addUser('warm-user', 'internal_user');
  });
  afterAll(async () => {
    await h?.close();
  });

  test('when the warm-up runs, then every key has its record without a TTL and the marker is set', async () => {
    const a = await generate();
    const b = await generate({ user_id: 'warm-user' });
    await h.redis.del(h.keys.authRecord(sha256(a)), h.keys.authRecord(sha256(b)));

    const result = await h.authCache.warmUp();

    expect(result).toEqual({ keys: 2, failed: 0, warm: true });
    expect(await h.cached(sha256(a))).toMatchObject({ found: true });
    expect(await h.cached(sha256(b))).toMatchObject({ found: true, owner: { userId: 'warm-user' } });
    expect(await h.redis.ttl(h.keys.authRecord(sha256(b)))).toBe(-1);
    expect(await h.redis.exists(authWarmKeys(h.keys).warm)).toBe(1);
  });

  test('when Redis holds a record whose key is gone from Postgres, then the warm-up drops it and tells the gateways', async () => {
    const ghost = sha256(randomKey());
    const negative = sha256(randomKey());
    await h.redis.set(h.keys.authRecord(ghost), JSON.stringify({ found: true, gen: 1, token: ghost }));
    await h.redis.set(h.keys.authRecord(negative), JSON.stringify({ found: false, gen: 0 }), 'EX', 30);
    const bus = await listen(h);
    try {
      await h.authCache.warmUp();

      expect(await h.cached(ghost)).toBeNull();
      expect(await h.cached(negative)).toEqual({ found: false, gen: 0 });
      await waitFor(() => bus.messages.includes(ghost), 2000);
      expect(bus.messages).toEqual([ghost]);
    } finally {
      bus.stop();
    }
  });

  test('when identity is down during a warm-up after a Redis restart, then the marker stays away (a missing record must not mean "no such key")', async () => {
    await generate({ user_id: 'warm-user' });
    // What a Redis restart leaves: nothing of this deployment.
    const all = await h.redis.keys(`${h.redisPrefix}*`);
    await h.redis.del(...all);
    h.identity.down = true;
    try {
      const result = await h.authCache.warmUp();

      expect(result).toEqual({ keys: 1, failed: 2, warm: false });
      expect(await h.redis.exists(authWarmKeys(h.keys).warm)).toBe(0);
    } finally {
      h.identity.down = false;
    }
    expect(await h.authCache.warmUp()).toEqual({ keys: 3, failed: 0, warm: true });
  });

  test('when a write-through fails because identity is down, then the record is dropped and the marker withdrawn', async () => {
    await h.authCache.warmUp();
    const raw = await generate({ user_id: 'warm-user' });
    h.identity.down = true;
    try {
      const res = await h.http.post('/key/update').set(h.as(MASTER)).send({ key: raw, max_budget: 1 });

      expect(res.status).toBe(200);
      expect(await h.cached(sha256(raw))).toBeNull();
      expect(await h.redis.exists(authWarmKeys(h.keys).warm)).toBe(0);
    } finally {
      h.identity.down = false;
    }
  });

  test('when the marker disappears (Redis restarted), then the keeper re-warms by itself', async () => {
    await h.redis.del(authWarmKeys(h.keys).warm);
    h.authCache.startWarmKeeper(100, 3_600_000);
    try {
      await waitFor(async () => (await h.redis.exists(authWarmKeys(h.keys).warm)) === 1, 10_000);
    } finally {
      h.authCache.stop();
    }
    expect(await h.redis.exists(authWarmKeys(h.keys).warm)).toBe(1);
  });
});
