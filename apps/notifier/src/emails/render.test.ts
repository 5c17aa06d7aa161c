import { renderEmail } from './render';

describe('renderEmail', () => {
  test('when the job is an invitation, then the invitation template renders it', () => {
    expect(
      renderEmail({
        template: 'invitation',
        to: 'a@example.com',
        link: 'https://gw.example.com/ui/onboarding?id=1',
        invitedBy: null,
        orgName: 'Acme',
        expiresAt: '2024-05-22T10:00:00.000Z',
      }).subject,
    ).toBe("You're invited to Acme's LLM gateway");
  });

  test('when the job is a password reset, then the password-reset template renders it', () => {
    expect(
      renderEmail({
        template: 'password_reset',
        to: 'a@example.com',
        link: 'https://gw.example.com/ui/reset?token=1',
        expiresAt: '2024-05-22T10:00:00.000Z',
      }).subject,
    ).toBe('Reset your LLM gateway password');
  });
});
