import type { DaySpend } from '../api/endpoints';

const RESERVED = new Set(['startTime', 'spend', 'users', 'models']);

export interface SpendSummary {
  total: number;
  days: { day: string; spend: number }[];
  /** Spend per key hash over the range. */
  byKey: Map<string, number>;
  /** Models by spend, highest first. */
  models: { model: string; spend: number }[];
}

/** Folds LiteLLM's per-day `/spend/logs?summarize=true` answer into totals for the usage page. */
export function summarizeDays(days: DaySpend[]): SpendSummary {
  const byKey = new Map<string, number>();
  const models = new Map<string, number>();
  let total = 0;
  for (const d of days) {
    total += d.spend;
    for (const [model, spend] of Object.entries(d.models ?? {}))
      models.set(model, (models.get(model) ?? 0) + spend);
    for (const [name, value] of Object.entries(d)) {
      if (RESERVED.has(name) || typeof value !== 'number') continue;
      byKey.set(name, (byKey.get(name) ?? 0) + value);
    }
  }
  return {
    total,
    days: days.map((d) => ({ day: d.startTime.slice(0, 10), spend: d.spend })),
    byKey,
    models: [...models.entries()]
      .map(([model, spend]) => ({ model, spend }))
      .sort((a, b) => b.spend - a.spend),
  };
}
