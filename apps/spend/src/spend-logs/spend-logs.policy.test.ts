import type { Principal } from '@llmgw/contracts';
import { isProxyError } from '@llmgw/http';
import { assertRouteAccess, rowScopeOf } from './spend-logs.policy';

const p = (role: Principal['role'], over: Partial<Principal> = {}): Principal => ({
  kind: 'key',
  userId: 'u-123456789',
  role,
  keyHash: null,
  teamId: null,
  sessionId: null,
  ...over,
});

describe('rowScopeOf', () => {
  test.each(['proxy_admin', 'proxy_admin_viewer'] as const)(
    'when the caller is %s, then it sees every row',
    (role) => {
      expect(rowScopeOf(p(role))).toEqual({ all: true });
    },
  );

  test('when the caller is the master key, then it sees every row', () => {
    expect(rowScopeOf(p('proxy_admin', { kind: 'master' }))).toEqual({ all: true });
  });

  test.each(['internal_user', 'internal_user_viewer', 'unknown'] as const)(
    'when the caller is %s, then it sees only its own user’s rows',
    (role) => {
      expect(rowScopeOf(p(role))).toEqual({ all: false, userId: 'u-123456789' });
    },
  );
});

describe('assertRouteAccess', () => {
  const denial = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      if (isProxyError(err)) return { status: err.status, body: err.toBody() };
      throw err;
    }
    return null;
  };

  test('when an internal user reads /spend/logs, then the route layer lets it through', () => {
    expect(denial(() => assertRouteAccess(p('internal_user'), 'GET', '/spend/logs'))).toBeNull();
  });

  test('when an internal user asks for /global/spend, then it gets LiteLLM’s 401 with its masked id', () => {
    expect(denial(() => assertRouteAccess(p('internal_user'), 'GET', '/global/spend'))).toEqual({
      status: 401,
      body: {
        error: {
          message:
            'Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=/global/spend. Your role=internal_user. Your user_id=u-1234***89',
          type: 'auth_error',
          param: 'None',
          code: '401',
        },
      },
    });
  });

  test('when a proxy_admin (not the master key) resets spend, then it is refused as master-key-only', () => {
    expect(denial(() => assertRouteAccess(p('proxy_admin'), 'POST', '/global/spend/reset'))?.status).toBe(
      401,
    );
    expect(
      denial(() => assertRouteAccess(p('proxy_admin', { kind: 'master' }), 'POST', '/global/spend/reset')),
    ).toBeNull();
  });
});
