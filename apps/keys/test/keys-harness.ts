/**
 * The keys service in-process for integration tests: its real app against a database cloned for the test
 * file, the shared Redis under a prefix of the file's own, and a fake identity HTTP server (the edge of
 * this service) that answers `/internal/auth-facts` from maps the test controls.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AuthFacts,
  type CachedAuthRecord,
  INTERNAL_ROUTES,
  PRINCIPAL_HEADER,
  PROXY_ADMIN_ID,
  type Principal,
  redisKeys,
} from '@llmgw/contracts';
import { createDatabase, type Kysely } from '@llmgw/db';
import { createRedis, type Redis } from '@llmgw/db/redis';
import { createTestDatabase, newRedisPrefix, type TestDatabase } from '@llmgw/db/testing';
import { createLogger, signPrincipal, verifyPrincipal } from '@llmgw/http';
import { FakeSpend } from '@llmgw/testing';
import request from 'supertest';
import { createApp } from '../src/app';
import type { AuthCache } from '../src/auth-record/auth-cache';
import type { KeysDB } from '../src/db';
import { createIdentityClient, type IdentityClient, type KeyFacts } from '../src/identity/identity-client';
import type { KeysMetrics } from '../src/metrics';
import type { BudgetScheduleOutbox } from '../src/spend/budget-schedule-outbox';
import { createSpendClient } from '../src/spend/spend-client';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const INTERNAL_SECRET = 'keys-test-internal-secret-0123456789';
export const SK_RE = /^sk-[A-Za-z0-9_-]{22}$/;

type UserFacts = NonNullable<AuthFacts['user']>;
type TeamFacts = NonNullable<KeyFacts['team']>;
type MembershipFacts = NonNullable<AuthFacts['membership']>;

const noLimits = {
  max_budget: null,
  spend: 0,
  tpm_limit: null,
  rpm_limit: null,
  max_parallel_requests: null,
  budget_duration: null,
  budget_reset_at: null,
};

/** What the fake identity knows; tests change it and then notify keys like identity would. */
export class FakeIdentity {
  users = new Map<string, UserFacts>();
  teams = new Map<string, TeamFacts>();
  /** Keyed `${userId}|${teamId}`. */
  memberships = new Map<string, MembershipFacts>();
  /** When set, every auth-facts call answers 503 (identity "down"). */
  down = false;
  calls = 0;
  private server: Server | null = null;
  url = '';

  addUser(userId: string, role: UserFacts['user_role'], extra: Partial<UserFacts> = {}) {
    this.users.set(userId, { user_id: userId, user_role: role, models: [], ...noLimits, ...extra });
  }

  addTeam(teamId: string, extra: Partial<TeamFacts> = {}) {
    this.teams.set(teamId, {
      team_id: teamId,
      team_alias: null,
      blocked: false,
      models: [],
      model_aliases: {},
      ...noLimits,
      ...extra,
    });
  }

  addMember(userId: string, teamId: string, role: 'admin' | 'user', extra: Partial<MembershipFacts> = {}) {
    this.memberships.set(`${userId}|${teamId}`, { role, ...noLimits, ...extra });
  }

  facts(userId: string | null, teamId: string | null): AuthFacts {
    const user = userId ? (this.users.get(userId) ?? null) : null;
    const team = teamId ? (this.teams.get(teamId) ?? null) : null;
    const membership = user && team ? (this.memberships.get(`${userId}|${teamId}`) ?? null) : null;
    return { user, team, membership };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const auth = verifyPrincipal(req.headers[PRINCIPAL_HEADER] as string | undefined, INTERNAL_SECRET);
      if (url.pathname !== INTERNAL_ROUTES.authFacts || !auth.ok) {
        res.writeHead(auth.ok ? 404 : 401).end();
        return;
      }
      this.calls++;
      if (this.down) {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down"}');
        return;
      }
      const body = this.facts(url.searchParams.get('user_id'), url.searchParams.get('team_id'));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

export interface KeysHarnessOptions {
  warm?: boolean;
  negativeCacheSeconds?: number;
  now?: () => Date;
  /** Wraps the identity client (e.g. to delay one call). */
  identity?: (client: IdentityClient) => IdentityClient;
}

export interface KeysHarness {
  http: ReturnType<typeof request>;
  /** Base URL of the app's listening server. */
  url: string;
  db: Kysely<KeysDB>;
  redis: Redis;
  redisPrefix: string;
  keys: ReturnType<typeof redisKeys>;
  authCache: AuthCache;
  metrics: KeysMetrics;
  identity: FakeIdentity;
  /** The fake spend service: totals the test sets, budget schedules keys sent. */
  spend: FakeSpend;
  schedules: BudgetScheduleOutbox;
  database: TestDatabase;
  /** The signed principal header of a caller. */
  as: (principal: Partial<Principal> & Pick<Principal, 'role'>) => Record<string, string>;
  /** The auth record of a hash as it is in Redis now (null when absent). */
  cached: (hash: string) => Promise<CachedAuthRecord | null>;
  close: () => Promise<void>;
}

export const MASTER: Principal = {
  kind: 'master',
  userId: PROXY_ADMIN_ID,
  role: 'proxy_admin',
  keyHash: null,
  teamId: null,
  sessionId: null,
};

export async function startKeys(opts: KeysHarnessOptions = {}): Promise<KeysHarness> {
  const database = await createTestDatabase();
  const {
    db,
    ping,
    close: closeDb,
  } = createDatabase<KeysDB>({
    connectionString: database.url,
    applicationName: 'keys-test',
    max: 4,
  });
  const redisPrefix = newRedisPrefix();
  const redis = createRedis({ url: REDIS_URL, role: 'command', onError: () => {} });
  await redis.connect();
  const identity = await new FakeIdentity().start();
  const client = createIdentityClient({
    baseUrl: identity.url,
    internalSecret: INTERNAL_SECRET,
    timeoutMs: 2000,
  });
  const spend = await new FakeSpend(INTERNAL_SECRET, opts.now).start();
  const logger = createLogger({ name: 'keys', level: 'silent' });
  const { app, authCache, metrics, schedules } = createApp({
    db,
    pingDb: ping,
    redis,
    redisPrefix,
    internalSecret: INTERNAL_SECRET,
    identity: opts.identity ? opts.identity(client) : client,
    spend: createSpendClient({ baseUrl: spend.url, internalSecret: INTERNAL_SECRET, timeoutMs: 2000 }),
    logger,
    readiness: { accepting: true },
    negativeCacheSeconds: opts.negativeCacheSeconds ?? 60,
    authRecordTtlSeconds: 3600,
    authWarm: opts.warm ?? false,
    ...(opts.now ? { now: opts.now } : {}),
  });
  const keys = redisKeys(redisPrefix);
  // Undelivered budget schedules are retried from the table, as in production (faster here).
  schedules.start(100);
  // One listening server for the whole file (supertest would start one per request otherwise).
  const server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    http: request(server),
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    db,
    redis,
    redisPrefix,
    keys,
    authCache,
    metrics,
    identity,
    spend,
    schedules,
    database,
    as: (p) => ({
      [PRINCIPAL_HEADER]: signPrincipal(
        {
          kind: 'key',
          userId: null,
          keyHash: null,
          teamId: null,
          sessionId: null,
          ...p,
        },
        INTERNAL_SECRET,
      ),
    }),
    cached: async (hash) => {
      const json = await redis.get(keys.authRecord(hash));
      return json ? (JSON.parse(json) as CachedAuthRecord) : null;
    },
    close: async () => {
      authCache.stop();
      await schedules.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await identity.stop();
      await spend.stop();
      await closeDb();
      redis.disconnect();
      await database.drop();
    },
  };
}
