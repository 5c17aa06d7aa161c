import { ConfigError, parseEnv } from '@llmgw/config';
import { notifierEnvSchema } from './env';

describe('notifier env', () => {
  test('when nothing is set, then it runs with the outbox and the documented defaults', () => {
    const env = parseEnv(notifierEnvSchema, {});
    expect(env.SMTP_URL).toBeUndefined();
    expect(env).toMatchObject({
      MAIL_OUTBOX_DIR: '.mail-outbox',
      EMAIL_FROM: 'LLM Gateway <no-reply@localhost>',
      EMAIL_ATTEMPTS: 10,
      EMAIL_BACKOFF_MS: 5000,
      EMAIL_BACKOFF_MAX_MS: 900_000,
      NOTIFIER_PORT: 4004,
    });
  });

  test('when SMTP_URL is empty, then it counts as unset', () => {
    expect(parseEnv(notifierEnvSchema, { SMTP_URL: '' }).SMTP_URL).toBeUndefined();
  });

  test('when SMTP_URL is not smtp(s)://, then boot fails naming it', () => {
    expect(() => parseEnv(notifierEnvSchema, { SMTP_URL: 'http://mail:25' })).toThrow(
      new ConfigError('invalid environment: SMTP_URL: must be a URL starting with smtp:// or smtps://'),
    );
  });

  test('when the maximum backoff is below the base, then boot fails naming EMAIL_BACKOFF_MAX_MS', () => {
    expect(() =>
      parseEnv(notifierEnvSchema, { EMAIL_BACKOFF_MS: '5000', EMAIL_BACKOFF_MAX_MS: '100' }),
    ).toThrow(
      new ConfigError('invalid environment: EMAIL_BACKOFF_MAX_MS: must be at least EMAIL_BACKOFF_MS'),
    );
  });
});
