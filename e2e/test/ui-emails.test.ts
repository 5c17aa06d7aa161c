/**
 * Failed emails in the web console (issue: "admins see failed emails and can retry one — and the UI
 * shows them"). A real SMTP server answers 550 for a mistyped address; the admin finds the failed
 * invitation on the Failed emails page, corrects the address and retries, and the email arrives.
 */
import { join } from 'node:path';
import { firstLink, type SmtpSink, startSmtpSink, waitFor } from '@llmgw/testing';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { call, MASTER_KEY, ROOT, type Stack, startStack } from '../src/stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.UI_SHOTS_DIR ?? '/tmp/ui-shots';
const STEP_MS = 15_000;

interface FailedList {
  jobs: { job_id: string; to: string | null }[];
  total: number;
}

describe('web console: failed emails (browser)', () => {
  let sink: SmtpSink;
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    sink.rejectRecipients.add('ada@exmaple.com');
    stack = await startStack({ UI_DIR: join(ROOT, 'apps', 'ui', 'dist'), SMTP_URL: sink.url });
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
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: stack.gatewayUrl });
    context.setDefaultTimeout(STEP_MS);
    context.setDefaultNavigationTimeout(STEP_MS);
    page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (/content security policy/i.test(msg.text())) problems.push(`csp: ${msg.text()}`);
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await stack?.stop();
    await sink?.stop();
  }, 60_000);

  test('when an invitation bounces with 550, then the admin sees it, fixes the address, retries, and it is delivered', async () => {
    const created = await call(`${stack.gatewayUrl}/user/new`, {
      key: MASTER_KEY,
      body: { user_email: 'ada@exmaple.com', user_role: 'internal_user', send_invite_email: true },
    });
    expect(created.status).toBe(200);
    const failed = await waitFor(async () => {
      const res = await call(`${stack.gatewayUrl}/email/failed`, { key: MASTER_KEY });
      const body = res.body as FailedList;
      return res.status === 200 && body.total === 1 ? body : null;
    }, 20_000);
    expect(failed?.jobs.map((j) => j.to)).toEqual(['ada@exmaple.com']);

    await page.goto('/ui/login');
    await page.getByLabel('Email', { exact: true }).fill('admin');
    await page.getByLabel('Password', { exact: true }).fill(MASTER_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Users', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Failed emails' }).click();
    await page.getByRole('heading', { level: 1, name: 'Failed emails', exact: true }).waitFor();

    const row = page.getByRole('row').filter({ hasText: 'ada@exmaple.com' });
    await row.waitFor();
    const cells = await row.getByRole('cell').allInnerTexts();
    expect(cells.slice(0, 4)).toEqual([
      'ada@exmaple.com',
      'Invitation',
      expect.stringMatching(/^permanent SMTP failure: EENVELOPE 550 /),
      '1',
    ]);
    await page.screenshot({ path: join(SHOTS, 'emails-failed.png'), fullPage: true });

    await row.getByRole('button', { name: 'New address' }).click();
    const form = page.getByRole('form', { name: 'Send the email to ada@exmaple.com to another address' });
    const to = form.getByLabel('Send to');
    expect(await to.inputValue()).toBe('ada@exmaple.com');
    await to.fill('ada@example.com');
    await page.screenshot({ path: join(SHOTS, 'emails-retry.png'), fullPage: true });
    await form.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('The email to ada@example.com was queued again.').waitFor();
    await page.getByText('No failed emails').waitFor();

    const [mail] = await sink.waitForMessages(1, 20_000);
    expect(mail?.to).toEqual(['ada@example.com']);
    expect(firstLink(mail?.text ?? '')).toMatch(/\/ui\/onboarding\?id=[0-9a-f-]{36}$/);
    await page.screenshot({ path: join(SHOTS, 'emails-retried.png'), fullPage: true });
    expect(problems).toEqual([]);
  }, 90_000);
});
