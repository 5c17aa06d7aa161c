export interface RetryPolicy {
  /** Delivery attempts in total, the first one included. */
  attempts: number;
  /** Delay before the first retry; doubled for each further retry. */
  backoffMs: number;
  /** Upper bound of one delay. */
  maxBackoffMs: number;
}

/**
 * Delay before the retry that follows attempt number `attempt` (1-based): backoffMs * 2^(attempt-1),
 * capped at maxBackoffMs. No jitter: one notifier sends few emails, there is no herd to spread.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(policy.backoffMs * 2 ** exponent, policy.maxBackoffMs);
}
