/**
 * A real SMTP server for tests (the `smtp-server` package) on a free port of 127.0.0.1. It records
 * every accepted message (decoded enough to assert on: headers, text and HTML parts), can answer 550
 * to chosen recipients, can be stopped (connections refused) and started again on the same port, and
 * can be slowed down to keep a message "being sent" while a test shuts the notifier down.
 * Used by apps/notifier/test and e2e/test/notifier-*.test.ts.
 */

import { SMTPServer } from 'smtp-server';
import { freePort, waitFor } from './ports';

export interface ReceivedMail {
  /** RCPT TO addresses of the SMTP envelope. */
  to: string[];
  from: string;
  headers: Record<string, string>;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

export interface SmtpSink {
  port: number;
  url: string;
  /** Accepted messages, in arrival order. */
  messages: ReceivedMail[];
  /** Every RCPT TO the server was asked for, accepted or not (shows whether a rejected job was retried). */
  rcptAttempts: string[];
  /** Recipients (lower case) answered with `550 5.1.1 mailbox unavailable`. */
  rejectRecipients: Set<string>;
  /** Called when a message's data starts arriving; the server waits `dataDelayMs` before accepting it. */
  onDataStart: (() => void) | null;
  dataDelayMs: number;
  running: () => boolean;
  start: () => Promise<void>;
  /** Closes the listener and every open connection: later connections are refused. */
  stop: () => Promise<void>;
  waitForMessages: (count: number, timeoutMs?: number) => Promise<ReceivedMail[]>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const port = await freePort();
  let server: SMTPServer | null = null;
  const sink: SmtpSink = {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages: [],
    rcptAttempts: [],
    rejectRecipients: new Set(),
    onDataStart: null,
    dataDelayMs: 0,
    running: () => server !== null,
    start: async () => {
      if (server) return;
      const s = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        closeTimeout: 100,
        onRcptTo(address, _session, callback) {
          sink.rcptAttempts.push(address.address);
          if (sink.rejectRecipients.has(address.address.toLowerCase())) {
            const err = Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 });
            callback(err);
            return;
          }
          callback();
        },
        onData(stream, session, callback) {
          sink.onDataStart?.();
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            const finish = () => {
              sink.messages.push({
                ...parseMessage(raw),
                to: session.envelope.rcptTo.map((a) => a.address),
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                raw,
              });
              callback();
            };
            if (sink.dataDelayMs > 0) setTimeout(finish, sink.dataDelayMs);
            else finish();
          });
        },
      });
      s.on('error', () => {});
      await new Promise<void>((resolve, reject) => {
        s.server.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      server = s;
    },
    stop: async () => {
      const s = server;
      server = null;
      if (!s) return;
      // closeTimeout (100 ms) ends open connections with a 421; new ones are refused at once.
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    waitForMessages: (count, timeoutMs = 10_000) =>
      waitFor(() => sink.messages.length >= count, timeoutMs).then(() => sink.messages),
  };
  await sink.start();
  return sink;
}

/** Just enough MIME for assertions: unfolded headers, and the text/plain and text/html parts decoded. */
export function parseMessage(raw: string): Pick<ReceivedMail, 'headers' | 'subject' | 'text' | 'html'> {
  const out = { headers: {} as Record<string, string>, subject: '', text: '', html: '' };
  const walk = (entity: string, top: boolean) => {
    const split = entity.search(/\r?\n\r?\n/);
    const head = split === -1 ? entity : entity.slice(0, split);
    const body = split === -1 ? '' : entity.slice(split).replace(/^\r?\n\r?\n/, '');
    const headers = parseHeaders(head);
    if (top) out.headers = headers;
    const type = (headers['content-type'] ?? 'text/plain').toLowerCase();
    if (type.startsWith('multipart/')) {
      const boundary = /boundary="?([^";\r\n]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
      if (!boundary) return;
      const parts = body.split(`--${boundary}`).slice(1);
      for (const part of parts) {
        if (part.startsWith('--')) break;
        walk(part.replace(/^\r?\n/, ''), false);
      }
      return;
    }
    const decoded = decodeBody(body, headers['content-transfer-encoding'] ?? '7bit');
    if (type.startsWith('text/html')) out.html = decoded;
    else if (type.startsWith('text/plain')) out.text = decoded;
  };
  walk(raw, true);
  out.subject = decodeWords(out.headers.subject ?? '');
  return out;
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function decodeBody(body: string, encoding: string): string {
  switch (encoding.toLowerCase()) {
    case 'quoted-printable': {
      const bytes: number[] = [];
      const soft = body.replace(/=\r?\n/g, '');
      for (let i = 0; i < soft.length; i++) {
        const hex = soft.slice(i + 1, i + 3);
        if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
          bytes.push(Number.parseInt(hex, 16));
          i += 2;
        } else {
          bytes.push(...Buffer.from(soft[i] ?? '', 'utf8'));
        }
      }
      return Buffer.from(bytes).toString('utf8').replace(/\r\n/g, '\n');
    }
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8').replace(/\r\n/g, '\n');
    default:
      return body.replace(/\r\n/g, '\n');
  }
}

/** RFC 2047 encoded words (`=?UTF-8?Q?...?=`, `=?UTF-8?B?...?=`) in a header value. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeBody(text.replace(/_/g, ' '), 'quoted-printable'),
    );
}

/** The first http(s) link of a text. */
export const firstLink = (text: string): string | null => /https?:\/\/\S+/.exec(text)?.[0] ?? null;
