/**
 * A fresh checkout has no mail server: the built notifier, started without SMTP_URL, writes each email
 * as an .eml file to MAIL_OUTBOX_DIR and logs its link. Only Redis is needed, so the notifier runs
 * alone here (no whole stack).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newRedisPrefix } from '@llmgw/db/testing';
import {
  createEmailProducer,
  type EmailProducer,
  firstLink,
  freePort,
  invitationJob,
  parseMessage,
  type SpawnedApp,
  spawnApp,
  waitFor,
} from '@llmgw/testing';
import { ROOT } from '../src/stack';

const ENTRY = join(ROOT, 'apps', 'notifier', 'dist', 'main.js');
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('notifier without SMTP_URL (dev outbox)', () => {
  let dir: string;
  let notifier: SpawnedApp;
  let producer: EmailProducer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'notifier-outbox-e2e-'));
    const redisPrefix = newRedisPrefix();
    const port = await freePort();
    notifier = await spawnApp({
      name: 'notifier',
      entry: ENTRY,
      port,
      env: {
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        REDIS_URL,
        REDIS_PREFIX: redisPrefix,
        NOTIFIER_PORT: String(port),
        MAIL_OUTBOX_DIR: join(dir, 'outbox'),
      },
    });
    producer = await createEmailProducer(REDIS_URL, redisPrefix);
  });
  afterAll(async () => {
    await notifier?.stop();
    await producer?.queue.obliterate({ force: true }).catch(() => {});
    await producer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('when an invitation is enqueued, then an .eml file with the link appears in the outbox and the link is logged', async () => {
    const job = invitationJob({ to: 'fresh.checkout@example.com' });
    await producer.enqueue('outbox-inv-1', job);

    const emlFiles = () => readdirSync(join(dir, 'outbox')).filter((f) => f.endsWith('.eml'));
    // waitFor retries while the outbox directory does not exist yet.
    await waitFor(() => emlFiles().length > 0);
    const files = emlFiles();
    expect(files).toEqual([expect.stringMatching(/-outbox-inv-1\.eml$/)]);
    const mail = parseMessage(readFileSync(join(dir, 'outbox', files[0] ?? ''), 'utf8'));
    expect(mail.headers.to).toBe('fresh.checkout@example.com');
    expect(mail.subject).toBe("You're invited to Acme's LLM gateway");
    expect(firstLink(mail.text)).toBe(job.link);

    await waitFor(() => notifier.output().includes(job.link));
    const line = notifier
      .output()
      .split('\n')
      .find((l) => l.includes(job.link));
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      level: 'info',
      svc: 'notifier',
      jobId: 'outbox-inv-1',
      to: 'fresh.checkout@example.com',
      link: job.link,
    });
    await producer.waitForState('outbox-inv-1', 'completed');
  });

  test('when SMTP_URL is not an smtp:// URL, then the notifier exits 1 with one line naming it', () => {
    const res = spawnSync(process.execPath, [ENTRY], {
      env: { PATH: process.env.PATH ?? '', REDIS_URL, SMTP_URL: 'http://mail.example.com' },
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(res.status).toBe(1);
    expect(res.stderr.trim().split('\n')).toEqual([
      'notifier: invalid environment: SMTP_URL: must be a URL starting with smtp:// or smtps://',
    ]);
  });

  test('when NODE_ENV is production and INTERNAL_SECRET is unset, then the notifier refuses to start', () => {
    const res = spawnSync(process.execPath, [ENTRY], {
      env: { PATH: process.env.PATH ?? '', REDIS_URL, NODE_ENV: 'production' },
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(res.status).toBe(1);
    expect(res.stderr.trim()).toBe('notifier: invalid environment: INTERNAL_SECRET: required in production');
  });
});
