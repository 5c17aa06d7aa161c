import { InvalidEmailError } from '../email';
import { type InvitationEmail, renderInvitation } from './invitation.template';

const base: InvitationEmail = {
  template: 'invitation',
  to: 'new.user@example.com',
  link: 'https://gw.example.com/ui/onboarding?id=0b7c9a52-8f1e-4c7e-9a47-1f0f4f0c2d11',
  invitedBy: 'Ada Admin',
  orgName: 'Acme',
  expiresAt: '2024-05-22T10:00:00.000Z',
};

describe('renderInvitation', () => {
  test('when rendered, then the subject names the organisation', () => {
    expect(renderInvitation(base).subject).toBe("You're invited to Acme's LLM gateway");
  });

  test('when rendered, then the text part has who invited, the link and the expiry', () => {
    expect(renderInvitation(base).text).toBe(
      [
        "Ada Admin invited you to Acme's LLM gateway.",
        '',
        'Open this link to set your password and sign in:',
        base.link,
        '',
        'The link can be used once and expires on 2024-05-22 10:00 UTC.',
        'If you did not expect this invitation, you can ignore this email.',
        '',
      ].join('\n'),
    );
  });

  test('when rendered, then the HTML part links to the onboarding page and names inviter and expiry', () => {
    const { html } = renderInvitation(base);
    expect(html).toContain(`<a href="${base.link}"`);
    expect(html).toContain('<strong>Ada Admin</strong> invited you');
    expect(html).toContain('expires on 2024-05-22 10:00 UTC');
  });

  test('when nobody is named as inviter, then the email says "You have been invited"', () => {
    const { text, html } = renderInvitation({ ...base, invitedBy: null });
    expect(text.split('\n')[0]).toBe("You have been invited to Acme's LLM gateway.");
    expect(html).toContain("You have been invited to Acme's LLM gateway.");
  });

  test('when org, inviter and expiry carry HTML, then every one is escaped in the HTML part', () => {
    const { html, subject } = renderInvitation({
      ...base,
      orgName: '<script>alert("org")</script>',
      invitedBy: '<img src=x onerror=alert(1)> & "friends"',
      expiresAt: '<b>soon</b>',
    });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>soon');
    expect(html).toContain('&lt;script&gt;alert(&quot;org&quot;)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;friends&quot;');
    expect(html).toContain('&lt;b&gt;soon&lt;/b&gt;');
    // The subject is a plain-text header, not HTML: kept as is, on one line.
    expect(subject).toBe(`You're invited to <script>alert("org")</script>'s LLM gateway`);
  });

  test('when the link carries quotes and angle brackets, then the href attribute cannot be broken out of', () => {
    const { html } = renderInvitation({ ...base, link: 'https://gw.example.com/x?a="><script>&b=\'' });
    expect(html).not.toContain('"><script>');
    expect(html).toContain('href="https://gw.example.com/x?a=%22%3E%3Cscript%3E&amp;b=%27"');
  });

  test('when the org name tries to add a header line, then the subject stays one line', () => {
    expect(renderInvitation({ ...base, orgName: 'Acme\r\nBcc: all@example.com' }).subject).toBe(
      "You're invited to Acme Bcc: all@example.com's LLM gateway",
    );
  });

  test('when the link is a javascript: URL, then rendering refuses it', () => {
    expect(() => renderInvitation({ ...base, link: 'javascript:alert(document.cookie)' })).toThrow(
      InvalidEmailError,
    );
  });
});
