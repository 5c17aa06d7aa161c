import { redisKeys } from '@llmgw/contracts';
import type { Kysely } from '@llmgw/db';
import { createServiceApp, type Logger, type Readiness } from '@llmgw/http';
import type { Redis } from 'ioredis';
import { routeAccess } from './access';
import type { IdentityConfig, IdentityContext } from './context';
import type { IdentityDB } from './db';
import type { EmailQueue } from './email/email-queue';
import { authFactsRoutes } from './internal/auth-facts.routes';
import { invitationsRoutes } from './invitations/invitations.routes';
import { createInvitationsService } from './invitations/invitations.service';
import type { KeysClient } from './keys-client/keys-client';
import type { PasswordHasher } from './lib/passwords';
import { loginRoutes, uiSettingsRoutes } from './login/login.routes';
import { createLoginService } from './login/login.service';
import { onboardingRoutes } from './onboarding/onboarding.routes';
import { createOnboardingService } from './onboarding/onboarding.service';
import type { AuthOutbox } from './outbox/auth-outbox';
import type { BudgetScheduleOutbox } from './outbox/budget-schedule-outbox';
import { createSessionStore } from './sessions/session-store';
import type { SpendClient } from './spend/spend-client';
import { teamsRoutes } from './teams/teams.routes';
import { createTeamsService } from './teams/teams.service';
import { usersRoutes } from './users/users.routes';
import { createUsersService } from './users/users.service';

export interface IdentityAppDeps {
  db: Kysely<IdentityDB>;
  pingDb: () => Promise<void>;
  redis: Redis;
  redisPrefix: string;
  internalSecret: string;
  logger: Logger;
  readiness: Readiness;
  keys: KeysClient;
  outbox: AuthOutbox;
  /** Spend totals for reads. */
  spend: SpendClient;
  /** Budget schedules owed to spend (started and stopped by the caller, like `outbox`). */
  budgetSchedules: BudgetScheduleOutbox;
  emailQueue: EmailQueue;
  passwords: PasswordHasher;
  config: IdentityConfig;
  now?: () => Date;
}

/**
 * The identity service: users, teams, invitations, onboarding, login. Public routes (login, logout,
 * onboarding) come before the signed-principal check; every other route passes the shared route matrix.
 */
export function createApp(deps: IdentityAppDeps) {
  const now = deps.now ?? (() => new Date());
  const keys = redisKeys(deps.redisPrefix);
  const ctx: IdentityContext = {
    db: deps.db,
    redis: deps.redis,
    redisKeys: keys,
    keys: deps.keys,
    outbox: deps.outbox,
    spend: deps.spend,
    budgetSchedules: deps.budgetSchedules,
    sessions: createSessionStore({ redis: deps.redis, keys, now }),
    emailQueue: deps.emailQueue,
    passwords: deps.passwords,
    config: deps.config,
    logger: deps.logger,
    now,
  };
  const invitations = createInvitationsService(ctx);

  return createServiceApp({
    trustProxy: deps.config.trustProxy,
    logger: deps.logger,
    readiness: deps.readiness,
    internalSecret: deps.internalSecret,
    checks: {
      db: deps.pingDb,
      cache: async () => {
        await deps.redis.ping();
      },
    },
    publicRoutes: (app) => {
      app.use(loginRoutes({ login: createLoginService(ctx), sessions: ctx.sessions, config: deps.config }));
      app.use(onboardingRoutes(createOnboardingService(ctx), deps.config));
    },
    routes: (app) => {
      app.use(routeAccess);
      app.use(authFactsRoutes(deps.db));
      app.use(usersRoutes(createUsersService(ctx, invitations)));
      app.use(teamsRoutes(createTeamsService(ctx)));
      app.use(invitationsRoutes(invitations));
      app.use(uiSettingsRoutes(deps.config));
    },
  });
}
