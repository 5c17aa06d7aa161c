import { type PasswordResetEmail, renderPasswordReset } from './password-reset.template';

const base: PasswordResetEmail = {
  template: 'password_reset',
  to: 'someone@example.com',
  link: 'https://gw.example.com/ui/reset?token=abc',
  expiresAt: '2024-05-22T10:00:00.000Z',
};

describe('renderPasswordReset', () => {
  test('when rendered, then subject, text link and expiry are there', () => {
    const { subject, text, html } = renderPasswordReset(base);
    expect(subject).toBe('Reset your LLM gateway password');
    expect(text).toContain(`\n${base.link}\n`);
    expect(text).toContain('expires on 2024-05-22 10:00 UTC');
    expect(html).toContain(`<a href="${base.link}"`);
  });

  test('when the expiry carries HTML, then it is escaped in the HTML part', () => {
    const { html } = renderPasswordReset({ ...base, expiresAt: '<i>x</i>' });
    expect(html).toContain('&lt;i&gt;x&lt;/i&gt;');
    expect(html).not.toContain('<i>x');
  });
});
