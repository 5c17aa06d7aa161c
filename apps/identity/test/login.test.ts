import { createHash } from 'node:crypto';
import { PROXY_ADMIN_ID, redisKeys } from '@llmgw/contracts';
import {
  BASE_URL,
  cookieValue,
  type Harness,
  principals,
  SESSION_COOKIE,
  setCookies,
  startHarness,
  UI_PASSWORD,
} from './support/harness';

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

const invalid = (username: string) => ({
  error: {
    message: `Invalid credentials used to access UI.\nNot valid credentials for ${username}`,
    type: 'auth_error',
    param: 'invalid_credentials',
    code: '401',
  },
});

describe('identity /login, /v2/login, /logout', () => {
  let h: Harness;
  const admin = () => h.as(principals.master());
  /** A user with a password, its email varied per test so rate limits never mix. */
  const member = async (tag: string, password = 'member-password') => {
    const email = `${tag}@example.com`;
    await admin().post('/user/new', {
      user_id: tag,
      user_email: email,
      user_role: 'internal_user_viewer',
      auto_create_key: false,
    });
    await admin().post('/user/update', { user_id: tag, password });
    return email;
  };
  const form = (username: string, password: string, ip = '10.0.0.1') =>
    h.anonymous().post('/login').set('x-forwarded-for', ip).type('form').send({ username, password });
  const sessionKey = (res: { headers: Record<string, unknown> }) =>
    redisKeys(h.prefix).session(sha256(cookieValue(setCookies(res)[SESSION_COOKIE])));

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('when the admin logs in with UI_USERNAME and UI_PASSWORD (the master key), then 303 to the UI with a proxy_admin session for default_user_id', async () => {
    const res = await form('admin', UI_PASSWORD);

    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${BASE_URL}/ui/?login=success`);
    expect(JSON.parse((await h.redis.get(sessionKey(res))) ?? 'null')).toEqual({
      userId: PROXY_ADMIN_ID,
      role: 'proxy_admin',
      csrfToken: cookieValue(setCookies(res).csrf_token),
      createdAt: ISO,
    });
    expect((await admin().get(`/user/info?user_id=${PROXY_ADMIN_ID}`)).body.user_info.user_role).toBe(
      'proxy_admin',
    );
  });

  it('when a user logs in with its email in another case, then 303 and a session with its role', async () => {
    const email = await member('casey');

    const res = await form(email.toUpperCase(), 'member-password');

    expect(res.status).toBe(303);
    expect(JSON.parse((await h.redis.get(sessionKey(res))) ?? 'null')).toEqual(
      expect.objectContaining({ userId: 'casey', role: 'internal_user_viewer' }),
    );
    const cookies = setCookies(res);
    expect(cookies[SESSION_COOKIE]).toMatch(/; HttpOnly; SameSite=Lax$/);
    expect(cookies.csrf_token).not.toMatch(/HttpOnly/);
  });

  it('when /v2/login gets JSON, then 200 with redirect_url and the same cookies', async () => {
    const email = await member('jason');

    const res = await h.anonymous().post('/v2/login').send({ username: email, password: 'member-password' });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ redirect_url: `${BASE_URL}/ui/?login=success` });
    expect(Object.keys(setCookies(res)).sort()).toEqual(['csrf_token', SESSION_COOKIE]);
  });

  it('when the password is wrong, the email is unknown, or the user never set a password, then the same 401 and no cookie', async () => {
    await member('wrongpw');
    await admin().post('/user/new', {
      user_id: 'nopw',
      user_email: 'nopw@example.com',
      auto_create_key: false,
    });

    const results = await Promise.all([
      form('wrongpw@example.com', 'not-the-password', '10.0.1.1'),
      form('nobody@example.com', 'not-the-password', '10.0.1.2'),
      form('nopw@example.com', 'not-the-password', '10.0.1.3'),
      form('admin', 'not-the-master-key', '10.0.1.4'),
    ]);

    expect(results.map((r) => [r.status, r.body, r.headers['set-cookie']])).toEqual([
      [401, invalid('wrongpw@example.com'), undefined],
      [401, invalid('nobody@example.com'), undefined],
      [401, invalid('nopw@example.com'), undefined],
      [401, invalid('admin'), undefined],
    ]);
  });

  it('when username or password is missing, then 422 naming it', async () => {
    const res = await h.anonymous().post('/login').type('form').send({ username: 'x' });

    expect(res.status).toBe(422);
    expect(res.body.detail[0].loc).toEqual(['body', 'password']);
  });

  it('when an account fails 10 times, then the 11th attempt gets 429 with Retry-After even with the right password; other accounts are not affected', async () => {
    const email = await member('locked');
    for (let i = 0; i < 10; i++) {
      expect((await form(email, `wrong-${i}`, `10.1.0.${i}`)).status).toBe(401);
    }

    const blocked = await form(email, 'member-password', '10.1.0.99');
    const other = await form(await member('unlocked'), 'member-password', '10.1.0.99');

    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(900);
    expect(blocked.body).toEqual({
      error: {
        message: `Too many failed login attempts. Try again in ${blocked.headers['retry-after']} seconds.`,
        type: 'rate_limit_error',
        param: 'None',
        code: '429',
      },
    });
    expect(other.status).toBe(303);
  });

  it('when an account logs in successfully after 9 failures, then its count starts again', async () => {
    const email = await member('recovers');
    for (let i = 0; i < 9; i++) await form(email, `wrong-${i}`, '10.2.0.1');
    expect((await form(email, 'member-password', '10.2.0.1')).status).toBe(303);

    expect((await form(email, 'wrong-again', '10.2.0.1')).status).toBe(401);
  });

  it('when one IP fails 100 times across accounts, then its next attempt gets 429 while other IPs still log in', async () => {
    const email = await member('shared-ip-victim');
    for (let i = 0; i < 100; i++) {
      const res = await form(`spray-${i}@example.com`, 'guess', '10.3.0.1');
      expect(res.status).toBe(401);
    }

    const sameIp = await form(email, 'member-password', '10.3.0.1');
    const otherIp = await form(email, 'member-password', '10.3.0.2');

    expect(sameIp.status).toBe(429);
    expect(Number(sameIp.headers['retry-after'])).toBeGreaterThan(0);
    expect(otherIp.status).toBe(303);
  });

  describe('logout', () => {
    it('when POST /logout carries the session cookie, then the session is gone from Redis, both cookies are cleared and the redirect is /ui/login', async () => {
      const login = await form('admin', UI_PASSWORD, '10.4.0.1');
      const key = sessionKey(login);
      expect(await h.redis.exists(key)).toBe(1);

      const res = await h
        .anonymous()
        .post('/logout')
        .set('cookie', `${SESSION_COOKIE}=${cookieValue(setCookies(login)[SESSION_COOKIE])}`);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ redirect_url: '/ui/login' });
      expect(await h.redis.exists(key)).toBe(0);
      const cleared = setCookies(res);
      expect(cleared[SESSION_COOKIE]).toBe(
        `${SESSION_COOKIE}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax`,
      );
      expect(cleared.csrf_token).toBe(
        'csrf_token=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Lax',
      );
    });

    it('when GET /logout is followed with PROXY_LOGOUT_URL set, then 303 there', async () => {
      const withUrl = await startHarness({ config: { proxyLogoutUrl: 'https://sso.example.test/logout' } });
      try {
        const get = await withUrl.anonymous().get('/logout');
        const post = await withUrl.anonymous().post('/logout');

        expect(get.status).toBe(303);
        expect(get.headers.location).toBe('https://sso.example.test/logout');
        expect(post.body).toEqual({ redirect_url: 'https://sso.example.test/logout' });
      } finally {
        await withUrl.close();
      }
    });

    it('when logging out without a session, then it still answers and clears the cookies', async () => {
      const res = await h.anonymous().post('/logout').set('cookie', `${SESSION_COOKIE}=garbage`);

      expect(res.status).toBe(200);
      expect(Object.keys(setCookies(res)).sort()).toEqual(['csrf_token', SESSION_COOKIE]);
    });
  });

  it('when an admin changes a user’s role, then that user’s sessions end (their role is stale)', async () => {
    const email = await member('promoted');
    const login = await form(email, 'member-password', '10.5.0.1');
    const key = sessionKey(login);
    expect(await h.redis.exists(key)).toBe(1);

    await admin().post('/user/update', { user_id: 'promoted', user_role: 'internal_user' });

    expect(await h.redis.exists(key)).toBe(0);
  });

  it('when a signed-in caller asks for /sso/get/ui_settings, then the UI settings', async () => {
    const res = await h.as(principals.user('casey', 'internal_user_viewer')).get('/sso/get/ui_settings');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      PROXY_BASE_URL: BASE_URL,
      PROXY_LOGOUT_URL: null,
      LITELLM_UI_API_DOC_BASE_URL: null,
      DEFAULT_TEAM_DISABLED: false,
      SSO_ENABLED: false,
      NUM_SPEND_LOGS_ROWS: 0,
      DISABLE_EXPENSIVE_DB_QUERIES: false,
    });
  });
});
