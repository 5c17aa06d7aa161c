import type { SpendEvent } from '@llmgw/contracts';
import { deltasOf } from './spend-events.service';

const base = { callId: 'c', keyHash: 'k', cost: 0.5 } as SpendEvent;

describe('deltasOf', () => {
  test('when the call has a user and a team, then key, user, team and membership get the cost', () => {
    expect(deltasOf({ ...base, userId: 'u', teamId: 't' })).toEqual([
      { kind: 'key', id: 'k', amount: 0.5, teamId: null, userId: null },
      { kind: 'user', id: 'u', amount: 0.5, teamId: null, userId: null },
      { kind: 'team', id: 't', amount: 0.5, teamId: null, userId: null },
      { kind: 'member', id: 't:u', amount: 0.5, teamId: 't', userId: 'u' },
    ]);
  });

  test('when the key has no user and no team, then only the key gets the cost', () => {
    expect(deltasOf({ ...base, userId: null, teamId: null })).toEqual([
      { kind: 'key', id: 'k', amount: 0.5, teamId: null, userId: null },
    ]);
  });

  test('when the call cost nothing, then no total is touched', () => {
    expect(deltasOf({ ...base, userId: 'u', teamId: 't', cost: 0 })).toEqual([]);
  });
});
