import { parseCookieHeader, SESSION_ID_PATTERN, serializeSetCookie, sessionIdHash } from './session';

describe('parseCookieHeader', () => {
  test('when several cookies are sent, then each is read and the first of a repeated name wins', () => {
    expect(parseCookieHeader('a=1; llmgw_session=abc; a=2;  csrf_token="q%20r"')).toEqual({
      a: '1',
      llmgw_session: 'abc',
      csrf_token: 'q r',
    });
  });

  test.each([undefined, '', 'novalue', '=x'])('when the header is %j, then nothing is read', (header) => {
    expect(parseCookieHeader(header)).toEqual({});
  });

  test('when a value is not valid percent-encoding, then it is kept as sent', () => {
    expect(parseCookieHeader('x=%E0%A4%A')).toEqual({ x: '%E0%A4%A' });
  });
});

describe('serializeSetCookie', () => {
  test('when setting an HttpOnly Secure cookie, then every attribute is written', () => {
    expect(serializeSetCookie('s', 'v', { httpOnly: true, secure: true, maxAge: 60 })).toBe(
      's=v; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Lax',
    );
  });

  test('when clearing, then Max-Age=0 and an expiry in the past', () => {
    expect(serializeSetCookie('s', '', { maxAge: 0 })).toBe(
      's=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Lax',
    );
  });
});

describe('session ids', () => {
  test('when hashing an id, then it is sha256 hex (the Redis key never holds the raw id)', () => {
    expect(sessionIdHash('x')).toMatch(/^[0-9a-f]{64}$/);
  });

  test('when an id is 32 random bytes in base64url, then the pattern accepts it; anything else is refused', () => {
    expect(SESSION_ID_PATTERN.test('A'.repeat(43))).toBe(true);
    expect(SESSION_ID_PATTERN.test('A'.repeat(42))).toBe(false);
    expect(SESSION_ID_PATTERN.test(`${'A'.repeat(42)}=`)).toBe(false);
  });
});
