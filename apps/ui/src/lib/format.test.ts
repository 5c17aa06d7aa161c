import {
  formatBudget,
  formatCount,
  formatDate,
  formatDay,
  formatModels,
  formatUsd,
  lastDaysRange,
  parseList,
  parseMoney,
} from './format';

describe('formatUsd', () => {
  test('when amounts are large, small or tiny, then enough digits are shown to be non-zero', () => {
    expect([0, 12.5, 0.25, 0.0042, 0.000031, null].map(formatUsd)).toEqual([
      '$0.00',
      '$12.50',
      '$0.2500',
      '$0.004200',
      '$0.000031',
      '—',
    ]);
  });

  test('when there is no budget, then it reads "No limit"', () => {
    expect([null, undefined, 5].map(formatBudget)).toEqual(['No limit', 'No limit', '$5.00']);
  });
});

describe('dates and counts', () => {
  test('when a timestamp is given, then it is shown in UTC', () => {
    expect(formatDate('2026-03-04T05:06:00.000Z')).toBe('04 Mar 2026, 05:06 UTC');
    expect(formatDay('2026-03-04T23:59:00.000Z')).toBe('04 Mar 2026');
  });

  test('when a timestamp is missing or invalid, then a dash is shown', () => {
    expect([formatDate(null), formatDate('nope'), formatDay(undefined)]).toEqual(['—', '—', '—']);
  });

  test('when counts are large, then they get separators', () => {
    expect([formatCount(1234567), formatCount(null)]).toEqual(['1,234,567', '—']);
  });
});

describe('model lists', () => {
  test('when the list is empty, then it means every allowed model', () => {
    expect([formatModels([]), formatModels(['gpt-4o', 'gpt-4o-mini'])]).toEqual([
      'All models',
      'gpt-4o, gpt-4o-mini',
    ]);
  });

  test('when a comma or newline separated list has blanks, then they are dropped', () => {
    expect(parseList(' gpt-4o, ,gpt-4o-mini ,\nembed ')).toEqual(['gpt-4o', 'gpt-4o-mini', 'embed']);
  });
});

describe('parseMoney', () => {
  test('when the field is blank, then there is no limit', () => {
    expect(parseMoney('  ')).toEqual({ ok: true, value: undefined });
  });

  test('when the field is an amount, then it is a number', () => {
    expect([parseMoney('25'), parseMoney('2.50'), parseMoney('0')]).toEqual([
      { ok: true, value: 25 },
      { ok: true, value: 2.5 },
      { ok: true, value: 0 },
    ]);
  });

  test('when the field is negative or not a number, then it is refused with a hint', () => {
    const refused = { ok: false, error: 'Enter an amount in USD, e.g. 25 or 2.50' };
    expect([parseMoney('-1'), parseMoney('ten'), parseMoney('Infinity')]).toEqual([
      refused,
      refused,
      refused,
    ]);
  });
});

describe('lastDaysRange', () => {
  test('when the last 30 days are asked for, then the range ends today (UTC) and starts 29 days earlier', () => {
    expect(lastDaysRange(30, new Date('2026-03-10T23:30:00.000Z'))).toEqual({
      start: '2026-02-09',
      end: '2026-03-10',
    });
  });

  test('when one day is asked for, then start and end are today', () => {
    expect(lastDaysRange(1, new Date('2026-01-01T00:00:00.000Z'))).toEqual({
      start: '2026-01-01',
      end: '2026-01-01',
    });
  });
});
