/** What nodemailer attaches to the errors it throws (a subset). */
interface SendErrorLike {
  code?: unknown;
  responseCode?: unknown;
  permanent?: unknown;
  message?: unknown;
}

export interface SendErrorClass {
  permanent: boolean;
  /** One line for logs and for `failed_reason`: no stack, never the message body. */
  reason: string;
}

/** nodemailer codes that no retry can fix without someone changing the message or the configuration. */
const PERMANENT_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'ENOAUTH', 'ECONFIG', 'EMAXRECIPIENTS']);

/**
 * Permanent: any 5xx reply (RFC 5321 "permanent negative completion", e.g. 550 no such mailbox, 535
 * bad credentials) except 503 (bad command sequence, which a new connection can fix), and envelope or
 * configuration errors that carry no reply. Transient: 4xx replies, connection refused/reset, timeouts,
 * DNS and TLS failures, and anything unknown: retrying is bounded by EMAIL_ATTEMPTS, losing an email is not.
 */
export function classifySendError(err: unknown): SendErrorClass {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SendErrorLike;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : String(err);
  const reason = oneLine(
    [code, responseCode !== undefined ? String(responseCode) : undefined, message]
      .filter((p) => p !== undefined)
      .join(' '),
  );
  if (responseCode !== undefined) {
    return {
      permanent: e.permanent === true || (responseCode >= 500 && responseCode < 600 && responseCode !== 503),
      reason,
    };
  }
  return { permanent: code !== undefined && PERMANENT_CODES.has(code), reason };
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 500);
