import { endUsersBodySchema, spendLogsQuerySchema } from './spend-logs.schemas';
import { toKeyHash } from './spend-logs.service';

describe('spendLogsQuerySchema', () => {
  test('when nothing is given, then summarize defaults to true and limit to 1000', () => {
    expect(spendLogsQuerySchema.parse({})).toEqual({ summarize: true, limit: 1000 });
  });

  test.each([
    ['false', false],
    ['0', false],
    ['no', false],
    ['True', true],
    ['on', true],
  ])('when summarize is "%s", then it is %s (FastAPI booleans)', (v, expected) => {
    expect(spendLogsQuerySchema.parse({ summarize: v }).summarize).toBe(expected);
  });

  test('when dates are given, then they become 00:00 UTC of that day', () => {
    const q = spendLogsQuerySchema.parse({ start_date: '2030-02-28', end_date: '2030-03-01' });
    expect(q.start_date?.toISOString()).toBe('2030-02-28T00:00:00.000Z');
    expect(q.end_date?.toISOString()).toBe('2030-03-01T00:00:00.000Z');
  });

  test.each(['2030-2-1', '2030-02-29', '20300201', '2030-13-01'])(
    'when a date is "%s", then it is refused',
    (d) => {
      expect(spendLogsQuerySchema.safeParse({ start_date: d }).success).toBe(false);
    },
  );

  test('when a summary would span more than 3660 days, then end_date is refused', () => {
    const r = spendLogsQuerySchema.safeParse({ start_date: '2000-01-01', end_date: '2030-01-01' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['end_date']);
    expect(
      spendLogsQuerySchema.safeParse({ start_date: '2000-01-01', end_date: '2030-01-01', summarize: 'false' })
        .success,
    ).toBe(true);
  });
});

describe('endUsersBodySchema', () => {
  test.each([
    ['2030-01-02', '2030-01-02T00:00:00.000Z'],
    ['2030-01-02T03:04:05', '2030-01-02T03:04:05.000Z'],
    ['2030-01-02 03:04', '2030-01-02T03:04:00.000Z'],
    ['2030-01-02T03:04:05.5+02:00', '2030-01-02T01:04:05.500Z'],
  ])('when startTime is "%s", then it means %s (naive times are UTC)', (v, iso) => {
    expect(endUsersBodySchema.parse({ startTime: v })?.startTime?.toISOString()).toBe(iso);
  });

  test('when the body is null, then it is accepted (no filters)', () => {
    expect(endUsersBodySchema.parse(null)).toBeNull();
  });
});

describe('toKeyHash', () => {
  test('when given a raw sk- key, then it is its sha256 hex; a hash stays as it is', () => {
    expect(toKeyHash('sk-1234')).toBe('88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b');
    expect(toKeyHash('ab'.repeat(32))).toBe('ab'.repeat(32));
  });
});
