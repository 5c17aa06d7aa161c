/**
 * The onboarding journey across processes: an admin creates a user with `send_invite_email: true`
 * (identity enqueues the invitation), the notifier sends it to a real SMTP server started here, and the
 * emailed link is accepted by `/onboarding/get_token`.
 */
import { firstLink, type SmtpSink, sleep, startSmtpSink } from '@llmgw/testing';
import { call, MASTER_KEY, type Stack, startStack } from '../src/stack';

describe('onboarding journey: /user/new -> email -> /onboarding/get_token', () => {
  let sink: SmtpSink;
  let stack: Stack;

  beforeAll(async () => {
    sink = await startSmtpSink();
    stack = await startStack({ SMTP_URL: sink.url, ORG_NAME: 'Acme Journey' });
  });
  afterAll(async () => {
    await stack?.stop();
    await sink?.stop();
  });

  test('when an admin creates a user with send_invite_email, then exactly one email arrives with a link that /onboarding/get_token accepts', async () => {
    const created = await call(`${stack.gatewayUrl}/user/new`, {
      key: MASTER_KEY,
      body: { user_email: 'journey.user@example.com', user_role: 'internal_user', send_invite_email: true },
    });
    expect(created.status).toBe(200);
    const userId = (created.body as { user_id: string }).user_id;

    const [mail] = await sink.waitForMessages(1, 15_000);
    await sleep(500);
    expect(sink.messages).toHaveLength(1);
    expect(mail?.to).toEqual(['journey.user@example.com']);
    expect(mail?.subject).toBe("You're invited to Acme Journey's LLM gateway");
    const link = firstLink(mail?.text ?? '');
    expect(link).toMatch(/\/ui\/onboarding\?id=[0-9a-f-]{36}$/);
    expect(mail?.html).toContain(`href="${link}"`);

    const invitationId = new URL(link ?? '').searchParams.get('id') ?? '';
    const token = await call(
      `${stack.gatewayUrl}/onboarding/get_token?invite_link=${encodeURIComponent(invitationId)}`,
    );
    expect(token.status).toBe(200);
    expect(token.body).toEqual({
      login_url: link,
      token: null,
      user_email: 'journey.user@example.com',
      user_id: userId,
      expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });
});
