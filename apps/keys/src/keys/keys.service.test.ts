import type { KeyRow } from './keys.repository';
import { changesFrom, scheduleOf, withTotals } from './keys.service';

const AT = new Date('2031-01-31T10:00:00.000Z');
const existing = { metadata: { keep: 1, model_rpm_limit: { a: 1 } } } as unknown as KeyRow;

describe('changesFrom (what /key/update writes)', () => {
  test('when nothing is sent, then nothing changes', () => {
    expect(changesFrom({}, existing, AT)).toEqual({});
  });

  test('when nullable fields are sent as null, then they are reset', () => {
    expect(
      changesFrom({ max_budget: null, rpm_limit: null, tpm_limit: null, key_alias: null }, existing, AT),
    ).toEqual({
      max_budget: null,
      rpm_limit: null,
      tpm_limit: null,
      key_alias: null,
    });
  });

  test('when list and map fields are sent as null, then they go back to empty', () => {
    expect(changesFrom({ models: null, aliases: null, allowed_routes: null }, existing, AT)).toEqual({
      models: '[]',
      aliases: '{}',
      allowed_routes: '[]',
    });
  });

  test('when a duration is sent, then expires is exactly now + duration; "-1" or null means never', () => {
    expect(changesFrom({ duration: '1mo' }, existing, AT)).toEqual({
      expires: new Date('2031-02-28T10:00:00.000Z'),
    });
    expect(changesFrom({ duration: '-1' }, existing, AT)).toEqual({ expires: null });
    expect(changesFrom({ duration: null }, existing, AT)).toEqual({ expires: null });
  });

  test('when a budget duration is sent, then the next reset is LiteLLM’s standardized time', () => {
    expect(changesFrom({ budget_duration: '30d' }, existing, AT)).toEqual({
      budget_duration: '30d',
      budget_reset_at: new Date('2031-02-01T00:00:00.000Z'),
    });
    expect(changesFrom({ budget_duration: null }, existing, AT)).toEqual({
      budget_duration: null,
      budget_reset_at: null,
    });
  });

  test('when metadata is sent, then it replaces the old one', () => {
    expect(changesFrom({ metadata: { fresh: true } }, existing, AT)).toEqual({
      metadata: JSON.stringify({ fresh: true }),
    });
  });

  test('when only per-model limits are sent, then they are merged into the existing metadata', () => {
    expect(changesFrom({ model_tpm_limit: { b: 2 }, model_rpm_limit: null }, existing, AT)).toEqual({
      metadata: JSON.stringify({ keep: 1, model_tpm_limit: { b: 2 } }),
    });
  });

  test('when a temporary budget is sent, then it is stored in metadata with a UTC expiry', () => {
    expect(
      changesFrom({ temp_budget_increase: 5, temp_budget_expiry: '2031-02-01T01:00:00+01:00' }, existing, AT),
    ).toEqual({
      metadata: JSON.stringify({
        keep: 1,
        model_rpm_limit: { a: 1 },
        temp_budget_increase: 5,
        temp_budget_expiry: '2031-02-01T00:00:00.000Z',
      }),
    });
  });

  test('when spend, key_type and auto_rotate are sent as null, then they get their defaults', () => {
    expect(changesFrom({ spend: null, key_type: null, auto_rotate: null }, existing, AT)).toEqual({
      spend: 0,
      key_type: 'default',
      auto_rotate: false,
    });
  });
});

describe('withTotals (a key row with the spend service’s totals)', () => {
  const row = {
    token: 'h',
    spend: 2,
    budget_duration: '1d',
    budget_reset_at: new Date('2031-01-02T00:00:00.000Z'),
  } as unknown as KeyRow;

  test('when there are no totals, then the row is unchanged', () => {
    expect(withTotals(row, undefined)).toBe(row);
  });

  test('when spend runs the same schedule, then spend and the reset time are spend’s', () => {
    expect(
      withTotals(row, { spend: 0.5, budget_duration: '1d', budget_reset_at: '2031-01-03T00:00:00.000Z' }),
    ).toEqual({ ...row, spend: 0.5, budget_reset_at: new Date('2031-01-03T00:00:00.000Z') });
  });

  test('when spend has another schedule (one still on its way), then only spend is taken', () => {
    expect(
      withTotals(row, { spend: 4, budget_duration: '7d', budget_reset_at: '2031-01-06T00:00:00.000Z' }),
    ).toEqual({ ...row, spend: 4 });
  });
});

describe('scheduleOf (what spend is told)', () => {
  test('when the key has a budget duration, then the duration and the reset time; without, a clearing', () => {
    const at = new Date('2031-01-02T00:00:00.000Z');
    expect(scheduleOf('h', { budget_duration: '1d', budget_reset_at: at })).toEqual({
      kind: 'key',
      id: 'h',
      budget_duration: '1d',
      budget_reset_at: '2031-01-02T00:00:00.000Z',
    });
    expect(scheduleOf('h', null)).toEqual({ kind: 'key', id: 'h', budget_duration: null });
  });
});
