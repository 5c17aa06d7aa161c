/** Display helpers: money, dates, counts. Pure, so they are unit-tested. */

export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (value === 0) return '$0.00';
  const abs = Math.abs(value);
  // Per-request costs are often fractions of a cent: show enough digits to be non-zero.
  const digits = abs >= 1 ? 2 : abs >= 0.01 ? 4 : 6;
  return `$${value.toFixed(digits)}`;
}

export function formatBudget(value: number | null | undefined): string {
  return value === null || value === undefined ? 'No limit' : formatUsd(value);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return d.toLocaleString('en-GB', {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
    timeZoneName: 'short',
  });
}

export function formatDay(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return d.toLocaleDateString('en-GB', { year: 'numeric', month: 'short', day: '2-digit', timeZone: 'UTC' });
}

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value.toLocaleString('en-US');
}

/** A model list as people read it: empty means every model the team and user allow. */
export function formatModels(models: string[] | null | undefined): string {
  if (!models || models.length === 0) return 'All models';
  return models.join(', ');
}

/** `"gpt-4o, gpt-4o-mini , "` → `["gpt-4o", "gpt-4o-mini"]`. */
export function parseList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** A budget field: empty → undefined (no limit); otherwise a non-negative number or an error. */
export function parseMoney(
  value: string,
): { ok: true; value: number | undefined } | { ok: false; error: string } {
  const v = value.trim();
  if (v === '') return { ok: true, value: undefined };
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) return { ok: false, error: 'Enter an amount in USD, e.g. 25 or 2.50' };
  return { ok: true, value: n };
}

export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const DAY_MS = 86_400_000;

/** The `YYYY-MM-DD` (UTC) range of the last `days` days, today included, for `/spend/logs` dates. */
export function lastDaysRange(days: number, now: Date = new Date()): { start: string; end: string } {
  const end = now.toISOString().slice(0, 10);
  const start = new Date(now.getTime() - (days - 1) * DAY_MS).toISOString().slice(0, 10);
  return { start, end };
}
