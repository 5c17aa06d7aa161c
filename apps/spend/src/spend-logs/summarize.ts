import type { BreakdownRow } from './spend-logs.repository';

const DAY_MS = 86_400_000;

/** One day of LiteLLM's summarized /spend/logs: total, per user, per model, and per key at top level. */
export type DaySummary = {
  startTime: string;
  spend: number;
  users: Record<string, number>;
  models: Record<string, number>;
} & Record<string, unknown>;

const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * LiteLLM's `summarize=true` answer: one object per day from `start` to `end` (inclusive), in date order,
 * with the day's spend, spend per user and per model, and each key's spend as a top-level field; days
 * without spend are `{startTime, spend: 0, users: {}, models: {}}`. LiteLLM zero-fills only the days
 * after the last day with spend; we fill every missing day of the range. A null user is keyed "null",
 * as Python's json.dumps prints a None key. Every sum comes from SQL, exact.
 */
export function summarizeByDay(rows: BreakdownRow[], start: Date, end: Date): DaySummary[] {
  const days = new Map<string, DaySummary>();
  for (const r of rows) {
    let d = days.get(r.date);
    if (!d) {
      d = { users: {}, models: {}, spend: 0, startTime: r.date } as DaySummary;
      days.set(r.date, d);
    }
    if (r.dimension === 'total') d.spend = r.spend;
    else if (r.dimension === 'user') d.users[r.name ?? 'null'] = r.spend;
    else if (r.dimension === 'model') d.models[r.name ?? 'null'] = r.spend;
    else d[r.name ?? 'null'] = r.spend;
  }
  const out: DaySummary[] = [];
  for (let t = start.getTime(); t <= end.getTime(); t += DAY_MS) {
    const key = dayText(t);
    out.push(days.get(key) ?? { startTime: key, spend: 0, users: {}, models: {} });
  }
  return out;
}
