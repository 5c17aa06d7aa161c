import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** Queue states reported by `llmgw_email_queue_jobs`. */
export const QUEUE_STATES = [
  'waiting',
  'active',
  'delayed',
  'failed',
  'completed',
  'paused',
  'prioritized',
] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

export interface NotifierMetricsOptions {
  /** Read at scrape time; when it throws (Redis down) the gauge keeps its last values. */
  queueCounts?: () => Promise<Partial<Record<QueueState, number>>>;
  /** Process metrics (cpu, memory, event loop); off in unit tests. */
  processMetrics?: boolean;
}

/**
 * The notifier's Prometheus metrics, in a registry of its own (no global state): emails sent, failed
 * (by reason: permanent, exhausted, invalid), retried, and the `email` queue's depth by state.
 */
export function createNotifierMetrics(opts: NotifierMetricsOptions = {}) {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  const sent = new Counter({
    name: 'llmgw_email_sent_total',
    help: 'Emails delivered (accepted by the SMTP server, or written to the dev outbox).',
    labelNames: ['template'] as const,
    registers: [registry],
  });
  const failed = new Counter({
    name: 'llmgw_email_failed_total',
    help: 'Email jobs that ended failed: permanent SMTP rejection, retries exhausted, or an invalid payload.',
    labelNames: ['template', 'reason'] as const,
    registers: [registry],
  });
  const retried = new Counter({
    name: 'llmgw_email_retried_total',
    help: 'Transient delivery failures that were scheduled for another attempt.',
    labelNames: ['template'] as const,
    registers: [registry],
  });
  const queueCounts = opts.queueCounts;
  new Gauge({
    name: 'llmgw_email_queue_jobs',
    help: 'Jobs in the email queue by state.',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      if (!queueCounts) return;
      try {
        const counts = await queueCounts();
        for (const state of QUEUE_STATES) this.set({ state }, counts[state] ?? 0);
      } catch {
        // Redis unreachable: keep the last values; readiness reports the outage.
      }
    },
  });
  return { registry, sent, failed, retried };
}

export type NotifierMetrics = ReturnType<typeof createNotifierMetrics>;
