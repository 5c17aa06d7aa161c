import { backoffDelay } from './retry-policy';

describe('backoffDelay', () => {
  const policy = { attempts: 10, backoffMs: 1000, maxBackoffMs: 10_000 };

  test('when attempts fail one after another, then the delay doubles from the base', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(policy, a))).toEqual([1000, 2000, 4000, 8000]);
  });

  test('when the doubled delay passes the maximum, then it is capped', () => {
    expect(backoffDelay(policy, 5)).toBe(10_000);
    expect(backoffDelay(policy, 500)).toBe(10_000);
  });
});
