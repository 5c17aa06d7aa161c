import type { EmailJob } from '@llmgw/contracts';
import {
  escapeHtml,
  formatUtc,
  htmlButton,
  htmlLayout,
  oneLine,
  type RenderedEmail,
  safeLink,
} from '../email';

export type InvitationEmail = Extract<EmailJob, { template: 'invitation' }>;

/**
 * "You're invited to <org>'s LLM gateway": who invited them, the onboarding link and when it expires.
 * Every interpolated value is escaped in the HTML part; the subject is kept to one line.
 */
export function renderInvitation(data: InvitationEmail): RenderedEmail {
  const link = safeLink(data.link);
  const org = oneLine(data.orgName) || 'your organisation';
  const inviter = data.invitedBy ? oneLine(data.invitedBy) : null;
  const expires = formatUtc(data.expiresAt);
  const subject = `You're invited to ${org}'s LLM gateway`;
  const who = inviter ? `${inviter} invited you` : 'You have been invited';

  const text = [
    `${who} to ${org}'s LLM gateway.`,
    '',
    'Open this link to set your password and sign in:',
    link,
    '',
    `The link can be used once and expires on ${expires}.`,
    'If you did not expect this invitation, you can ignore this email.',
    '',
  ].join('\n');

  const html = htmlLayout(
    subject,
    `<h1 style="font-size:20px;margin:0 0 16px">You're invited to ${escapeHtml(org)}'s LLM gateway</h1>
<p>${inviter ? `<strong>${escapeHtml(inviter)}</strong> invited you` : 'You have been invited'} to ${escapeHtml(org)}'s LLM gateway. Open the link to set your password and sign in.</p>
${htmlButton(link, 'Accept the invitation')}
<p style="font-size:13px;color:#555">The link can be used once and expires on ${escapeHtml(expires)}. If you did not expect this invitation, you can ignore this email.</p>`,
  );
  return { subject, text, html };
}
