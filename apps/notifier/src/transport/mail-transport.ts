import type { RenderedEmail } from '../emails/email';

/** One message to deliver; `jobId` names the outbox file and correlates logs. */
export interface OutgoingEmail extends RenderedEmail {
  to: string;
  jobId: string;
  /** The link the message carries; only the dev outbox logs it (it is a capability). */
  link: string;
}

export interface DeliveryReceipt {
  messageId: string;
  /** SMTP: the server's reply; outbox: the file written. */
  detail: string;
}

/**
 * The one place email leaves the process (STYLE rule 12): SMTP in deployments, an .eml outbox without
 * SMTP_URL, a fake in unit tests. Errors thrown by `send` are classified by `classifySendError`.
 */
export interface MailTransport {
  readonly kind: 'smtp' | 'outbox';
  send(email: OutgoingEmail): Promise<DeliveryReceipt>;
  close(): Promise<void>;
}
