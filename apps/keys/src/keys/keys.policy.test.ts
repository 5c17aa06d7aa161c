import type { Principal } from '@llmgw/contracts';
import { isProxyError, type ProxyError } from '@llmgw/http';
import {
  assertMayBlock,
  assertMayGenerate,
  DEFAULT_TEAM_MEMBER_PERMISSIONS,
  ownsKey,
  teamMemberMay,
} from './keys.policy';

function principal(role: Principal['role'], userId: string | null): Principal {
  return { kind: 'key', userId, role, keyHash: 'e'.repeat(64), teamId: null, sessionId: null };
}

function deniedError(fn: () => void): ProxyError {
  try {
    fn();
  } catch (err) {
    if (isProxyError(err)) return err;
    throw err;
  }
  throw new Error('expected a ProxyError, got none');
}

const routeDenied = (role: string, maskedUserId: string) => ({
  error: {
    message: `Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=/key/generate. Your role=${role}. Your user_id=${maskedUserId}`,
    type: 'auth_error',
    param: 'None',
    code: '401',
  },
});

describe('assertMayGenerate', () => {
  test.each([
    ['for itself', {}],
    ['for another user', { user_id: 'someone-else' }],
    ['with user_id null', { user_id: null }],
  ])('when a proxy_admin generates %s, then it is allowed', (_label, input) => {
    expect(assertMayGenerate(principal('proxy_admin', 'default_user_id'), input)).toBeUndefined();
  });

  test('when the master key generates for any user, then it is allowed', () => {
    const master: Principal = {
      ...principal('proxy_admin', 'default_user_id'),
      kind: 'master',
      keyHash: null,
    };

    expect(assertMayGenerate(master, { user_id: 'u-1' })).toBeUndefined();
  });

  test('when a proxy_admin_viewer generates, then 403 with LiteLLM’s viewer message', () => {
    const err = deniedError(() => assertMayGenerate(principal('proxy_admin_viewer', 'viewer-1'), {}));

    expect(err.status).toBe(403);
    expect(err.toBody()).toEqual({
      error: {
        message:
          'user not allowed to access this route, role= proxy_admin_viewer. Trying to access: /key/generate',
        type: 'auth_error',
        param: 'None',
        code: '403',
      },
    });
  });

  test('when a proxy_admin_viewer generates for itself, then it is still 403', () => {
    const err = deniedError(() =>
      assertMayGenerate(principal('proxy_admin_viewer', 'viewer-1'), { user_id: 'viewer-1' }),
    );

    expect(err.status).toBe(403);
  });

  test.each([
    ['with user_id omitted', {}],
    ['with user_id undefined', { user_id: undefined }],
    ['with user_id null', { user_id: null }],
    ['with user_id empty', { user_id: '' }],
    ['with its own user_id', { user_id: 'user-abc' }],
  ])('when an internal_user generates %s, then it is allowed', (_label, input) => {
    expect(assertMayGenerate(principal('internal_user', 'user-abc'), input)).toBeUndefined();
  });

  test('when an internal_user generates for another user, then 403 naming both ids', () => {
    const err = deniedError(() =>
      assertMayGenerate(principal('internal_user', 'user-abc'), { user_id: 'victim' }),
    );

    expect(err.status).toBe(403);
    expect(err.toBody()).toEqual({
      error: {
        message: 'User can only create keys for themselves. Got user_id=victim, Your ID=user-abc',
        type: 'auth_error',
        param: 'user_id',
        code: '403',
      },
    });
  });

  test('when an internal_user with no user id generates for a user, then 403 with Your ID=None', () => {
    const err = deniedError(() => assertMayGenerate(principal('internal_user', null), { user_id: 'victim' }));

    expect(err.toBody()).toEqual({
      error: {
        message: 'User can only create keys for themselves. Got user_id=victim, Your ID=None',
        type: 'auth_error',
        param: 'user_id',
        code: '403',
      },
    });
  });

  test('when an internal_user_viewer generates, then 401 with LiteLLM’s route-deny message and a masked id', () => {
    const err = deniedError(() =>
      assertMayGenerate(principal('internal_user_viewer', 'abcdef1234yz'), { user_id: 'abcdef1234yz' }),
    );

    expect(err.status).toBe(401);
    expect(err.toBody()).toEqual(routeDenied('internal_user_viewer', 'abcdef****yz'));
  });

  test('when a key without a user row (role unknown) generates, then 401 with the route-deny message', () => {
    const err = deniedError(() => assertMayGenerate(principal('unknown', 'ghost-user-id'), {}));

    expect(err.status).toBe(401);
    expect(err.toBody()).toEqual(routeDenied('unknown', 'ghost-*****id'));
  });

  test('when a key with no user id at all generates, then the id prints as None', () => {
    const err = deniedError(() => assertMayGenerate(principal('unknown', null), {}));

    expect(err.toBody()).toEqual(routeDenied('unknown', 'None'));
  });

  test('when the caller’s id has 4 chars or fewer, then it prints as ***', () => {
    const err = deniedError(() => assertMayGenerate(principal('internal_user_viewer', 'bob'), {}));

    expect(err.toBody()).toEqual(routeDenied('internal_user_viewer', '***'));
  });
});

describe('assertMayBlock', () => {
  test('when a proxy_admin blocks, then it is allowed', () => {
    expect(assertMayBlock(principal('proxy_admin', 'admin-1'), '/key/block')).toBeUndefined();
  });

  test('when an internal_user blocks, then 403: blocking is admin-only here, unlike LiteLLM', () => {
    const err = deniedError(() => assertMayBlock(principal('internal_user', 'user-abc'), '/key/unblock'));

    expect(err.status).toBe(403);
    expect(err.toBody()).toEqual({
      error: {
        message:
          'Authentication Error, Only proxy admin can block or unblock keys. Route=/key/unblock. Your role=internal_user',
        type: 'auth_error',
        param: 'None',
        code: '403',
      },
    });
  });

  test('when a proxy_admin_viewer blocks, then 403 with the viewer message', () => {
    const err = deniedError(() => assertMayBlock(principal('proxy_admin_viewer', 'v-1'), '/key/block'));

    expect(err.toBody().error.message).toBe(
      'user not allowed to access this route, role= proxy_admin_viewer. Trying to access: /key/block',
    );
  });

  test('when an internal_user_viewer blocks, then 401 route-deny', () => {
    const err = deniedError(() => assertMayBlock(principal('internal_user_viewer', 'bob'), '/key/block'));

    expect(err.status).toBe(401);
  });
});

describe('ownsKey', () => {
  const me = principal('internal_user', 'me');

  test.each([
    ['its user_id is the caller', { user_id: 'me', created_by: 'admin' }, true],
    ['it has no user and the caller created it', { user_id: null, created_by: 'me' }, true],
    ['it belongs to another user the caller created it for', { user_id: 'other', created_by: 'me' }, false],
    ['it has no user and someone else created it', { user_id: null, created_by: 'admin' }, false],
  ])('when %s, then %s', (_label, row, expected) => {
    expect(ownsKey(me, row)).toBe(expected);
  });

  test('when the caller has no user id, then it owns nothing', () => {
    expect(ownsKey(principal('unknown', null), { user_id: null, created_by: null })).toBe(false);
  });
});

describe('teamMemberMay', () => {
  const standing = (role: 'admin' | 'user' | null, memberPermissions = DEFAULT_TEAM_MEMBER_PERMISSIONS) => ({
    teamId: 'team-1',
    exists: true,
    role,
    memberPermissions,
  });

  test('when the caller is a team admin, then yes', () => {
    expect(teamMemberMay(standing('admin'), '/key/delete')).toBe(true);
  });

  test('when the caller is not a member, then no (the caller decides what that means)', () => {
    expect(teamMemberMay(standing(null), '/key/update')).toBe(false);
  });

  test('when a plain member calls a route the team allows, then yes', () => {
    expect(teamMemberMay(standing('user'), '/key/info')).toBe(true);
    expect(teamMemberMay(standing('user', ['/key/regenerate']), '/key/{key}/regenerate')).toBe(true);
  });

  test('when a plain member calls a route the team does not allow, then 401 team_member_permission_error', () => {
    const err = deniedError(() => teamMemberMay(standing('user'), '/key/update'));

    expect(err.status).toBe(401);
    expect(err.toBody()).toEqual({
      error: {
        message:
          "Team member does not have permissions for endpoint: /key/update. You only have access to the following endpoints: ['/key/info', '/key/health'] for team team-1. To create keys for this team, please ask your proxy admin to check the team member permission settings and update the settings to allow team member users to create keys.",
        type: 'team_member_permission_error',
        param: '/key/update',
        code: '401',
      },
    });
  });
});
