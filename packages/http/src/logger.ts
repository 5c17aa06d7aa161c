import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { type Logger, pino } from 'pino';

/**
 * Paths whose values are secrets. Redaction happens in the logger, so no call site can forget it:
 * keys, the master key, passwords, cookies, CSRF tokens and the signed principal never reach a log.
 */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-litellm-api-key"]',
  'req.headers["api-key"]',
  'req.headers["x-api-key"]',
  'req.headers["x-goog-api-key"]',
  'req.headers["ocp-apim-subscription-key"]',
  'req.headers["x-csrf-token"]',
  'req.headers["x-llmgw-principal"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'password',
  '*.password',
  'key',
  '*.key',
  'api_key',
  '*.api_key',
  'apiKey',
  '*.apiKey',
  'masterKey',
  '*.masterKey',
  'master_key',
  '*.master_key',
  'token',
  '*.token',
  'secret',
  '*.secret',
];

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Tests pass a stream to capture output. */
  destination?: pino.DestinationStream;
}

export function createLogger({ name, level = 'info', destination }: LoggerOptions): Logger {
  return pino(
    {
      name,
      level,
      base: { svc: name },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ sync: false }),
  );
}

/** Strips secrets from a logged URL: query values like `?key=` and raw `sk-` keys in the path. */
export function safeUrl(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  // A raw key can sit in a path too (`/key/sk-.../regenerate`).
  const path = (q === -1 ? url : url.slice(0, q)).replace(/sk-[A-Za-z0-9_-]{4,}/g, 'sk-[redacted]');
  if (q === -1) return path;
  return `${path}?${url
    .slice(q + 1)
    .split('&')
    .map((pair) =>
      /^(key|api_key|token|password|invite_link|invitation_id|id)=/i.test(pair)
        ? `${pair.split('=')[0]}=[redacted]`
        : pair,
    )
    .join('&')}`;
}

/** One log line per finished request, carrying the request id. */
export function logRequest(
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  reqId: string,
  startedAt: bigint,
): void {
  const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const ms = Number(process.hrtime.bigint() - startedAt) / 1e6;
  logger[level](
    {
      reqId,
      method: req.method,
      url: safeUrl(req.url),
      status: res.statusCode,
      ms: Math.round(ms * 10) / 10,
    },
    'request',
  );
}

export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => logRequest(logger, req, res, String(res.locals.requestId ?? ''), started));
    next();
  };
}

export type { Logger };
