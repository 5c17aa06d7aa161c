/**
 * Exactly-once accounting across a crash: the spend service runs as its own process (its built
 * dist/main.js, as in production), is killed with SIGKILL in the middle of 1,000 events and started
 * again. Afterwards there is exactly one log row per event and every total equals the sum of its rows,
 * also when every job is delivered twice. Needs `pnpm build` first.
 */
import { join } from 'node:path';
import { QUEUES, redisKeys, type SpendEvent } from '@llmgw/contracts';
import { createDatabase, type Database, sql } from '@llmgw/db';
import { createRedis } from '@llmgw/db/redis';
import { createTestDatabase, newRedisPrefix, type TestDatabase } from '@llmgw/db/testing';
import { freePort, type SpawnedApp, spawnApp, waitFor } from '@llmgw/testing';
import { Queue } from 'bullmq';
import type { SpendDB } from '../src/db';
import { REDIS_URL, spendEvent } from './spend-harness';

const ENTRY = join(__dirname, '..', 'dist', 'main.js');
const N = 1000;

interface Scenario {
  database: TestDatabase;
  pg: Database<SpendDB>;
  queue: Queue;
  env: Record<string, string>;
  close: () => Promise<void>;
}

async function scenario(): Promise<Scenario> {
  const database = await createTestDatabase();
  const prefix = newRedisPrefix();
  const pg = createDatabase<SpendDB>({
    connectionString: database.url,
    max: 2,
    applicationName: 'exactly-once',
  });
  const redis = createRedis({ url: REDIS_URL, role: 'command', onError: () => {} });
  await redis.connect();
  const queue = new Queue(QUEUES.spend, { connection: redis, prefix: redisKeys(prefix).bullPrefix });
  return {
    database,
    pg,
    queue,
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: '6',
      REDIS_URL,
      REDIS_PREFIX: prefix,
      INTERNAL_SECRET: 'exactly-once-internal-secret-0123456789',
      SPEND_CONCURRENCY: '4',
      // A killed worker's jobs run again 2 s after their last lock renewal.
      SPEND_LOCK_DURATION_MS: '2000',
      BUDGET_RESET_INTERVAL_MS: '3600000',
    },
    close: async () => {
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      redis.disconnect();
      await pg.close();
      await database.drop();
    },
  };
}

/** 1,000 events over 5 keys, 7 users (one null), 3 teams (one null), with odd costs. */
function events(): SpendEvent[] {
  return Array.from({ length: N }, (_, i) =>
    spendEvent({
      keyHash: String(i % 5).repeat(64),
      userId: i % 7 === 0 ? null : `user-${i % 7}`,
      teamId: i % 3 === 0 ? null : `team-${i % 3}`,
      cost: ((i * 7919) % 1000) / 1e6 + 1e-10,
    }),
  );
}

async function start(s: Scenario): Promise<SpawnedApp> {
  const port = await freePort();
  return spawnApp({ name: 'spend', entry: ENTRY, port, env: { ...s.env, SPEND_PORT: String(port) } });
}

async function rowCount(s: Scenario): Promise<number> {
  const r = await s.pg.db
    .selectFrom('spend.spend_logs')
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Every total against the sum of its rows, computed in SQL, plus the number of totals rows that have no
 * matching logs (there must be none) and the rows per call id (must be 1).
 */
async function check(s: Scenario) {
  const { rows: mismatches } = await sql<{
    entity_kind: string;
    entity_id: string;
    total: number;
    logs: number;
  }>`
    with expected as (
      select 'key' as entity_kind, api_key as entity_id, sum(spend) as logs from spend.spend_logs group by api_key
      union all
      select 'user', "user", sum(spend) from spend.spend_logs where "user" is not null group by "user"
      union all
      select 'team', team_id, sum(spend) from spend.spend_logs where team_id is not null group by team_id
      union all
      select 'member', team_id || ':' || "user", sum(spend) from spend.spend_logs
        where team_id is not null and "user" is not null group by team_id, "user"
    )
    select coalesce(e.entity_kind, t.entity_kind) as entity_kind, coalesce(e.entity_id, t.entity_id) as entity_id,
           t.spend as total, e.logs as logs
    from expected e full join spend.totals t using (entity_kind, entity_id)
    where t.spend is distinct from e.logs`.execute(s.pg.db);
  const { rows: dupes } = await sql<{ n: number }>`
    select count(*)::int as n from (select call_id from spend.spend_logs group by call_id having count(*) > 1) d`.execute(
    s.pg.db,
  );
  const { rows: totals } = await sql<{ n: number }>`select count(*)::int as n from spend.totals`.execute(
    s.pg.db,
  );
  return { mismatches, duplicateCallIds: dupes[0]?.n, totalsRows: totals[0]?.n };
}

/** Expected totals straight from the generated events (independent of the database). */
function expectedTotals(evs: SpendEvent[]) {
  const sums = new Map<string, number>();
  const add = (k: string, v: number) => sums.set(k, (sums.get(k) ?? 0) + v);
  for (const e of evs) {
    add(`key:${e.keyHash}`, e.cost);
    if (e.userId) add(`user:${e.userId}`, e.cost);
    if (e.teamId) add(`team:${e.teamId}`, e.cost);
    if (e.userId && e.teamId) add(`member:${e.teamId}:${e.userId}`, e.cost);
  }
  return sums;
}

async function runCrashScenario(twice: boolean) {
  const s = await scenario();
  let app: SpawnedApp | null = null;
  try {
    const evs = events();
    const jobs = evs.flatMap((e) => {
      const opts = { attempts: 10, backoff: { type: 'exponential', delay: 200 }, removeOnComplete: false };
      const first = { name: 'spend', data: e, opts: { ...opts, jobId: e.callId } };
      return twice
        ? [first, { name: 'spend', data: e, opts: { ...opts, jobId: `${e.callId}-redelivered` } }]
        : [first];
    });
    await s.queue.addBulk(jobs);

    app = await start(s);
    const startedAt = Date.now();
    await waitFor(async () => (await rowCount(s)) >= 150, 60_000, 10);
    app.child.kill('SIGKILL');
    await new Promise((r) => app?.child.once('exit', r));
    const atKill = await rowCount(s);
    console.log(`${twice ? 'twice-delivered: ' : ''}killed with ${atKill} of ${N} rows written`);
    expect(atKill).toBeLessThan(N);

    app = await start(s);
    // Done when no spend job waits, runs or waits for a retry (the budget-reset scheduler keeps one
    // delayed job of its own).
    await waitFor(
      async () => {
        const c = await s.queue.getJobCounts('waiting', 'active', 'prioritized');
        if ((c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) > 0) return false;
        return (await s.queue.getDelayed()).every((j) => j.name !== 'spend');
      },
      90_000,
      100,
    );
    console.log(
      `${twice ? 'twice-delivered: ' : ''}${jobs.length} jobs done in ${Date.now() - startedAt} ms including the crash`,
    );
    expect(await s.queue.getFailedCount()).toBe(0);
    const completed = (await s.queue.getJobs(['completed'], 0, -1)).filter((j) => j.name === 'spend');
    expect(completed).toHaveLength(jobs.length);
    expect(await rowCount(s)).toBe(N);
    const result = await check(s);
    const expected = expectedTotals(evs);
    expect(result).toEqual({ mismatches: [], duplicateCallIds: 0, totalsRows: expected.size });
    const totals = await s.pg.db
      .selectFrom('spend.totals')
      .select(['entity_kind', 'entity_id', 'spend'])
      .execute();
    for (const t of totals) {
      expect(t.spend).toBeCloseTo(expected.get(`${t.entity_kind}:${t.entity_id}`) ?? Number.NaN, 9);
    }
    const redelivered = (app.output().match(/spend event already recorded/g) ?? []).length;
    console.log(`${twice ? 'twice-delivered: ' : ''}duplicates detected after the restart: ${redelivered}`);
    if (twice) expect(redelivered).toBeGreaterThan(0);
  } finally {
    await app?.stop('SIGKILL');
    await s.close();
  }
}

describe('exactly-once spend accounting across a worker crash (dist/main.js)', () => {
  test('when the worker is killed with SIGKILL in the middle of 1,000 events and restarted, then there are exactly 1,000 log rows and every total equals the sum of its rows', async () => {
    await runCrashScenario(false);
  }, 180_000);

  test('when every job is delivered twice and the worker is killed midway, then there are still exactly 1,000 log rows and every total equals the sum of its rows', async () => {
    await runCrashScenario(true);
  }, 180_000);
});
