import { createLogger } from '@llmgw/http';
import { SpendUnavailableError } from './spend-client';
import { loadSpendView, membershipWithTotals, withTotals } from './spend-view';

const logger = createLogger({ name: 'spend-view-test', level: 'silent' });
const wire = { id: 'x', spend: 2, budget_duration: '1d', budget_reset_at: '2031-01-02T00:00:00.000Z' };

describe('withTotals', () => {
  test('when there are no totals, then the wire object is unchanged', () => {
    expect(withTotals(wire, undefined)).toEqual(wire);
  });

  test('when spend runs the same schedule, then spend and the reset time are spend’s', () => {
    expect(
      withTotals(wire, { spend: 0.5, budget_duration: '1d', budget_reset_at: '2031-01-03T00:00:00.000Z' }),
    ).toEqual({ id: 'x', spend: 0.5, budget_duration: '1d', budget_reset_at: '2031-01-03T00:00:00.000Z' });
  });

  test('when spend has another (or no) schedule yet, then only spend is taken', () => {
    expect(withTotals(wire, { spend: 7, budget_duration: null, budget_reset_at: null })).toEqual({
      ...wire,
      spend: 7,
    });
    expect(
      withTotals(
        { ...wire, budget_duration: null, budget_reset_at: null },
        { spend: 7, budget_duration: '7d', budget_reset_at: '2031-01-06T00:00:00.000Z' },
      ),
    ).toEqual({ id: 'x', spend: 7, budget_duration: null, budget_reset_at: null });
  });
});

describe('membershipWithTotals', () => {
  const table = {
    budget_id: 'b',
    max_budget: 5,
    budget_duration: '1d',
    budget_reset_at: '2031-01-02T00:00:00.000Z',
  };

  test('when the membership has a budget table with the same schedule, then spend and its reset time are spend’s', () => {
    expect(
      membershipWithTotals(
        { user_id: 'u', spend: 0, litellm_budget_table: table },
        { spend: 3, budget_duration: '1d', budget_reset_at: '2031-01-03T00:00:00.000Z' },
      ),
    ).toEqual({
      user_id: 'u',
      spend: 3,
      litellm_budget_table: { ...table, budget_reset_at: '2031-01-03T00:00:00.000Z' },
    });
  });

  test('when the membership has no budget table, then only spend changes', () => {
    expect(
      membershipWithTotals(
        { user_id: 'u', spend: 0, litellm_budget_table: null },
        { spend: 3, budget_duration: null, budget_reset_at: null },
      ),
    ).toEqual({ user_id: 'u', spend: 3, litellm_budget_table: null });
  });
});

describe('loadSpendView', () => {
  const totals = { spend: 1, budget_duration: null, budget_reset_at: null };

  test('when nothing is asked, then spend is not called', async () => {
    const spend = { totals: jest.fn(), schedule: jest.fn() };
    const view = await loadSpendView(spend, logger, { userIds: [], teamIds: [] });
    expect(view.stale).toBe(false);
    expect(spend.totals).not.toHaveBeenCalled();
  });

  test('when spend answers, then users, teams and memberships are found by id', async () => {
    const spend = {
      totals: jest.fn(async () => ({
        keys: {},
        users: { u: totals },
        teams: { t: { ...totals, spend: 2 } },
        memberships: [{ team_id: 't', user_id: 'u', ...totals, spend: 3 }],
      })),
      schedule: jest.fn(),
    };
    const view = await loadSpendView(spend, logger, { userIds: ['u'], teamIds: ['t'] });
    expect([view.stale, view.user('u'), view.team('t'), view.member('t', 'u'), view.user('v')]).toEqual([
      false,
      totals,
      { ...totals, spend: 2 },
      { ...totals, spend: 3 },
      undefined,
    ]);
  });

  test('when spend is unavailable, then the view is stale and finds nothing', async () => {
    const spend = {
      totals: jest.fn(async () => {
        throw new SpendUnavailableError('down');
      }),
      schedule: jest.fn(),
    };
    const view = await loadSpendView(spend, logger, { userIds: ['u'] });
    expect([view.stale, view.user('u')]).toEqual([true, undefined]);
  });
});
