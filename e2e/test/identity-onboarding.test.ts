/**
 * The seed journey over HTTP, every app its own process: an admin creates a user and invites it, the
 * email job carries the onboarding link, the invitee validates and claims the link with a password, logs
 * in with email + password, uses the session cookie (with CSRF on writes) and logs out, after which the
 * cookie no longer works. Reused and expired links and a wrong password fail with the contract's status.
 */
import { createEmailProducer, type EmailProducer } from '@llmgw/testing';
import pg from 'pg';
import { MASTER_KEY, type Stack, startStack } from '../src/stack';

interface Res {
  status: number;
  headers: Headers;
  body: unknown;
  cookies: Record<string, string>;
}

/** fetch without following redirects, returning the Set-Cookie values by name. */
async function http(
  url: string,
  init: {
    method?: string;
    json?: unknown;
    form?: Record<string, string>;
    cookie?: string;
    headers?: Record<string, string>;
    key?: string;
  } = {},
): Promise<Res> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  let body: string | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  }
  if (init.cookie) headers.cookie = init.cookie;
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  const res = await fetch(url, {
    method: init.method ?? (body ? 'POST' : 'GET'),
    headers,
    body,
    redirect: 'manual',
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  const cookies = Object.fromEntries(
    res.headers.getSetCookie().map((c) => {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }),
  );
  return { status: res.status, headers: res.headers, body: parsed, cookies };
}

describe('identity seed journey: invite -> claim -> login -> session -> logout', () => {
  let stack: Stack;
  /** The `email` queue as identity fills it (contracts' name and prefix), read here to find the job. */
  let emails: EmailProducer;
  let db: pg.Client;
  const url = (path: string) => `${stack.gatewayUrl}${path}`;
  const admin = (path: string, json?: unknown) => http(url(path), { key: MASTER_KEY, json });

  beforeAll(async () => {
    stack = await startStack();
    emails = await createEmailProducer(stack.redisUrl, stack.redisPrefix);
    db = new pg.Client({ connectionString: stack.database.url });
    await db.connect();
  });
  afterAll(async () => {
    await emails?.close();
    await db?.end();
    await stack?.stop();
  });

  test('when an admin invites a user who then claims the link, logs in and out, then every step answers as the contract says', async () => {
    // 1. The admin creates an internal user and invites it.
    const created = await admin('/user/new', {
      user_email: 'seed.user@example.com',
      user_role: 'internal_user',
      auto_create_key: false,
    });
    expect(created.status).toBe(200);
    const userId = (created.body as { user_id: string }).user_id;
    const invitation = await admin('/invitation/new', { user_id: userId });
    expect(invitation.status).toBe(200);
    const inv = invitation.body as { id: string; expires_at: string; created_at: string };
    expect(Date.parse(inv.expires_at) - Date.parse(inv.created_at)).toBe(7 * 24 * 3600 * 1000);

    // 2. The email job is in the queue with the onboarding link.
    const link = `${stack.gatewayUrl}/ui/onboarding?id=${inv.id}`;
    const job = await emails.queue.getJob(inv.id);
    expect(job?.data).toEqual({
      template: 'invitation',
      to: 'seed.user@example.com',
      link,
      invitedBy: null,
      orgName: 'LLM Gateway',
      expiresAt: inv.expires_at,
    });

    // 3. The onboarding page validates the link (no credentials), then claims it with a password.
    const token = await http(url(`/onboarding/get_token?invite_link=${inv.id}`));
    expect(token.status).toBe(200);
    expect(token.body).toEqual({
      login_url: link,
      token: null,
      user_email: 'seed.user@example.com',
      user_id: userId,
      expires_at: inv.expires_at,
    });
    const claim = await http(url('/onboarding/claim_token'), {
      json: { invitation_link: inv.id, user_id: userId, password: 'seed-user-password' },
    });
    expect(claim.status).toBe(200);
    expect(claim.body).toEqual(
      expect.objectContaining({
        user_id: userId,
        user_email: 'seed.user@example.com',
        user_role: 'internal_user',
      }),
    );
    expect(JSON.stringify(claim.body)).not.toMatch(/password|argon2/);

    // 4. The link works once.
    const reuse = await http(url('/onboarding/claim_token'), {
      json: { invitation_link: inv.id, user_id: userId, password: 'another-password' },
    });
    expect(reuse.status).toBe(401);
    expect(reuse.body).toEqual({ detail: { error: 'invitation link has already been used' } });

    // 5. A wrong password is refused exactly like an unknown email.
    const wrong = await http(url('/login'), {
      form: { username: 'seed.user@example.com', password: 'not-it-at-all' },
    });
    const unknown = await http(url('/login'), {
      form: { username: 'no.one@example.com', password: 'not-it-at-all' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({
      error: {
        message: 'Invalid credentials used to access UI.\nNot valid credentials for seed.user@example.com',
        type: 'auth_error',
        param: 'invalid_credentials',
        code: '401',
      },
    });
    expect(unknown.status).toBe(401);
    expect((unknown.body as { error: { message: string } }).error.message).toBe(
      'Invalid credentials used to access UI.\nNot valid credentials for no.one@example.com',
    );

    // 6. Login with email + password: 303 to the UI with the session and CSRF cookies.
    const login = await http(url('/login'), {
      form: { username: 'Seed.User@example.com', password: 'seed-user-password' },
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe(`${stack.gatewayUrl}/ui/?login=success`);
    const session = login.cookies.llmgw_session ?? '';
    const csrf = login.cookies.csrf_token ?? '';
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = `llmgw_session=${session}; csrf_token=${csrf}`;

    // 7. The cookie authenticates the management API as that user.
    const info = await http(url('/user/info'), { cookie });
    expect(info.status).toBe(200);
    expect(info.body).toEqual(
      expect.objectContaining({
        user_id: userId,
        user_info: expect.objectContaining({
          user_id: userId,
          user_email: 'seed.user@example.com',
          user_role: 'internal_user',
        }),
      }),
    );

    // 8. A state-changing cookie request needs the CSRF token; with it, the user may change its alias.
    const noCsrf = await http(url('/user/update'), { cookie, json: { user_id: userId, user_alias: 'Seed' } });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body).toEqual({
      error: {
        message:
          'CSRF token missing or invalid. Send the value of the csrf_token cookie in the x-csrf-token header.',
        type: 'auth_error',
        param: 'None',
        code: '403',
      },
    });
    const withCsrf = await http(url('/user/update'), {
      cookie,
      headers: { 'x-csrf-token': csrf },
      json: { user_id: userId, user_alias: 'Seed' },
    });
    expect(withCsrf.status).toBe(200);
    expect((withCsrf.body as { data: { user_alias: string } }).data.user_alias).toBe('Seed');
    const noRaise = await http(url('/user/update'), {
      cookie,
      headers: { 'x-csrf-token': csrf },
      json: { user_id: userId, max_budget: 1000 },
    });
    expect(noRaise.status).toBe(403);

    // 9. Logout ends the session server-side and clears both cookies; the old cookie no longer works.
    const logout = await http(url('/logout'), { method: 'POST', cookie, headers: { 'x-csrf-token': csrf } });
    expect(logout.status).toBe(200);
    expect(logout.body).toEqual({ redirect_url: '/ui/login' });
    expect(logout.cookies).toEqual({ llmgw_session: '', csrf_token: '' });
    const after = await http(url('/user/info'), { cookie });
    expect(after.status).toBe(401);
    expect(after.body).toEqual({
      error: {
        message: 'Authentication Error, UI session expired or invalid. Log in again at /login.',
        type: 'auth_error',
        param: 'None',
        code: '401',
      },
    });
  });

  test('when a link has expired, then get_token and claim_token answer 401 "Invitation link has expired."', async () => {
    const created = await admin('/user/new', { user_email: 'late@example.com', auto_create_key: false });
    const userId = (created.body as { user_id: string }).user_id;
    const inv = (await admin('/invitation/new', { user_id: userId })).body as { id: string };
    // The processes run on the real clock: move the link's expiry into the past instead.
    await db.query(`update identity.invitations set expires_at = now() - interval '1 second' where id = $1`, [
      inv.id,
    ]);

    const token = await http(url(`/onboarding/get_token?invite_link=${inv.id}`));
    const claim = await http(url('/onboarding/claim_token'), {
      json: { invitation_link: inv.id, user_id: userId, password: 'too-late-password' },
    });

    for (const res of [token, claim]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: { error: 'Invitation link has expired.' } });
    }
  });

  test('when a key and a session cookie are both sent, then the key decides (a bad key is refused)', async () => {
    const login = await http(url('/login'), { form: { username: 'admin', password: MASTER_KEY } });
    expect(login.status).toBe(303);
    const cookie = `llmgw_session=${login.cookies.llmgw_session}`;

    const res = await http(url('/user/list'), { cookie, key: 'sk-not-a-real-key-0000' });
    const cookieOnly = await http(url('/user/list'), { cookie });

    expect(res.status).toBe(401);
    expect(cookieOnly.status).toBe(200);
  });

  test('when GET /logout is followed, then 303 to /ui/login', async () => {
    const res = await http(url('/logout'));

    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/ui/login');
  });
});
