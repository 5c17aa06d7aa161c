import { createHash } from 'node:crypto';
import { redisKeys } from '@llmgw/contracts';
import { createRedis } from '@llmgw/db/redis';
import { startOwnRedis } from '@llmgw/testing';
import { createEmailQueue } from '../src/email/email-queue';
import {
  BASE_URL,
  cookieValue,
  type Harness,
  principals,
  SESSION_COOKIE,
  setCookies,
  startHarness,
} from './support/harness';

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DAY = 24 * 3600 * 1000;
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

describe('identity invitations and onboarding', () => {
  let h: Harness;
  const admin = () => h.as(principals.master());
  let n = 0;
  /** A fresh invited user per test. */
  const invitee = async (email?: string) => {
    n += 1;
    const userId = `invitee-${n}`;
    await admin().post('/user/new', {
      user_id: userId,
      user_email: email ?? `invitee-${n}@example.com`,
      user_role: 'internal_user',
      auto_create_key: false,
    });
    const inv = await admin().post('/invitation/new', { user_id: userId });
    expect(inv.status).toBe(200);
    return { userId, invitation: inv.body as { id: string; expires_at: string; created_at: string } };
  };

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('POST /invitation/new', () => {
    it('when an admin invites a user, then the invitation expires in exactly 7 days and one email job carries the onboarding link', async () => {
      await admin().post('/user/new', {
        user_id: 'inv-a',
        user_email: 'inv-a@example.com',
        auto_create_key: false,
      });
      const res = await admin().post('/invitation/new', { user_id: 'inv-a' });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID_RE),
        user_id: 'inv-a',
        is_accepted: false,
        accepted_at: null,
        expires_at: ISO,
        created_at: ISO,
        created_by: 'default_user_id',
        updated_at: ISO,
        updated_by: 'default_user_id',
      });
      expect(Date.parse(res.body.expires_at) - Date.parse(res.body.created_at)).toBe(7 * DAY);
      const job = await h.emailQueue.getJob(res.body.id);
      expect(job?.name).toBe('invitation');
      expect(job?.data).toEqual({
        template: 'invitation',
        to: 'inv-a@example.com',
        link: `${BASE_URL}/ui/onboarding?id=${res.body.id}`,
        invitedBy: null,
        orgName: 'Test Org',
        expiresAt: res.body.expires_at,
      });
      expect(job?.opts.attempts).toBeGreaterThanOrEqual(1);
      expect(job?.opts.backoff).toEqual(expect.objectContaining({ type: 'exponential' }));
    });

    it('when the user does not exist, then raw 400 with LiteLLM’s message', async () => {
      const res = await admin().post('/invitation/new', { user_id: 'nobody' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        detail: {
          error: "User id does not exist in 'LiteLLM_UserTable'. Fix this by creating user via `/user/new`.",
        },
      });
    });

    it('when /user/new is asked to send the invite, then the user, an invitation and its email job exist', async () => {
      const res = await admin().post('/user/new', {
        user_id: 'sent-invite',
        user_email: 'sent@example.com',
        send_invite_email: true,
        auto_create_key: false,
      });

      expect(res.status).toBe(200);
      const rows = await h.db
        .selectFrom('identity.invitations')
        .select('id')
        .where('user_id', '=', 'sent-invite')
        .execute();
      expect(rows).toHaveLength(1);
      expect((await h.emailQueue.getJob(rows[0]?.id ?? ''))?.data.to).toBe('sent@example.com');
    });

    it('when the email queue is down, then 503 says so and the invitation still exists', async () => {
      const redis = await startOwnRedis();
      const connection = createRedis({ url: redis.url, role: 'command', onError: () => {} });
      await connection.connect();
      let redisStopped = false;
      const broken = await startHarness({
        emailQueue: createEmailQueue({ connection, prefix: redisKeys('x:').bullPrefix }),
      });
      try {
        await broken
          .as(principals.master())
          .post('/user/new', { user_id: 'q-down', user_email: 'q@example.com', auto_create_key: false });
        await redis.stop();
        redisStopped = true;

        const res = await broken.as(principals.master()).post('/invitation/new', { user_id: 'q-down' });

        expect(res.status).toBe(503);
        const [row] = await broken.db
          .selectFrom('identity.invitations')
          .select('id')
          .where('user_id', '=', 'q-down')
          .execute();
        expect(row).toBeDefined();
        expect(res.body).toEqual({
          error: {
            message: `invitation ${row?.id} was created, but its email could not be queued (the queue is unavailable). Share the link ${BASE_URL}/ui/onboarding?id=${row?.id} yourself, or delete the invitation and create it again later.`,
            type: 'service_unavailable',
            param: null,
            code: '503',
          },
        });
      } finally {
        connection.disconnect();
        await broken.close();
        // startOwnRedis().stop() waits forever when called twice (the child already exited).
        if (!redisStopped) await redis.stop();
      }
    });
  });

  describe('/invitation/info, /invitation/update, /invitation/delete', () => {
    it('when read, marked accepted and deleted, then each answers the InvitationModel and the id is gone after', async () => {
      const { invitation } = await invitee();
      const info = await admin().get(`/invitation/info?invitation_id=${invitation.id}`);
      const updated = await admin().post('/invitation/update', {
        invitation_id: invitation.id,
        is_accepted: true,
      });
      const deleted = await admin().post('/invitation/delete', { invitation_id: invitation.id });
      const after = await admin().get(`/invitation/info?invitation_id=${invitation.id}`);

      expect(info.status).toBe(200);
      expect(info.body).toEqual(invitation);
      expect(updated.body).toEqual({ ...invitation, is_accepted: true, accepted_at: ISO, updated_at: ISO });
      expect(deleted.body.id).toBe(invitation.id);
      expect(after.status).toBe(400);
      expect(after.body).toEqual({ detail: { error: 'Invitation id does not exist in the database.' } });
    });

    it('when the id is not a uuid, then the same 400, not a database error', async () => {
      const res = await admin().get("/invitation/info?invitation_id=x'--");

      expect(res.status).toBe(400);
      expect(res.body).toEqual({ detail: { error: 'Invitation id does not exist in the database.' } });
    });

    it('when an internal user creates an invitation, then the route layer answers 401', async () => {
      const res = await h
        .as(principals.user('someone-123', 'internal_user'))
        .post('/invitation/new', { user_id: 'inv-a' });

      expect(res.status).toBe(401);
      expect(res.body.error.message).toMatch(
        /^Authentication Error, Only proxy admin can be used .* Route=\/invitation\/new\. Your role=internal_user\./,
      );
    });
  });

  describe('GET /onboarding/get_token', () => {
    it('when the link is valid, then it is described without being consumed', async () => {
      const { userId, invitation } = await invitee('Valid@Example.com');

      const res = await h.anonymous().get(`/onboarding/get_token?invite_link=${invitation.id}`);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        login_url: `${BASE_URL}/ui/onboarding?id=${invitation.id}`,
        token: null,
        user_email: 'Valid@Example.com',
        user_id: userId,
        expires_at: invitation.expires_at,
      });
      const row = await admin().get(`/invitation/info?invitation_id=${invitation.id}`);
      expect(row.body.is_accepted).toBe(false);
    });

    it.each(['00000000-0000-4000-8000-000000000000', 'not-a-uuid'])(
      'when the link %s is unknown, then raw 401 with LiteLLM’s message',
      async (link) => {
        const res = await h.anonymous().get(`/onboarding/get_token?invite_link=${link}`);

        expect(res.status).toBe(401);
        expect(res.body).toEqual({ detail: { error: 'Invitation link does not exist in db.' } });
      },
    );

    it('when invite_link is missing, then 422 naming it', async () => {
      const res = await h.anonymous().get('/onboarding/get_token');

      expect(res.status).toBe(422);
      expect(res.body.detail[0].loc).toEqual(['query', 'invite_link']);
    });
  });

  describe('POST /onboarding/claim_token', () => {
    it('when claimed with a good password, then the user row comes back without a password, the link is consumed and a session starts', async () => {
      const { userId, invitation } = await invitee('claimer@example.com');

      const res = await h
        .anonymous()
        .post('/onboarding/claim_token')
        .send({ invitation_link: invitation.id, user_id: userId, password: 'my new password' });

      expect(res.status).toBe(200);
      expect(res.body).toEqual(
        expect.objectContaining({
          user_id: userId,
          user_email: 'claimer@example.com',
          user_role: 'internal_user',
        }),
      );
      expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/);
      const cookies = setCookies(res);
      expect(cookies[SESSION_COOKIE]).toMatch(
        /^llmgw_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=86400; HttpOnly; SameSite=Lax$/,
      );
      expect(cookies.csrf_token).toMatch(
        /^csrf_token=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=86400; SameSite=Lax$/,
      );
      const key = redisKeys(h.prefix).session(sha256(cookieValue(cookies[SESSION_COOKIE])));
      expect(JSON.parse((await h.redis.get(key)) ?? 'null')).toEqual({
        userId,
        role: 'internal_user',
        csrfToken: cookieValue(cookies.csrf_token),
        createdAt: ISO,
      });
      expect(await h.redis.ttl(key)).toBeGreaterThan(86_000);
      const row = await admin().get(`/invitation/info?invitation_id=${invitation.id}`);
      expect(row.body).toEqual(
        expect.objectContaining({ is_accepted: true, accepted_at: ISO, updated_by: userId }),
      );
    });

    it('when the link is used again (get_token or claim), then raw 401 "invitation link has already been used"', async () => {
      const { userId, invitation } = await invitee();
      const claim = () =>
        h
          .anonymous()
          .post('/onboarding/claim_token')
          .send({ invitation_link: invitation.id, user_id: userId, password: 'password-one' });
      expect((await claim()).status).toBe(200);

      const again = await claim();
      const token = await h.anonymous().get(`/onboarding/get_token?invite_link=${invitation.id}`);

      for (const res of [again, token]) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ detail: { error: 'invitation link has already been used' } });
      }
    });

    it('when five claims race for one link, then exactly one wins', async () => {
      const { userId, invitation } = await invitee();

      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          h
            .anonymous()
            .post('/onboarding/claim_token')
            .send({ invitation_link: invitation.id, user_id: userId, password: `racer-password-${i}` }),
        ),
      );

      expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401, 401, 401]);
    });

    it('when the link is 1 ms short of 7 days old it works, and at exactly 7 days it has expired (clock injected)', async () => {
      const first = await invitee();
      const second = await invitee();
      h.clock.set(Date.parse(first.invitation.created_at) + 7 * DAY - 1);
      try {
        const ok = await h.anonymous().get(`/onboarding/get_token?invite_link=${first.invitation.id}`);
        expect(ok.status).toBe(200);

        h.clock.set(Date.parse(second.invitation.created_at) + 7 * DAY);
        const token = await h.anonymous().get(`/onboarding/get_token?invite_link=${second.invitation.id}`);
        const claim = await h.anonymous().post('/onboarding/claim_token').send({
          invitation_link: second.invitation.id,
          user_id: second.userId,
          password: 'too-late-password',
        });

        for (const res of [token, claim]) {
          expect(res.status).toBe(401);
          expect(res.body).toEqual({ detail: { error: 'Invitation link has expired.' } });
        }
      } finally {
        h.clock.release();
      }
    });

    it('when the user id does not match the link, then raw 401 naming both', async () => {
      const { userId, invitation } = await invitee();
      const res = await h
        .anonymous()
        .post('/onboarding/claim_token')
        .send({ invitation_link: invitation.id, user_id: 'intruder', password: 'a-long-password' });

      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        detail: {
          error: `Invalid invitation link. The user id submitted does not match the user id this link is attached to. Got=intruder, Expected=${userId}`,
        },
      });
    });

    it('when the password is shorter than 8 characters, then 400 naming password and the link stays usable', async () => {
      const { userId, invitation } = await invitee();
      const res = await h
        .anonymous()
        .post('/onboarding/claim_token')
        .send({ invitation_link: invitation.id, user_id: userId, password: 'short' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          message: 'password must be at least 8 characters',
          type: 'bad_request_error',
          param: 'password',
          code: '400',
        },
      });
      expect((await h.anonymous().get(`/onboarding/get_token?invite_link=${invitation.id}`)).status).toBe(
        200,
      );
    });

    it('when a field is missing, then 422 naming it', async () => {
      const res = await h
        .anonymous()
        .post('/onboarding/claim_token')
        .send({ invitation_link: 'x', password: 'p' });

      expect(res.status).toBe(422);
      expect(res.body.detail.map((d: { loc: string[] }) => d.loc)).toEqual([['body', 'user_id']]);
    });
  });

  describe('with an https PROXY_BASE_URL', () => {
    it('when a link is claimed, then both cookies are Secure', async () => {
      const secure = await startHarness({ config: { proxyBaseUrl: 'https://gw.example.test' } });
      try {
        await secure
          .as(principals.master())
          .post('/user/new', { user_id: 's1', user_email: 's1@example.com', auto_create_key: false });
        const inv = await secure.as(principals.master()).post('/invitation/new', { user_id: 's1' });
        const res = await secure
          .anonymous()
          .post('/onboarding/claim_token')
          .send({ invitation_link: inv.body.id, user_id: 's1', password: 'secure-password' });

        const cookies = setCookies(res);
        expect(cookies[SESSION_COOKIE]).toMatch(/; HttpOnly; Secure; SameSite=Lax$/);
        expect(cookies.csrf_token).toMatch(/; Secure; SameSite=Lax$/);
      } finally {
        await secure.close();
      }
    });
  });
});
