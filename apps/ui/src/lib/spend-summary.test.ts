import { summarizeDays } from './spend-summary';

describe('summarizeDays', () => {
  test("when LiteLLM's per-day summary is folded, then totals per day, per key hash and per model come out", () => {
    const hashA = 'a'.repeat(64);
    const hashB = 'b'.repeat(64);
    const summary = summarizeDays([
      { startTime: '2026-03-01', spend: 0.5, users: { u1: 0.5 }, models: { 'gpt-4o': 0.5 }, [hashA]: 0.5 },
      { startTime: '2026-03-02', spend: 0, users: {}, models: {} },
      {
        startTime: '2026-03-03',
        spend: 1.25,
        users: { u1: 1.25 },
        models: { 'gpt-4o': 0.25, 'gpt-4o-mini': 1 },
        [hashA]: 0.25,
        [hashB]: 1,
      },
    ]);
    expect(summary).toEqual({
      total: 1.75,
      days: [
        { day: '2026-03-01', spend: 0.5 },
        { day: '2026-03-02', spend: 0 },
        { day: '2026-03-03', spend: 1.25 },
      ],
      byKey: new Map([
        [hashA, 0.75],
        [hashB, 1],
      ]),
      models: [
        { model: 'gpt-4o-mini', spend: 1 },
        { model: 'gpt-4o', spend: 0.75 },
      ],
    });
  });

  test('when there are no days, then everything is zero or empty', () => {
    expect(summarizeDays([])).toEqual({ total: 0, days: [], byKey: new Map(), models: [] });
  });
});
