import { createHash } from 'node:crypto';
import type { AuthRecord, CachedAuthRecord } from '@llmgw/contracts';
import { isProxyError } from '@llmgw/http';
import type { AuthRecords } from './auth-records';
import { createAuthenticator } from './authenticate';

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
const KEY = 'sk-abcdefghijklmnopqrstuv';
const MASTER = 'sk-master-key-1234';
const NOW = new Date('2031-06-01T12:00:00.000Z');

function record(over: Partial<AuthRecord> = {}): AuthRecord {
  return {
    found: true,
    gen: 1,
    token: sha256(KEY),
    keyName: 'sk-...stuv',
    keyAlias: null,
    userId: 'user-1',
    teamId: null,
    userRole: 'internal_user',
    models: [],
    aliases: {},
    blocked: false,
    expires: null,
    spend: 0,
    maxBudget: null,
    tpmLimit: null,
    rpmLimit: null,
    maxParallelRequests: null,
    allowedRoutes: [],
    metadata: {},
    ...over,
  };
}

function authenticator(found: CachedAuthRecord | null) {
  const asked: string[] = [];
  const records = {
    get: async (hash: string) => {
      asked.push(hash);
      return found ?? { found: false, gen: 0 };
    },
  } as unknown as AuthRecords;
  return { asked, auth: createAuthenticator({ masterKey: MASTER, records, now: () => NOW }) };
}

async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (isProxyError(err)) return { status: err.status, body: err.toBody() };
    throw err;
  }
  throw new Error('expected a refusal');
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('authenticate (virtual keys)', () => {
  test('when the key is valid, then the principal carries the owner’s role, user, team and hash', async () => {
    const { auth } = authenticator(record({ teamId: 'team-1', userRole: 'proxy_admin_viewer' }));

    expect(await auth.authenticate(bearer(KEY))).toEqual({
      principal: {
        kind: 'key',
        userId: 'user-1',
        role: 'proxy_admin_viewer',
        keyHash: sha256(KEY),
        teamId: 'team-1',
        sessionId: null,
      },
      record: record({ teamId: 'team-1', userRole: 'proxy_admin_viewer' }),
    });
  });

  test('when the key has no user row, then its role is "unknown"', async () => {
    const { auth } = authenticator(record({ userRole: null, owner: null }));

    expect((await auth.authenticate(bearer(KEY))).principal.role).toBe('unknown');
  });

  test('when the key is the master key, then proxy admin without a lookup', async () => {
    const { auth, asked } = authenticator(null);

    expect((await auth.authenticate(bearer(MASTER))).principal).toEqual({
      kind: 'master',
      userId: 'default_user_id',
      role: 'proxy_admin',
      keyHash: null,
      teamId: null,
      sessionId: null,
    });
    expect(asked).toEqual([]);
  });

  test('when the key is unknown, then 401 token_not_found_in_db', async () => {
    const { auth } = authenticator(null);

    expect(await refusal(auth.authenticate(bearer(KEY)))).toEqual({
      status: 401,
      body: {
        error: {
          message: `Authentication Error, Invalid proxy server token passed. Received API Key = sk-...stuv, Key Hash (Token) =${sha256(KEY)}. Unable to find token in cache or \`LiteLLM_VerificationTokenTable\``,
          type: 'token_not_found_in_db',
          param: 'key',
          code: '401',
        },
      },
    });
  });

  test('when the key does not start with sk-, then 401 and the key is masked', async () => {
    const { auth, asked } = authenticator(null);

    expect(await refusal(auth.authenticate(bearer('abcdefghijkl')))).toEqual({
      status: 401,
      body: {
        error: {
          message:
            "Authentication Error, LiteLLM Virtual Key expected. Received=abc...ijkl, expected to start with 'sk-'.",
          type: 'auth_error',
          param: 'None',
          code: '401',
        },
      },
    });
    expect(asked).toEqual([]);
  });

  test('when the key is blocked, then 401', async () => {
    const { auth } = authenticator(record({ blocked: true }));

    expect(await refusal(auth.authenticate(bearer(KEY)))).toEqual({
      status: 401,
      body: {
        error: {
          message: "Authentication Error, Key is blocked. Update via `/key/unblock` if you're admin.",
          type: 'auth_error',
          param: 'None',
          code: '401',
        },
      },
    });
  });

  test('when the key has expired, then 400 expired_key with both times', async () => {
    const { auth } = authenticator(record({ expires: '2031-06-01T11:59:59.000Z' }));

    expect(await refusal(auth.authenticate(bearer(KEY)))).toEqual({
      status: 400,
      body: {
        error: {
          message:
            'Authentication Error - Expired Key. Key Expiry time 2031-06-01 11:59:59+00:00 and current time 2031-06-01 12:00:00+00:00',
          type: 'expired_key',
          param: sha256(KEY),
          code: '400',
        },
      },
    });
  });

  test('when the key expires later, then it passes', async () => {
    const { auth } = authenticator(record({ expires: '2031-06-01T12:00:01.000Z' }));

    expect((await auth.authenticate(bearer(KEY))).principal.keyHash).toBe(sha256(KEY));
  });

  test('when the key’s team is blocked, then 401 naming the team', async () => {
    const team = {
      teamId: 'team-9',
      teamAlias: null,
      blocked: true,
      models: [],
      modelAliases: {},
      maxBudget: null,
      spend: 0,
      tpmLimit: null,
      rpmLimit: null,
      maxParallelRequests: null,
      budgetDuration: null,
      budgetResetAt: null,
    };
    const { auth } = authenticator(record({ teamId: 'team-9', team }));

    expect(await refusal(auth.authenticate(bearer(KEY)))).toEqual({
      status: 401,
      body: {
        error: {
          message: 'Authentication Error, Team=team-9 is blocked. Update via `/team/unblock` if your admin.',
          type: 'auth_error',
          param: 'None',
          code: '401',
        },
      },
    });
  });
});
