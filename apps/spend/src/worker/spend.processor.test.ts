import type { SpendEvent } from '@llmgw/contracts';
import type { Logger } from '@llmgw/http';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import type { ResetsService } from '../totals/resets.service';
import { isDatabaseOutage, isPermanentDbError } from './db-errors';
import { createSpendProcessor, parseSpendEvent } from './spend.processor';

const event: SpendEvent = {
  callId: 'c1',
  requestId: 'chatcmpl-1',
  keyHash: 'a'.repeat(64),
  userId: 'u1',
  teamId: null,
  model: 'gpt-4o',
  modelGroup: 'gpt-4o',
  apiBase: null,
  callType: 'acompletion',
  promptTokens: 1,
  completionTokens: 2,
  cost: 0.1,
  startTime: '2030-01-01T00:00:00.000Z',
  endTime: '2030-01-01T00:00:01.000Z',
  completionStartTime: null,
  status: 'success',
  endUser: null,
};

describe('parseSpendEvent', () => {
  test('when the payload is a valid event (with or without the optional fields), then it is returned', () => {
    expect(parseSpendEvent(event)).toEqual(event);
    expect(parseSpendEvent({ ...event, keyAlias: 'k', modelId: 'm', extra: 1 })).toEqual({
      ...event,
      keyAlias: 'k',
      modelId: 'm',
    });
  });

  test.each([
    ['no payload', null, 'invalid spend event: bad or missing payload'],
    ['a negative cost', { ...event, cost: -1 }, 'invalid spend event: bad or missing cost'],
    [
      'fractional tokens',
      { ...event, promptTokens: 1.5 },
      'invalid spend event: bad or missing promptTokens',
    ],
    ['an unknown status', { ...event, status: 'maybe' }, 'invalid spend event: bad or missing status'],
    ['an unparseable start time', { ...event, startTime: 'noon' }, 'invalid spend event: bad startTime'],
    ['a cost no column can hold', { ...event, cost: 1e12 }, 'invalid spend event: cost out of range'],
  ])('when the payload has %s, then it is unrecoverable with the reason', (_label, data, reason) => {
    expect(() => parseSpendEvent(data)).toThrow(UnrecoverableError);
    expect(() => parseSpendEvent(data)).toThrow(reason);
  });
});

describe('database error classes', () => {
  test.each([
    ['22003', true],
    ['22P02', true],
    ['23505', true],
    ['40P01', false],
    ['57P01', false],
    [undefined, false],
  ])('when Postgres answers code %s, then permanent is %s', (code, permanent) => {
    expect(isPermanentDbError(Object.assign(new Error('x'), { code }))).toBe(permanent);
  });

  test.each([
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    [Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    [Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    [Object.assign(new Error('connection failure'), { code: '08006' })],
    [new Error('Connection terminated unexpectedly')],
    [new Error('timeout exceeded when trying to connect')],
  ])('when the error is %s, then it is an outage', (err) => {
    expect(isDatabaseOutage(err)).toBe(true);
  });

  test.each([
    [Object.assign(new Error('duplicate key'), { code: '23505' })],
    [Object.assign(new Error('deadlock detected'), { code: '40P01' })],
    [new Error('something else')],
    [null],
  ])('when the error is %s, then it is not an outage', (err) => {
    expect(isDatabaseOutage(err)).toBe(false);
  });
});

describe('a batch job from a gateway', () => {
  const job = (data: unknown) => ({ id: 'c1', name: 'spend-batch', data }) as unknown as Job;
  const processorRecording = (seen: string[], duplicate = new Set<string>()) =>
    createSpendProcessor({
      record: async (e) => {
        seen.push(e.callId);
        return duplicate.has(e.callId) ? 'duplicate' : 'recorded';
      },
      resets: {} as ResetsService,
      logger: { info: () => {} } as unknown as Logger,
    });

  test('when every event is valid, then each is recorded once and duplicates are counted', async () => {
    const seen: string[] = [];
    const result = await processorRecording(
      seen,
      new Set(['c2']),
    )(job({ events: [event, { ...event, callId: 'c2' }, { ...event, callId: 'c3' }] }));
    expect(seen).toEqual(['c1', 'c2', 'c3']);
    expect(result).toEqual({ kind: 'spend-batch', recorded: 2, duplicates: 1 });
  });

  test('when one event is invalid, then the valid ones are recorded and the job fails naming the bad one', async () => {
    const seen: string[] = [];
    const run = processorRecording(seen)(job({ events: [event, { ...event, callId: 'bad', cost: -1 }] }));
    await expect(run).rejects.toThrow(UnrecoverableError);
    await expect(
      processorRecording([])(job({ events: [{ ...event, callId: 'bad', cost: -1 }] })),
    ).rejects.toThrow('invalid spend events in batch: bad (invalid spend event: bad or missing cost)');
    expect(seen).toEqual(['c1']);
  });

  test('when the batch is not {events: [...]}, then it is unrecoverable', async () => {
    await expect(processorRecording([])(job({ events: [] }))).rejects.toThrow(
      'invalid spend batch: expected {events: [...]}',
    );
  });
});
