import { effectiveRole, isAdminRole, isProxyAdmin, maskUserId } from './roles';

describe('effectiveRole', () => {
  test.each(['proxy_admin', 'proxy_admin_viewer', 'internal_user', 'internal_user_viewer'] as const)(
    'when the stored role is %s, then it is kept',
    (role) => {
      expect(effectiveRole(role)).toBe(role);
    },
  );

  test.each([
    ['null', null],
    ['undefined', undefined],
    ['an empty string', ''],
    ['an unknown string', 'admin'],
    ['a differently cased role', 'PROXY_ADMIN'],
    ['LiteLLM’s customer role', 'customer'],
    ['"unknown"', 'unknown'],
  ])('when the stored role is %s, then it is treated as internal_user, as in LiteLLM', (_label, stored) => {
    expect(effectiveRole(stored)).toBe('internal_user');
  });
});

describe('isProxyAdmin', () => {
  test.each([
    ['proxy_admin', true],
    ['proxy_admin_viewer', false],
    ['internal_user', false],
    ['internal_user_viewer', false],
    ['unknown', false],
  ] as const)('when the role is %s, then %s', (role, expected) => {
    expect(isProxyAdmin({ role })).toBe(expected);
  });
});

describe('isAdminRole', () => {
  test.each([
    ['proxy_admin', true],
    ['proxy_admin_viewer', true],
    ['internal_user', false],
    ['internal_user_viewer', false],
    ['unknown', false],
  ] as const)('when the role is %s, then %s', (role, expected) => {
    expect(isAdminRole({ role })).toBe(expected);
  });
});

describe('maskUserId', () => {
  test('when the id is null, then it prints as Python’s None', () => {
    expect(maskUserId(null)).toBe('None');
  });

  test.each(['', 'a', 'abc', 'abcd'])('when the id "%s" has 4 chars or fewer, then it is ***', (id) => {
    expect(maskUserId(id)).toBe('***');
  });

  test.each([
    ['abcde', 'ab*de'],
    ['abcdef', 'ab**ef'],
    ['abcdefg', 'ab***fg'],
    ['abcdefgh', 'ab****gh'],
  ])('when the id "%s" has 5 to 8 chars, then only the first 2 and last 2 show: %s', (id, masked) => {
    expect(maskUserId(id)).toBe(masked);
    expect(masked).toHaveLength(id.length);
  });

  test.each([
    ['abcdefghi', 'abcdef*hi'],
    ['abcdefghyz', 'abcdef**yz'],
    ['abcdefghijyz', 'abcdef****yz'],
  ])('when the id "%s" is longer than 8 chars, then first 6 + stars + last 2: %s', (id, masked) => {
    expect(maskUserId(id)).toBe(masked);
  });

  test('when the id is a uuid, then 28 of its 36 chars are starred', () => {
    expect(maskUserId('123e4567-e89b-12d3-a456-426614174000')).toBe(`123e45${'*'.repeat(28)}00`);
  });

  test('when the id is default_user_id, then it is masked like any other', () => {
    expect(maskUserId('default_user_id')).toBe('defaul*******id');
  });
});
