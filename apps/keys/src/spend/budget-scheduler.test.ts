import type { BudgetSchedule, BudgetScheduleResult } from '@llmgw/contracts';
import { createLogger } from '@llmgw/http';
import { createBudgetScheduler } from './budget-scheduler';
import { type SpendClient, SpendUnavailableError } from './spend-client';

const NOW = new Date('2031-01-10T10:00:00.000Z');
const logger = createLogger({ name: 'budget-scheduler-test', level: 'silent' });

/** A spend client whose schedule calls fail with the queued errors first, then succeed. */
function fakeSpend(failures: Error[] = []) {
  const sent: BudgetSchedule[] = [];
  const client: SpendClient = {
    keyTotals: async () => new Map(),
    copyKey: async () => {},
    schedule: async (s): Promise<BudgetScheduleResult> => {
      sent.push(s);
      const failure = failures.shift();
      if (failure) throw failure;
      return {
        kind: s.kind,
        id: s.id,
        budget_duration: s.budget_duration,
        budget_reset_at: s.budget_reset_at ?? null,
      };
    },
  };
  return { client, sent };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
};

const daily: BudgetSchedule = {
  kind: 'key',
  id: 'a'.repeat(64),
  budget_duration: '1d',
  budget_reset_at: '2031-01-11T00:00:00.000Z',
};

describe('createBudgetScheduler', () => {
  test('when spend answers, then the schedule is sent once before sync resolves and nothing is owed', async () => {
    const { client, sent } = fakeSpend();
    const s = createBudgetScheduler({ spend: client, logger, now: () => NOW });
    await s.sync([daily]);
    expect(sent).toEqual([daily]);
    expect(s.owed()).toEqual([]);
  });

  test('when spend is down, then sync still resolves, the schedule is owed and retried until spend answers', async () => {
    const down = () => new SpendUnavailableError('connect ECONNREFUSED');
    const { client, sent } = fakeSpend([down(), down()]);
    const s = createBudgetScheduler({ spend: client, logger, now: () => NOW, baseDelayMs: 1 });
    await s.sync([daily]);
    expect(s.owed()).toEqual([daily]);
    await until(() => sent.length === 3 && s.owed().length === 0);
    expect(sent).toEqual([daily, daily, daily]);
    expect(s.owed()).toEqual([]);
    s.stop();
  });

  test('when a retry comes after the reset time it carried, then that time is left out (spend keeps or computes its own)', async () => {
    let now = NOW;
    const { client, sent } = fakeSpend([new SpendUnavailableError('timeout')]);
    const s = createBudgetScheduler({ spend: client, logger, now: () => now, baseDelayMs: 1 });
    await s.sync([daily]);
    now = new Date('2031-01-11T00:00:01.000Z');
    await until(() => sent.length === 2);
    expect(sent).toEqual([daily, { kind: 'key', id: daily.id, budget_duration: '1d' }]);
    s.stop();
  });

  test('when a newer schedule of the same key comes while an older one waits, then only the newer one is sent', async () => {
    const { client, sent } = fakeSpend([new SpendUnavailableError('down')]);
    const s = createBudgetScheduler({ spend: client, logger, now: () => NOW, baseDelayMs: 50 });
    await s.sync([daily]);
    const cleared: BudgetSchedule = { kind: 'key', id: daily.id, budget_duration: null };
    await s.sync([cleared]);
    expect(s.owed()).toEqual([]);
    await new Promise((r) => setTimeout(r, 120));
    expect(sent).toEqual([daily, cleared]);
    s.stop();
  });

  test('when spend refuses the schedule itself (4xx), then it is not retried', async () => {
    const { client, sent } = fakeSpend([new SpendUnavailableError('answered 400', 400)]);
    const s = createBudgetScheduler({ spend: client, logger, now: () => NOW, baseDelayMs: 1 });
    await s.sync([daily]);
    expect(s.owed()).toEqual([]);
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual([daily]);
  });

  test('when every try fails, then it gives up after maxAttempts', async () => {
    const failures = Array.from({ length: 10 }, () => new SpendUnavailableError('down', 503));
    const { client, sent } = fakeSpend(failures);
    const s = createBudgetScheduler({
      spend: client,
      logger,
      now: () => NOW,
      baseDelayMs: 1,
      maxAttempts: 3,
    });
    await s.sync([daily]);
    await until(() => sent.length === 3 && s.owed().length === 0);
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toHaveLength(3);
    expect(s.owed()).toEqual([]);
  });

  test('when stopped, then waiting retries are cancelled', async () => {
    const { client, sent } = fakeSpend([new SpendUnavailableError('down')]);
    const s = createBudgetScheduler({ spend: client, logger, now: () => NOW, baseDelayMs: 10 });
    await s.sync([daily]);
    s.stop();
    await new Promise((r) => setTimeout(r, 40));
    expect(sent).toEqual([daily]);
    expect(s.owed()).toEqual([]);
  });
});
