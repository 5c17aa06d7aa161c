import type { RedisKeys } from '@llmgw/contracts';
import type { Kysely, Transaction } from '@llmgw/db';
import type { Logger } from '@llmgw/http';
import type { Redis } from 'ioredis';
import type { IdentityDB } from './db';
import type { EmailQueue } from './email/email-queue';
import type { KeysClient } from './keys-client/keys-client';
import type { PasswordHasher } from './lib/passwords';
import type { AuthOutbox, Invalidation } from './outbox/auth-outbox';
import type { BudgetScheduleOutbox, ScheduleRef } from './outbox/budget-schedule-outbox';
import type { SessionStore } from './sessions/session-store';
import type { SpendClient } from './spend/spend-client';

export interface LoginLimits {
  /** Failed logins per account within the window before 429 (OWASP-style lockout, temporary). */
  perAccount: number;
  /** Failed logins per client IP within the window before 429. */
  perIp: number;
  windowSeconds: number;
}

/** Settings of the identity service, from its env (see env.ts). */
export interface IdentityConfig {
  /** Public address of the gateway, without a trailing slash (links and redirects). */
  proxyBaseUrl: string;
  proxyLogoutUrl: string | null;
  uiUsername: string;
  uiPassword: string;
  /** Shown in invitation emails. */
  orgName: string;
  loginLimits: LoginLimits;
  /** Express `trust proxy`: who may set X-Forwarded-For. */
  trustProxy: string;
}

/** Everything a service function needs, passed explicitly (no module singletons). */
export interface IdentityContext {
  db: Kysely<IdentityDB>;
  redis: Redis;
  redisKeys: RedisKeys;
  keys: KeysClient;
  outbox: AuthOutbox;
  /** Spend totals: the `spend` of info and list reads. */
  spend: SpendClient;
  /** Budget schedules owed to the spend service (see budget-schedule-outbox.ts). */
  budgetSchedules: BudgetScheduleOutbox;
  sessions: SessionStore;
  emailQueue: EmailQueue;
  passwords: PasswordHasher;
  config: IdentityConfig;
  logger: Logger;
  now: () => Date;
}

export type Tx = Transaction<IdentityDB>;
export type Invalidate = (invalidation: Partial<Invalidation>) => Promise<void>;
/** Records that these entities' budget schedules (budget_duration set, changed, cleared, deleted) changed. */
export type ScheduleBudgets = (refs: ScheduleRef[]) => Promise<void>;

/**
 * Runs `fn` in one transaction; the auth invalidations and budget schedules it records are committed with
 * the change and delivered right after commit, to the keys and the spend service (see auth-outbox.ts and
 * budget-schedule-outbox.ts).
 */
export async function inTransaction<T>(
  ctx: IdentityContext,
  fn: (tx: Tx, invalidate: Invalidate, scheduleBudgets: ScheduleBudgets) => Promise<T>,
): Promise<T> {
  const ids: number[] = [];
  const scheduleIds: number[] = [];
  const result = await ctx.db.transaction().execute((tx) =>
    fn(
      tx,
      async (inv) => {
        ids.push(await ctx.outbox.add(tx, { userIds: inv.userIds ?? [], teamIds: inv.teamIds ?? [] }));
      },
      async (refs) => {
        scheduleIds.push(...(await ctx.budgetSchedules.add(tx, refs)));
      },
    ),
  );
  await Promise.all([ctx.outbox.deliver(ids), ctx.budgetSchedules.deliver(scheduleIds)]);
  return result;
}
