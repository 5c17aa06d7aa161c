import type { EmailJob } from '@llmgw/contracts';
import { escapeHtml, formatUtc, htmlButton, htmlLayout, type RenderedEmail, safeLink } from '../email';

export type PasswordResetEmail = Extract<EmailJob, { template: 'password_reset' }>;

/** A password-reset link and when it expires; values escaped in the HTML part. */
export function renderPasswordReset(data: PasswordResetEmail): RenderedEmail {
  const link = safeLink(data.link);
  const expires = formatUtc(data.expiresAt);
  const subject = 'Reset your LLM gateway password';

  const text = [
    'Someone asked to reset the password of your LLM gateway account.',
    '',
    'Open this link to choose a new password:',
    link,
    '',
    `The link can be used once and expires on ${expires}.`,
    'If you did not ask for this, ignore this email: your password stays as it is.',
    '',
  ].join('\n');

  const html = htmlLayout(
    subject,
    `<h1 style="font-size:20px;margin:0 0 16px">Reset your password</h1>
<p>Someone asked to reset the password of your LLM gateway account. Open the link to choose a new password.</p>
${htmlButton(link, 'Choose a new password')}
<p style="font-size:13px;color:#555">The link can be used once and expires on ${escapeHtml(expires)}. If you did not ask for this, ignore this email: your password stays as it is.</p>`,
  );
  return { subject, text, html };
}
