import type { BreakdownRow } from './spend-logs.repository';
import { summarizeByDay } from './summarize';

const at = (d: string) => new Date(`${d}T00:00:00.000Z`);
const row = (date: string, dimension: BreakdownRow['dimension'], name: string | null, spend: number) => ({
  date,
  dimension,
  name,
  spend,
});

describe('summarizeByDay', () => {
  test('when a day has spend, then it carries the total, per-user and per-model spend, and each key at top level', () => {
    const out = summarizeByDay(
      [
        row('2030-01-15', 'total', null, 0.7),
        row('2030-01-15', 'key', 'k1', 0.3),
        row('2030-01-15', 'key', 'k2', 0.4),
        row('2030-01-15', 'user', 'alice', 0.3),
        row('2030-01-15', 'user', null, 0.4),
        row('2030-01-15', 'model', 'gpt-4o', 0.7),
      ],
      at('2030-01-15'),
      at('2030-01-15'),
    );
    expect(out).toEqual([
      {
        startTime: '2030-01-15',
        spend: 0.7,
        users: { alice: 0.3, null: 0.4 },
        models: { 'gpt-4o': 0.7 },
        k1: 0.3,
        k2: 0.4,
      },
    ]);
  });

  test('when days of the range have no spend (before, between and after), then they are filled with zeros', () => {
    const out = summarizeByDay(
      [row('2030-01-16', 'total', null, 1), row('2030-01-16', 'model', 'm', 1)],
      at('2030-01-14'),
      at('2030-01-18'),
    );
    expect(out.map((d) => [d.startTime, d.spend])).toEqual([
      ['2030-01-14', 0],
      ['2030-01-15', 0],
      ['2030-01-16', 1],
      ['2030-01-17', 0],
      ['2030-01-18', 0],
    ]);
    expect(out[0]).toEqual({ startTime: '2030-01-14', spend: 0, users: {}, models: {} });
  });

  test('when the range spans a month end, then every calendar day appears once', () => {
    const out = summarizeByDay([], at('2030-01-30'), at('2030-02-02'));
    expect(out.map((d) => d.startTime)).toEqual(['2030-01-30', '2030-01-31', '2030-02-01', '2030-02-02']);
  });

  test('when the end is before the start, then the answer is empty', () => {
    expect(summarizeByDay([], at('2030-01-02'), at('2030-01-01'))).toEqual([]);
  });
});
