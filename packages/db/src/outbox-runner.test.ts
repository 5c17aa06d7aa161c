import { isRefusal } from './outbox-runner';

describe('isRefusal', () => {
  test.each([
    [400, true],
    [404, true],
    [422, true],
    [408, false],
    [429, false],
    [500, false],
    [503, false],
    [200, false],
    [null, false],
  ])('with status %s, then %s', (status, expected) => {
    expect(isRefusal(status)).toBe(expected);
  });
});
