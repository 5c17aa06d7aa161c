import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthRecord, Principal } from '@llmgw/contracts';
import { PROXY_ADMIN_ID } from '@llmgw/contracts';
import { authError, ProxyError } from '@llmgw/http';
import type { AuthRecords } from './auth-records';
import { extractKey } from './extract-key';

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** The caller: the master key (no record) or a virtual key with its record. */
export type Caller = { principal: Principal; record: AuthRecord | null };

/** LiteLLM prints datetimes as Python does: `2025-01-01 00:00:00+00:00`. */
const pyTime = (d: Date) =>
  `${d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')}+00:00`;

/** Shows only the shape of a rejected key: never echo a secret back, not even to its sender. */
const maskKey = (key: string) => (key.length <= 8 ? '***' : `${key.slice(0, 3)}...${key.slice(-4)}`);

export interface Authenticator {
  authenticate: (headers: IncomingHttpHeaders) => Promise<Caller>;
}

/**
 * Authenticates a request by key, in LiteLLM's order (wire contract §0.1 and §5): no key / malformed
 * header -> 401; master key (constant-time) -> proxy admin; non-`sk-` -> 401; unknown -> 401
 * token_not_found_in_db; blocked -> 401; expired -> 400 expired_key; team blocked -> 401. The caller's
 * role is its owner's role from the record ("unknown" for a key without a user row).
 */
export function createAuthenticator(opts: {
  masterKey: string;
  records: AuthRecords;
  now: () => Date;
}): Authenticator {
  const masterHash = Buffer.from(sha256(opts.masterKey), 'hex');
  return {
    async authenticate(headers) {
      const extracted = extractKey(headers);
      if (extracted.kind === 'none') throw authError('No api key passed in.');
      if (extracted.kind === 'malformed')
        throw authError('Malformed API Key passed in. Ensure Key has `Bearer ` prefix.');
      const key = extracted.value;
      const hash = sha256(key);
      if (timingSafeEqual(Buffer.from(hash, 'hex'), masterHash)) {
        return {
          principal: {
            kind: 'master',
            userId: PROXY_ADMIN_ID,
            role: 'proxy_admin',
            keyHash: null,
            teamId: null,
            sessionId: null,
          },
          record: null,
        };
      }
      if (!key.startsWith('sk-')) {
        throw authError(
          `LiteLLM Virtual Key expected. Received=${maskKey(key)}, expected to start with 'sk-'.`,
        );
      }
      const record = await opts.records.get(hash);
      if (!record.found) {
        throw new ProxyError({
          status: 401,
          message: `Authentication Error, Invalid proxy server token passed. Received API Key = sk-...${key.slice(-4)}, Key Hash (Token) =${hash}. Unable to find token in cache or \`LiteLLM_VerificationTokenTable\``,
          type: 'token_not_found_in_db',
          param: 'key',
        });
      }
      if (record.blocked) throw authError("Key is blocked. Update via `/key/unblock` if you're admin.");
      if (record.expires) {
        const now = opts.now();
        const expires = new Date(record.expires);
        if (expires.getTime() < now.getTime()) {
          throw new ProxyError({
            status: 400,
            message: `Authentication Error - Expired Key. Key Expiry time ${pyTime(expires)} and current time ${pyTime(now)}`,
            type: 'expired_key',
            param: hash,
          });
        }
      }
      if (record.team?.blocked) {
        throw authError(`Team=${record.team.teamId} is blocked. Update via \`/team/unblock\` if your admin.`);
      }
      return {
        principal: {
          kind: 'key',
          userId: record.userId,
          // The owner's role comes from the user row; a key without a user row is "unknown" (LiteLLM §0.1).
          role: record.userRole ?? 'unknown',
          keyHash: hash,
          teamId: record.teamId,
          sessionId: null,
        },
        record,
      };
    },
  };
}
