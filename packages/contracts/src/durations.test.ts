import { addDuration, type Duration, isValidDuration, nextBudgetReset, parseDuration } from './durations';

const at = (iso: string) => new Date(iso);
const d = (amount: number, unit: Duration['unit']): Duration => ({ amount, unit });

describe('parseDuration', () => {
  test.each([
    ['30s', { amount: 30, unit: 's' }],
    ['5m', { amount: 5, unit: 'm' }],
    ['24h', { amount: 24, unit: 'h' }],
    ['7d', { amount: 7, unit: 'd' }],
    ['2w', { amount: 2, unit: 'w' }],
    ['1mo', { amount: 1, unit: 'mo' }],
    ['12mo', { amount: 12, unit: 'mo' }],
    ['0d', { amount: 0, unit: 'd' }],
  ])('when given "%s", then it parses to %j', (value, expected) => {
    expect(parseDuration(value)).toEqual(expected);
  });

  test('when given "24hr", then the prefix match makes it 24 hours, as in LiteLLM', () => {
    expect(parseDuration('24hr')).toEqual({ amount: 24, unit: 'h' });
  });

  test('when given "1month", then "mo" wins over "m"', () => {
    expect(parseDuration('1month')).toEqual({ amount: 1, unit: 'mo' });
  });

  test('when given "10min", then it is 10 minutes', () => {
    expect(parseDuration('10min')).toEqual({ amount: 10, unit: 'm' });
  });

  test('when surrounded by whitespace, then it is trimmed first', () => {
    expect(parseDuration('  7d \n')).toEqual({ amount: 7, unit: 'd' });
  });

  test.each(['30', '0'])('when given the bare number "%s", then it is rejected (no unit)', (value) => {
    expect(parseDuration(value)).toBeNull();
    expect(isValidDuration(value)).toBe(false);
  });

  test.each(['', 'abc', 'd1', '-1d', '1.5h', '1y', 'h', 'mo', ' '])(
    'when given the garbage "%s", then it is rejected',
    (value) => {
      expect(parseDuration(value)).toBeNull();
      expect(isValidDuration(value)).toBe(false);
    },
  );

  test('when the value is valid, then isValidDuration agrees', () => {
    expect(isValidDuration('30d')).toBe(true);
  });
});

describe('addDuration', () => {
  const from = at('2024-01-15T10:20:30.123Z');

  test.each([
    [d(30, 's'), '2024-01-15T10:21:00.123Z'],
    [d(5, 'm'), '2024-01-15T10:25:30.123Z'],
    [d(24, 'h'), '2024-01-16T10:20:30.123Z'],
    [d(7, 'd'), '2024-01-22T10:20:30.123Z'],
    [d(2, 'w'), '2024-01-29T10:20:30.123Z'],
    [d(0, 'd'), '2024-01-15T10:20:30.123Z'],
  ])('when adding %j, then the result is exact (%s)', (duration, expected) => {
    expect(addDuration(from, duration).toISOString()).toBe(expected);
  });

  test('when adding 1mo mid-month, then it is the same day and time next month', () => {
    expect(addDuration(from, d(1, 'mo')).toISOString()).toBe('2024-02-15T10:20:30.123Z');
  });

  test('when adding 1mo to Jan 31 in a leap year, then it is clamped to Feb 29', () => {
    expect(addDuration(at('2024-01-31T08:00:00.000Z'), d(1, 'mo')).toISOString()).toBe(
      '2024-02-29T08:00:00.000Z',
    );
  });

  test('when adding 1mo to Jan 31 in a common year, then it is clamped to Feb 28', () => {
    expect(addDuration(at('2023-01-31T23:59:59.999Z'), d(1, 'mo')).toISOString()).toBe(
      '2023-02-28T23:59:59.999Z',
    );
  });

  test('when adding 1mo to Mar 31, then it is clamped to Apr 30', () => {
    expect(addDuration(at('2024-03-31T12:00:00.000Z'), d(1, 'mo')).toISOString()).toBe(
      '2024-04-30T12:00:00.000Z',
    );
  });

  test('when adding 1mo in December, then it rolls into January of the next year', () => {
    expect(addDuration(at('2024-12-15T00:00:00.000Z'), d(1, 'mo')).toISOString()).toBe(
      '2025-01-15T00:00:00.000Z',
    );
  });

  test('when adding 6mo to Aug 31, then it lands on the last day of February next year', () => {
    expect(addDuration(at('2024-08-31T06:30:00.000Z'), d(6, 'mo')).toISOString()).toBe(
      '2025-02-28T06:30:00.000Z',
    );
  });

  test('when adding 12mo to Feb 29, then it is Feb 28 of the next year', () => {
    expect(addDuration(at('2024-02-29T00:00:00.000Z'), d(12, 'mo')).toISOString()).toBe(
      '2025-02-28T00:00:00.000Z',
    );
  });

  test('when adding 1mo at the last instant of a month, then it uses UTC, not local time', () => {
    expect(addDuration(at('2024-04-30T23:30:00.000Z'), d(1, 'mo')).toISOString()).toBe(
      '2024-05-30T23:30:00.000Z',
    );
  });

  test('when adding 0mo, then the date is unchanged', () => {
    expect(addDuration(from, d(0, 'mo')).toISOString()).toBe('2024-01-15T10:20:30.123Z');
  });

  test('when adding, then the input date is not mutated', () => {
    const input = at('2024-01-31T00:00:00.000Z');
    addDuration(input, d(1, 'mo'));
    addDuration(input, d(1, 'd'));

    expect(input.toISOString()).toBe('2024-01-31T00:00:00.000Z');
  });
});

describe('nextBudgetReset', () => {
  // A Wednesday.
  const wed = at('2024-05-15T13:47:12.345Z');

  test('when 1d, then it is the next midnight UTC', () => {
    expect(nextBudgetReset(wed, d(1, 'd')).toISOString()).toBe('2024-05-16T00:00:00.000Z');
  });

  test('when 1d exactly at midnight, then it is the following midnight', () => {
    expect(nextBudgetReset(at('2024-05-15T00:00:00.000Z'), d(1, 'd')).toISOString()).toBe(
      '2024-05-16T00:00:00.000Z',
    );
  });

  test('when 7d on a Wednesday, then it is next Monday 00:00', () => {
    expect(nextBudgetReset(wed, d(7, 'd')).toISOString()).toBe('2024-05-20T00:00:00.000Z');
  });

  test('when 7d on a Monday, then it is the Monday a week later', () => {
    expect(nextBudgetReset(at('2024-05-20T09:00:00.000Z'), d(7, 'd')).toISOString()).toBe(
      '2024-05-27T00:00:00.000Z',
    );
  });

  test('when 7d on a Monday at 00:00, then it is still the Monday a week later', () => {
    expect(nextBudgetReset(at('2024-05-20T00:00:00.000Z'), d(7, 'd')).toISOString()).toBe(
      '2024-05-27T00:00:00.000Z',
    );
  });

  test('when 7d late on a Sunday, then it is the next day, Monday', () => {
    expect(nextBudgetReset(at('2024-05-19T23:59:59.999Z'), d(7, 'd')).toISOString()).toBe(
      '2024-05-20T00:00:00.000Z',
    );
  });

  test('when 30d, then it is the 1st of next month', () => {
    expect(nextBudgetReset(wed, d(30, 'd')).toISOString()).toBe('2024-06-01T00:00:00.000Z');
  });

  test('when 30d on the 1st of a month, then it is the 1st of the month after', () => {
    expect(nextBudgetReset(at('2024-06-01T00:00:00.000Z'), d(30, 'd')).toISOString()).toBe(
      '2024-07-01T00:00:00.000Z',
    );
  });

  test('when 30d in December, then it is January 1st of the next year', () => {
    expect(nextBudgetReset(at('2024-12-31T23:00:00.000Z'), d(30, 'd')).toISOString()).toBe(
      '2025-01-01T00:00:00.000Z',
    );
  });

  test('when 5d, then it is today 00:00 plus 5 days', () => {
    expect(nextBudgetReset(wed, d(5, 'd')).toISOString()).toBe('2024-05-20T00:00:00.000Z');
  });

  test('when 0d, then it is now', () => {
    expect(nextBudgetReset(wed, d(0, 'd'))).toEqual(wed);
  });

  test.each([['h' as const], ['m' as const], ['s' as const], ['w' as const], ['mo' as const]])(
    'when 0%s, then it is now',
    (unit) => {
      expect(nextBudgetReset(wed, d(0, unit))).toEqual(wed);
    },
  );

  test('when 1h, then it is the top of the next hour', () => {
    expect(nextBudgetReset(wed, d(1, 'h')).toISOString()).toBe('2024-05-15T14:00:00.000Z');
  });

  test('when 2h at 13:47, then it is the next even hour, 14:00', () => {
    expect(nextBudgetReset(wed, d(2, 'h')).toISOString()).toBe('2024-05-15T14:00:00.000Z');
  });

  test('when 2h exactly on a boundary, then it is the next boundary, not now', () => {
    expect(nextBudgetReset(at('2024-05-15T14:00:00.000Z'), d(2, 'h')).toISOString()).toBe(
      '2024-05-15T16:00:00.000Z',
    );
  });

  test('when 2h at 23:30, then it is midnight of the next day', () => {
    expect(nextBudgetReset(at('2024-05-15T23:30:00.000Z'), d(2, 'h')).toISOString()).toBe(
      '2024-05-16T00:00:00.000Z',
    );
  });

  test('when 5h at 22:00, then it runs past midnight to 01:00, aligned from the day start as in LiteLLM', () => {
    expect(nextBudgetReset(at('2024-05-15T22:00:00.000Z'), d(5, 'h')).toISOString()).toBe(
      '2024-05-16T01:00:00.000Z',
    );
  });

  test('when 15m at 13:47:12, then it is 14:00', () => {
    expect(nextBudgetReset(wed, d(15, 'm')).toISOString()).toBe('2024-05-15T14:00:00.000Z');
  });

  test('when 15m at 13:44:59, then it is 13:45', () => {
    expect(nextBudgetReset(at('2024-05-15T13:44:59.999Z'), d(15, 'm')).toISOString()).toBe(
      '2024-05-15T13:45:00.000Z',
    );
  });

  test('when 30s at 13:47:12.345, then it is 13:47:30', () => {
    expect(nextBudgetReset(wed, d(30, 's')).toISOString()).toBe('2024-05-15T13:47:30.000Z');
  });

  test('when 30s at 23:59:45, then it is midnight of the next day', () => {
    expect(nextBudgetReset(at('2024-05-15T23:59:45.000Z'), d(30, 's')).toISOString()).toBe(
      '2024-05-16T00:00:00.000Z',
    );
  });

  test('when 1w, then it is next Monday 00:00', () => {
    expect(nextBudgetReset(wed, d(1, 'w')).toISOString()).toBe('2024-05-20T00:00:00.000Z');
  });

  test('when 2w, then it is one week after next Monday', () => {
    expect(nextBudgetReset(wed, d(2, 'w')).toISOString()).toBe('2024-05-27T00:00:00.000Z');
  });

  test('when 1mo, then it is the 1st of next month', () => {
    expect(nextBudgetReset(wed, d(1, 'mo')).toISOString()).toBe('2024-06-01T00:00:00.000Z');
  });

  test('when 1mo in December, then it is January 1st of the next year', () => {
    expect(nextBudgetReset(at('2024-12-10T05:00:00.000Z'), d(1, 'mo')).toISOString()).toBe(
      '2025-01-01T00:00:00.000Z',
    );
  });

  test('when 3mo, then it is the 1st of the month three months ahead', () => {
    expect(nextBudgetReset(wed, d(3, 'mo')).toISOString()).toBe('2024-08-01T00:00:00.000Z');
  });
});
