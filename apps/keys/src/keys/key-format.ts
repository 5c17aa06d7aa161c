import { createHash, randomBytes } from 'node:crypto';

/**
 * The one place that knows LiteLLM's key format: `sk-` + token_urlsafe(16) = 22 url-safe chars; only the
 * sha256 hex is stored; keys are shown as `sk-...` + last 4.
 */
export const generateRawKey = (): string => `sk-${randomBytes(16).toString('base64url')}`;

export const hashKey = (raw: string): string => createHash('sha256').update(raw).digest('hex');

export const keyName = (raw: string): string => `sk-...${raw.slice(-4)}`;

const HASH = /^[0-9a-f]{64}$/;
export const isKeyHash = (value: string): boolean => HASH.test(value);

/** Management routes accept a raw `sk-` key or its hash (LiteLLM §3 "Storage"). */
export function toTokenHash(value: string): string {
  return value.startsWith('sk-') ? hashKey(value) : value;
}
