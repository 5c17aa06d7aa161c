/** Identity's password rule (apps/identity: PASSWORD_MIN_LENGTH), checked here before the round trip. */
export const PASSWORD_MIN_LENGTH = 8;

export type LinkProblem = 'missing' | 'unknown' | 'expired' | 'used' | 'other';

/** The server's onboarding 401 messages mapped to what the person should do next. */
export function linkProblem(message: string): LinkProblem {
  const m = message.toLowerCase();
  if (m.includes('already been used')) return 'used';
  if (m.includes('expired')) return 'expired';
  if (m.includes('does not exist') || m.includes('not found')) return 'unknown';
  return 'other';
}

/** The invitation id of an onboarding URL: ours (`?id=`) or LiteLLM's dashboard (`?invitation_id=`). */
export function invitationIdOf(search: URLSearchParams): string {
  return (search.get('id') ?? search.get('invitation_id') ?? '').trim();
}
