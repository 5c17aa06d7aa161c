import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '@llmgw/http';
import nodemailer from 'nodemailer';
import type { DeliveryReceipt, MailTransport, OutgoingEmail } from './mail-transport';

export interface OutboxTransportOptions {
  dir: string;
  from: string;
  logger: Logger;
  now?: () => Date;
}

/** Job ids come from producers: keep file names to a safe alphabet. */
const safeName = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);

/**
 * Development transport, used when SMTP_URL is unset: each message becomes an `.eml` file in `dir`
 * (openable by any mail client), and its link is logged at info so a fresh checkout can follow an
 * invitation without a mail server. The link is a capability, which is why only this dev transport
 * logs it. Files are written under a temporary name and renamed, so a reader never sees half a message.
 */
export function createOutboxTransport(opts: OutboxTransportOptions): MailTransport {
  const dir = resolve(opts.dir);
  const now = opts.now ?? (() => new Date());
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'outbox',
    async send(email: OutgoingEmail): Promise<DeliveryReceipt> {
      const info = await composer.sendMail({
        from: opts.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
      });
      const message = info.message as Buffer;
      await mkdir(dir, { recursive: true });
      const stamp = now().toISOString().replace(/[:.]/g, '-');
      const file = join(dir, `${stamp}-${safeName(email.jobId)}.eml`);
      const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(tmp, message, { mode: 0o600 });
      await rename(tmp, file);
      opts.logger.info(
        { jobId: email.jobId, to: email.to, link: email.link, file },
        'email written to the outbox (SMTP_URL is unset); open the link to continue',
      );
      return { messageId: info.messageId, detail: file };
    },
    async close() {
      composer.close();
    },
  };
}
