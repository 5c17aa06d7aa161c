import type { IncomingHttpHeaders } from 'node:http';

/** What one request does: how slow, how long, and how it fails. */
export interface Knobs {
  /** Wait before the first response byte. */
  latencyMs: number;
  /** Words (= content chunks) of the default reply; ignored when the body carries `mock_response`. */
  chunks: number;
  /** Wait between consecutive SSE frames. */
  chunkDelayMs: number;
  /** Status of an injected error, used when the error roll hits. */
  errorStatus: number;
  /** Probability (0..1) that the request is answered with `errorStatus` instead of a reply. */
  errorRate: number;
  /** Cut the connection after this many content chunks; -1 never. */
  failAfterChunks: number;
  /** Leave `usage` out, so the caller has to count tokens itself. */
  noUsage: boolean;
}

export const LIMITS = {
  latencyMs: 120_000,
  chunksMin: 1,
  chunks: 10_000,
  chunkDelayMs: 60_000,
  failAfterChunks: 10_000,
} as const;

export const DEFAULT_KNOBS: Knobs = {
  latencyMs: 0,
  chunks: 8,
  chunkDelayMs: 0,
  errorStatus: 500,
  errorRate: 0,
  failAfterChunks: -1,
  noUsage: false,
};

export const KNOB_HEADERS = {
  latencyMs: 'x-mock-latency-ms',
  chunks: 'x-mock-chunks',
  chunkDelayMs: 'x-mock-chunk-delay-ms',
  errorStatus: 'x-mock-error-status',
  errorRate: 'x-mock-error-rate',
  failAfterChunks: 'x-mock-fail-after-chunks',
  noUsage: 'x-mock-no-usage',
} as const;

/** A knob header the mock cannot use; answered with a 400 naming the header. */
export class BadKnobError extends Error {
  constructor(
    readonly header: string,
    reason: string,
  ) {
    super(`Invalid value for header '${header}': ${reason}`);
    this.name = 'BadKnobError';
  }
}

const headerValue = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function count(header: string, raw: string, min: number, max: number): number {
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new BadKnobError(header, 'must be a non-negative number');
  return Math.min(max, Math.max(min, Math.floor(n)));
}

function status(header: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 400 || n > 599) {
    throw new BadKnobError(header, 'must be an HTTP error status between 400 and 599');
  }
  return n;
}

function probability(header: string, raw: string): number {
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(n)) throw new BadKnobError(header, 'must be a number between 0 and 1');
  return Math.min(1, Math.max(0, n));
}

function bool(header: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  throw new BadKnobError(header, "must be '1', '0', 'true' or 'false'");
}

/**
 * Headers win over the env defaults. Most requests carry no knob header, so that case returns the shared
 * defaults object without allocating. An error status on its own means "always fail with it"; an error
 * rate on its own uses the default status. Throws BadKnobError for values that are not numbers at all;
 * numbers out of range are clamped.
 */
export function resolveKnobs(headers: IncomingHttpHeaders, defaults: Knobs): Knobs {
  const latency = headerValue(headers, KNOB_HEADERS.latencyMs);
  const chunks = headerValue(headers, KNOB_HEADERS.chunks);
  const delay = headerValue(headers, KNOB_HEADERS.chunkDelayMs);
  const errStatus = headerValue(headers, KNOB_HEADERS.errorStatus);
  const errRate = headerValue(headers, KNOB_HEADERS.errorRate);
  const failAfter = headerValue(headers, KNOB_HEADERS.failAfterChunks);
  const noUsage = headerValue(headers, KNOB_HEADERS.noUsage);
  if (
    latency === undefined &&
    chunks === undefined &&
    delay === undefined &&
    errStatus === undefined &&
    errRate === undefined &&
    failAfter === undefined &&
    noUsage === undefined
  ) {
    return defaults;
  }
  const knobs = { ...defaults };
  if (latency !== undefined) knobs.latencyMs = count(KNOB_HEADERS.latencyMs, latency, 0, LIMITS.latencyMs);
  if (chunks !== undefined) {
    knobs.chunks = count(KNOB_HEADERS.chunks, chunks, LIMITS.chunksMin, LIMITS.chunks);
  }
  if (delay !== undefined) {
    knobs.chunkDelayMs = count(KNOB_HEADERS.chunkDelayMs, delay, 0, LIMITS.chunkDelayMs);
  }
  if (errStatus !== undefined) {
    knobs.errorStatus = status(KNOB_HEADERS.errorStatus, errStatus);
    knobs.errorRate = 1;
  }
  if (errRate !== undefined) knobs.errorRate = probability(KNOB_HEADERS.errorRate, errRate);
  if (failAfter !== undefined) {
    knobs.failAfterChunks = count(KNOB_HEADERS.failAfterChunks, failAfter, 0, LIMITS.failAfterChunks);
  }
  if (noUsage !== undefined) knobs.noUsage = bool(KNOB_HEADERS.noUsage, noUsage);
  return knobs;
}

/** Rolls the error dice; returns the status to answer with, or 0 for a normal reply. */
export function injectedErrorStatus(knobs: Knobs, random: () => number = Math.random): number {
  if (knobs.errorRate <= 0) return 0;
  if (knobs.errorRate >= 1 || random() < knobs.errorRate) return knobs.errorStatus;
  return 0;
}
