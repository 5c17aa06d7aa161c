import { DEFAULT_KNOBS, injectedErrorStatus, type Knobs, resolveKnobs } from './knobs';

describe('resolveKnobs', () => {
  test('when no knob header is present, then the defaults object itself is returned', () => {
    expect(resolveKnobs({ authorization: 'Bearer x' }, DEFAULT_KNOBS)).toBe(DEFAULT_KNOBS);
  });

  test('when every header is set, then headers win over the defaults', () => {
    const knobs = resolveKnobs(
      {
        'x-mock-latency-ms': '15',
        'x-mock-chunks': '4',
        'x-mock-chunk-delay-ms': '2.7',
        'x-mock-error-status': '429',
        'x-mock-error-rate': '0.25',
        'x-mock-fail-after-chunks': '3',
        'x-mock-no-usage': 'true',
      },
      DEFAULT_KNOBS,
    );

    expect(knobs).toEqual<Knobs>({
      latencyMs: 15,
      chunks: 4,
      chunkDelayMs: 2,
      errorStatus: 429,
      errorRate: 0.25,
      failAfterChunks: 3,
      noUsage: true,
    });
  });

  test('when values are out of range, then they are clamped to the limits', () => {
    const knobs = resolveKnobs(
      {
        'x-mock-latency-ms': '999999999',
        'x-mock-chunks': '0',
        'x-mock-chunk-delay-ms': '1e9',
        'x-mock-error-rate': '7',
        'x-mock-fail-after-chunks': '50000',
      },
      DEFAULT_KNOBS,
    );

    expect(knobs).toEqual<Knobs>({
      ...DEFAULT_KNOBS,
      latencyMs: 120_000,
      chunks: 1,
      chunkDelayMs: 60_000,
      errorRate: 1,
      failAfterChunks: 10_000,
    });
  });

  test('when only an error status is sent, then it applies to every request', () => {
    expect(resolveKnobs({ 'x-mock-error-status': '503' }, { ...DEFAULT_KNOBS, errorRate: 0.1 })).toEqual({
      ...DEFAULT_KNOBS,
      errorStatus: 503,
      errorRate: 1,
    });
  });

  test('when only an error rate is sent, then the default status is used', () => {
    expect(resolveKnobs({ 'x-mock-error-rate': '0.5' }, DEFAULT_KNOBS)).toEqual({
      ...DEFAULT_KNOBS,
      errorStatus: 500,
      errorRate: 0.5,
    });
  });

  test('when x-mock-no-usage is 0 over a true default, then usage is back on', () => {
    expect(resolveKnobs({ 'x-mock-no-usage': '0' }, { ...DEFAULT_KNOBS, noUsage: true }).noUsage).toBe(false);
  });

  test('when a header is not a number, then it throws naming the header', () => {
    expect(() => resolveKnobs({ 'x-mock-chunks': 'many' }, DEFAULT_KNOBS)).toThrow(
      expect.objectContaining({ name: 'BadKnobError', header: 'x-mock-chunks' }),
    );
  });
});

describe('injectedErrorStatus', () => {
  const knobs = (errorRate: number): Knobs => ({ ...DEFAULT_KNOBS, errorStatus: 429, errorRate });

  test('when the rate is 0, then no error is injected and no dice are rolled', () => {
    const random = jest.fn(() => 0);

    expect(injectedErrorStatus(knobs(0), random)).toBe(0);
    expect(random).not.toHaveBeenCalled();
  });

  test('when the roll is below the rate, then the error status is returned', () => {
    expect(injectedErrorStatus(knobs(0.5), () => 0.49)).toBe(429);
  });

  test('when the roll is at or above the rate, then no error is injected', () => {
    expect(injectedErrorStatus(knobs(0.5), () => 0.5)).toBe(0);
  });
});
