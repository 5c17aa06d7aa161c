/**
 * The web console in a real browser (Debian's Chromium driven by playwright-core) against the whole
 * stack: the admin signs in and invites a user; the invitee opens the emailed onboarding link (read from
 * the notifier's outbox, no SMTP_URL), sets a password, lands signed in, creates a key that is shown
 * once and works on /v1/chat/completions, sees their usage, signs out and signs in again.
 * Screenshots of every page go to UI_SHOTS_DIR (default /tmp/ui-shots).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstLink, parseMessage, waitFor } from '@llmgw/testing';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { call, MASTER_KEY, ROOT, type Stack, startStack } from '../src/stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.UI_SHOTS_DIR ?? '/tmp/ui-shots';
const UI_DIR = join(ROOT, 'apps', 'ui', 'dist');
const STEP_MS = 15_000;

describe('web console (browser)', () => {
  let stack: Stack;
  let base: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** Uncaught page errors and CSP violations, from every page of every context. */
  const problems: string[] = [];

  const email = `ada.${Date.now()}@example.com`;
  const password = 'correct horse battery staple';
  let inviteLink = '';
  let rawKey = '';

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: base });
    context.setDefaultTimeout(STEP_MS);
    context.setDefaultNavigationTimeout(STEP_MS);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (/content security policy/i.test(msg.text())) problems.push(`csp: ${msg.text()}`);
    });
    return page;
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  async function heading(page: Page, name: string): Promise<void> {
    await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
  }

  async function signIn(page: Page, username: string, pass: string): Promise<void> {
    await page.goto('/ui/login');
    await heading(page, 'Sign in');
    await page.getByLabel('Email', { exact: true }).fill(username);
    await page.getByLabel('Password', { exact: true }).fill(pass);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** The signed-in name and role badge of the top bar. */
  const whoami = async (page: Page) => [
    await page.locator('.whoami-name').textContent(),
    await page.locator('.whoami .badge').textContent(),
  ];

  const path = (page: Page) => {
    const u = new URL(page.url());
    return `${u.pathname}${u.search}`;
  };

  /** The invitation email the notifier wrote for `to` (outbox mode: no SMTP_URL). */
  async function invitationEmailTo(to: string) {
    const outbox = stack.env.MAIL_OUTBOX_DIR ?? '';
    return waitFor(
      () => {
        if (!existsSync(outbox)) return null;
        for (const file of readdirSync(outbox).filter((f) => f.endsWith('.eml'))) {
          const mail = parseMessage(readFileSync(join(outbox, file), 'utf8'));
          if (mail.headers.to === to) return mail;
        }
        return null;
      },
      20_000,
      100,
    );
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack({ UI_DIR });
    base = stack.gatewayUrl;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30_000,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close().catch(() => {});
    await stack?.stop();
  }, 60_000);

  test('when a wrong password is entered, then the error is shown and the page stays on sign-in', async () => {
    const page = await newPage();
    await signIn(page, 'admin', 'not-the-master-key');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect([
      await alert.locator('.notice-title').textContent(),
      await alert.locator('.notice-text').textContent(),
    ]).toEqual(['Could not sign in', 'Wrong email or password.']);
    expect(path(page)).toBe('/ui/login');
    await shot(page, 'login-error');
  }, 60_000);

  test('when an admin signs in with UI_USERNAME/UI_PASSWORD, then the users page shows', async () => {
    const page = await newPage();
    await page.goto('/ui/login');
    await heading(page, 'Sign in');
    await shot(page, 'login');
    await signIn(page, 'admin', MASTER_KEY);
    await heading(page, 'Users');
    expect(path(page)).toBe('/ui/users');
    expect(await page.getByRole('status').filter({ hasText: "You're signed in." }).count()).toBe(1);
    expect(await whoami(page)).toEqual(['Administrator', 'Admin']);
    const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();
    expect(nav).toEqual(['API keys', 'Usage', 'Users', 'Teams', 'Failed emails']);
  }, 60_000);

  test('when the admin creates a user with an invitation, then the user is listed and the invitation email has the onboarding link', async () => {
    const page = await newPage();
    await signIn(page, 'admin', MASTER_KEY);
    await heading(page, 'Users');
    await page.getByRole('button', { name: 'New user' }).click();
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Role').selectOption('internal_user');
    expect(await page.getByLabel('Send an invitation email').isChecked()).toBe(true);
    await shot(page, 'users-new');
    await page.getByRole('button', { name: 'Create and invite' }).click();
    await page.getByText(`${email} was created. The invitation email is on its way.`).waitFor();
    const row = page.getByRole('row').filter({ hasText: email });
    await row.waitFor();
    expect(await row.getByRole('cell').nth(1).textContent()).toBe('User');
    await shot(page, 'users');

    const mail = await invitationEmailTo(email);
    inviteLink = firstLink(mail?.text ?? '') ?? '';
    // The link is <PROXY_BASE_URL>/ui/onboarding?id=<invitation id> (ARCHITECTURE §3); the stack's
    // PROXY_BASE_URL is its gateway.
    expect(inviteLink.startsWith(`${base}/ui/onboarding?id=`)).toBe(true);
    expect(new URL(inviteLink).searchParams.get('id')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  }, 60_000);

  test('when the invitee opens the onboarding link and sets a password, then they land signed in on their keys', async () => {
    expect(inviteLink).not.toBe('');
    const page = await newPage();
    await page.goto(inviteLink);
    await heading(page, 'Set your password');
    expect(await page.locator('.auth-subtitle').textContent()).toBe(
      `You were invited to the LLM Gateway as ${email}. Choose a password to finish setting up your account.`,
    );
    await shot(page, 'onboarding');

    // Client-side checks first: too short, then not the same.
    await page.getByLabel('New password').fill('short');
    await page.getByLabel('Confirm password').fill('short');
    await page.getByRole('button', { name: 'Create account and sign in' }).click();
    await page.getByText('Use at least 8 characters.').waitFor();
    await page.getByLabel('New password').fill(password);
    await page.getByLabel('Confirm password').fill(`${password}!`);
    await page.getByRole('button', { name: 'Create account and sign in' }).click();
    await page.getByText('The two passwords are not the same.').waitFor();
    await shot(page, 'onboarding-errors');

    await page.getByLabel('Confirm password').fill(password);
    await page.getByRole('button', { name: 'Create account and sign in' }).click();
    await heading(page, 'API keys');
    expect(path(page)).toBe('/ui/keys');
    expect(await whoami(page)).toEqual([email, 'User']);
    const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();
    expect(nav).toEqual(['API keys', 'Usage']);
    await page.getByText('No keys yet').waitFor();
    await shot(page, 'keys-empty');

    // Signed in by cookie only: the session cookie is HttpOnly, nothing is kept in web storage.
    // (Browser-side code is passed as a string: this project compiles without the DOM library.)
    const storage = await page.evaluate<{ local: number; session: number; cookies: string[] }>(`({
      local: localStorage.length,
      session: sessionStorage.length,
      cookies: document.cookie.split(';').map((c) => c.trim().split('=')[0]).sort(),
    })`);
    expect(storage).toEqual({ local: 0, session: 0, cookies: ['csrf_token'] });
  }, 60_000);

  test('when the invitee creates a key, then it is shown once and works on /v1/chat/completions', async () => {
    const page = contexts.at(-1)?.pages()[0];
    if (!page) throw new Error('the onboarding test left no page');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByLabel('Name').fill('laptop');
    await page.getByLabel('Budget (USD)').fill('5');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = page.getByTestId('new-key');
    await secret.waitFor();
    rawKey = await secret.inputValue();
    expect(rawKey).toMatch(/^sk-[A-Za-z0-9_-]{22}$/);
    await shot(page, 'key-created');

    const chat = await call(`${base}/v1/chat/completions`, {
      key: rawKey,
      body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello from the console test' }] },
    });
    expect(chat.status).toBe(200);
    expect(chat.body).toMatchObject({ object: 'chat.completion', model: expect.any(String) });

    await page.getByRole('button', { name: 'I have copied it' }).click();
    await secret.waitFor({ state: 'detached' });
    const row = page.getByRole('row').filter({ hasText: 'laptop' });
    await row.waitFor();
    expect((await row.getByRole('cell').allInnerTexts()).slice(0, 6)).toEqual([
      'laptop',
      `sk-...${rawKey.slice(-4)}`,
      'All models',
      expect.stringMatching(/^\$/),
      '$5.00',
      'Never',
    ]);
    // Gone for good: not in the page, not in web storage.
    expect(await page.content()).not.toContain(rawKey);
    expect(await page.evaluate<number>('localStorage.length + sessionStorage.length')).toBe(0);
    await shot(page, 'keys');
    // Narrow screens: the navigation moves above the content and the table scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await heading(page, 'API keys');
    await shot(page, 'keys-mobile');
    await page.setViewportSize({ width: 1280, height: 800 });
  }, 60_000);

  test('when a state-changing call is made with the session cookie but without the CSRF header, then 403', async () => {
    const page = contexts.at(-1)?.pages()[0];
    if (!page) throw new Error('no signed-in page');
    const status = await page.evaluate(async () => {
      const res = await fetch('/key/generate', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key_alias: 'csrf-probe' }),
        credentials: 'include',
      });
      return res.status;
    });
    expect(status).toBe(403);
  }, 30_000);

  test('when the invitee opens Usage, then their spend and their call are shown', async () => {
    const page = contexts.at(-1)?.pages()[0];
    if (!page) throw new Error('no signed-in page');
    await page.getByRole('link', { name: 'Usage' }).click();
    await heading(page, 'Usage');
    // The spend log is written from a queue, shortly after the call.
    await waitFor(
      async () => {
        await page.reload();
        await heading(page, 'Usage');
        const calls = page.getByRole('region', { name: 'Recent calls' });
        await calls
          .getByText(/^(No calls yet|gpt-4o|Usage details are not available yet|Calls could not be loaded)$/)
          .first()
          .waitFor();
        // Logs and the 30-day total load side by side: wait until both include the call.
        const listed = (await calls.getByRole('cell', { name: 'gpt-4o', exact: true }).count()) > 0;
        const total = (await page.locator('.stat-value').first().textContent()) ?? '';
        return listed && /^\$0\.0\d*[1-9]/.test(total);
      },
      30_000,
      1000,
    );
    const calls = page.getByRole('region', { name: 'Recent calls' });
    const cells = await calls.getByRole('row').nth(1).getByRole('cell').allInnerTexts();
    expect(cells.slice(1, 3)).toEqual(['gpt-4o', 'laptop']);
    expect(await page.locator('.stat-label').allInnerTexts()).toEqual([
      'Spend, last 30 days',
      'Your budget',
      'Your keys',
    ]);
    // The call cost a fraction of a cent: the 30-day total and the key's 30-day spend show it.
    const values = await page.locator('.stat-value').allInnerTexts();
    expect(values[0]).toMatch(/^\$0\.0\d*[1-9]\d*$/);
    expect(values[2]).toBe('1');
    const keyRow = page
      .getByRole('region', { name: 'Spend by key' })
      .getByRole('row')
      .filter({ hasText: 'laptop' });
    expect((await keyRow.getByRole('cell').allInnerTexts())[1]).toBe(values[0]);
    expect(await page.getByRole('img', { name: /^Daily spend from / }).count()).toBe(1);
    await shot(page, 'spend');
  }, 60_000);

  test('when a non-admin opens an admin page, then it says administrators only', async () => {
    const page = contexts.at(-1)?.pages()[0];
    if (!page) throw new Error('no signed-in page');
    await page.goto('/ui/users');
    await page.getByText('Administrators only').waitFor();
    expect(await page.getByRole('heading', { level: 1, name: 'Users' }).count()).toBe(0);
  }, 30_000);

  test('when the invitee signs out and signs in again with email and password, then their keys show again', async () => {
    const page = contexts.at(-1)?.pages()[0];
    if (!page) throw new Error('no signed-in page');
    await page.goto('/ui/keys');
    await heading(page, 'API keys');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign in');
    expect(path(page)).toBe('/ui/login');
    // The server session is gone: the console no longer loads data.
    const after = await page.evaluate(
      async () => (await fetch('/user/info', { credentials: 'include' })).status,
    );
    expect(after).toBe(401);

    await signIn(page, email.toUpperCase(), password);
    await heading(page, 'API keys');
    expect(path(page)).toBe('/ui/keys');
    await page.getByRole('row').filter({ hasText: 'laptop' }).waitFor();
  }, 60_000);

  test('when the used invitation link is opened again, then it says so and offers sign-in', async () => {
    const page = await newPage();
    await page.goto(inviteLink);
    await page.getByText('This invitation has already been used').waitFor();
    expect(await page.getByRole('link', { name: 'Go to sign in' }).getAttribute('href')).toBe('/ui/login');
    await shot(page, 'onboarding-used');
  }, 30_000);

  test('when an unknown invitation link is opened, then it says the link is not valid', async () => {
    const page = await newPage();
    await page.goto('/ui/onboarding?id=00000000-0000-4000-8000-000000000000');
    await page.getByText('This invitation link is not valid').waitFor();
    await shot(page, 'onboarding-unknown');
  }, 30_000);

  test('when the admin opens keys, teams and failed emails, then each page works', async () => {
    const page = await newPage();
    await signIn(page, 'admin', MASTER_KEY);
    await heading(page, 'Users');

    // A fresh invitation link for an existing user, shown to copy (e.g. when email is not set up).
    await page.getByRole('button', { name: `New invitation for ${email}` }).click();
    const link = page.getByRole('textbox', { name: `Invitation link for ${email}` });
    await link.waitFor();
    expect(await link.inputValue()).toMatch(new RegExp(`^${base}/ui/onboarding\\?id=[0-9a-f-]{36}$`));
    await shot(page, 'users-invite-link');
    await page.getByRole('button', { name: 'Done' }).click();

    await page.getByRole('link', { name: 'API keys' }).click();
    await heading(page, 'API keys');
    const keyRow = page.getByRole('row').filter({ hasText: 'laptop' });
    await keyRow.waitFor();
    // Admins see the owner under the key's name, by email.
    await keyRow.getByText(email, { exact: true }).waitFor();
    await shot(page, 'admin-keys');

    await page.getByRole('link', { name: 'Usage' }).click();
    await heading(page, 'Usage');
    await page
      .getByRole('region', { name: 'Recent calls' })
      .getByRole('cell', { name: 'gpt-4o', exact: true })
      .first()
      .waitFor();
    await shot(page, 'admin-spend');

    await page.getByRole('link', { name: 'Teams' }).click();
    await heading(page, 'Teams');
    await page.getByRole('button', { name: 'New team' }).click();
    await page.getByLabel('Name').fill('Research');
    await page.getByLabel('Budget (USD)').fill('100');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByText('Team Research was created.').waitFor();
    const team = page.getByRole('row').filter({ hasText: 'Research' });
    await team.waitFor();
    expect((await team.getByRole('cell').allInnerTexts()).slice(2)).toEqual([
      'All models',
      '$0.00',
      '$100.00',
      'Active',
    ]);
    await shot(page, 'teams');

    await page.getByRole('link', { name: 'Failed emails' }).click();
    await heading(page, 'Failed emails');
    await page.getByText('No failed emails').waitFor();
    await shot(page, 'emails');
  }, 60_000);

  test('when every page has been used, then no script error and no CSP violation happened', () => {
    expect(problems).toEqual([]);
  });
});
