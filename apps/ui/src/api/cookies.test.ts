import { CSRF_COOKIE, readCookie } from './cookies';

describe('readCookie', () => {
  test('when the CSRF cookie is among others, then its value is returned', () => {
    expect(readCookie('theme=dark; csrf_token=abc-DEF_123; other=1', CSRF_COOKIE)).toBe('abc-DEF_123');
  });

  test('when the cookie is percent-encoded, then it is decoded', () => {
    expect(readCookie('csrf_token=a%2Bb%3D', CSRF_COOKIE)).toBe('a+b=');
  });

  test('when the value is not valid percent-encoding, then it is returned as sent', () => {
    expect(readCookie('csrf_token=%E0%A4%A', CSRF_COOKIE)).toBe('%E0%A4%A');
  });

  test('when a name only ends with the wanted name, then it does not match', () => {
    expect(readCookie('x_csrf_token=nope', CSRF_COOKIE)).toBeNull();
  });

  test('when the cookie appears twice, then the first one wins (as on the server)', () => {
    expect(readCookie('csrf_token=first; csrf_token=second', CSRF_COOKIE)).toBe('first');
  });

  test('when there are no cookies, then null', () => {
    expect(readCookie('', CSRF_COOKIE)).toBeNull();
  });
});
