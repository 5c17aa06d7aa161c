import type { SpendEvent } from '@llmgw/contracts';
import type { Logger } from '@llmgw/http';
import type { RecordOutcome } from '../spend-events/spend-events.service';
import { createSpendBatcher } from './spend-batcher';

const ev = (callId: string) => ({ callId }) as SpendEvent;
const logger = { warn: () => {} } as unknown as Logger;

/** A fake events service whose transactions finish when the test says so. */
function fakeEvents(opts: { failMany?: unknown; failOne?: (id: string) => unknown } = {}) {
  const calls: string[][] = [];
  const gates: Array<() => void> = [];
  const gate = () => new Promise<void>((r) => gates.push(r));
  return {
    calls,
    release: () => gates.shift()?.(),
    events: {
      record: async (e: SpendEvent): Promise<RecordOutcome> => {
        calls.push([e.callId]);
        await gate();
        const err = opts.failOne?.(e.callId);
        if (err) throw err;
        return 'recorded';
      },
      recordMany: async (es: SpendEvent[]): Promise<RecordOutcome[]> => {
        calls.push(es.map((e) => e.callId));
        await gate();
        if (opts.failMany) throw opts.failMany;
        return es.map(() => 'recorded');
      },
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('createSpendBatcher', () => {
  test('when events arrive while a transaction runs, then they are written together in the next one', async () => {
    const f = fakeEvents();
    const b = createSpendBatcher({ events: f.events, logger });
    const all = ['a', 'b', 'c', 'd'].map((id) => b.submit(ev(id)));
    await tick();
    f.release();
    await tick();
    f.release();
    expect(await Promise.all(all)).toEqual(['recorded', 'recorded', 'recorded', 'recorded']);
    expect(f.calls).toEqual([['a'], ['b', 'c', 'd']]);
  });

  test('when a batch is larger than maxBatch, then it is split', async () => {
    const f = fakeEvents();
    const b = createSpendBatcher({ events: f.events, logger, maxBatch: 2 });
    const all = ['a', 'b', 'c', 'd', 'e'].map((id) => b.submit(ev(id)));
    for (let i = 0; i < 3; i++) {
      await tick();
      f.release();
    }
    await Promise.all(all);
    expect(f.calls).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  test('when a batch fails for a reason other than an outage, then its events are written one by one and only the broken one fails', async () => {
    const f = fakeEvents({
      failMany: Object.assign(new Error('bad value'), { code: '22P02' }),
      failOne: (id) => (id === 'c' ? new Error('broken event') : null),
    });
    const b = createSpendBatcher({ events: f.events, logger });
    const results = ['a', 'b', 'c'].map((id) => b.submit(ev(id)).catch((e: Error) => e.message));
    for (let i = 0; i < 4; i++) {
      await tick();
      f.release();
    }
    expect(await Promise.all(results)).toEqual(['recorded', 'recorded', 'broken event']);
    expect(f.calls).toEqual([['a'], ['b', 'c'], ['b'], ['c']]);
  });

  test('when a batch fails because Postgres is unreachable, then every event of it fails at once (to wait and retry)', async () => {
    const f = fakeEvents({
      failMany: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    const b = createSpendBatcher({ events: f.events, logger });
    const first = b.submit(ev('a'));
    const rest = ['b', 'c'].map((id) => b.submit(ev(id)).catch((e: Error) => e.message));
    await tick();
    f.release();
    await first;
    await tick();
    f.release();
    expect(await Promise.all(rest)).toEqual(['connect ECONNREFUSED', 'connect ECONNREFUSED']);
    expect(f.calls).toEqual([['a'], ['b', 'c']]);
  });
});
