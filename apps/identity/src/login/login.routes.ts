import { parseBody } from '@llmgw/http';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { z } from 'zod';
import type { IdentityConfig } from '../context';
import { PASSWORD_MAX_LENGTH } from '../lib/passwords';
import { clearSessionCookies, sessionIdFromCookies, setSessionCookies } from '../sessions/cookies';
import type { SessionStore } from '../sessions/session-store';
import type { AuthenticatedUser, LoginService } from './login.service';

const loginBodySchema = z.object({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
});

export interface LoginRoutesDeps {
  login: LoginService;
  sessions: SessionStore;
  config: IdentityConfig;
}

/**
 * `/login` (form), `/v2/login` (JSON), `/logout` (wire contract §4.3, ARCHITECTURE §7). Credentials are
 * checked by passport-local (with our own session handling, `session: false`); success starts a session
 * in Redis and sets the HttpOnly session cookie plus the readable CSRF cookie.
 */
export function loginRoutes(deps: LoginRoutesDeps): Router {
  const router = Router();
  const secure = deps.config.proxyBaseUrl.startsWith('https:');
  const successUrl = `${deps.config.proxyBaseUrl}/ui/?login=success`;
  const logoutUrl = deps.config.proxyLogoutUrl ?? '/ui/login';

  // One Passport instance per app (no module singleton); the strategy delegates to the login service.
  const passport = new Passport();
  passport.use(
    'local',
    new LocalStrategy(
      { usernameField: 'username', passwordField: 'password', passReqToCallback: true, session: false },
      (req, username, password, done) => {
        deps.login.verify(username, password, req.ip ?? 'unknown').then(
          (user) => done(null, user),
          (err) => done(err),
        );
      },
    ),
  );
  const authenticate = (req: Request, res: Response, next: NextFunction) =>
    new Promise<AuthenticatedUser>((resolve, reject) => {
      passport.authenticate('local', { session: false }, (err: unknown, user: AuthenticatedUser | false) => {
        if (err) reject(err);
        else if (!user) reject(new Error('passport-local rejected the request without an error'));
        else resolve(user);
      })(req, res, next);
    });

  const logIn = async (req: Request, res: Response, next: NextFunction) => {
    parseBody(loginBodySchema, req.body);
    const user = await authenticate(req, res, next);
    setSessionCookies(res, await deps.login.startSession(user), secure);
  };

  const forms = express.urlencoded({ extended: false, limit: '1mb' });
  router.post('/login', forms, async (req, res, next) => {
    await logIn(req, res, next);
    res.redirect(303, successUrl);
  });
  router.post('/v2/login', forms, async (req, res, next) => {
    await logIn(req, res, next);
    res.json({ redirect_url: successUrl });
  });

  const logOut = async (req: Request, res: Response) => {
    const id = sessionIdFromCookies(req.headers.cookie);
    if (id) await deps.sessions.destroy(id);
    clearSessionCookies(res, secure);
  };
  router.post('/logout', async (req, res) => {
    await logOut(req, res);
    res.json({ redirect_url: logoutUrl });
  });
  router.get('/logout', async (req, res) => {
    await logOut(req, res);
    res.redirect(303, logoutUrl);
  });
  return router;
}

/** `/sso/get/ui_settings`: what the UI needs before it renders (any authenticated caller). */
export function uiSettingsRoutes(config: IdentityConfig): Router {
  const router = Router();
  router.get('/sso/get/ui_settings', (_req, res) => {
    res.json({
      PROXY_BASE_URL: config.proxyBaseUrl,
      PROXY_LOGOUT_URL: config.proxyLogoutUrl,
      LITELLM_UI_API_DOC_BASE_URL: null,
      DEFAULT_TEAM_DISABLED: false,
      SSO_ENABLED: false,
      NUM_SPEND_LOGS_ROWS: 0,
      DISABLE_EXPENSIVE_DB_QUERIES: false,
    });
  });
  return router;
}
