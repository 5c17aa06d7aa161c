import { invitationIdOf, linkProblem } from './invitation';

describe('linkProblem', () => {
  test("when identity's onboarding 401s come back, then each maps to what the person should do", () => {
    expect(
      [
        'invitation link has already been used',
        'Invitation link has expired.',
        'Invitation link does not exist in db.',
        'User does not exist in db.',
        'Invalid invitation link. The user id submitted does not match',
      ].map(linkProblem),
    ).toEqual(['used', 'expired', 'unknown', 'unknown', 'other']);
  });
});

describe('invitationIdOf', () => {
  test('when the link is ours (?id=) or LiteLLM dashboard style (?invitation_id=), then the id is read', () => {
    expect(invitationIdOf(new URLSearchParams('id=abc'))).toBe('abc');
    expect(invitationIdOf(new URLSearchParams('invitation_id=def'))).toBe('def');
    expect(invitationIdOf(new URLSearchParams('id=%20ghi%20'))).toBe('ghi');
    expect(invitationIdOf(new URLSearchParams(''))).toBe('');
  });
});
