import type { Principal, Role } from '@llmgw/contracts';
import { isProxyError } from '@llmgw/http';
import { assertMayReadFailed, assertMayRetry } from './email-jobs.policy';

const principal = (role: Role | 'unknown'): Principal => ({
  kind: 'key',
  userId: 'u-1',
  role,
  keyHash: 'h',
  teamId: null,
  sessionId: null,
});

function denial(fn: () => void) {
  try {
    fn();
    return null;
  } catch (err) {
    return isProxyError(err) ? { status: err.status, body: err.toBody() } : err;
  }
}

describe('email job policy', () => {
  test.each(['proxy_admin', 'proxy_admin_viewer'] as const)(
    'when %s lists failed emails, then it is allowed',
    (role) => {
      expect(denial(() => assertMayReadFailed(principal(role), '/email/failed'))).toBeNull();
    },
  );

  test.each(['internal_user', 'internal_user_viewer', 'unknown'] as const)(
    'when %s lists failed emails, then it gets a 403 naming its role and the route',
    (role) => {
      expect(denial(() => assertMayReadFailed(principal(role), '/email/failed'))).toEqual({
        status: 403,
        body: {
          error: {
            message: `user not allowed to access this route, role= ${role}. Trying to access: /email/failed`,
            type: 'auth_error',
            param: 'None',
            code: '403',
          },
        },
      });
    },
  );

  test('when proxy_admin retries, then it is allowed', () => {
    expect(denial(() => assertMayRetry(principal('proxy_admin'), '/email/retry'))).toBeNull();
  });

  test.each(['proxy_admin_viewer', 'internal_user', 'internal_user_viewer', 'unknown'] as const)(
    'when %s retries, then it gets a 403',
    (role) => {
      expect(denial(() => assertMayRetry(principal(role), '/email/retry'))).toMatchObject({ status: 403 });
    },
  );
});
