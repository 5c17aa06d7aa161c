import type { IncomingHttpHeaders } from 'node:http';

export interface LastRequest {
  method: string;
  /** The request URL as received, query string included. */
  path: string;
  /** As received, `authorization` included: the keys that reach a fake upstream are fake too. */
  headers: IncomingHttpHeaders;
  /** Parsed JSON; the raw text when it was not JSON; null without a body. */
  body: unknown;
}

/**
 * What reached the mock, for tests that check what the gateway sent upstream. Counts every request
 * except /health and /mock. `requests = completed + aborted + failed + inFlight` within one generation.
 */
export class Stats {
  requests = 0;
  /** The response was fully written. */
  completed = 0;
  /** The client closed the connection before the response was fully written. */
  aborted = 0;
  /** The mock cut the connection on purpose (x-mock-fail-after-chunks). */
  failed = 0;
  inFlight = 0;
  lastRequest: LastRequest | null = null;
  /**
   * Bumped by reset(); a request only counts towards the generation it started in, so one still running
   * from before a reset cannot make the counters of the next test wrong.
   */
  generation = 0;

  started(): number {
    this.requests++;
    this.inFlight++;
    return this.generation;
  }

  ended(generation: number, outcome: 'completed' | 'aborted' | 'failed'): void {
    if (generation !== this.generation) return;
    this.inFlight--;
    this[outcome]++;
  }

  reset(): void {
    this.generation++;
    this.requests = 0;
    this.completed = 0;
    this.aborted = 0;
    this.failed = 0;
    this.inFlight = 0;
    this.lastRequest = null;
  }

  toJSON() {
    return {
      requests: this.requests,
      completed: this.completed,
      aborted: this.aborted,
      failed: this.failed,
      inFlight: this.inFlight,
      lastRequest: this.lastRequest,
    };
  }
}
