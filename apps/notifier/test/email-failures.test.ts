import { firstLink, invitationJob, type SmtpSink, sleep, startSmtpSink } from '@llmgw/testing';
import request from 'supertest';
import { type NotifierHarness, startNotifier } from './notifier-harness';

describe('permanent failures, GET /email/failed and POST /email/retry', () => {
  let sink: SmtpSink;
  let n: NotifierHarness;

  beforeAll(async () => {
    sink = await startSmtpSink();
    sink.rejectRecipients.add('no.such.user@example.com');
    n = await startNotifier({ smtpUrl: sink.url, retry: { attempts: 5, backoffMs: 50 } });
  });
  afterAll(async () => {
    await n?.close();
    await sink?.stop();
  });

  describe('a 550 from the SMTP server', () => {
    const job = invitationJob({ to: 'no.such.user@example.com' });

    test('when the server answers 550 for the recipient, then the job fails at once, tried exactly once', async () => {
      await n.producer.enqueue('inv-550', job);
      const failed = await n.producer.waitForState('inv-550', 'failed');
      await sleep(300);

      expect(sink.rcptAttempts).toEqual(['no.such.user@example.com']);
      expect(sink.messages).toEqual([]);
      expect(failed.failedReason).toMatch(/^permanent SMTP failure: EENVELOPE 550 .*mailbox unavailable/);
      expect(failed.attemptsMade).toBe(1);
    });

    test('when an admin lists failed emails, then the job is there with recipient, reason and attempts, and no link', async () => {
      const res = await request(n.app).get('/email/failed').set(n.as('proxy_admin'));

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        jobs: [
          {
            job_id: 'inv-550',
            template: 'invitation',
            to: 'no.such.user@example.com',
            failed_reason: expect.stringMatching(/^permanent SMTP failure: EENVELOPE 550 /),
            attempts_made: 1,
            created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
            processed_at: expect.stringMatching(/Z$/),
            failed_at: expect.stringMatching(/Z$/),
          },
        ],
        total: 1,
        page: 1,
        page_size: 25,
        total_pages: 1,
      });
      expect(res.text).not.toContain(job.link);
    });

    test('when a proxy_admin_viewer lists failed emails, then it may read them', async () => {
      const res = await request(n.app).get('/email/failed').set(n.as('proxy_admin_viewer'));
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(1);
    });

    test('when the admin retries with the address fixed, then the email is sent to the new address and the job completes', async () => {
      const res = await request(n.app)
        .post('/email/retry')
        .set(n.as('proxy_admin', 'master'))
        .send({ job_id: 'inv-550', to: 'fixed.user@example.com' });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        job_id: 'inv-550',
        template: 'invitation',
        to: 'fixed.user@example.com',
        status: 'queued',
      });
      const [mail] = await sink.waitForMessages(1);
      expect(mail?.to).toEqual(['fixed.user@example.com']);
      expect(firstLink(mail?.text ?? '')).toBe(job.link);
      const done = await n.producer.waitForState('inv-550', 'completed');
      expect(done.data).toEqual({ ...job, to: 'fixed.user@example.com' });

      const list = await request(n.app).get('/email/failed').set(n.as('proxy_admin'));
      expect(list.body).toEqual({ jobs: [], total: 0, page: 1, page_size: 25, total_pages: 0 });
    });

    test('when the retried job has already been sent, then retrying it again is a 400 and nothing is sent', async () => {
      const res = await request(n.app)
        .post('/email/retry')
        .set(n.as('proxy_admin'))
        .send({ job_id: 'inv-550' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          message: 'email job `inv-550` is not failed (state: completed); only failed jobs can be retried',
          type: 'bad_request_error',
          param: 'job_id',
          code: '400',
        },
      });
      await sleep(200);
      expect(sink.messages).toHaveLength(1);
    });
  });

  describe('retries exhausted', () => {
    test('when SMTP stays down for every attempt, then the job fails naming the attempts, and a plain retry sends it once SMTP is back', async () => {
      const down = await startSmtpSink();
      await down.stop();
      const m = await startNotifier({ smtpUrl: down.url, retry: { attempts: 3, backoffMs: 50 } });
      try {
        await m.producer.enqueue('inv-exhausted', invitationJob({ to: 'patient@example.com' }));
        const failed = await m.producer.waitForState('inv-exhausted', 'failed');
        expect(failed.failedReason).toMatch(/^gave up after 3 attempts: ESOCKET .*ECONNREFUSED/);

        const list = await request(m.app).get('/email/failed').set(m.as('proxy_admin'));
        expect(list.body.jobs).toEqual([
          expect.objectContaining({ job_id: 'inv-exhausted', attempts_made: 3 }),
        ]);
        const metrics = await request(m.app).get('/metrics');
        expect(metrics.text).toContain('llmgw_email_retried_total{template="invitation"} 2');
        expect(metrics.text).toContain(
          'llmgw_email_failed_total{template="invitation",reason="exhausted"} 1',
        );

        await down.start();
        const res = await request(m.app)
          .post('/email/retry')
          .set(m.as('proxy_admin'))
          .send({ job_id: 'inv-exhausted' });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          job_id: 'inv-exhausted',
          template: 'invitation',
          to: 'patient@example.com',
          status: 'queued',
        });
        const [mail] = await down.waitForMessages(1);
        expect(mail?.to).toEqual(['patient@example.com']);
        const done = await m.producer.waitForState('inv-exhausted', 'completed');
        // The retry started a fresh attempt budget.
        expect(done.attemptsStarted).toBe(1);
      } finally {
        await m.close();
        await down.stop();
      }
    });
  });

  describe('invalid payloads', () => {
    test('when a job payload breaks the schema, then it fails without retry and a retry that cannot fix it is a 400', async () => {
      await n.producer.enqueue('inv-bad', { template: 'invitation', to: 'not-an-address' });
      const failed = await n.producer.waitForState('inv-bad', 'failed');
      expect(failed.failedReason).toBe('invalid email job payload: to, link, invitedBy, orgName, expiresAt');

      const list = await request(n.app).get('/email/failed').set(n.as('proxy_admin'));
      expect(list.body.jobs).toEqual([
        expect.objectContaining({ job_id: 'inv-bad', template: 'invitation', to: 'not-an-address' }),
      ]);

      const res = await request(n.app)
        .post('/email/retry')
        .set(n.as('proxy_admin'))
        .send({ job_id: 'inv-bad', to: 'valid@example.com' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          message: 'email job `inv-bad` cannot be retried: invalid link, invitedBy, orgName, expiresAt',
          type: 'bad_request_error',
          param: 'to',
          code: '400',
        },
      });
      expect(await n.producer.state('inv-bad')).toBe('failed');
      // The address was not written into a job that stays failed.
      expect((await n.queue.getJob('inv-bad'))?.data.to).toBe('not-an-address');
    });
  });

  describe('access and input errors', () => {
    test.each(['internal_user', 'internal_user_viewer', 'unknown'] as const)(
      'when a %s lists failed emails, then 403 in the LiteLLM envelope',
      async (role) => {
        const res = await request(n.app).get('/email/failed').set(n.as(role));
        expect(res.status).toBe(403);
        expect(res.body).toEqual({
          error: {
            message: `user not allowed to access this route, role= ${role}. Trying to access: /email/failed`,
            type: 'auth_error',
            param: 'None',
            code: '403',
          },
        });
      },
    );

    test('when a proxy_admin_viewer retries, then 403 and the job stays failed', async () => {
      const res = await request(n.app)
        .post('/email/retry')
        .set(n.as('proxy_admin_viewer'))
        .send({ job_id: 'inv-bad' });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        error: {
          message:
            'user not allowed to access this route, role= proxy_admin_viewer. Trying to access: /email/retry',
          type: 'auth_error',
          param: 'None',
          code: '403',
        },
      });
      expect(await n.producer.state('inv-bad')).toBe('failed');
    });

    test('when the call has no signed principal, then 401', async () => {
      const res = await request(n.app).get('/email/failed');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: {
          message: 'Authentication Error, missing internal principal. Call this service through the gateway.',
          type: 'auth_error',
          param: 'None',
          code: '401',
        },
      });
    });

    test('when the job id is unknown, then 404 naming it', async () => {
      const res = await request(n.app)
        .post('/email/retry')
        .set(n.as('proxy_admin'))
        .send({ job_id: 'nope-1' });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        error: {
          message: 'email job `nope-1` not found',
          type: 'not_found_error',
          param: 'job_id',
          code: '404',
        },
      });
    });

    test('when job_id is missing and to is not an email, then 422 naming both fields', async () => {
      const res = await request(n.app).post('/email/retry').set(n.as('proxy_admin')).send({ to: 'nope' });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({
        detail: [
          { type: 'invalid_type', loc: ['body', 'job_id'], msg: expect.stringMatching(/^job_id: /) },
          { type: 'invalid_format', loc: ['body', 'to'], msg: expect.stringMatching(/^to: /) },
        ],
      });
    });

    test('when page_size is out of range, then 422 naming it', async () => {
      const res = await request(n.app).get('/email/failed?page_size=1000').set(n.as('proxy_admin'));
      expect(res.status).toBe(422);
      expect(res.body).toEqual({
        detail: [
          { type: 'too_big', loc: ['query', 'page_size'], msg: expect.stringMatching(/^page_size: /) },
        ],
      });
    });

    test('when the body is not JSON, then 400 and never a 500', async () => {
      const res = await request(n.app)
        .post('/email/retry')
        .set(n.as('proxy_admin'))
        .set('content-type', 'application/json')
        .send('{"job_id": ');
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        type: 'invalid_request_error',
        param: 'request_body',
        code: '400',
      });
    });
  });

  describe('pagination', () => {
    test('when there are more failed emails than a page, then pages split them newest first', async () => {
      for (const i of [1, 2, 3]) {
        await n.producer.enqueue(`inv-page-${i}`, { template: 'invitation', to: `page${i}` });
        await n.producer.waitForState(`inv-page-${i}`, 'failed');
      }
      const first = await request(n.app).get('/email/failed?page=1&page_size=2').set(n.as('proxy_admin'));
      const second = await request(n.app).get('/email/failed?page=2&page_size=2').set(n.as('proxy_admin'));

      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ total: 4, page: 1, page_size: 2, total_pages: 2 });
      expect(first.body.jobs.map((j: { job_id: string }) => j.job_id)).toEqual(['inv-page-3', 'inv-page-2']);
      expect(second.body.jobs.map((j: { job_id: string }) => j.job_id)).toEqual(['inv-page-1', 'inv-bad']);
    });
  });
});
