import nodemailer from 'nodemailer';
import type { DeliveryReceipt, MailTransport, OutgoingEmail } from './mail-transport';

export interface SmtpTransportOptions {
  url: string;
  from: string;
  /** Connection, greeting and socket timeout, so a hung server cannot hold a job (or shutdown) forever. */
  timeoutMs: number;
}

/**
 * nodemailer from one SMTP URL (`smtp://user:pass@host:port`, `smtps://` for implicit TLS). One
 * connection per message: no pool whose broken connections would outlive an SMTP outage.
 */
export function createSmtpTransport(opts: SmtpTransportOptions): MailTransport {
  const transporter = nodemailer.createTransport({
    url: opts.url,
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
  });
  return {
    kind: 'smtp',
    async send(email: OutgoingEmail): Promise<DeliveryReceipt> {
      const info = await transporter.sendMail({
        from: opts.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
      });
      return { messageId: info.messageId, detail: String(info.response ?? '') };
    },
    async close() {
      transporter.close();
    },
  };
}
