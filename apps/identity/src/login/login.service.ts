import { timingSafeEqual } from 'node:crypto';
import { effectiveRole } from '@llmgw/auth';
import { PROXY_ADMIN_ID, type Role } from '@llmgw/contracts';
import { ProxyError } from '@llmgw/http';
import type { IdentityContext } from '../context';
import type { NewSession } from '../sessions/session-store';
import { usersRepository } from '../users/users.repository';
import { createLoginLimiter } from './login-limiter';

export interface AuthenticatedUser {
  userId: string;
  role: Role;
}

/** Same status and message whether or not the account exists (ARCHITECTURE §5, §7). */
export const invalidCredentials = (username: string) =>
  new ProxyError({
    status: 401,
    message: `Invalid credentials used to access UI.\nNot valid credentials for ${username}`,
    type: 'auth_error',
    param: 'invalid_credentials',
  });

export const tooManyAttempts = (retryAfterSeconds: number) =>
  new ProxyError({
    status: 429,
    message: `Too many failed login attempts. Try again in ${retryAfterSeconds} seconds.`,
    type: 'rate_limit_error',
    param: 'None',
    headers: { 'retry-after': String(retryAfterSeconds) },
  });

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function createLoginService(ctx: IdentityContext) {
  const limiter = createLoginLimiter({
    redis: ctx.redis,
    keys: ctx.redisKeys,
    limits: ctx.config.loginLimits,
  });

  return {
    /**
     * Checks a username (an email, or UI_USERNAME) and password. Every attempt is counted against the
     * account and the IP first; over the limit -> 429 with Retry-After, whether or not the password is
     * right. Unknown accounts cost an argon2 verification too, so timing does not reveal them.
     */
    async verify(username: string, password: string, ip: string): Promise<AuthenticatedUser> {
      const wait = await limiter.take(username, ip);
      if (wait > 0) throw tooManyAttempts(wait);
      let user: AuthenticatedUser | null = null;
      if (sameSecret(username, ctx.config.uiUsername) && sameSecret(password, ctx.config.uiPassword)) {
        // LiteLLM's admin login: the proxy admin (`default_user_id`), whose row is created on first use.
        await usersRepository.ensure(ctx.db, PROXY_ADMIN_ID, 'proxy_admin', ctx.now());
        user = { userId: PROXY_ADMIN_ID, role: 'proxy_admin' };
      } else {
        const creds = await usersRepository.findCredentials(ctx.db, username);
        if (creds?.password_hash) {
          if (await ctx.passwords.verify(creds.password_hash, password)) {
            user = { userId: creds.user_id, role: effectiveRole(creds.user_role) };
          }
        } else {
          await ctx.passwords.verifyDummy(password);
        }
      }
      if (!user) throw invalidCredentials(username);
      await limiter.succeeded(username, ip);
      return user;
    },

    startSession: (user: AuthenticatedUser): Promise<NewSession> =>
      ctx.sessions.create(user.userId, user.role),
  };
}
export type LoginService = ReturnType<typeof createLoginService>;
